//! Compress then decompress equals the input, for any input and block size
//! (the first two bytes pick the block size), on one and on two threads,
//! with the same bytes either way.
#![no_main]

use h4::container::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
use h4::engine::Reference;
use h4::pipeline::{CompressOptions, DecompressOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (size, input) = match data {
        [a, b, rest @ ..] => (u32::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
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
    assert!(frames[0] == frames[1], "thread count changed the bytes");
    let back = h4::decompress_to_vec(&frames[0], &DecompressOptions::default()).unwrap();
    assert!(back == input);
});
