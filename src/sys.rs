//! The one module where h4 uses `unsafe`: memory maps of input files.
//!
//! Everything else in the crate is `#![deny(unsafe_code)]`. Each block here
//! carries a `// SAFETY:` comment saying why it is sound.

use std::fs::File;
use std::io;

use memmap2::{Mmap, MmapOptions};

/// Maps `len` bytes of `file` starting at `offset`, read-only.
///
/// `len` must be non-zero and the range must lie within the file.
pub fn map_range(file: &File, offset: u64, len: usize) -> io::Result<Mmap> {
    // SAFETY: the map is read-only and private to this process. The one
    // hazard is another process truncating the file while it is mapped,
    // which would make reads of the lost pages raise SIGBUS; like ripgrep
    // and zstd's mmap mode we accept that, because h4 only maps regular
    // files it was asked to compress, and callers that cannot rule it out
    // can pipe the file through stdin instead.
    unsafe { MmapOptions::new().offset(offset).len(len).map(file) }
}
