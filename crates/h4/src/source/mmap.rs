//! Memory-mapped files: the one `unsafe` concern of reading input.
//!
//! A mapped file is only as stable as the file: if something truncates it
//! while it is mapped, touching the lost pages raises SIGBUS. So the
//! constructors that map are `unsafe fn`s and the caller decides whether
//! that risk is acceptable, as ripgrep's searcher does.
#![allow(unsafe_code)]

use std::fs::File;
use std::io::{self, Seek, SeekFrom};

use memmap2::{MmapMut, MmapOptions};

use super::{Kind, Source};

impl Source<'_> {
    /// An open file: mapped when it is a regular file, streamed otherwise.
    ///
    /// A regular file that says it is empty is streamed too: files such as
    /// those under /proc report a size of 0 and still have content.
    ///
    /// # Safety
    /// Nothing may truncate the file while the source or its chunks are
    /// alive: reading a mapped page that the file no longer has raises
    /// SIGBUS, which kills the process. Callers that cannot rule that out
    /// read the file with [`Source::from_reader`] instead.
    pub unsafe fn map_file(file: File) -> io::Result<Self> {
        let meta = file.metadata()?;
        Ok(Source {
            kind: if meta.is_file() && meta.len() > 0 {
                Kind::Mapped {
                    file,
                    start: 0,
                    len: meta.len(),
                }
            } else {
                Kind::Stream(Box::new(file))
            },
        })
    }

    /// An open file read from its current position, as a stream would be
    /// (standard input redirected from a file, say). A regular file is
    /// mapped from that position and its position moved to the end, as if
    /// it had been read; anything else is streamed.
    ///
    /// # Safety
    /// As for [`Source::map_file`].
    pub unsafe fn map_file_from_position(mut file: File) -> io::Result<Self> {
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(Source::from_reader(file));
        }
        let start = file.stream_position()?;
        file.seek(SeekFrom::End(0))?;
        Ok(Source {
            kind: Kind::Mapped {
                file,
                start,
                len: meta.len().saturating_sub(start),
            },
        })
    }
}

/// Maps `len` bytes of `file` starting at `offset`, privately: the pages
/// are the page cache's until something writes to them, and a write
/// (a core scribbling on the block it was lent) lands in a private copy
/// of the page, never in the file and never as a SIGSEGV. The pipeline
/// notices such a write by the block's checksum, taken before the call.
///
/// `len` must be non-zero and the range must lie within the file. Only the
/// sources that [`Source::map_file`] and [`Source::map_file_from_position`]
/// make call this.
pub(super) fn map_range(file: &File, offset: u64, len: usize) -> io::Result<MmapMut> {
    // SAFETY: the map is private to this process. The one hazard is the
    // file being truncated while it is mapped, which would make reads of
    // the lost pages raise SIGBUS; the callers of the two unsafe
    // constructors that lead here have promised that it is not.
    // Populating maps the whole window in one call instead of taking a page
    // fault for every 4 KiB on first touch; it is done while the map is
    // read-only, because populating a writable private map would copy
    // every page. Making it writable afterwards copies nothing.
    let map = unsafe {
        MmapOptions::new()
            .offset(offset)
            .len(len)
            .populate()
            .map_copy_read_only(file)
    }?;
    map.make_mut()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::MAP_WINDOW;
    use super::super::tests::sizes;
    use super::*;

    /// A temporary file holding `data`. It is private to the test, so
    /// nothing truncates it while it is mapped.
    fn file_of(data: &[u8]) -> File {
        let mut tmp = tempfile::tempfile().unwrap();
        tmp.write_all(data).unwrap();
        tmp
    }

    #[test]
    fn a_mapped_file_cuts_the_blocks_a_slice_does() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        // SAFETY: see `file_of`.
        let source = unsafe { Source::map_file(file_of(&data)) }.unwrap();
        assert_eq!(sizes(source, 4096), vec![4096, 4096, 1808]);
    }

    #[test]
    fn mapped_blocks_span_several_windows() {
        let block = 3 * 1024 * 1024;
        let len = 2 * MAP_WINDOW + 12_345;
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut joined = Vec::new();
        // SAFETY: see `file_of`.
        for chunk in unsafe { Source::map_file(file_of(&data)) }
            .unwrap()
            .blocks(block)
        {
            joined.extend_from_slice(&chunk.unwrap());
        }
        assert!(joined == data);
    }

    #[test]
    fn a_file_is_read_from_its_position_and_left_at_its_end() {
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let mut tmp = file_of(&data);
        tmp.seek(SeekFrom::Start(1234)).unwrap();
        let mut probe = tmp.try_clone().unwrap();
        let mut got = Vec::new();
        // SAFETY: see `file_of`.
        for chunk in unsafe { Source::map_file_from_position(tmp) }
            .unwrap()
            .blocks(1024)
        {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert!(got == data[1234..]);
        assert_eq!(probe.stream_position().unwrap(), 5000);
    }

    #[test]
    fn an_empty_file_has_no_blocks() {
        // SAFETY: see `file_of`.
        let source = unsafe { Source::map_file(file_of(b"")) }.unwrap();
        assert!(sizes(source, 1024).is_empty());
    }
}
