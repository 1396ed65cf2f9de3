//! Glue for writing a HarmonyØ4 core in Rust.
//!
//! A core exports `h4_compress`, `h4_decompress` and `h4_free` with the C
//! signatures of the core ABI, plus h4's optional identity symbols. Writing
//! those by hand means raw pointers, an allocator the host can release
//! through `h4_free`, and care that no panic unwinds into C. This crate does
//! all of that once: [`export_core!`] turns two safe functions
//! `fn(&[u8], &mut Vec<u8>) -> bool` into a complete core.
//!
//! A codec appends its output to a vector that already holds a 16-byte
//! header; the glue records the vector's length and capacity in that header
//! and hands the host a pointer just past it, so output reaches the host
//! without a copy and `h4_free` can give the vector back to the Rust
//! allocator. A codec that returns `false` or panics makes the call return
//! 0 with a NULL buffer (the spec's failure convention); an empty result is
//! returned as length 0 with a valid, empty buffer, so hosts that read zero
//! bytes from the pointer (like the spec's Python binding) work.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The core ABI version the exported identity symbol reports.
pub const ABI_VERSION: u32 = 1;

/// Bytes in front of every buffer: the vector's length and capacity.
const HEADER: usize = 16;

/// A codec: appends the output for an input to `out` (which holds a small
/// header it must leave alone) and returns whether it succeeded.
pub type Codec = fn(&[u8], &mut Vec<u8>) -> bool;

/// A codec at a level: like [`Codec`], with the level the host asks for
/// (always within the range the core exports).
pub type LevelCodec = fn(&[u8], &mut Vec<u8>, i32) -> bool;

/// A decoder into the host's buffer: writes the output for a payload into
/// `out` and returns its length, or `None` when the payload is invalid or
/// its output does not fit.
pub type IntoCodec = fn(&[u8], &mut [u8]) -> Option<usize>;

/// The failure value of `h4_decompress_into_v1`: `(size_t)-1`.
pub const INTO_FAILED: usize = usize::MAX;

/// Runs `codec` behind the calling convention of the optional extension
/// `h4_decompress_into_v1`: the bytes written, or [`INTO_FAILED`].
///
/// # Safety
/// `in_ptr` must be valid for reads of `in_len` bytes and `out_ptr` for
/// writes of `out_cap` bytes (either length may be 0), and the two must
/// not overlap.
pub unsafe fn call_into(
    codec: IntoCodec,
    in_ptr: *const c_void,
    in_len: usize,
    out_ptr: *mut c_void,
    out_cap: usize,
) -> usize {
    if (in_ptr.is_null() && in_len != 0) || (out_ptr.is_null() && out_cap != 0) {
        return INTO_FAILED;
    }
    let input: &[u8] = if in_len == 0 {
        &[]
    } else {
        // SAFETY: the caller promises in_len readable bytes at in_ptr.
        unsafe { std::slice::from_raw_parts(in_ptr.cast::<u8>(), in_len) }
    };
    let out: &mut [u8] = if out_cap == 0 {
        &mut []
    } else {
        // SAFETY: the caller promises out_cap writable bytes at out_ptr,
        // apart from the input. The host's buffer is initialised memory
        // (docs/ABI.md asks hosts for that), so a slice over it is sound.
        unsafe { std::slice::from_raw_parts_mut(out_ptr.cast::<u8>(), out_cap) }
    };
    match catch_unwind(AssertUnwindSafe(|| codec(input, out))) {
        Ok(Some(n)) if n <= out_cap => n,
        _ => INTO_FAILED,
    }
}

/// Runs `codec` behind the ABI calling convention.
///
/// # Safety
/// `in_ptr` must be valid for reads of `in_len` bytes (or `in_len` must be
/// 0), and `out_ptr` must be NULL or valid for one pointer write.
pub unsafe fn call(
    codec: Codec,
    in_ptr: *const c_void,
    in_len: usize,
    out_ptr: *mut *mut c_void,
) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { call_with(codec, in_ptr, in_len, out_ptr) }
}

/// [`call`] for any closure.
///
/// # Safety
/// As for [`call`].
unsafe fn call_with(
    codec: impl Fn(&[u8], &mut Vec<u8>) -> bool,
    in_ptr: *const c_void,
    in_len: usize,
    out_ptr: *mut *mut c_void,
) -> usize {
    if out_ptr.is_null() {
        return 0;
    }
    // SAFETY: out_ptr is non-NULL and the caller promises it is writable.
    unsafe { *out_ptr = ptr::null_mut() };
    if in_ptr.is_null() && in_len != 0 {
        return 0;
    }
    let input: &[u8] = if in_len == 0 {
        &[]
    } else {
        // SAFETY: the caller promises in_len readable bytes at in_ptr.
        unsafe { std::slice::from_raw_parts(in_ptr.cast::<u8>(), in_len) }
    };
    let mut buffer = vec![0u8; HEADER];
    match catch_unwind(AssertUnwindSafe(|| codec(input, &mut buffer))) {
        Ok(true) if buffer.len() >= HEADER => {}
        _ => return 0,
    }
    let len = buffer.len() - HEADER;
    let data = leak(buffer);
    // SAFETY: as above.
    unsafe { *out_ptr = data };
    len
}

/// Runs `codec` at `level` behind the calling convention of the optional
/// extension `h4_compress_level_v1` (that of `h4_compress`).
///
/// # Safety
/// As for [`call`].
pub unsafe fn call_level(
    codec: LevelCodec,
    level: i32,
    in_ptr: *const c_void,
    in_len: usize,
    out_ptr: *mut *mut c_void,
) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe {
        call_with(
            |input, out| codec(input, out, level),
            in_ptr,
            in_len,
            out_ptr,
        )
    }
}

/// Stores a level range through the out-pointers of
/// `h4_core_level_range_v1`; NULL pointers are skipped.
///
/// # Safety
/// Each pointer must be NULL or valid for one `int32_t` write.
pub unsafe fn store_range(levels: std::ops::RangeInclusive<i32>, low: *mut i32, high: *mut i32) {
    for (to, value) in [(low, *levels.start()), (high, *levels.end())] {
        if !to.is_null() {
            // SAFETY: the caller promises a writable int32_t.
            unsafe { *to = value };
        }
    }
}

/// Writes the vector's length and capacity into its header and gives up
/// ownership; returns the pointer past the header.
fn leak(buffer: Vec<u8>) -> *mut c_void {
    let mut buffer = std::mem::ManuallyDrop::new(buffer);
    let (len, cap) = (buffer.len() as u64, buffer.capacity() as u64);
    buffer[..8].copy_from_slice(&len.to_ne_bytes());
    buffer[8..HEADER].copy_from_slice(&cap.to_ne_bytes());
    // SAFETY: the vector holds at least HEADER bytes.
    unsafe { buffer.as_mut_ptr().add(HEADER).cast() }
}

/// Releases a buffer made by [`call`]; NULL is a no-op.
///
/// # Safety
/// `p` must be NULL or a pointer returned through [`call`] and not yet
/// released.
pub unsafe fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: p came from `leak`, so HEADER bytes before it start the
    // vector's allocation, whose header records its length and capacity.
    unsafe {
        let base = p.cast::<u8>().sub(HEADER);
        let mut word = [0u8; 8];
        ptr::copy_nonoverlapping(base, word.as_mut_ptr(), 8);
        let len = u64::from_ne_bytes(word) as usize;
        ptr::copy_nonoverlapping(base.add(8), word.as_mut_ptr(), 8);
        let cap = u64::from_ne_bytes(word) as usize;
        drop(Vec::from_raw_parts(base, len, cap));
    }
}

/// Exports a complete core: the three ABI symbols and the identity symbols
/// `h4_core_name_v1`, `h4_core_version_v1` and `h4_core_abi_version_v1`,
/// plus `h4_core_block_size_v1` when `block_size` is given, the
/// extension `h4_decompress_into_v1` when `decompress_into` is (an
/// [`IntoCodec`]), and the level extension (`h4_compress_level_v1` and
/// `h4_core_level_range_v1`) when `levels` (a `RangeInclusive<i32>`) and
/// `compress_level` (a [`LevelCodec`]) are.
///
/// ```
/// fn my_compress(input: &[u8], out: &mut Vec<u8>) -> bool {
///     out.extend_from_slice(input);
///     true
/// }
/// # fn my_decompress(payload: &[u8], out: &mut Vec<u8>) -> bool {
/// #     out.extend_from_slice(payload);
/// #     true
/// # }
///
/// h4_core_abi::export_core! {
///     name: "mycodec",
///     version: "1.0.0",
///     compress: my_compress,
///     decompress: my_decompress,
///     block_size: 4 << 20,
/// }
/// ```
#[macro_export]
macro_rules! export_core {
    (name: $name:expr, version: $version:expr, compress: $compress:path, decompress: $decompress:path
     $(, block_size: $block_size:expr)? $(, decompress_into: $into:path)?
     $(, levels: $levels:expr, compress_level: $compress_level:path)? $(,)?) => {
        /// `size_t h4_compress(const void*, size_t, void**)`
        ///
        /// # Safety
        /// The core ABI's contract: `in_ptr` readable for `in_len` bytes,
        /// `out_ptr` writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn h4_compress(
            in_ptr: *const ::std::ffi::c_void,
            in_len: usize,
            out_ptr: *mut *mut ::std::ffi::c_void,
        ) -> usize {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::call($compress, in_ptr, in_len, out_ptr) }
        }

        /// `size_t h4_decompress(const void*, size_t, void**)`
        ///
        /// # Safety
        /// As for `h4_compress`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn h4_decompress(
            in_ptr: *const ::std::ffi::c_void,
            in_len: usize,
            out_ptr: *mut *mut ::std::ffi::c_void,
        ) -> usize {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::call($decompress, in_ptr, in_len, out_ptr) }
        }

        /// `void h4_free(void*)`; NULL is a no-op.
        ///
        /// # Safety
        /// `p` must be NULL or a buffer this core returned, released once.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn h4_free(p: *mut ::std::ffi::c_void) {
            // SAFETY: forwarded from the caller.
            unsafe { $crate::free(p) }
        }

        /// `const char* h4_core_name_v1(void)`
        #[unsafe(no_mangle)]
        pub extern "C" fn h4_core_name_v1() -> *const ::std::ffi::c_char {
            concat!($name, "\0").as_ptr().cast()
        }

        /// `const char* h4_core_version_v1(void)`
        #[unsafe(no_mangle)]
        pub extern "C" fn h4_core_version_v1() -> *const ::std::ffi::c_char {
            concat!($version, "\0").as_ptr().cast()
        }

        /// `uint32_t h4_core_abi_version_v1(void)`
        #[unsafe(no_mangle)]
        pub extern "C" fn h4_core_abi_version_v1() -> u32 {
            $crate::ABI_VERSION
        }

        $(
            /// `uint32_t h4_core_block_size_v1(void)`: the block size this
            /// core works best with.
            #[unsafe(no_mangle)]
            pub extern "C" fn h4_core_block_size_v1() -> u32 {
                $block_size
            }
        )?

        $(
            /// `size_t h4_decompress_into_v1(const void*, size_t, void*,
            /// size_t)`: decodes straight into the host's buffer.
            ///
            /// # Safety
            /// `in_ptr` readable for `in_len` bytes, `out_ptr` writable for
            /// `out_cap` bytes, not overlapping.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn h4_decompress_into_v1(
                in_ptr: *const ::std::ffi::c_void,
                in_len: usize,
                out_ptr: *mut ::std::ffi::c_void,
                out_cap: usize,
            ) -> usize {
                // SAFETY: forwarded from the caller.
                unsafe { $crate::call_into($into, in_ptr, in_len, out_ptr, out_cap) }
            }
        )?

        $(
            /// `void h4_core_level_range_v1(int32_t*, int32_t*)`: the
            /// lowest and highest level of `h4_compress_level_v1`.
            ///
            /// # Safety
            /// Each pointer NULL or writable for one `int32_t`.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn h4_core_level_range_v1(low: *mut i32, high: *mut i32) {
                // SAFETY: forwarded from the caller.
                unsafe { $crate::store_range($levels, low, high) }
            }

            /// `size_t h4_compress_level_v1(const void*, size_t, void**,
            /// int32_t)`: `h4_compress` at a level within the range. A
            /// level outside it is a failure (0 and NULL).
            ///
            /// # Safety
            /// As for `h4_compress`.
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn h4_compress_level_v1(
                in_ptr: *const ::std::ffi::c_void,
                in_len: usize,
                out_ptr: *mut *mut ::std::ffi::c_void,
                level: i32,
            ) -> usize {
                if !($levels).contains(&level) {
                    if !out_ptr.is_null() {
                        // SAFETY: the caller promises a writable pointer.
                        unsafe { *out_ptr = ::std::ptr::null_mut() };
                    }
                    return 0;
                }
                // SAFETY: forwarded from the caller.
                unsafe { $crate::call_level($compress_level, level, in_ptr, in_len, out_ptr) }
            }
        )?
    };
}

/// The Rust examples of `docs/ABI.md`, compiled and run as doc-tests so the
/// example a core author copies always builds.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/ABI.md")]
pub struct AbiDocExamples;

/// The Rust examples of `CONTRIBUTING.md`, as doc-tests.
#[cfg(doctest)]
#[doc = include_str!("../../../CONTRIBUTING.md")]
pub struct ContributingDocExamples;

#[cfg(test)]
mod tests {
    use super::*;

    fn double(input: &[u8], out: &mut Vec<u8>) -> bool {
        out.extend(input.iter().flat_map(|&b| [b, b]));
        true
    }

    fn fails(_: &[u8], _: &mut Vec<u8>) -> bool {
        false
    }

    fn panics(_: &[u8], _: &mut Vec<u8>) -> bool {
        panic!("codec bug")
    }

    #[test]
    fn calls_copy_out_and_free() {
        let input = b"abc";
        let mut out: *mut c_void = ptr::null_mut();
        // SAFETY: valid input and out pointers.
        let len = unsafe { call(double, input.as_ptr().cast(), input.len(), &mut out) };
        assert_eq!(len, 6);
        // SAFETY: the call returned 6 bytes at out.
        let got = unsafe { std::slice::from_raw_parts(out.cast::<u8>(), len) }.to_vec();
        assert_eq!(got, b"aabbcc");
        // SAFETY: out came from call.
        unsafe { free(out) };
        // SAFETY: NULL is allowed.
        unsafe { free(ptr::null_mut()) };
    }

    #[test]
    fn failures_return_zero_and_null() {
        for codec in [fails as Codec, panics] {
            let mut out: *mut c_void = ptr::dangling_mut::<c_void>();
            // SAFETY: valid pointers.
            let len = unsafe { call(codec, b"x".as_ptr().cast(), 1, &mut out) };
            assert_eq!(len, 0);
            assert!(out.is_null());
        }
    }

    fn copy_into(input: &[u8], out: &mut [u8]) -> Option<usize> {
        out.get_mut(..input.len())?.copy_from_slice(input);
        Some(input.len())
    }

    #[test]
    fn decoding_into_a_buffer_reports_failures_as_size_max() {
        let mut out = [0u8; 4];
        // SAFETY: valid, non-overlapping buffers.
        let n = unsafe {
            call_into(
                copy_into,
                b"abc".as_ptr().cast(),
                3,
                out.as_mut_ptr().cast(),
                4,
            )
        };
        assert_eq!((n, &out[..3]), (3, &b"abc"[..]));
        // SAFETY: as above; the output does not fit.
        let n = unsafe {
            call_into(
                copy_into,
                b"abcde".as_ptr().cast(),
                5,
                out.as_mut_ptr().cast(),
                4,
            )
        };
        assert_eq!(n, INTO_FAILED);
    }

    #[test]
    fn empty_output_is_a_valid_buffer() {
        let mut out: *mut c_void = ptr::null_mut();
        // SAFETY: empty input with NULL pointer is allowed.
        let len = unsafe { call(double, ptr::null(), 0, &mut out) };
        assert_eq!(len, 0);
        assert!(!out.is_null());
        // SAFETY: out came from call.
        unsafe { free(out) };
    }
}
