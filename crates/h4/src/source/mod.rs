//! Where the bytes to compress come from, cut into blocks.
//!
//! An in-memory slice is borrowed, a stream is read, a regular file is read
//! with its length checked ([`Source::from_file`]: a file that shrinks,
//! grows, changes or is deleted while it is read is an error, never a
//! crash), and a regular file may also be memory-mapped a window at a time
//! (see [`Source::map_file`] for the risk that brings). Either way the
//! pipeline sees
//! an iterator of [`Chunk`]s of exactly the block size (the last may be
//! shorter), which is what makes the output independent of how the input
//! arrived.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek};
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
    File(RegularFile),
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

    /// An open file, read from its current position (as standard input
    /// redirected from a file is). A regular file is read as the length it
    /// has now, and checked: if it ends early, has more bytes, changes size
    /// or modification time, or loses its last name before it is read to
    /// the end, the blocks end with an [`Error::Read`] saying so. Anything
    /// else (a pipe, a device, a file under /proc that claims to be empty)
    /// is read as a stream.
    pub fn from_file(mut file: File) -> io::Result<Self> {
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(Source::from_reader(file));
        }
        let start = file.stream_position()?;
        Ok(Source {
            kind: Kind::File(RegularFile {
                file,
                start,
                len: meta.len().saturating_sub(start),
                before: Box::new(meta),
            }),
        })
    }

    /// A regular file (see [`from_file`](Self::from_file)) as blocks read
    /// by number; any other source is handed back.
    pub(crate) fn into_file_blocks(
        self,
        block_size: usize,
    ) -> std::result::Result<FileBlocks, Self> {
        assert!(block_size > 0);
        match self.kind {
            Kind::File(file) => Ok(FileBlocks { file, block_size }),
            kind => Err(Source { kind }),
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
            Kind::File(file) => {
                let want = (file.len - self.pos).min(self.block_size as u64) as usize;
                if want == 0 {
                    file.finish().err().map(Err)
                } else {
                    let buffer = match &self.pool {
                        Some(pool) => pool.take_filled(want),
                        None => vec![0; want],
                    };
                    Some(file.read_at(self.pos, buffer).map(Chunk::Owned))
                }
            }
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
    /// How many bytes the input holds in all, where that is known before
    /// reading it (not for a stream). A file that then turns out longer
    /// or shorter is an error when it is read.
    pub fn total_len(&self) -> Option<u64> {
        match &self.kind {
            Kind::Slice(data) => Some(data.len() as u64),
            Kind::Mapped { len, .. } => Some(*len),
            Kind::File(file) => Some(file.len),
            Kind::Stream(_) => None,
        }
    }

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

/// A regular file read from its position `start`, which must hold
/// exactly `len` more bytes, and must not change, until it is read (see
/// [`Source::from_file`]). It is read by offset (`pread`), so any thread
/// can read any part.
pub(crate) struct RegularFile {
    file: File,
    start: u64,
    len: u64,
    before: Box<Metadata>,
}

impl RegularFile {
    /// Reads the bytes from `offset` (from `start`) into `buffer`, filling
    /// it. A file that ends first is an error ("shrank").
    fn read_at(&self, offset: u64, mut buffer: Vec<u8>) -> Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let offset = self.start + offset;
        let mut done = 0;
        while done < buffer.len() {
            match self.file.read_at(&mut buffer[done..], offset + done as u64) {
                Ok(0) => return Err(changed("shrank")),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Read(e)),
            }
        }
        Ok(buffer)
    }

    /// Once every byte was read: checks that the file has no more bytes
    /// and is as it was, and leaves its position at the end, where reading
    /// it would have (standard input redirected from a file is shared with
    /// whatever reads it next).
    fn finish(&self) -> Result<()> {
        let end = self.start + self.len;
        unchanged(&self.file, end, &self.before)?;
        (&self.file)
            .seek(io::SeekFrom::Start(end))
            .map_err(Error::Read)?;
        Ok(())
    }
}

/// A regular file cut into blocks that any thread reads by number. The
/// pipeline's workers read their own blocks: the bytes then arrive in the
/// cache of the CPU that compresses them, into a buffer that worker
/// reuses. Read on one thread and compressed on another, every block
/// crossed between CPUs and each block in flight needed a buffer of its
/// own; on two CPUs that cost a fifth of the compression's time on a
/// raster and 5-10% elsewhere.
pub(crate) struct FileBlocks {
    file: RegularFile,
    block_size: usize,
}

impl FileBlocks {
    /// The bytes to read in all.
    pub fn len(&self) -> u64 {
        self.file.len
    }

    /// Every block's number and length (the last may be short).
    pub fn block_lens(&self) -> impl Iterator<Item = (u64, usize)> + 'static {
        let (len, size) = (self.file.len, self.block_size as u64);
        (0..len.div_ceil(size)).map(move |index| (index, (len - index * size).min(size) as usize))
    }

    /// Reads block `index` into `buffer`, which must be the block's length
    /// (see [`block_lens`](Self::block_lens)).
    /// A file that ends before the block does is an error ("shrank").
    pub fn read(&self, index: u64, buffer: Vec<u8>) -> Result<Vec<u8>> {
        self.file.read_at(index * self.block_size as u64, buffer)
    }

    /// Once every block was read: see [`RegularFile::finish`].
    pub fn finish(&self) -> Result<()> {
        self.file.finish()
    }
}

/// The error of a file that changed while it was read.
fn changed(how: &str) -> Error {
    Error::Read(io::Error::other(format!(
        "the file {how} while it was being read"
    )))
}

/// Checks, once a file was read to the length it had (to offset `end`),
/// that it has no more bytes and is as it was: same size and modification
/// time, still named.
fn unchanged(file: &File, end: u64, before: &Metadata) -> Result<()> {
    use std::os::unix::fs::{FileExt, MetadataExt};
    let mut probe = [0u8; 1];
    if file.read_at(&mut probe, end).map_err(Error::Read)? > 0 {
        return Err(changed("grew"));
    }
    let now = file.metadata().map_err(Error::Read)?;
    // A file that never had a name (O_TMPFILE, a shell's here-document)
    // has nothing to lose.
    if now.nlink() == 0 && before.nlink() > 0 {
        return Err(changed("was deleted"));
    }
    if now.len() != before.len() {
        return Err(changed(if now.len() < before.len() {
            "shrank"
        } else {
            "grew"
        }));
    }
    if now.modified().ok() != before.modified().ok() {
        return Err(changed("was modified"));
    }
    Ok(())
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

    fn file_of(data: &[u8]) -> File {
        use std::io::Write;
        let mut tmp = tempfile::tempfile().unwrap();
        tmp.write_all(data).unwrap();
        tmp.rewind().unwrap();
        tmp
    }

    #[test]
    fn a_file_cuts_the_blocks_a_slice_does() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let source = Source::from_file(file_of(&data)).unwrap();
        assert_eq!(sizes(source, 4096), vec![4096, 4096, 1808]);
        let mut from_middle = file_of(&data);
        from_middle.seek(io::SeekFrom::Start(1000)).unwrap();
        let mut got = Vec::new();
        for chunk in Source::from_file(from_middle).unwrap().blocks(4096) {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert!(got == data[1000..]);
    }

    #[test]
    fn a_file_that_changes_while_read_is_an_error() {
        let data = vec![7u8; 10_000];
        for (how, change) in [("shrank", 5000u64), ("grew", 20_000)] {
            let file = file_of(&data);
            let resize = file.try_clone().unwrap();
            let mut blocks = Source::from_file(file).unwrap().blocks(4096);
            assert_eq!(blocks.next().unwrap().unwrap().len(), 4096);
            resize.set_len(change).unwrap();
            let err = blocks
                .find_map(|b| b.err())
                .unwrap_or_else(|| panic!("no error when the file {how}"));
            assert!(err.to_string().contains(how), "{how}: {err}");
        }
    }

    /// A file's blocks read by number, out of order and from several
    /// threads at once, are the slice's blocks; the position is left at
    /// the end, as reading would leave it.
    #[test]
    fn file_blocks_read_by_number_are_the_blocks_of_a_slice() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let mut file = file_of(&data);
        file.seek(io::SeekFrom::Start(1000)).unwrap();
        let Ok(blocks) = Source::from_file(file.try_clone().unwrap())
            .unwrap()
            .into_file_blocks(4096)
        else {
            panic!("a regular file is read by number")
        };
        let lens: Vec<_> = blocks.block_lens().collect();
        assert_eq!(lens, [(0, 4096), (1, 4096), (2, 808)]);
        let read: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let blocks = &blocks;
            let reads: Vec<_> = lens
                .iter()
                .rev()
                .map(|&(index, len)| scope.spawn(move || blocks.read(index, vec![0; len])))
                .collect();
            reads
                .into_iter()
                .rev()
                .map(|r| r.join().unwrap().unwrap())
                .collect()
        });
        assert!(read.concat() == data[1000..]);
        assert_eq!(file.stream_position().unwrap(), 1000);
        blocks.finish().unwrap();
        assert_eq!(file.stream_position().unwrap(), 10_000);
        // Anything but a regular file is read in order, as a stream.
        assert!(Source::from_slice(&data).into_file_blocks(4096).is_err());
    }

    #[test]
    fn file_blocks_of_a_file_that_changes_are_an_error() {
        let data = vec![7u8; 10_000];
        let file = file_of(&data);
        let resize = file.try_clone().unwrap();
        let Ok(blocks) = Source::from_file(file).unwrap().into_file_blocks(4096) else {
            panic!("a regular file is read by number")
        };
        resize.set_len(20_000).unwrap();
        assert!(blocks.read(2, vec![0; 1808]).is_ok());
        let grew = blocks.finish().unwrap_err().to_string();
        assert!(grew.contains("grew"), "{grew}");
        resize.set_len(5000).unwrap();
        assert!(blocks.read(0, vec![0; 4096]).is_ok());
        let shrank = blocks.read(1, vec![0; 4096]).unwrap_err().to_string();
        assert!(shrank.contains("shrank"), "{shrank}");
    }

    #[test]
    fn empty_inputs_have_no_blocks() {
        assert!(sizes(Source::from_slice(b""), 1024).is_empty());
        assert!(sizes(Source::from_reader(&b""[..]), 1024).is_empty());
    }
}
