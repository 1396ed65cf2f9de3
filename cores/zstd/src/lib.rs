//! `libh4_core_zstd.so`: zstd behind the HarmonyØ4 core ABI, at level 3
//! unless the host asks for another.
//!
//! Each call makes one zstd frame with the content size in its header and
//! no zstd checksum (the h4 container checks every block already).
//! Compression and decompression contexts are kept per thread, so h4's
//! block-parallel pipeline pays for them once per worker, not once per
//! block. Level 3 is zstd's default; through the level extension
//! (`h4_compress_level_v1`) the host can ask for any of zstd's levels,
//! from its fastest negative ones to 22. With the bundled, pinned libzstd
//! the output for a level is the same on every platform.

use std::cell::RefCell;
use std::io::{Cursor, Read};

/// The zstd compression level: zstd's default.
pub const LEVEL: i32 = 3;

/// The block size to ask h4 for. Blocks are compressed independently, so
/// each starts with an empty window: at level 3 (a 2 MiB window), measured
/// on 32 MiB of man pages against `zstd -3 -T2`, 1 MiB blocks give up 10% of
/// the ratio, 4 MiB 1.6%, 6 MiB 0.65%, 8 MiB 0.3%. 6 MiB is the smallest
/// within 1%, and keeps a 5 GiB stream under 50 MiB of memory with the
/// round-trip check on (8 MiB: 80 MiB).
pub const BLOCK_SIZE: u32 = 6 << 20;

/// The most a single `h4_decompress` call will produce.
const MAX_OUTPUT: u64 = 1 << 34;

/// zstd's levels: `-131072` (its fastest) to 22.
fn levels() -> std::ops::RangeInclusive<i32> {
    zstd::zstd_safe::min_c_level()..=zstd::zstd_safe::max_c_level()
}

thread_local! {
    /// This thread's compression context and the level it is set to.
    static COMPRESSOR: RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

fn compress(input: &[u8], out: &mut Vec<u8>) -> bool {
    compress_level(input, out, LEVEL)
}

/// Compresses at `level` (within [`levels`]; the glue refuses others).
fn compress_level(input: &[u8], out: &mut Vec<u8>, level: i32) -> bool {
    let new_compressor = || {
        let mut c = zstd::bulk::Compressor::new(level).ok()?;
        c.include_checksum(false).ok()?;
        c.include_contentsize(true).ok()?;
        Some((level, c))
    };
    with_cached(&COMPRESSOR, new_compressor, |(at, compressor)| {
        if *at != level {
            if compressor.set_compression_level(level).is_err() {
                return false;
            }
            *at = level;
        }
        append_with(
            out,
            zstd::zstd_safe::compress_bound(input.len()),
            |buffer| compressor.compress_to_buffer(input, buffer).is_ok(),
        )
    })
}

/// Runs `f` on this thread's context in `cell`, made by `new` on first use;
/// false when it cannot be made.
fn with_cached<T: 'static>(
    cell: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    new: impl FnOnce() -> Option<T>,
    f: impl FnOnce(&mut T) -> bool,
) -> bool {
    cell.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = new();
        }
        slot.as_mut().is_some_and(f)
    })
}

/// Runs `write` on a cursor at the end of `out` with `room` bytes reserved,
/// so zstd writes straight into the buffer the host receives.
fn append_with(
    out: &mut Vec<u8>,
    room: usize,
    write: impl FnOnce(&mut Cursor<&mut Vec<u8>>) -> bool,
) -> bool {
    let start = out.len();
    if out.try_reserve_exact(room).is_err() {
        return false;
    }
    let mut cursor = Cursor::new(out);
    cursor.set_position(start as u64);
    write(&mut cursor)
}

fn decompress(payload: &[u8], out: &mut Vec<u8>) -> bool {
    match zstd::zstd_safe::get_frame_content_size(payload) {
        Ok(Some(size)) if size <= MAX_OUTPUT => with_cached(
            &DECOMPRESSOR,
            || zstd::bulk::Decompressor::new().ok(),
            |decompressor| {
                let start = out.len();
                append_with(out, size as usize, |buffer| {
                    decompressor.decompress_to_buffer(payload, buffer).is_ok()
                }) && (out.len() - start) as u64 == size
            },
        ),
        Ok(Some(_)) | Err(_) => false,
        // No size in the header (not made by this core, but valid zstd):
        // stream it, bounded.
        Ok(None) => zstd::stream::read::Decoder::new(payload)
            .and_then(|d| d.take(MAX_OUTPUT).read_to_end(out))
            .is_ok(),
    }
}

/// Decodes straight into the host's buffer (`h4_decompress_into_v1`):
/// no allocation, no copy, no free. Only frames that state their size
/// (as this core's do) and fit `out` are accepted.
fn decompress_into(payload: &[u8], out: &mut [u8]) -> Option<usize> {
    match zstd::zstd_safe::get_frame_content_size(payload) {
        Ok(Some(size)) if size <= out.len() as u64 => {}
        _ => return None,
    }
    let mut written = None;
    with_cached(
        &DECOMPRESSOR,
        || zstd::bulk::Decompressor::new().ok(),
        |decompressor| {
            written = decompressor.decompress_to_buffer(payload, out).ok();
            written.is_some()
        },
    );
    written
}

h4_core_abi::export_core! {
    name: "zstd",
    version: concat!(env!("CARGO_PKG_VERSION"), " (zstd, level 3 by default)"),
    compress: compress,
    decompress: decompress,
    block_size: BLOCK_SIZE,
    decompress_into: decompress_into,
    levels: levels(),
    compress_level: compress_level,
}
