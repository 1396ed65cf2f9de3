//! The reference engine's LZ and PCM decoders, given any body: see
//! `properties::reference_modes`.
#![no_main]

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::reference_modes(data));
