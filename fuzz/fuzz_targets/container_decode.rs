//! Any bytes given to the `.h4` decoder (one thread): an error is fine; a
//! panic, a hang or an allocation beyond the declared limits is not, and
//! nothing decodes to more than the frame's limits allow.
#![no_main]

use h4::pipeline::DecompressOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = DecompressOptions {
        threads: 1,
        ..DecompressOptions::default()
    };
    if let Ok(out) = h4::decompress_to_vec(data, &options) {
        assert!(out.len() <= data.len().saturating_mul(64 << 20));
    }
});
