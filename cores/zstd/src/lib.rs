//! `libh4_core_zstd.so`: zstd at level 3 behind the HarmonyØ4 core ABI.
//!
//! Each call makes one zstd frame with the content size in its header and
//! no zstd checksum (the h4 container checks every block already).
//! Compression and decompression contexts are kept per thread, so h4's
//! block-parallel pipeline pays for them once per worker, not once per
//! block. Level 3 is zstd's default; with the bundled, pinned libzstd the
//! output is the same on every platform.

use std::cell::RefCell;
use std::io::Read;

/// The zstd compression level: zstd's default.
pub const LEVEL: i32 = 3;

/// The most a single `h4_decompress` call will produce.
const MAX_OUTPUT: u64 = 1 << 34;

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

fn compress(input: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut c = zstd::bulk::Compressor::new(LEVEL).ok()?;
            c.include_checksum(false).ok()?;
            c.include_contentsize(true).ok()?;
            *slot = Some(c);
        }
        slot.as_mut()?.compress(input).ok()
    })
}

fn decompress(payload: &[u8]) -> Option<Vec<u8>> {
    match zstd::zstd_safe::get_frame_content_size(payload) {
        Ok(Some(size)) if size <= MAX_OUTPUT => DECOMPRESSOR.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                *slot = Some(zstd::bulk::Decompressor::new().ok()?);
            }
            let mut out = Vec::new();
            out.try_reserve_exact(size as usize).ok()?;
            let n = slot
                .as_mut()?
                .decompress_to_buffer(payload, &mut out)
                .ok()?;
            (n as u64 == size).then_some(out)
        }),
        Ok(Some(_)) | Err(_) => None,
        // No size in the header (not made by this core, but valid zstd):
        // stream it, bounded.
        Ok(None) => {
            let mut out = Vec::new();
            zstd::stream::read::Decoder::new(payload)
                .ok()?
                .take(MAX_OUTPUT)
                .read_to_end(&mut out)
                .ok()?;
            Some(out)
        }
    }
}

h4_core_abi::export_core! {
    name: "zstd",
    version: concat!(env!("CARGO_PKG_VERSION"), " (zstd level 3)"),
    compress: compress,
    decompress: decompress,
}
