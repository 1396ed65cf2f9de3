//! Block-parallel streaming: compress and decompress with `N` threads, in
//! order, in bounded memory.
//!
//! This module says what happens to each block: cutting, coding, the
//! round-trip check of a core's output, the checksums, and decoding with
//! the engine its frame names. Running the blocks in parallel is
//! the job of the private `ordered` module: it overlaps reading, coding and
//! writing, delivers results in input order (so the bytes are identical for
//! every thread count), bounds the blocks in flight by count and by bytes,
//! and reports the first error in stream order after writing everything
//! before it. A regular file's blocks are read by the workers that code
//! them (`source::FileBlocks`), a stream's on the calling thread.

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};
use std::thread;

use crate::buffers::BufferPool;
use crate::container::FormatError;
use crate::container::checksum::ContentCheck;
use crate::container::{
    BlockHeader, DEFAULT_BLOCK_SIZE, EngineKind, Event, FORMAT_VERSION, FORMAT_VERSIONS,
    FrameEncoder, FrameEnd, FrameHeader, FrameReader, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE, SealedBlock,
};
use crate::engine::core::modified_payload;
use crate::engine::{Coded, Comparison, Engine, EngineError, Reference};
use crate::error::{Error, Result};
use crate::ordered::{Limits, ordered};
use crate::source::{Chunk, FileBlocks, Source};

/// Hears how many uncompressed bytes are done, after each block.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Settings of a compression.
#[derive(Clone, Debug)]
pub struct CompressOptions {
    /// Block size in bytes, from [`MIN_BLOCK_SIZE`] to [`MAX_BLOCK_SIZE`].
    pub block_size: u32,
    /// Worker threads; 1 codes on the calling thread.
    pub threads: usize,
    /// Decode every block a core made and compare it with the input before
    /// writing it, so a core that loses data fails loudly instead of
    /// costing the user their data. The built-in reference engine is not
    /// checked. On by default.
    pub check_core_output: bool,
    /// Told the bytes done after each block, if set.
    pub progress: Option<Progress>,
    /// The container format to write: 2 (the default; compact, with a
    /// block index for random access) or 1 (what h4 0.1 wrote).
    pub format: u8,
}

impl Default for CompressOptions {
    fn default() -> Self {
        CompressOptions {
            format: FORMAT_VERSION,
            block_size: DEFAULT_BLOCK_SIZE,
            threads: default_threads(),
            check_core_output: true,
            progress: None,
        }
    }
}

/// Settings of a decompression.
#[derive(Clone)]
pub struct DecompressOptions {
    /// Worker threads; 1 decodes on the calling thread.
    pub threads: usize,
    /// Engines besides the built-in reference that frames may name.
    pub engines: Vec<Arc<dyn Engine>>,
    /// Told the bytes done after each block, if set.
    pub progress: Option<Progress>,
}

impl Default for DecompressOptions {
    fn default() -> Self {
        DecompressOptions {
            threads: default_threads(),
            engines: Vec::new(),
            progress: None,
        }
    }
}

/// The number of CPUs this process may use (at least 1), found once (a
/// later change of affinity or CPU quota is not seen): the standard
/// library reads the cgroup's quota from several files each time it is
/// asked, which costs as much as compressing a kilobyte.
pub fn default_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What a compression or decompression did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Uncompressed bytes.
    pub raw_bytes: u64,
    /// Bytes of `.h4` stream.
    pub compressed_bytes: u64,
    /// Frames.
    pub frames: u64,
    /// Blocks, over all frames.
    pub blocks: u64,
}

/// A coded block ready to write: its header, and its payload as either the
/// engine's output or the raw chunk itself.
struct Sealed<'a> {
    block: SealedBlock,
    payload: Payload<'a>,
    raw_len: u64,
}

enum Payload<'a> {
    Coded(Vec<u8>),
    Stored(Chunk<'a>),
}

/// Compresses `source` into one frame written to `out`.
pub fn compress<W: Write + Send>(
    source: Source<'_>,
    engine: &dyn Engine,
    options: &CompressOptions,
    out: &mut W,
) -> Result<Stats> {
    assert!(
        (MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&options.block_size),
        "block size out of range"
    );
    assert!(
        FORMAT_VERSIONS.contains(&options.format),
        "unknown container format"
    );
    let block_size = options.block_size as usize;
    // Blocks read and payloads made cycle through pools of their own: a
    // read buffer is written whole, a payload buffer only as far as its
    // payload reaches, so a payload's buffer taken to read into would
    // fault in the rest of its pages (at every swap of roles).
    let read_pool = Arc::new(BufferPool::new(pool_size(options.threads, block_size)));
    let payload_pool = BufferPool::new(pool_size(options.threads, block_size));
    // A regular file's blocks are read by the workers that compress them
    // (see `FileBlocks`); anything else is read here, in order.
    let (file, blocks, single_block): (Option<FileBlocks>, InputBlocks<'_>, bool) =
        match source.into_file_blocks(block_size) {
            Ok(file) => {
                let single_block = file.len() <= block_size as u64;
                let unread = file
                    .block_lens()
                    .map(|(index, len)| Ok((index, InputBlock::Unread(len))));
                (Some(file), Box::new(unread), single_block)
            }
            Err(source) => {
                let (blocks, single_block) = read_here(source, block_size, &read_pool);
                (None, blocks, single_block)
            }
        };
    let mut frame = FrameEncoder::new(
        options.format,
        options.block_size,
        single_block,
        engine.id(),
    );
    out.write_all(frame.header()).map_err(Error::Write)?;

    let mut stats = Stats {
        compressed_bytes: frame.header().len() as u64,
        frames: 1,
        ..Stats::default()
    };
    let check = checks_output(engine, options.check_core_output);
    let framing = frame.clone();
    // One block is one job, done on this thread: workers would only be
    // started and stopped (most of the cost of compressing a small file).
    let threads = if single_block { 1 } else { options.threads };
    ordered(
        limits(threads, block_size),
        blocks,
        |(_, block)| block.len(),
        |_| false,
        |(index, block)| {
            let chunk = match block {
                InputBlock::Read(chunk) => chunk,
                InputBlock::Unread(len) => {
                    let file = file.as_ref().expect("unread blocks come from a file");
                    Chunk::Owned(file.read(index, read_pool.take_filled(len))?)
                }
            };
            seal(
                engine,
                &framing,
                index,
                chunk,
                check,
                &read_pool,
                &payload_pool,
            )
        },
        |sealed| {
            out.write_all(&sealed.block.header).map_err(Error::Write)?;
            let payload: &[u8] = match &sealed.payload {
                Payload::Coded(v) => v,
                Payload::Stored(c) => c,
            };
            out.write_all(payload).map_err(Error::Write)?;
            frame.push(&sealed.block);
            stats.blocks += 1;
            stats.raw_bytes += sealed.raw_len;
            stats.compressed_bytes += (sealed.block.header.len() + payload.len()) as u64;
            if let Some(progress) = &options.progress {
                (progress.0)(stats.raw_bytes);
            }
            match sealed.payload {
                Payload::Coded(buffer) => payload_pool.give(buffer),
                Payload::Stored(Chunk::Owned(buffer)) => read_pool.give(buffer),
                Payload::Stored(_) => {}
            }
            Ok(())
        },
    )?;

    // Only now is every block read.
    if let Some(file) = &file {
        file.finish()?;
    }
    let end = frame.finish();
    out.write_all(&end).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)?;
    stats.compressed_bytes += end.len() as u64;
    Ok(stats)
}

/// A block of the input as the pipeline hands it to a worker.
enum InputBlock<'a> {
    /// Read already (from a stream, or part of a slice or a mapped file).
    Read(Chunk<'a>),
    /// A block of a regular file that the worker reads: its length.
    Unread(usize),
}

impl InputBlock<'_> {
    fn len(&self) -> usize {
        match self {
            InputBlock::Read(chunk) => chunk.len(),
            InputBlock::Unread(len) => *len,
        }
    }
}

/// The input's blocks in order, numbered.
type InputBlocks<'a> = Box<dyn Iterator<Item = Result<(u64, InputBlock<'a>)>> + 'a>;

/// The blocks of a source read on this thread, and whether the input
/// fits in one block. Format 2 records that instead of the block size:
/// where the input's length is known (a slice, a mapped file) it says so;
/// a stream is read one block ahead to learn it. (Not reading ahead lets
/// the first block be compressed while the second is read.)
fn read_here<'a>(
    source: Source<'a>,
    block_size: usize,
    read_pool: &Arc<BufferPool>,
) -> (InputBlocks<'a>, bool) {
    let mut chunks = source.blocks_pooled(block_size, Arc::clone(read_pool));
    let (head, single_block) = match chunks.total_len() {
        Some(len) => (Vec::new(), len <= block_size as u64),
        None => {
            let head: Vec<_> = chunks.by_ref().take(2).collect();
            let single_block = head.len() < 2;
            (head, single_block)
        }
    };
    let blocks = head
        .into_iter()
        .chain(chunks)
        .zip(0u64..)
        .map(|(chunk, index)| chunk.map(|c| (index, InputBlock::Read(c))));
    (Box::new(blocks), single_block)
}

/// The data in flight at once: enough for every worker to have a block and
/// the reader and writer one each, within [`IN_FLIGHT_BYTES`] when blocks
/// are large.
fn limits(threads: usize, block_size: usize) -> Limits {
    Limits {
        threads,
        max_bytes: IN_FLIGHT_BYTES.max(block_size),
    }
}

/// What the blocks in flight may weigh together (a block bigger than this
/// goes alone). With the default 1 MiB blocks this never binds on two
/// threads; with 8 MiB blocks it keeps two in flight (and a third read
/// ahead), which keeps a 5 GiB stream under 64 MiB of memory.
const IN_FLIGHT_BYTES: usize = 16 << 20;

/// Idle buffers worth keeping: one for every buffer that can be in flight
/// at once (a block read and its payload, for every block the limits let
/// in flight, and each worker's). Fewer, and buffers are freed and
/// allocated again all the time: at 1 MiB that is a fresh map of the
/// allocator's and its page faults per block, which cost reading a file
/// 7% more CPU than mapping it. Keeping them costs no memory beyond the
/// peak in flight, which they were part of.
fn pool_size(threads: usize, block_size: usize) -> usize {
    let in_flight = limits(threads, block_size).max_bytes / block_size.max(1) + threads + 2;
    2 * in_flight
}

fn seal<'a>(
    engine: &dyn Engine,
    frame: &FrameEncoder,
    index: u64,
    chunk: Chunk<'a>,
    check: bool,
    read_pool: &BufferPool,
    payload_pool: &BufferPool,
) -> Result<Sealed<'a>> {
    let engine_error = |error| Error::Engine {
        block: index,
        error,
    };
    // A core never sees `chunk` or `coded`, only copies of them (h4's own
    // buffers are out of its reach: see `engine::core::lent`), so what is
    // written is what was read and checked.
    let digest = frame.digest(index, &chunk);
    let mut coded = payload_pool.take();
    let kind = engine
        .compress_block(&chunk, &mut coded)
        .map_err(engine_error)?;
    let stored = kind == Coded::Stored || coded.len() >= chunk.len();
    if check && !stored {
        check_round_trip(engine, &chunk, &coded).map_err(engine_error)?;
    }
    let block = frame.seal_digested(
        index,
        chunk.len(),
        digest,
        if stored { &chunk } else { &coded },
    );
    Ok(Sealed {
        block,
        raw_len: chunk.len() as u64,
        payload: if stored {
            payload_pool.give(coded);
            Payload::Stored(chunk)
        } else {
            if let Chunk::Owned(buffer) = chunk {
                read_pool.give(buffer);
            }
            Payload::Coded(coded)
        },
    })
}

/// Whether `engine` is an external core, whose output h4 checks.
fn untrusted(engine: &dyn Engine) -> bool {
    engine.id().kind == EngineKind::Core
}

/// Compresses `input` with one engine call and no container (the `--raw`
/// mode, for other hosts of the core ABI), checking the round trip first
/// when `check_core_output` is set and the engine is a core, as
/// [`compress`] does.
pub fn compress_raw(
    engine: &dyn Engine,
    input: &[u8],
    check_core_output: bool,
    out: &mut Vec<u8>,
) -> Result<(), EngineError> {
    engine.compress(input, out)?;
    if checks_output(engine, check_core_output) {
        check_round_trip(engine, input, out)?;
    }
    Ok(())
}

/// Whether `engine`'s output is decoded and compared before it is written:
/// a core's, unless the check is turned off; the built-in engine is trusted
/// (see [`CompressOptions::check_core_output`]).
fn checks_output(engine: &dyn Engine, check_core_output: bool) -> bool {
    check_core_output && untrusted(engine)
}

/// Decodes `coded` and compares it with `raw`.
fn check_round_trip(engine: &dyn Engine, raw: &[u8], coded: &[u8]) -> Result<(), EngineError> {
    let outcome = match engine.decompress_and_compare(coded, raw) {
        // (Its own message: the payload is right, the decoder wrote in it.)
        Err(e) if e == modified_payload() => return Err(e),
        Err(e) => format!("its output does not decompress ({e})"),
        Ok(Comparison::Equal) => return Ok(()),
        Ok(Comparison::DiffersAt(at)) => {
            format!("its output decompresses to different bytes (first at offset {at})")
        }
        Ok(Comparison::Length(len)) => format!(
            "its output decompresses to {len} bytes instead of {}",
            raw.len()
        ),
    };
    Err(EngineError::Failed(format!(
        "round-trip check failed: {outcome}; nothing was written for this block (the core loses data)"
    )))
}

/// A unit of decoding work, in stream order.
enum Job {
    FrameStart {
        /// Whether the frame's header says it holds more than one block.
        several_blocks: bool,
    },
    Block {
        index: u64,
        header: BlockHeader,
        payload: Vec<u8>,
        engine: Arc<dyn Engine>,
    },
    FrameEnd(FrameEnd),
}

enum Decoded {
    FrameStart,
    /// A block's content, and for format 1 its digest for the content check.
    Block {
        raw: Vec<u8>,
        digest: Option<u64>,
    },
    FrameEnd(FrameEnd),
}

/// Decompresses every frame of `input` into `out`, checking every checksum.
pub fn decompress<R: Read, W: Write + Send>(
    input: R,
    options: &DecompressOptions,
    out: &mut W,
) -> Result<Stats> {
    let reference: Arc<dyn Engine> = Arc::new(Reference::new());
    let pool = Arc::new(BufferPool::new(
        2 * pool_size(options.threads, DEFAULT_BLOCK_SIZE as usize),
    ));
    // Decoded blocks cycle through a pool of their own, so a buffer comes
    // back as long as the blocks it held (see `BufferPool::take_filled`).
    let raw_pool = BufferPool::new(pool_size(options.threads, DEFAULT_BLOCK_SIZE as usize));
    let mut reader = FrameReader::for_pipeline(input, Arc::clone(&pool));
    let mut engine = Arc::clone(&reference);
    let mut compressed = 0u64;
    let jobs = std::iter::from_fn(|| {
        let event = match reader.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => return None,
            Err(e) => return Some(Err(e.into())),
        };
        Some(Ok(match event {
            Event::Frame { header, .. } => {
                compressed += header.len;
                engine = match resolve(&header, &reference, &options.engines) {
                    Ok(e) => e,
                    Err(e) => return Some(Err(e)),
                };
                Job::FrameStart {
                    // Format 2 leaves the block size out of a frame of at
                    // most one block.
                    several_blocks: header.version >= 2 && header.block_size.is_some(),
                }
            }
            Event::Block {
                index,
                header,
                payload,
                len,
                ..
            } => {
                compressed += len;
                Job::Block {
                    index,
                    header,
                    payload,
                    engine: Arc::clone(&engine),
                }
            }
            Event::End { end, len, .. } => {
                compressed += len;
                Job::FrameEnd(end)
            }
        }))
    });

    // A stream of one block is decoded on this thread, as compression
    // does: workers would only be started and stopped (most of the cost of
    // decompressing a small file). So the reader looks ahead to a second
    // block, past at most a few empty frames, unless a frame says it holds
    // several (then its first block is decoded while the next is read).
    let mut jobs = jobs;
    let mut head = Vec::new();
    let mut blocks_ahead = 0;
    while blocks_ahead < 2 && head.len() < HEAD_JOBS_MAX {
        let Some(job) = jobs.next() else { break };
        let failed = job.is_err();
        blocks_ahead += match job {
            Ok(Job::Block { .. }) => 1,
            Ok(Job::FrameStart {
                several_blocks: true,
            }) => 2,
            _ => 0,
        };
        head.push(job);
        if failed {
            break;
        }
    }
    let threads = if blocks_ahead < 2 { 1 } else { options.threads };

    let mut stats = Stats::default();
    let mut content = ContentCheck::default();
    let weigh = |job: &Job| match job {
        Job::Block { header, .. } => header.raw_len as usize,
        _ => 0,
    };
    ordered(
        limits(threads, DEFAULT_BLOCK_SIZE as usize),
        head.into_iter().chain(jobs),
        weigh,
        decodes_at_memory_speed,
        |job| decode_job(job, &pool, &raw_pool),
        |decoded| {
            match decoded {
                Decoded::FrameStart => {
                    content = ContentCheck::default();
                    stats.frames += 1;
                }
                Decoded::Block { raw, digest } => {
                    out.write_all(&raw).map_err(Error::Write)?;
                    if let Some(digest) = digest {
                        content.push(digest);
                    }
                    stats.blocks += 1;
                    stats.raw_bytes += raw.len() as u64;
                    raw_pool.give(raw);
                    if let Some(progress) = &options.progress {
                        (progress.0)(stats.raw_bytes);
                    }
                }
                Decoded::FrameEnd(end) => {
                    if end
                        .content_check
                        .is_some_and(|check| check != content.value())
                    {
                        return Err(FormatError::TrailerMismatch("content check").into());
                    }
                }
            }
            Ok(())
        },
    )?;
    out.flush().map_err(Error::Write)?;
    stats.compressed_bytes = compressed;
    Ok(stats)
}

/// Whether a job is done at memory speed, so that a worker thread would
/// cost more than it saves (see [`ordered`]): a frame's start or end, a
/// stored block (a copy and a checksum), or a block coded to a 32nd of its
/// size or less, whose decoder mostly copies (runs, long matches): a 67:1
/// raster decodes at 5 GB/s, text at 8:1 at 1.2 GB/s. So a stream that
/// starts with such blocks is decoded on the calling thread until one
/// that is not, and a stream of only such blocks starts no thread at all.
fn decodes_at_memory_speed(job: &Job) -> bool {
    match job {
        Job::Block { header, .. } => {
            header.is_stored() || u64::from(header.payload_len) * 32 <= u64::from(header.raw_len)
        }
        Job::FrameStart { .. } | Job::FrameEnd(_) => true,
    }
}

/// How many jobs (frame starts and ends, blocks) decompression reads ahead
/// at most to learn whether a stream holds more than one block.
const HEAD_JOBS_MAX: usize = 16;

/// The engine that decodes the blocks of the frame with `header`: the one
/// of `engines` with its name, or the built-in reference.
pub(crate) fn resolve(
    header: &FrameHeader,
    reference: &Arc<dyn Engine>,
    engines: &[Arc<dyn Engine>],
) -> Result<Arc<dyn Engine>> {
    // Engines are matched by name: the name says which payload format the
    // blocks hold, the kind only who made them. So a frame made through the
    // reference core decodes with the built-in reference engine too.
    engines
        .iter()
        .find(|e| e.id().name == header.engine.name)
        .or((header.engine.name == reference.id().name).then_some(reference))
        .cloned()
        .ok_or_else(|| Error::EngineUnavailable {
            needed: header.engine.clone(),
            available: engines.iter().map(|e| e.id().clone()).collect(),
        })
}

fn decode_job(job: Job, pool: &BufferPool, raw_pool: &BufferPool) -> Result<Decoded> {
    match job {
        Job::FrameStart { .. } => Ok(Decoded::FrameStart),
        Job::FrameEnd(end) => Ok(Decoded::FrameEnd(end)),
        Job::Block {
            index,
            header,
            payload,
            engine,
        } => {
            let (raw, digest) =
                decode_block(index, &header, payload, engine.as_ref(), pool, raw_pool)?;
            Ok(Decoded::Block { raw, digest })
        }
    }
}

/// Decodes block number `index` of a frame from its header and payload
/// with `engine`, checking the payload before the engine sees it and the
/// decoded bytes after; returns them, with the digest a format 1 frame's
/// content check is made of. The payload's buffer goes back to `pool`; the
/// decoded block's comes from `raw_pool`, which its caller gives it back to.
pub(crate) fn decode_block(
    index: u64,
    header: &BlockHeader,
    payload: Vec<u8>,
    engine: &dyn Engine,
    pool: &BufferPool,
    raw_pool: &BufferPool,
) -> Result<(Vec<u8>, Option<u64>)> {
    // Checked here, on a worker, rather than by the reader: the reader is
    // the one serial stage of decompression. No payload reaches an engine
    // unchecked.
    if !header.payload_matches(&payload) {
        return Err(FormatError::BlockChecksum { block: index }.into());
    }
    let raw_len = header.raw_len as usize;
    let raw = if header.is_stored() {
        // The payload is the block, and goes on as the decoded buffer,
        // which the caller hands to `raw_pool`: an idle buffer of that
        // pool takes its place in `pool`, or the reader, never given its
        // buffers back, would fault in fresh pages for every stored block.
        if let Some(spare) = raw_pool.take_idle() {
            pool.give(spare);
        }
        payload
    } else {
        let engine_error = |error| Error::Engine {
            block: index,
            error,
        };
        let mut raw = raw_pool.take_filled(raw_len);
        match engine.decompress_into(&payload, &mut raw) {
            Some(written) => raw.truncate(written.map_err(engine_error)?),
            None => engine
                .decompress(&payload, raw_len, &mut raw)
                .map_err(engine_error)?,
        }
        pool.give(payload);
        if raw.len() != raw_len {
            return Err(engine_error(EngineError::Failed(format!(
                "{} decoded {} bytes where the block has {raw_len}",
                engine.id(),
                raw.len()
            ))));
        }
        raw
    };
    let digest = header
        .check_raw(&raw)
        .map_err(|_| FormatError::ContentChecksum { block: index })?;
    Ok((raw, digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::thread::ThreadId;

    use crate::engine::reference::Hooked;

    /// The reference engine, noting which threads code blocks, and the
    /// threads noted.
    #[allow(clippy::type_complexity)]
    fn watched() -> (
        Hooked<impl Fn(bool, usize) + Send + Sync>,
        Arc<Mutex<Vec<ThreadId>>>,
    ) {
        let threads = Arc::new(Mutex::new(Vec::new()));
        let noted = Arc::clone(&threads);
        let engine = Hooked::new(move |_, _| noted.lock().unwrap().push(thread::current().id()));
        (engine, threads)
    }

    /// Two-thread decompression options whose reference engine notes the
    /// threads that decode blocks, and the threads noted.
    fn watched_decompression() -> (DecompressOptions, Arc<Mutex<Vec<ThreadId>>>) {
        let (watched, threads) = watched();
        let options = DecompressOptions {
            threads: 2,
            engines: vec![Arc::new(watched)],
            progress: None,
        };
        (options, threads)
    }

    #[test]
    fn one_block_is_compressed_on_the_calling_thread() {
        let options = CompressOptions {
            threads: 2,
            block_size: MIN_BLOCK_SIZE,
            ..CompressOptions::default()
        };
        let (watched, threads) = watched();
        let text = b"one block, one job; ".repeat(50);
        crate::compress_to_vec(&text, &watched, &options).unwrap();
        assert_eq!(*threads.lock().unwrap(), [thread::current().id()]);
        // Two blocks or more go to the workers.
        let long = b"two blocks, two jobs ".repeat(MIN_BLOCK_SIZE as usize / 10);
        threads.lock().unwrap().clear();
        crate::compress_to_vec(&long, &watched, &options).unwrap();
        let threads = threads.lock().unwrap();
        assert!(threads.len() >= 2);
        assert!(!threads.contains(&thread::current().id()));
    }

    #[test]
    fn a_known_length_says_single_block_as_reading_ahead_does() {
        // A slice's length decides the single-block flag without reading
        // ahead; a stream is read one block ahead. Both must write the
        // same frame, at every length around a block boundary.
        let block = MIN_BLOCK_SIZE as usize;
        let options = CompressOptions {
            threads: 2,
            block_size: MIN_BLOCK_SIZE,
            ..CompressOptions::default()
        };
        let data = crate::corpus::Rng::new(9).bytes(2 * block + 1);
        for len in [0, 1, block - 1, block, block + 1, 2 * block, 2 * block + 1] {
            let input = &data[..len];
            let (mut known, mut streamed) = (Vec::new(), Vec::new());
            let engine = Reference::new();
            compress(Source::from_slice(input), &engine, &options, &mut known).unwrap();
            compress(Source::from_reader(input), &engine, &options, &mut streamed).unwrap();
            assert!(known == streamed, "{len} bytes: the frames differ");
        }
    }

    #[test]
    fn a_file_read_by_the_workers_gives_the_frame_a_slice_gives() {
        // A regular file's blocks are read by the threads that compress
        // them, in whatever order they come; the frame must not show it.
        use std::io::{Seek, SeekFrom};
        let block = MIN_BLOCK_SIZE as usize;
        let data = crate::corpus::text_like(&mut crate::corpus::Rng::new(11), 7 * block + 5);
        let engine = Reference::new();
        for threads in [1, 2, 3] {
            let options = CompressOptions {
                threads,
                block_size: MIN_BLOCK_SIZE,
                ..CompressOptions::default()
            };
            for len in [1, block, block + 1, 7 * block + 5] {
                let mut file = tempfile::tempfile().unwrap();
                file.write_all(&data[..len]).unwrap();
                file.seek(SeekFrom::Start(0)).unwrap();
                let (mut from_file, mut from_slice) = (Vec::new(), Vec::new());
                let source = Source::from_file(file.try_clone().unwrap()).unwrap();
                compress(source, &engine, &options, &mut from_file).unwrap();
                compress(
                    Source::from_slice(&data[..len]),
                    &engine,
                    &options,
                    &mut from_slice,
                )
                .unwrap();
                assert!(from_file == from_slice, "{threads} threads, {len} bytes");
                assert_eq!(file.stream_position().unwrap(), len as u64);
            }
        }
    }

    #[test]
    fn one_block_is_decompressed_on_the_calling_thread() {
        let (options, threads) = watched_decompression();
        let small = CompressOptions {
            block_size: MIN_BLOCK_SIZE,
            ..CompressOptions::default()
        };
        let text = b"one block, one job; ".repeat(50);
        let packed = crate::compress_to_vec(&text, &Reference::new(), &small).unwrap();
        let mut back = Vec::new();
        decompress(&packed[..], &options, &mut back).unwrap();
        assert_eq!(back, text);
        assert_eq!(*threads.lock().unwrap(), [thread::current().id()]);
        // Two blocks or more go to the workers, in one frame or in two.
        let long = b"two blocks, two jobs ".repeat(MIN_BLOCK_SIZE as usize / 10);
        let in_one = crate::compress_to_vec(&long, &Reference::new(), &small).unwrap();
        let in_two = [packed.clone(), packed].concat();
        for (packed, content) in [(in_one, long), (in_two, text.repeat(2))] {
            threads.lock().unwrap().clear();
            back.clear();
            decompress(&packed[..], &options, &mut back).unwrap();
            assert_eq!(back, content);
            let threads = threads.lock().unwrap();
            assert!(threads.len() >= 2);
            assert!(!threads.contains(&thread::current().id()));
        }
    }

    #[test]
    fn blocks_that_decode_at_memory_speed_are_decoded_on_the_calling_thread() {
        let (options, threads) = watched_decompression();
        let small = CompressOptions {
            block_size: 4 * MIN_BLOCK_SIZE,
            ..CompressOptions::default()
        };
        let block = small.block_size as usize;
        let decoders_of = |content: &[u8]| {
            let packed = crate::compress_to_vec(content, &Reference::new(), &small).unwrap();
            threads.lock().unwrap().clear();
            let mut back = Vec::new();
            decompress(&packed[..], &options, &mut back).unwrap();
            assert!(back == content);
            let here = thread::current().id();
            let noted = threads.lock().unwrap();
            noted.iter().map(|&t| t == here).collect::<Vec<_>>()
        };
        // Runs code to far less than a 32nd: four blocks, no worker.
        let runs = [[0u8; 1000], [7u8; 1000]].concat().repeat(8);
        assert_eq!(decoders_of(&runs), [true; 4]);
        // Text codes to more: the workers decode it, even after runs.
        let mut rng = crate::corpus::Rng::new(5);
        let text = crate::corpus::text_like(&mut rng, 2 * block);
        assert_eq!(decoders_of(&text), [false; 2]);
        let runs_then_text = [&runs[..2 * block], &text].concat();
        assert_eq!(decoders_of(&runs_then_text), [true, true, false, false]);
    }

    #[test]
    fn stored_blocks_are_decoded_and_written_on_the_calling_thread() {
        // Stored blocks never reach the engine; where they are written
        // tells: by the writer thread once threads start, else here.
        struct Noting(Vec<u8>, Vec<thread::ThreadId>);
        impl Write for Noting {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.1.push(thread::current().id());
                self.0.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let small = CompressOptions {
            block_size: 4 * MIN_BLOCK_SIZE,
            ..CompressOptions::default()
        };
        let noise = crate::corpus::Rng::new(3).bytes(4 * small.block_size as usize);
        let packed = crate::compress_to_vec(&noise, &Reference::new(), &small).unwrap();
        let options = DecompressOptions {
            threads: 2,
            ..DecompressOptions::default()
        };
        let mut out = Noting(Vec::new(), Vec::new());
        decompress(&packed[..], &options, &mut out).unwrap();
        assert!(out.0 == noise);
        assert!(!out.1.is_empty());
        assert!(out.1.iter().all(|&t| t == thread::current().id()));
    }

    #[test]
    fn a_stored_block_hands_the_reader_a_buffer_for_the_one_it_keeps() {
        // Bytes no engine shrinks: the block is stored, and its payload
        // buffer leaves the reader's pool for good as the decoded block.
        let data = crate::corpus::Rng::new(7).bytes(4096);
        let packed =
            crate::compress_to_vec(&data, &Reference::new(), &CompressOptions::default()).unwrap();
        let mut reader = FrameReader::new(&packed[..]);
        let (header, payload) = loop {
            if let Some(Event::Block {
                header, payload, ..
            }) = reader.next_event().unwrap()
            {
                break (header, payload);
            }
        };
        assert!(header.is_stored());
        let (pool, raw_pool) = (BufferPool::new(2), BufferPool::new(2));
        let spare = Vec::with_capacity(4096);
        let spare_at = spare.as_ptr();
        raw_pool.give(spare);
        let (raw, _) =
            decode_block(0, &header, payload, &Reference::new(), &pool, &raw_pool).unwrap();
        assert_eq!(raw, data);
        assert_eq!(pool.take_idle().map(|b| b.as_ptr()), Some(spare_at));
        assert!(raw_pool.take_idle().is_none());
    }
}
