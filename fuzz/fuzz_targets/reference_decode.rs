//! The reference engine's payload decoder, given any bytes: see
//! `properties::reference_decode`.
#![no_main]

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::reference_decode(data));
