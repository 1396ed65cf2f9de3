//! Random access (indexing a stream and seeking in it) given any bytes:
//! see `properties::random_access`.
#![no_main]

#[path = "../properties.rs"]
mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::random_access(data));
