//! Where the bytes to compress come from, cut into blocks.
//!
//! An in-memory slice is borrowed, a stream is read, and a regular file may
//! be memory-mapped a window at a time (so peak memory stays a few windows
//! however large the file; see [`Source::map_file`] for the risk that
//! brings). Either way the pipeline sees
//! an iterator of [`Chunk`]s of exactly the block size (the last may be
//! shorter), which is what makes the output independent of how the input
//! arrived.

use std::fs::File;
use std::io::Read;
use std::ops::{Deref, Range};
use std::sync::Arc;

use memmap2::MmapMut;

mod mmap;

use crate::buffers::BufferPool;
use crate::error::{Error, Result};

/// How many bytes of a file are mapped at once (rounded to whole blocks).
const MAP_WINDOW: usize = 16 * 1024 * 1024;

/// The input of a compression.
pub struct Source<'a> {
    kind: Kind<'a>,
}

enum Kind<'a> {
    Slice(&'a [u8]),
    /// `len` bytes of `file` from offset `start`.
    Mapped {
        file: File,
        start: u64,
        len: u64,
    },
    Stream(Box<dyn Read + 'a>),
}

impl<'a> Source<'a> {
    /// Bytes already in memory.
    pub fn from_slice(data: &'a [u8]) -> Self {
        Source {
            kind: Kind::Slice(data),
        }
    }

    /// Any byte stream, such as stdin or a pipe.
    pub fn from_reader(reader: impl Read + 'a) -> Self {
        Source {
            kind: Kind::Stream(Box::new(reader)),
        }
    }

    /// The input cut into blocks of `block_size` bytes.
    pub fn blocks(self, block_size: usize) -> Blocks<'a> {
        assert!(block_size > 0);
        Blocks {
            kind: self.kind,
            block_size,
            pos: 0,
            window: None,
            done: false,
            pool: None,
        }
    }

    /// Like [`blocks`](Self::blocks), reading streams into buffers taken
    /// from `pool` (hand them back with [`BufferPool::give`]).
    pub(crate) fn blocks_pooled(self, block_size: usize, pool: Arc<BufferPool>) -> Blocks<'a> {
        Blocks {
            pool: Some(pool),
            ..self.blocks(block_size)
        }
    }
}

/// One block of input.
pub enum Chunk<'a> {
    /// Part of a borrowed slice.
    Borrowed(&'a [u8]),
    /// Read from a stream.
    Owned(Vec<u8>),
    /// Part of a mapped window of a file (a private, copy-on-write map:
    /// see `mmap::map_range`).
    Mapped(Arc<MmapMut>, Range<usize>),
}

impl Deref for Chunk<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Chunk::Borrowed(s) => s,
            Chunk::Owned(v) => v,
            Chunk::Mapped(map, range) => &map[range.clone()],
        }
    }
}

/// The iterator of [`Source::blocks`].
pub struct Blocks<'a> {
    kind: Kind<'a>,
    block_size: usize,
    /// Bytes of the input handed out so far.
    pos: u64,
    /// The mapped window and the input offset it starts at.
    window: Option<(Arc<MmapMut>, u64)>,
    done: bool,
    pool: Option<Arc<BufferPool>>,
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Result<Chunk<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match &mut self.kind {
            Kind::Slice(data) => {
                let start = self.pos as usize;
                let end = (start + self.block_size).min(data.len());
                (start < end).then(|| Ok(Chunk::Borrowed(&data[start..end])))
            }
            Kind::Mapped { .. } => self.next_mapped().transpose(),
            Kind::Stream(reader) => {
                let buffer = self.pool.as_ref().map(|p| p.take()).unwrap_or_default();
                read_block(reader.as_mut(), self.block_size, buffer).map(|r| r.map(Chunk::Owned))
            }
        };
        match &item {
            Some(Ok(chunk)) => self.pos += chunk.len() as u64,
            Some(Err(_)) | None => self.done = true,
        }
        item
    }
}

impl<'a> Blocks<'a> {
    fn next_mapped(&mut self) -> Result<Option<Chunk<'a>>> {
        let Kind::Mapped { file, start, len } = &self.kind else {
            unreachable!()
        };
        if self.pos >= *len {
            return Ok(None);
        }
        let in_window = |w: &(Arc<MmapMut>, u64)| self.pos < w.1 + w.0.len() as u64;
        if !self.window.as_ref().is_some_and(in_window) {
            let blocks_per_window = (MAP_WINDOW / self.block_size).max(1);
            let span = (blocks_per_window * self.block_size) as u64;
            let map_len = span.min(*len - self.pos) as usize;
            let map = mmap::map_range(file, start + self.pos, map_len).map_err(Error::Read)?;
            self.window = Some((Arc::new(map), self.pos));
        }
        let (map, base) = self.window.as_ref().expect("window just mapped");
        let start = (self.pos - base) as usize;
        let end = (start + self.block_size).min(map.len());
        Ok(Some(Chunk::Mapped(Arc::clone(map), start..end)))
    }
}

/// Reads up to `size` bytes, stopping early only at the end of the input
/// (`read_to_end` keeps reading through a pipe's short reads); `None` at the
/// end.
fn read_block(reader: &mut dyn Read, size: usize, mut buf: Vec<u8>) -> Option<Result<Vec<u8>>> {
    buf.clear();
    buf.reserve_exact(size);
    match reader.take(size as u64).read_to_end(&mut buf) {
        Ok(0) => None,
        Ok(_) => Some(Ok(buf)),
        Err(e) => Some(Err(Error::Read(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most three bytes a call, like a slow pipe.
    pub(super) struct Trickle<'a>(pub &'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    pub(super) fn sizes(source: Source, block: usize) -> Vec<usize> {
        source.blocks(block).map(|c| c.unwrap().len()).collect()
    }

    #[test]
    fn slices_and_streams_cut_the_same_blocks() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let want = vec![4096, 4096, 1808];
        assert_eq!(sizes(Source::from_slice(&data), 4096), want);
        assert_eq!(sizes(Source::from_reader(Trickle(&data)), 4096), want);
    }

    #[test]
    fn empty_inputs_have_no_blocks() {
        assert!(sizes(Source::from_slice(b""), 1024).is_empty());
        assert!(sizes(Source::from_reader(&b""[..]), 1024).is_empty());
    }
}
