//! `Write` and `Read` adaptors, the way `zstd::stream` and `flate2` offer
//! them: [`Writer`] compresses what is written to it, [`Reader`]
//! decompresses what it reads, and seeks when its source can.
//!
//! They add no second codec path: the writer runs [`pipeline::compress`]
//! (block-parallel, the same bytes as `h4 compress`) on a thread of its
//! own, fed through a channel, and hands the frame back to be written on
//! the caller's thread; the reader parses frames with the container's
//! reader and decodes blocks with the pipeline's block decoder, and for
//! seeking indexes the stream (from format 2 footers, or by a scan).
//!
//! ```
//! use std::io::{Read, Seek, SeekFrom, Write};
//!
//! let data: Vec<u8> = (0..300_000u32).map(|i| (i / 1000) as u8).collect();
//! let mut writer = h4::Writer::builder().block_size(64 * 1024).threads(2).build(Vec::new());
//! writer.write_all(&data)?;
//! let frame = writer.finish()?;
//!
//! let mut reader = h4::Reader::new(std::io::Cursor::new(frame));
//! reader.seek(SeekFrom::Start(200_000))?;
//! let mut part = vec![0; 1000];
//! reader.read_exact(&mut part)?;
//! assert_eq!(part, data[200_000..201_000]);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::buffers::BufferPool;
use crate::container::checksum::ContentCheck;
use crate::container::{Event, FormatError, FrameReader, StreamIndex, read_block};
use crate::engine::{Engine, Reference};
use crate::error::Error;
use crate::pipeline::{self, CompressOptions, Stats};
use crate::source::Source;

/// How much written data is gathered before it goes to the compressing
/// thread.
const CHUNK: usize = 256 * 1024;

/// Chunks in flight each way between the caller and the compressing
/// thread.
const CHANNEL_DEPTH: usize = 4;

/// Settings of a [`Writer`]: the engine, block size, threads, container
/// format and the round-trip check of a core's output.
#[derive(Clone)]
pub struct WriterBuilder {
    engine: Arc<dyn Engine>,
    options: CompressOptions,
}

impl WriterBuilder {
    /// The engine to compress with (default: the built-in reference).
    pub fn engine(mut self, engine: Arc<dyn Engine>) -> Self {
        self.engine = engine;
        self
    }

    /// The block size in bytes (default: the engine's preference, else
    /// 1 MiB).
    ///
    /// # Panics
    /// When building, if it is outside the container's block sizes.
    pub fn block_size(mut self, block_size: u32) -> Self {
        self.options.block_size = block_size;
        self
    }

    /// Worker threads (default: one per CPU). The output is the same for
    /// every count.
    pub fn threads(mut self, threads: usize) -> Self {
        self.options.threads = threads.max(1);
        self
    }

    /// The container format to write (default 2).
    pub fn format(mut self, format: u8) -> Self {
        self.options.format = format;
        self
    }

    /// Whether a core's output is decoded and compared before it is
    /// written (default: yes).
    pub fn check_core_output(mut self, check: bool) -> Self {
        self.options.check_core_output = check;
        self
    }

    /// A writer that compresses into `inner`.
    pub fn build<W: Write>(self, inner: W) -> Writer<W> {
        let (input, source) = sync_channel::<Vec<u8>>(CHANNEL_DEPTH);
        let (sink, output) = sync_channel::<Vec<u8>>(CHANNEL_DEPTH);
        let engine = self.engine;
        let options = self.options;
        let worker = std::thread::spawn(move || {
            let mut out = ChannelWriter {
                sink,
                buffer: Vec::with_capacity(CHUNK),
            };
            let source = Source::from_reader(ChannelReader {
                source,
                chunk: Vec::new(),
                pos: 0,
            });
            let stats = pipeline::compress(source, engine.as_ref(), &options, &mut out)?;
            out.flush().map_err(Error::Write)?;
            Ok(stats)
        });
        Writer {
            inner: Some(inner),
            input: Some(input),
            output,
            worker: Some(worker),
            pending: Vec::with_capacity(CHUNK),
            stats: None,
        }
    }
}

/// Compresses what is written to it into one `.h4` frame written to `W`.
///
/// Blocks are compressed in parallel in the background; `W` is written on
/// the caller's thread, during `write`, `flush` and [`finish`](Self::finish).
/// The frame is complete only after `finish` (or drop, which finishes and
/// ignores errors).
pub struct Writer<W: Write> {
    inner: Option<W>,
    input: Option<SyncSender<Vec<u8>>>,
    output: Receiver<Vec<u8>>,
    worker: Option<JoinHandle<crate::Result<Stats>>>,
    pending: Vec<u8>,
    stats: Option<Stats>,
}

impl Writer<Vec<u8>> {
    /// The builder of a writer, with the defaults.
    pub fn builder() -> WriterBuilder {
        WriterBuilder {
            engine: Arc::new(Reference::new()),
            options: CompressOptions::default(),
        }
    }
}

impl<W: Write> Writer<W> {
    /// A writer with the default settings (the reference engine, 1 MiB
    /// blocks, one thread per CPU).
    pub fn new(inner: W) -> Self {
        Writer::builder().build(inner)
    }

    /// Ends the frame, writes the rest of it, and returns `W`.
    pub fn finish(mut self) -> io::Result<W> {
        self.finish_frame()?;
        Ok(self.inner.take().expect("finished once"))
    }

    /// Like [`finish`](Self::finish), and says what the frame holds.
    pub fn finish_with_stats(mut self) -> io::Result<(W, Stats)> {
        self.finish_frame()?;
        let stats = self.stats.expect("finished");
        Ok((self.inner.take().expect("finished once"), stats))
    }

    fn finish_frame(&mut self) -> io::Result<()> {
        self.send_pending()?;
        self.end_input()?;
        self.inner.as_mut().expect("not finished").flush()
    }

    /// Tells the compressing thread the input has ended, writes out all it
    /// still makes, and waits for it.
    fn end_input(&mut self) -> io::Result<()> {
        drop(self.input.take());
        while let Ok(chunk) = self.output.recv() {
            self.write_out(&chunk)?;
        }
        self.join()
    }

    /// Waits for the compressing thread and turns its error into an I/O
    /// error.
    fn join(&mut self) -> io::Result<()> {
        let Some(worker) = self.worker.take() else {
            return Ok(());
        };
        match worker.join() {
            Ok(Ok(stats)) => {
                self.stats = Some(stats);
                Ok(())
            }
            Ok(Err(Error::Read(e) | Error::Write(e))) => Err(e),
            Ok(Err(e)) => Err(io::Error::other(e)),
            Err(_) => Err(io::Error::other(Error::WorkerLost)),
        }
    }

    fn write_out(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.as_mut().expect("not finished").write_all(bytes)
    }

    /// Hands the gathered input to the compressing thread, writing out
    /// whatever compressed data is ready meanwhile, so neither side can
    /// wait on the other for ever.
    fn send_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        loop {
            while let Ok(ready) = self.output.try_recv() {
                self.write_out(&ready)?;
            }
            let Some(input) = &self.input else {
                return Err(io::Error::other("the writer is finished"));
            };
            match input.try_send(chunk) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(back)) => {
                    chunk = back;
                    match self.output.recv_timeout(Duration::from_millis(5)) {
                        Ok(ready) => self.write_out(&ready)?,
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return self.stopped(),
                    }
                }
                Err(TrySendError::Disconnected(_)) => return self.stopped(),
            }
        }
    }

    /// The compressing thread stopped early: its error.
    fn stopped(&mut self) -> io::Result<()> {
        self.end_input()?;
        Err(io::Error::other("the compressing thread stopped"))
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK {
            self.send_pending()?;
        }
        Ok(buf.len())
    }

    /// Hands everything written so far to the compressing thread and writes
    /// out what is ready. Blocks are of a fixed size, so the bytes of a
    /// block not yet full only come out when it fills or the frame ends.
    fn flush(&mut self) -> io::Result<()> {
        self.send_pending()?;
        while let Ok(ready) = self.output.try_recv() {
            self.write_out(&ready)?;
        }
        self.inner.as_mut().expect("not finished").flush()
    }
}

impl<W: Write> Drop for Writer<W> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            let _ = self.finish_frame();
        }
    }
}

/// The compressing thread's input: the chunks the caller sends.
struct ChannelReader {
    source: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.source.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The compressing thread's output: chunks for the caller to write.
struct ChannelWriter {
    sink: SyncSender<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sink
            .send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the writer was dropped"))
    }
}

/// Decompresses the `.h4` stream read from `R` (any number of frames, of
/// either format); seeks in the content when `R` can seek.
///
/// Every checksum is verified as in `h4 decompress`; after a seek, each
/// block read is checked on its own (its lengths, payload and content),
/// and a format 1 frame's whole-content check, which needs every block,
/// is left out.
pub struct Reader<R> {
    state: State<R>,
    engines: Vec<Arc<dyn Engine>>,
    reference: Arc<dyn Engine>,
    pool: BufferPool,
    /// The block being read out, and where in it the next byte is.
    block: Vec<u8>,
    block_pos: usize,
}

enum State<R> {
    /// Reading the stream from its start, frame by frame.
    Streaming {
        frames: Box<FrameReader<BufReader<R>>>,
        engine: Arc<dyn Engine>,
        content: Box<ContentCheck>,
    },
    /// Reading blocks where the index says they are.
    Indexed {
        inner: BufReader<R>,
        seek: SeekFn<R>,
        index: StreamIndex,
        /// The content position of the next byte to read.
        cursor: u64,
        /// The frame and block `block` holds, if any.
        current: Option<(usize, usize)>,
    },
    /// Between states, or after an error that leaves the source unusable.
    Broken,
}

impl<R: Read> Reader<R> {
    /// A reader of frames made by the built-in reference engine (or
    /// through a core that writes reference payloads).
    pub fn new(inner: R) -> Self {
        Reader::with_engines(inner, Vec::new())
    }

    /// A reader that also decodes frames made by `engines` (cores).
    pub fn with_engines(inner: R, engines: Vec<Arc<dyn Engine>>) -> Self {
        let reference: Arc<dyn Engine> = Arc::new(Reference::new());
        Reader {
            state: State::Streaming {
                frames: Box::new(FrameReader::new(BufReader::with_capacity(
                    256 * 1024,
                    inner,
                ))),
                engine: Arc::clone(&reference),
                content: Box::default(),
            },
            engines,
            reference,
            pool: BufferPool::new(2),
            block: Vec::new(),
            block_pos: 0,
        }
    }

    /// Decodes the next block into `self.block`; false at the end.
    fn next_block(&mut self) -> crate::Result<bool> {
        match &mut self.state {
            State::Streaming {
                frames,
                engine,
                content,
            } => loop {
                match frames.next_event()? {
                    None => return Ok(false),
                    Some(Event::Frame { header, .. }) => {
                        *engine = pipeline::resolve(&header, &self.reference, &self.engines)?;
                        **content = ContentCheck::default();
                    }
                    Some(Event::Block {
                        index,
                        header,
                        payload,
                        ..
                    }) => {
                        let (raw, digest) = pipeline::decode_block(
                            index,
                            &header,
                            payload,
                            engine.as_ref(),
                            &self.pool,
                            &self.pool,
                        )?;
                        if let Some(digest) = digest {
                            content.push(digest);
                        }
                        self.pool.give(std::mem::replace(&mut self.block, raw));
                        self.block_pos = 0;
                        return Ok(true);
                    }
                    Some(Event::End { end, .. }) => {
                        if end.content_check.is_some_and(|c| c != content.value()) {
                            return Err(FormatError::TrailerMismatch("content check").into());
                        }
                    }
                }
            },
            State::Indexed { .. } => self.next_indexed_block(),
            State::Broken => Err(Error::Read(io::Error::other(
                "the reader failed earlier and cannot go on",
            ))),
        }
    }

    /// The I/O error `Read` reports for `error`: the source's own error,
    /// or the library's error inside one (corrupt data as `InvalidData`),
    /// which [`Error::from_reader`] takes back out.
    fn into_io(error: Error) -> io::Error {
        match error {
            Error::Read(e) => e,
            e @ Error::Format(_) => io::Error::new(io::ErrorKind::InvalidData, e),
            e => io::Error::other(e),
        }
    }
}

impl<R: Read> Reader<R> {
    /// In indexed mode: decodes the block holding the cursor.
    fn next_indexed_block(&mut self) -> crate::Result<bool> {
        let State::Indexed {
            inner,
            seek,
            index,
            cursor,
            current,
        } = &mut self.state
        else {
            unreachable!("called in indexed mode")
        };
        let Some((f, b)) = index.find(*cursor) else {
            return Ok(false);
        };
        let frame = &index.frames[f];
        let location = frame.blocks[b];
        let engine = pipeline::resolve(&frame.header, &self.reference, &self.engines)?;
        let mut source = Seekable { inner, seek: *seek };
        let (header, payload) = read_block(&mut source, frame, b)?;
        let (raw, _) = pipeline::decode_block(
            b as u64,
            &header,
            payload,
            engine.as_ref(),
            &self.pool,
            &self.pool,
        )?;
        self.pool.give(std::mem::replace(&mut self.block, raw));
        self.block_pos = (*cursor - location.content_offset) as usize;
        *current = Some((f, b));
        Ok(true)
    }
}

/// How to seek `R`: [`Reader`]'s `Read` impl is for any `R`, but it only
/// reads blocks where the index says once [`Seek`] (for `R: Seek`) has
/// switched it to indexed mode, and that switch keeps `R`'s seek here.
type SeekFn<R> = fn(&mut BufReader<R>, SeekFrom) -> io::Result<u64>;

/// The source of an indexed reader, seekable again.
struct Seekable<'a, R> {
    inner: &'a mut BufReader<R>,
    seek: SeekFn<R>,
}

impl<R: Read> Read for Seekable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Read> Seek for Seekable<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        (self.seek)(self.inner, to)
    }
}

impl<R: Read> Read for Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.block_pos < self.block.len() {
                let n = buf.len().min(self.block.len() - self.block_pos);
                buf[..n].copy_from_slice(&self.block[self.block_pos..self.block_pos + n]);
                self.block_pos += n;
                if let State::Indexed { cursor, .. } = &mut self.state {
                    *cursor += n as u64;
                }
                return Ok(n);
            }
            match self.next_block() {
                Ok(true) => {}
                Ok(false) => return Ok(0),
                Err(e) => return Err(Self::into_io(e)),
            }
        }
    }
}

impl<R: Read + Seek> Seek for Reader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if matches!(self.state, State::Streaming { .. }) {
            let State::Streaming { frames, .. } = std::mem::replace(&mut self.state, State::Broken)
            else {
                unreachable!()
            };
            let mut inner = frames.into_inner();
            let index = StreamIndex::read(&mut inner).map_err(|e| Self::into_io(e.into()))?;
            self.state = State::Indexed {
                inner,
                seek: |inner, to| inner.seek(to),
                index,
                cursor: 0,
                current: None,
            };
            self.block.clear();
            self.block_pos = 0;
        }
        let State::Indexed {
            index,
            cursor,
            current,
            ..
        } = &mut self.state
        else {
            return Err(io::Error::other(
                "the reader failed earlier and cannot seek",
            ));
        };
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => cursor.checked_add_signed(d),
            SeekFrom::End(d) => index.content_len().checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        *cursor = target;
        // Keep the decoded block when the target is inside it.
        let inside = current.and_then(|(f, b)| {
            let location = index.frames[f].blocks[b];
            (location.content_offset..location.content_offset + u64::from(location.raw_len))
                .contains(&target)
                .then(|| (target - location.content_offset) as usize)
        });
        match inside {
            Some(at) => self.block_pos = at,
            None => {
                self.block.clear();
                self.block_pos = 0;
                *current = None;
            }
        }
        Ok(target)
    }
}
