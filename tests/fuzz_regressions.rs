//! Every input the fuzzers ever flagged (`fuzz/regressions/TARGET/`), run
//! through the same property as its fuzz target, so a fixed finding stays
//! fixed. See `scripts/fuzz`.

use std::path::Path;

use h4::container::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
use h4::engine::{Engine, Reference};
use h4::pipeline::{CompressOptions, DecompressOptions};

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn container_decode_findings() {
    for data in inputs("container_decode") {
        let _ = h4::decompress_to_vec(&data, &DecompressOptions::default());
    }
}

#[test]
fn reference_decode_findings() {
    for data in inputs("reference_decode") {
        let _ = Reference::new().decompress_vec(&data, 1 << 20);
    }
}

#[test]
fn roundtrip_findings() {
    let found = inputs("roundtrip");
    assert!(
        !found.is_empty(),
        "the committed roundtrip finding is missing"
    );
    for data in found {
        let (size, input) = match data.as_slice() {
            [a, b, rest @ ..] => (u32::from(u16::from_le_bytes([*a, *b])), rest),
            _ => (0, &data[..]),
        };
        let block_size = (MIN_BLOCK_SIZE + size * 16).min(MAX_BLOCK_SIZE);
        let frames: Vec<Vec<u8>> = [1, 2]
            .into_iter()
            .map(|threads| {
                let options = CompressOptions {
                    block_size,
                    threads,
                    ..CompressOptions::default()
                };
                h4::compress_to_vec(input, &Reference::new(), &options).unwrap()
            })
            .collect();
        assert!(frames[0] == frames[1]);
        let back = h4::decompress_to_vec(&frames[0], &DecompressOptions::default()).unwrap();
        assert!(back == input);
    }
}
