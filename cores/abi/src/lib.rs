//! Glue for writing a HarmonyØ4 core in Rust.
//!
//! A core exports `h4_compress`, `h4_decompress` and `h4_free` with the C
//! signatures of the core ABI, plus h4's optional identity symbols. Writing
//! those by hand means raw pointers, an allocator the host can release
//! through `h4_free`, and care that no panic unwinds into C. This crate does
//! all of that once: [`export_core!`] turns two safe functions
//! `fn(&[u8]) -> Option<Vec<u8>>` into a complete core.
//!
//! Buffers handed to the host carry their size in a 16-byte header in
//! front, so `h4_free` can release them with the Rust allocator. A codec
//! that returns `None` or panics makes the call return 0 with a NULL
//! buffer (the spec's failure convention); an empty result is returned as
//! length 0 with a valid, empty buffer, so hosts that read zero bytes from
//! the pointer (like the spec's Python binding) work.

use std::alloc::{Layout, alloc, dealloc};
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The core ABI version the exported identity symbol reports.
pub const ABI_VERSION: u32 = 1;

const HEADER: usize = 16;

/// A codec: input bytes to output bytes, or `None` on failure.
pub type Codec = fn(&[u8]) -> Option<Vec<u8>>;

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
    let Ok(Some(output)) = catch_unwind(AssertUnwindSafe(|| codec(input))) else {
        return 0;
    };
    let Some(buffer) = allocate(&output) else {
        return 0;
    };
    // SAFETY: as above.
    unsafe { *out_ptr = buffer };
    output.len()
}

/// Copies `bytes` into a new buffer with a size header; NULL on failure.
fn allocate(bytes: &[u8]) -> Option<*mut c_void> {
    let layout = Layout::from_size_align(bytes.len().checked_add(HEADER)?, HEADER).ok()?;
    // SAFETY: the layout has a non-zero size (at least HEADER bytes).
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return None;
    }
    // SAFETY: base points to HEADER + len writable bytes, aligned to 16.
    unsafe {
        base.cast::<usize>().write(bytes.len());
        let data = base.add(HEADER);
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        Some(data.cast())
    }
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
    // SAFETY: p came from `allocate`, so its header is HEADER bytes before
    // it and records the length the layout was made with.
    unsafe {
        let base = p.cast::<u8>().sub(HEADER);
        let len = base.cast::<usize>().read();
        dealloc(
            base,
            Layout::from_size_align_unchecked(len + HEADER, HEADER),
        );
    }
}

/// Exports a complete core: the three ABI symbols and the identity symbols
/// `h4_core_name_v1`, `h4_core_version_v1` and `h4_core_abi_version_v1`.
///
/// ```ignore
/// h4_core_abi::export_core! {
///     name: "mycodec",
///     version: "1.0.0",
///     compress: my_compress,
///     decompress: my_decompress,
/// }
/// ```
#[macro_export]
macro_rules! export_core {
    (name: $name:expr, version: $version:expr, compress: $compress:path, decompress: $decompress:path $(,)?) => {
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
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn double(input: &[u8]) -> Option<Vec<u8>> {
        Some(input.iter().flat_map(|&b| [b, b]).collect())
    }

    fn fails(_: &[u8]) -> Option<Vec<u8>> {
        None
    }

    fn panics(_: &[u8]) -> Option<Vec<u8>> {
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
