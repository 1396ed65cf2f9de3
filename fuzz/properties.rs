//! What each fuzz target checks, written once: the targets in
//! `fuzz_targets/` and `tests/fuzz_regressions.rs` both include this file
//! (with `#[path]`; the fuzz crate is outside the workspace and builds only
//! on nightly), so every finding is replayed through exactly the check that
//! flagged it, with the same reading of its bytes.
#![allow(dead_code)] // each fuzz target uses one of these

use std::io::{Cursor, Read, Seek, SeekFrom};

use h4::container::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, StreamIndex};
use h4::engine::{Engine, Reference};
use h4::pipeline::{CompressOptions, DecompressOptions};

/// Any bytes given to the `.h4` decoder on `threads` threads: an error is
/// fine; a panic, a hang or an allocation beyond the declared limits is
/// not, and nothing decodes to more than the frame's limits allow.
pub fn container_decode(data: &[u8], threads: usize) {
    let options = DecompressOptions {
        threads,
        ..DecompressOptions::default()
    };
    if let Ok(out) = h4::decompress_to_vec(data, &options) {
        assert!(out.len() <= data.len().saturating_mul(64 << 20));
    }
}

/// Any bytes given to the reference engine's payload decoder: an error is
/// fine; a panic, a hang or output past the limit is not.
pub fn reference_decode(data: &[u8]) {
    let limit = 1 << 20;
    if let Ok(out) = Reference::new().decompress_vec(data, limit) {
        assert!(out.len() <= limit);
    }
}

/// Any bytes read for random access: indexing them (from format 2 footers
/// or by a scan) and reading where a few seeks land must not panic or
/// over-allocate, and whatever reads successfully must be what a
/// sequential decode of the same bytes gives.
pub fn random_access(data: &[u8]) {
    // One thread: LeakSanitizer takes a worker thread's last allocations,
    // freed just after it is joined, for leaks (see scripts/fuzz).
    let one_thread = DecompressOptions {
        threads: 1,
        ..DecompressOptions::default()
    };
    let whole = h4::decompress_to_vec(data, &one_thread).ok();
    if let Ok(index) = StreamIndex::read(&mut Cursor::new(data)) {
        for frame in &index.frames {
            for block in &frame.blocks {
                assert!(block.offset + block.len <= data.len() as u64);
            }
        }
        if let Some(whole) = &whole {
            assert_eq!(index.content_len(), whole.len() as u64);
        }
    }
    let mut reader = h4::Reader::new(Cursor::new(data));
    let seeks = data.iter().rev().take(4).map(|&b| u64::from(b) * 97);
    for at in seeks {
        if reader.seek(SeekFrom::Start(at)).is_err() {
            return;
        }
        let mut got = vec![0u8; 300];
        let Ok(n) = reader.read(&mut got) else {
            continue;
        };
        if let Some(whole) = &whole {
            let start = (at as usize).min(whole.len());
            let end = (start + n).min(whole.len());
            assert!(got[..n] == whole[start..end], "a seek read other bytes");
        }
    }
}

/// A payload of an entropy-coded mode (6 to 16) made from any bytes: the
/// first byte picks the mode, the next two the raw length (up to 64 KiB),
/// the rest is the body. Like [`reference_decode`], but every input reaches
/// the LZ or PCM decoder instead of most failing on the mode byte or the
/// length: hostile Huffman tables, Rice parameters, offsets and stream
/// lengths must be clean errors, and what decodes has the declared length.
pub fn reference_modes(data: &[u8]) {
    let [mode, lo, hi, body @ ..] = data else {
        return;
    };
    let raw_len = u16::from_le_bytes([*lo, *hi]);
    let mut payload = vec![6 + mode % 11];
    let mut v = raw_len;
    while v >= 0x80 {
        payload.push(v as u8 | 0x80);
        v >>= 7;
    }
    payload.push(v as u8);
    payload.extend_from_slice(body);
    if let Ok(out) = Reference::new().decompress_vec(&payload, 1 << 16) {
        assert_eq!(out.len(), usize::from(raw_len));
    }
}

/// Compress then decompress equals the input, for any input, block size
/// and container format (the first two bytes pick the block size, the
/// lowest bit of the first the format). Compressing with each of
/// `thread_counts` must give the same bytes; decompression uses the last.
pub fn roundtrip(data: &[u8], thread_counts: &[usize]) {
    let (size, input) = match data {
        [a, b, rest @ ..] => (u32::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
    };
    let format = if size & 1 == 0 { 2 } else { 1 };
    let block_size = (MIN_BLOCK_SIZE + size * 16).min(MAX_BLOCK_SIZE);
    let frames: Vec<Vec<u8>> = thread_counts
        .iter()
        .map(|&threads| {
            let options = CompressOptions {
                block_size,
                threads,
                format,
                ..CompressOptions::default()
            };
            h4::compress_to_vec(input, &Reference::new(), &options).unwrap()
        })
        .collect();
    assert!(
        frames.iter().all(|f| *f == frames[0]),
        "thread count changed the bytes"
    );
    let decode = DecompressOptions {
        threads: thread_counts[thread_counts.len() - 1],
        ..DecompressOptions::default()
    };
    let back = h4::decompress_to_vec(&frames[0], &decode).unwrap();
    assert!(back == input);
}
