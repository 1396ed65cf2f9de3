//! Any bytes given to the reference engine's payload decoder: an error is
//! fine; a panic, a hang or output past the limit is not.
#![no_main]

use h4::engine::{Engine, Reference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limit = 1 << 20;
    if let Ok(out) = Reference::new().decompress_vec(data, limit) {
        assert!(out.len() <= limit);
    }
});
