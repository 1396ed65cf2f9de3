//! Property tests: every input survives a round trip, whatever its shape,
//! the block size or the thread count, and the bytes never depend on the
//! thread count.

use h4::engine::{Engine, Reference};
use h4::pipeline::{CompressOptions, DecompressOptions};
use proptest::prelude::*;

use crate::util::data;

/// Inputs with the structure the engine cares about: runs of every length,
/// literal stretches, ramps and repeated multi-byte patterns.
fn structured() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        (any::<u8>(), 1usize..300).prop_map(|(b, n)| vec![b; n]),
        prop::collection::vec(any::<u8>(), 0..200),
        (any::<u8>(), any::<u8>(), 1usize..300).prop_map(|(start, step, n)| (0..n)
            .map(|i| start.wrapping_add(step.wrapping_mul(i as u8)))
            .collect()),
        (prop::collection::vec(any::<u8>(), 2..5), 1usize..100).prop_map(|(p, n)| p.repeat(n)),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn options(block_size: u32, threads: usize) -> CompressOptions {
    CompressOptions {
        block_size,
        threads,
        ..CompressOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn engine_round_trips(data in structured()) {
        let engine = Reference::new();
        let payload = engine.compress_vec(&data).unwrap();
        prop_assert!(payload.len() <= data.len() + 1 + 10);
        prop_assert_eq!(engine.decompress_vec(&payload, data.len()).unwrap(), data);
    }

    #[test]
    fn engine_round_trips_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..5000)) {
        let engine = Reference::new();
        let payload = engine.compress_vec(&data).unwrap();
        prop_assert_eq!(engine.decompress_vec(&payload, data.len()).unwrap(), data);
    }

    #[test]
    fn engine_decoder_survives_garbage(payload in prop::collection::vec(any::<u8>(), 0..300)) {
        // Any answer is fine except a panic or output past the limit.
        if let Ok(out) = Reference::new().decompress_vec(&payload, 4096) {
            prop_assert!(out.len() <= 4096);
        }
    }

    #[test]
    fn frames_round_trip_for_any_block_size_and_threads(
        data in structured(),
        block_size in 1024u32..5000,
        threads in 1usize..5,
    ) {
        let frame = h4::compress_to_vec(&data, &Reference::new(), &options(block_size, threads)).unwrap();
        let serial = h4::compress_to_vec(&data, &Reference::new(), &options(block_size, 1)).unwrap();
        prop_assert!(frame == serial, "thread count changed the bytes");
        let back = h4::decompress_to_vec(&frame, &DecompressOptions { threads, engines: vec![], progress: None }).unwrap();
        prop_assert_eq!(back, data);
    }

    #[test]
    fn corrupt_frames_are_rejected(
        data in structured(),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let mut frame = h4::compress_to_vec(&data, &Reference::new(), &options(1024, 1)).unwrap();
        let at = position.index(frame.len());
        frame[at] ^= flip;
        prop_assert!(h4::decompress_to_vec(&frame, &DecompressOptions::default()).is_err(),
            "flipping byte {} of {} went unnoticed", at, frame.len());
    }
}

#[test]
fn random_data_never_expands_more_than_a_tenth_of_a_percent() {
    let data = data::noise(3_000_000, 0x2545_f491_4f6c_dd1d);
    let frame = h4::compress_to_vec(&data, &Reference::new(), &CompressOptions::default()).unwrap();
    let growth = (frame.len() - data.len()) as f64 / data.len() as f64;
    assert!(growth < 0.001, "grew by {:.4}%", growth * 100.0);
    let payload = Reference::new().compress_vec(&data).unwrap();
    assert!(payload.len() - data.len() <= 5);
}

#[test]
fn flat_raster_compresses_far_better_than_text() {
    // 12 MiB RGB raster of flat rectangles versus English-like text.
    let (w, h) = (2048usize, 2048usize);
    let raster: Vec<u8> = (0..w * h)
        .flat_map(|p| {
            let (x, y) = (p % w, p / w);
            let tile = (x / 256 + 8 * (y / 256)) as u8;
            [tile.wrapping_mul(29), tile.wrapping_mul(71), 255 - tile]
        })
        .collect();
    let text = data::text(4 << 20);
    let ratio = |data: &[u8]| {
        let frame =
            h4::compress_to_vec(data, &Reference::new(), &CompressOptions::default()).unwrap();
        data.len() as f64 / frame.len() as f64
    };
    let (raster_ratio, text_ratio) = (ratio(&raster), ratio(&text));
    assert!(raster_ratio > 100.0, "raster ratio {raster_ratio}");
    // Text of nine words is LZ and Huffman territory: about 4x.
    assert!(text_ratio > 3.0, "text ratio {text_ratio}");
    assert!(
        raster_ratio > 10.0 * text_ratio,
        "raster {raster_ratio} vs text {text_ratio}"
    );
}
