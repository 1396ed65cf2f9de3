//! The `.h4` decoder on one thread, given any bytes: see
//! `properties::container_decode`.
#![no_main]

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::container_decode(data, 1));
