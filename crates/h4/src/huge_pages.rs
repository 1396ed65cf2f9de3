//! A global allocator that backs buffers of a megabyte and more with
//! transparent huge pages where the kernel offers them.
//!
//! h4 moves data in blocks of 1 MiB and more, and every fresh buffer costs
//! a page fault for each 4 KiB page when it is first written: 256 a MiB,
//! about half a millisecond on the development machine. On small inputs
//! that is much of the work: compressing a 3 MiB raster faulted in its
//! read buffers, each worker's scratch and each payload before the first
//! byte was written. A mapping aligned to 2 MiB and marked
//! `MADV_HUGEPAGE` takes one fault for each 2 MiB instead (0.06 ms there).
//! Where the kernel has no huge pages to give (THP off, or none free) the
//! mapping simply stays in small pages, as the system allocator's large
//! mappings are.
//!
//! Allocations below [`LARGE`], or aligned to more than a page, go to the
//! system allocator. Large ones are mappings of their size rounded up to
//! [`HUGE_PAGE`], so a buffer of a megabyte occupies a 2 MiB huge page: the
//! pipeline keeps tens of buffers at most (`scripts/bigdata` checks the
//! peak memory of a 5 GiB stream).
//!
//! Under valgrind every allocation goes to the system allocator, which
//! valgrind replaces: `h4 verify --memcheck` needs its red zones around
//! the buffers h4 lends a core, to catch a core reading past one.
//!
//! The binary opts in (`#[global_allocator]` in `src/main.rs`); the library
//! itself never requires it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CStr;
use std::ptr;
use std::sync::atomic::{AtomicU8, Ordering};

use nix::libc;

/// Allocations of at least this many bytes are mapped.
pub const LARGE: usize = 1 << 20;
/// The size of a transparent huge page on x86-64 and most arm64 systems;
/// large mappings start on a multiple of it and span whole ones.
pub const HUGE_PAGE: usize = 2 << 20;
/// The largest alignment a mapping is sure to have after `mremap` moved it.
const PAGE: usize = 4096;

/// See the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct HugePageAllocator;

/// Whether an allocation of `size` bytes aligned to `align` is served by
/// a mapping of its own.
fn is_large(size: usize, align: usize) -> bool {
    size >= LARGE && align <= PAGE && mapping_allowed()
}

/// Whether large allocations are mapped here: decided at the first one
/// (so before any exists) and never changed.
static MAPPING: AtomicU8 = AtomicU8::new(UNDECIDED);
const UNDECIDED: u8 = 0;
const ALLOWED: u8 = 1;
const REFUSED: u8 = 2;

fn mapping_allowed() -> bool {
    match MAPPING.load(Ordering::Relaxed) {
        ALLOWED => true,
        REFUSED => false,
        _ => {
            // Two threads deciding at once decide the same.
            let allowed = !under_valgrind();
            MAPPING.store(if allowed { ALLOWED } else { REFUSED }, Ordering::Relaxed);
            allowed
        }
    }
}

/// Whether this process runs under valgrind, which preloads its tool's
/// allocator (`vgpreload_memcheck-amd64-linux.so` and the like). Read
/// without allocating: this runs inside the allocator.
fn under_valgrind() -> bool {
    // SAFETY: getenv returns null or a NUL-terminated string of the
    // environment; h4 never changes its own environment, so the string
    // stays valid while it is read.
    let preload = unsafe { libc::getenv(c"LD_PRELOAD".as_ptr()) };
    if preload.is_null() {
        return false;
    }
    // SAFETY: non-null, and NUL-terminated as above.
    let preload = unsafe { CStr::from_ptr(preload) }.to_bytes();
    preload
        .windows(b"vgpreload".len())
        .any(|w| w == b"vgpreload")
}

/// A large allocation's mapped length.
fn mapped_len(size: usize) -> usize {
    size.next_multiple_of(HUGE_PAGE)
}

/// Maps `len` bytes (a multiple of [`HUGE_PAGE`]) starting on a multiple
/// of [`HUGE_PAGE`], zeroed, and asks for huge pages; null if the kernel
/// refuses the mapping.
fn map_aligned(len: usize) -> *mut u8 {
    let Some(over) = len.checked_add(HUGE_PAGE) else {
        return ptr::null_mut();
    };
    // SAFETY: an anonymous private mapping at an address the kernel
    // chooses touches no memory of this process; the result is checked.
    let raw = unsafe {
        libc::mmap(
            ptr::null_mut(),
            over,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if raw == libc::MAP_FAILED {
        return ptr::null_mut();
    }
    let raw = raw as usize;
    let start = raw.next_multiple_of(HUGE_PAGE);
    let (head, tail) = (start - raw, raw + over - (start + len));
    // SAFETY: both ranges lie inside the mapping just made, outside the
    // part kept, and nothing refers to them.
    unsafe {
        if head > 0 {
            libc::munmap(raw as *mut libc::c_void, head);
        }
        if tail > 0 {
            libc::munmap((start + len) as *mut libc::c_void, tail);
        }
        // Advice only: without huge pages the mapping works the same.
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
    start as *mut u8
}

// SAFETY: every large allocation is a mapping of its own, at least
// `layout.size()` bytes long and aligned to a page or more (which covers
// every alignment it is used for); it is unmapped only by `dealloc` or moved
// only by `realloc`, each of which receives the layout it was made with
// (and so the same mapped length). Everything else is the system
// allocator's, untouched.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !is_large(layout.size(), layout.align()) {
            // SAFETY: the caller's contract, passed on.
            return unsafe { System.alloc(layout) };
        }
        map_aligned(mapped_len(layout.size()))
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !is_large(layout.size(), layout.align()) {
            // SAFETY: the caller's contract, passed on.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // A fresh anonymous mapping reads as zeroes: no pass to clear it,
        // and no page is touched before it is written.
        map_aligned(mapped_len(layout.size()))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !is_large(layout.size(), layout.align()) {
            // SAFETY: the caller's contract: `ptr` came from the system
            // allocator with this layout.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // SAFETY: `ptr` is the start of a mapping of exactly this length
        // (see the impl's comment), no longer in use.
        unsafe { libc::munmap(ptr as *mut libc::c_void, mapped_len(layout.size())) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let (was_large, is_now_large) = (is_large(layout.size(), align), is_large(new_size, align));
        if !was_large && !is_now_large {
            // SAFETY: the caller's contract, passed on.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        if was_large && is_now_large {
            let (old_len, new_len) = (mapped_len(layout.size()), mapped_len(new_size));
            if old_len == new_len {
                return ptr;
            }
            // SAFETY: `ptr` is a mapping of `old_len` bytes; the kernel
            // moves or resizes it whole, keeping its contents (the page
            // alignment it keeps is all `is_large` promised).
            let moved = unsafe {
                libc::mremap(
                    ptr as *mut libc::c_void,
                    old_len,
                    new_len,
                    libc::MREMAP_MAYMOVE,
                )
            };
            return if moved == libc::MAP_FAILED {
                ptr::null_mut()
            } else {
                moved as *mut u8
            };
        }
        // Across the threshold: a new allocation, the bytes copied over.
        // SAFETY: `new_size` is non-zero and the layout valid (the
        // caller's contract); the old block stays valid until copied.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, align);
            let new = self.alloc(new_layout);
            if !new.is_null() {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: HugePageAllocator = HugePageAllocator;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn large_allocations_are_mapped_on_huge_page_boundaries() {
        for size in [LARGE, LARGE + 16, HUGE_PAGE, 3 * HUGE_PAGE + 1] {
            let l = layout(size, 8);
            // SAFETY: a valid non-zero layout; the block is written within
            // its size and freed with the same layout.
            unsafe {
                let p = A.alloc(l);
                assert!(!p.is_null());
                assert_eq!(p as usize % HUGE_PAGE, 0, "{size}");
                p.write_bytes(0xa5, size);
                assert_eq!(*p.add(size - 1), 0xa5);
                A.dealloc(p, l);
            }
        }
    }

    #[test]
    fn zeroed_allocations_read_as_zero_small_and_large() {
        for size in [1, 4096, LARGE - 1, LARGE, 5 * LARGE] {
            let l = layout(size, 16);
            // SAFETY: as above.
            unsafe {
                let p = A.alloc_zeroed(l);
                assert!(!p.is_null());
                let bytes = std::slice::from_raw_parts(p, size);
                assert!(bytes.iter().all(|&b| b == 0), "{size}");
                A.dealloc(p, l);
            }
        }
    }

    #[test]
    fn realloc_keeps_the_bytes_across_and_within_the_threshold() {
        // Grows from the system allocator into a mapping, within one
        // mapped length, to a larger mapping, then shrinks back below.
        let sizes = [1000, LARGE + 5, LARGE + 4096, 5 * LARGE, 3 * LARGE, 700];
        // SAFETY: each step reallocates the current block with the layout
        // it was made with; only the bytes still inside it are read.
        unsafe {
            let mut l = layout(sizes[0], 8);
            let mut p = A.alloc(l);
            for i in 0..sizes[0] {
                *p.add(i) = i as u8;
            }
            for &size in &sizes[1..] {
                p = A.realloc(p, l, size);
                assert!(!p.is_null());
                let kept = l.size().min(size).min(sizes[0]);
                for i in 0..kept {
                    assert_eq!(*p.add(i), i as u8, "after resizing to {size}");
                }
                l = layout(size, 8);
            }
            A.dealloc(p, l);
        }
    }
}
