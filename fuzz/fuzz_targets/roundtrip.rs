//! Compress then decompress equals the input, for any input and block size
//! (the first two bytes pick the block size). One input in 64 is also
//! compressed on two threads, which must give the same bytes.
//!
//! Which inputs go threaded is decided by a hash of the whole input, not by
//! one byte: libFuzzer's mutations favour zero bytes, and when the first
//! byte decided, 60% of the corpus ended up threaded. Under AddressSanitizer
//! every spawned thread costs about a millisecond of system time and keeps
//! some memory, so the fuzzer ran at 500 inputs/s and hit its RSS limit
//! after half a million (without ASan the same corpus stays at 30 MB).
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
    let thread_counts: &[usize] = if fnv1a(data) % 64 == 0 { &[1, 2] } else { &[1] };
    let frames: Vec<Vec<u8>> = thread_counts
        .iter()
        .copied()
        .map(|threads| {
            let options = CompressOptions {
                block_size,
                threads,
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
});

/// FNV-1a: a hash the fuzzer cannot steer byte by byte.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
