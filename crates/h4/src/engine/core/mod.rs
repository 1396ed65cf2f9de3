//! The core engine: an external shared library behind the frozen C ABI
//! (`h4_compress`, `h4_decompress`, `h4_free`), treated as untrusted.
//!
//! The raw calls live in `ffi`; this module decides what
//! each answer means (the rules are in `docs/ABI.md`) and turns every
//! misbehaviour into an [`EngineError`] instead of a crash or a leak.
//! A core runs either in h4's own process or, with [`Core::isolated`], in
//! sandboxed helper processes (`isolate`); the answers mean the same
//! either way, and in a helper a crash, an abort, an `exit` or a hang is
//! one more kind of answer.

pub mod exit_filter;
mod ffi;
pub mod isolate;
mod lent;
mod process;

use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::{Coded, Comparison, Engine, EngineError};
use crate::container::{EngineId, EngineKind};
use ffi::{CoreLibrary, Decoded, Direction, Identity, LoadError, Returned};
use isolate::{HelperCommand, Helpers};
pub use process::{
    Change, LimitLost, ProcessState, RESOURCE_LIMITS, current_locale, current_umask,
    signal_disposition, signal_name,
};

/// Makes a core's `exit()` in the middle of a call write `message` to
/// descriptor `fd` and end the process with status 1. [`Core::load`] sets
/// a message for h4's stderr; a host that wants another (`h4 verify`'s
/// child reports on its own channel) calls this first.
pub fn report_exit_in_call(fd: i32, message: String) {
    ffi::guard_exit(fd, || message);
}

pub use ffi::{exit_expected, exit_process, exit_without_teardown, guard_every_exit, report_forks};

/// The core ABI version this h4 implements.
pub const ABI_VERSION: u32 = 1;

/// The name recorded for a core that does not export `h4_core_name_v1`.
pub const UNNAMED: &str = "unnamed";

/// How much larger than its input a core's compressed output may be before
/// h4 treats the length as a lie rather than copy it: twice the input plus
/// 1 MiB (the spec's own example doubles its input).
pub fn max_compressed_len(input_len: usize) -> usize {
    input_len.saturating_mul(2).saturating_add(1 << 20)
}

/// Why a core could not be loaded.
#[derive(Debug)]
pub struct CoreLoadError {
    /// The library's path, as given.
    pub path: PathBuf,
    /// What went wrong.
    pub why: String,
}

impl fmt::Display for CoreLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load core {}: {}", self.path.display(), self.why)
    }
}

impl std::error::Error for CoreLoadError {}

/// Where a core's code runs.
enum Backend {
    /// Loaded into this process.
    InProcess(CoreLibrary),
    /// In helper processes (see `isolate`).
    Isolated(Box<Helpers>),
}

/// A loaded core.
pub struct Core {
    backend: Backend,
    id: EngineId,
    version: Option<String>,
    block_size: Option<u32>,
    /// The levels the core compresses at, if it has levels.
    levels: Option<RangeInclusive<i32>>,
    /// The level to compress at; `None`: the core's own default.
    level: Option<i32>,
    path: PathBuf,
    /// The process's settings from before the core was loaded.
    before: ProcessState,
    /// What loading changed (and h4 put back).
    load_changes: Vec<Change>,
    /// Whether an in-process core is lent copies (see `lent`), or the
    /// caller's own buffers.
    lends_copies: bool,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("id", &self.id)
            .field("version", &self.version)
            .finish()
    }
}

impl Core {
    /// Loads the core at `path`, checking its symbols and identity. A block
    /// size the core asks for must lie in `block_sizes` (the container's
    /// limits, [`crate::container::BLOCK_SIZES`], for cores that will write
    /// frames).
    pub fn load(path: &Path, block_sizes: RangeInclusive<u32>) -> Result<Core, CoreLoadError> {
        // The library's initialisers run inside open: whatever they change
        // of the process's settings is put back before anything else.
        let before = ProcessState::capture();
        ffi::guard_exit(2, || {
            format!(
                "h4: core {} called exit() in the middle of a call; stopping (status 1), nothing more is written\n",
                path.display()
            )
        });
        let opened = ffi::while_loading(
            format!(
                "h4: core {} called exit() while being loaded; stopping (status 1), nothing was written\n",
                path.display()
            ),
            || CoreLibrary::open(path),
        );
        let load_changes = before.restore();
        let (library, identity) = opened.map_err(|e| CoreLoadError {
            path: path.to_path_buf(),
            why: load_error_text(e),
        })?;
        if let Some(lost) = before.lost_limit() {
            return Err(CoreLoadError {
                path: path.to_path_buf(),
                why: format!("when loaded, it {lost}"),
            });
        }
        if before.left_session() {
            return Err(CoreLoadError {
                path: path.to_path_buf(),
                why: "when loaded, it moved h4 into a session of its own (setsid), where \
                      neither Ctrl-C nor the terminal's hangup reaches it, and which h4 \
                      cannot leave"
                    .to_string(),
            });
        }
        let mut core = Core::new(
            Backend::InProcess(library),
            identity,
            path,
            block_sizes,
            before,
        )?;
        core.load_changes = load_changes;
        Ok(core)
    }

    /// Runs the core at `path` in helper processes started with
    /// `command`, each of which loads it and serves calls in a sandbox (see
    /// [`isolate`]); this process never runs the core's code. Up to
    /// `helpers` run at once (one per worker thread keeps the pipeline's
    /// parallelism); the first is started here.
    pub fn isolated(
        path: &Path,
        block_sizes: RangeInclusive<u32>,
        command: &HelperCommand,
        helpers: usize,
    ) -> Result<Core, CoreLoadError> {
        let (helpers, identity) =
            Helpers::start(command, path, helpers).map_err(|why| CoreLoadError {
                path: path.to_path_buf(),
                why,
            })?;
        let core = Core::new(
            Backend::Isolated(Box::new(helpers)),
            identity,
            path,
            block_sizes,
            ProcessState::capture(),
        )?;
        if let Backend::Isolated(helpers) = &core.backend {
            helpers.set_label(core.label());
        }
        Ok(core)
    }

    /// Checks a core's identity and makes the engine.
    fn new(
        backend: Backend,
        identity: Identity,
        path: &Path,
        block_sizes: RangeInclusive<u32>,
        before: ProcessState,
    ) -> Result<Core, CoreLoadError> {
        let fail = |why: String| CoreLoadError {
            path: path.to_path_buf(),
            why,
        };
        if let Some(v) = identity.abi_version
            && v != ABI_VERSION
        {
            return Err(fail(format!(
                "h4_core_abi_version_v1 says ABI version {v}; this h4 implements version {ABI_VERSION}"
            )));
        }
        let name = match identity.name {
            None => UNNAMED.to_string(),
            Some(bytes) if EngineId::is_valid_name(&bytes) => {
                String::from_utf8(bytes).expect("printable ASCII is UTF-8")
            }
            Some(_) => {
                return Err(fail(
                    "h4_core_name_v1 must return 1 to 64 printable ASCII characters".to_string(),
                ));
            }
        };
        if let Some(size) = identity.block_size
            && !block_sizes.contains(&size)
        {
            return Err(fail(format!(
                "h4_core_block_size_v1 says {size}; block sizes run from {} to {}",
                block_sizes.start(),
                block_sizes.end()
            )));
        }
        if let Some((low, high)) = identity.levels
            && low > high
        {
            return Err(fail(format!(
                "h4_core_level_range_v1 says {low} to {high}: the lowest level is above the highest"
            )));
        }
        let version = identity
            .version
            .map(|v| String::from_utf8_lossy(&v).into_owned());
        Ok(Core {
            backend,
            id: EngineId {
                kind: EngineKind::Core,
                name,
            },
            version,
            block_size: identity.block_size,
            levels: identity.levels.map(|(low, high)| low..=high),
            level: None,
            path: path.to_path_buf(),
            before,
            load_changes: Vec::new(),
            lends_copies: true,
        })
    }

    /// How messages name this core: its name and its library's file name.
    fn label(&self) -> String {
        let file = self.path.file_name().unwrap_or(self.path.as_os_str());
        format!("core '{}' ({})", self.id.name, file.to_string_lossy())
    }

    /// Whether the core runs in helper processes ([`Core::isolated`]).
    pub fn is_isolated(&self) -> bool {
        matches!(self.backend, Backend::Isolated(_))
    }

    /// What the helpers' sandbox enforces, for an isolated core (each
    /// helper reports it once it is in place).
    pub fn sandbox(&self) -> Option<&str> {
        match &self.backend {
            Backend::Isolated(helpers) => Some(helpers.sandbox()),
            Backend::InProcess(_) => None,
        }
    }

    /// Whether the core exports the optional `h4_decompress_into_v1`
    /// (docs/ABI.md), which h4 then uses to decode blocks.
    pub fn has_decompress_into(&self) -> bool {
        match &self.backend {
            Backend::InProcess(library) => library.has_decompress_into(),
            Backend::Isolated(helpers) => helpers.has_decompress_into(),
        }
    }

    /// Makes the core compress at `level` (through
    /// `h4_compress_level_v1`), or at its own default for `None`. Fails,
    /// changing nothing, when the core has no levels or `level` is outside
    /// [`Engine::levels`]. A level changes only the payloads a core makes,
    /// never how they decode, and is not written anywhere.
    pub fn set_level(&mut self, level: Option<i32>) -> Result<(), String> {
        match (level, &self.levels) {
            (None, _) => {}
            (Some(level), Some(range)) if range.contains(&level) => {}
            (Some(level), Some(range)) => {
                return Err(format!(
                    "level {level} is outside the core's levels, {} to {}",
                    range.start(),
                    range.end()
                ));
            }
            (Some(_), None) => {
                return Err("the core has no levels (no h4_compress_level_v1)".to_string());
            }
        }
        self.level = level;
        Ok(())
    }

    /// The entry point compression calls: `h4_compress`, or
    /// `h4_compress_level_v1` once a level is set.
    fn compress_direction(&self) -> Direction {
        self.level
            .map_or(Direction::Compress, Direction::CompressAt)
    }

    /// The library's path, as given to [`Core::load`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The process settings the core's initialisers changed while it was
    /// loaded; h4 put each back. A host should warn about them, naming
    /// the core.
    pub fn load_changes(&self) -> &[Change] {
        &self.load_changes
    }

    /// Puts back every process setting (working directory, umask, signal
    /// handlers and mask, lowered resource limits) that differs from
    /// before the core was loaded, and says
    /// which did: a core may change them in a call as well as at load.
    /// Call it where no call into the core is running.
    pub fn restore_process(&self) -> Vec<Change> {
        self.before.restore()
    }

    /// The descriptor the host keeps open while the core is loaded (the
    /// working directory from before, to put back), which a check of the
    /// core's own descriptors must not count.
    pub fn own_descriptor(&self) -> Option<std::os::fd::RawFd> {
        self.before.descriptor()
    }

    /// The version string the core reports through `h4_core_version_v1`.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Calls `h4_free(NULL)` (for conformance checks; in-process cores
    /// only, an isolated core's helpers call it when they start).
    pub fn free_null(&self) {
        if let Backend::InProcess(library) = &self.backend {
            library.free_null();
        }
    }

    /// Lends an in-process core the caller's buffers themselves, not
    /// copies: for `h4 verify`, which places inputs where it chooses (on
    /// guarded pages, at varying addresses) to see what a core does with
    /// them. Not for hosting: see `lent`.
    pub fn lend_callers_buffers(&mut self) {
        self.lends_copies = false;
    }

    /// Calls `h4_compress` or `h4_decompress` and lends a returned buffer
    /// of at most `limit` bytes to `inspect`. With `copy_input`, an
    /// in-process core reads a copy of `input` (see `lent`).
    fn call_inspect(
        &self,
        direction: Direction,
        input: &[u8],
        limit: usize,
        copy_input: bool,
        inspect: impl FnOnce(&[u8]),
    ) -> Result<Returned, EngineError> {
        match &self.backend {
            Backend::InProcess(library) if !(copy_input && self.lends_copies) => {
                let returned = library.call_inspect(direction, input, limit, inspect);
                // Tolerated when hosting; the verifier's placed buffers are
                // where it reports what a core does with them.
                if ffi::returned_input() && !self.lends_copies {
                    return Err(EngineError::Failed(
                        "returned a pointer into its input as its output (its h4_free would free the caller's memory)"
                            .to_string(),
                    ));
                }
                Ok(returned)
            }
            // A copy is lent (see `lent`), and compared afterwards.
            Backend::InProcess(library) => lent::with(|lent| {
                let copy = match direction {
                    Direction::Decompress => lent.payload(input),
                    Direction::Compress | Direction::CompressAt(_) => lent.block(input),
                };
                let returned = library.call_inspect(direction, copy, limit, inspect);
                if *copy != *input {
                    return Err(modified(direction));
                }
                Ok(returned)
            }),
            Backend::Isolated(helpers) => helpers.call(direction, input, limit, inspect),
        }
    }

    /// Decodes `payload` in-process with `h4_decompress_into_v1` and
    /// compares the result with `expected`; `None` if the core does not
    /// export it. The core decodes a lent copy into lent memory (see
    /// `lent`).
    fn compare_lent(
        &self,
        library: &CoreLibrary,
        payload: &[u8],
        expected: &[u8],
    ) -> Option<Result<Comparison, EngineError>> {
        lent::with(|lent| {
            let room = expected.len();
            let (copy, out) = lent.payload_and_room(payload, room);
            let decoded = library.decompress_into(copy, out)?;
            if *copy != *payload {
                return Some(Err(modified(Direction::Decompress)));
            }
            Some(written(decoded, payload.len(), room).map(|n| Comparison::of(expected, &out[..n])))
        })
    }

    /// [`call_inspect`](Self::call_inspect), copying the buffer into `out`.
    fn call(
        &self,
        direction: Direction,
        input: &[u8],
        limit: usize,
        copy_input: bool,
        out: &mut Vec<u8>,
    ) -> Result<Returned, EngineError> {
        self.call_inspect(direction, input, limit, copy_input, |bytes| {
            out.clear();
            out.extend_from_slice(bytes);
        })
    }
}

/// The bytes `h4_decompress_into_v1` wrote into `room` bytes, decoding
/// `payload_len`, or why it failed.
fn written(decoded: Decoded, payload_len: usize, room: usize) -> Result<usize, EngineError> {
    match decoded {
        Decoded::Written(n) => Ok(n),
        Decoded::Failed => Err(EngineError::Failed(format!(
            "h4_decompress_into_v1 failed on a {payload_len}-byte payload"
        ))),
        Decoded::Overlong(n) => Err(EngineError::Failed(format!(
            "h4_decompress_into_v1 claims {n} bytes written into {room} bytes of room"
        ))),
    }
}

/// A core wrote into the block it was asked to compress.
fn modified_input() -> EngineError {
    EngineError::Failed(
        "the core modified its input (the block's bytes changed during a call); nothing was written for this block"
            .to_string(),
    )
}

/// A core wrote into the payload it was asked to decode.
pub(crate) fn modified_payload() -> EngineError {
    EngineError::Failed(
        "the core modified the payload it was given to decode; nothing was written for this block"
            .to_string(),
    )
}

/// What a core that wrote into the bytes it was lent is told.
fn modified(direction: Direction) -> EngineError {
    match direction {
        Direction::Decompress => modified_payload(),
        Direction::Compress | Direction::CompressAt(_) => modified_input(),
    }
}

impl Engine for Core {
    fn id(&self) -> &EngineId {
        &self.id
    }

    fn preferred_block_size(&self) -> Option<u32> {
        self.block_size
    }

    fn levels(&self) -> Option<RangeInclusive<i32>> {
        self.levels.clone()
    }

    fn level(&self) -> Option<i32> {
        self.level
    }

    fn compress_block(&self, input: &[u8], out: &mut Vec<u8>) -> Result<Coded, EngineError> {
        // Only a payload smaller than the block is kept, so a longer one is
        // never copied out of the core (for incompressible data, a block's
        // worth of copying and memory per call).
        let useful = input.len().saturating_sub(1);
        match self.call(self.compress_direction(), input, useful, true, out)? {
            Returned::Data { copied: true, .. } => Ok(Coded::Payload),
            Returned::Data { len, .. } if len <= max_compressed_len(input.len()) => {
                Ok(Coded::Stored)
            }
            other => Err(compress_failure(other, input.len())),
        }
    }

    fn decompress_and_compare(
        &self,
        payload: &[u8],
        expected: &[u8],
    ) -> Result<Comparison, EngineError> {
        if let Backend::InProcess(library) = &self.backend
            && self.lends_copies
            && let Some(compared) = self.compare_lent(library, payload, expected)
        {
            return compared;
        }
        // Compared in the core's own buffer: no copy of the block.
        let mut comparison = Comparison::Equal;
        let returned = self.call_inspect(
            Direction::Decompress,
            payload,
            expected.len(),
            true,
            |bytes| comparison = Comparison::of(expected, bytes),
        )?;
        match returned {
            Returned::Data { copied: true, .. } => Ok(comparison),
            Returned::Data { .. } => Err(EngineError::TooLarge {
                limit: expected.len(),
            }),
            Returned::Empty => Ok(Comparison::of(expected, &[])),
            Returned::Null => Err(decompress_failed(payload.len())),
            Returned::NullWithLength(len) => Err(null_buffer("h4_decompress", len)),
        }
    }

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), EngineError> {
        let bound = max_compressed_len(input.len());
        match self.call(self.compress_direction(), input, bound, true, out)? {
            Returned::Data { copied: true, .. } => Ok(()),
            Returned::Null | Returned::Empty if input.is_empty() => {
                out.clear();
                Ok(())
            }
            other => Err(compress_failure(other, input.len())),
        }
    }

    fn decompress(
        &self,
        payload: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EngineError> {
        // The payload is h4's own: a write into it, in the call or later,
        // can only make the content checksum refuse a block.
        match self.call(Direction::Decompress, payload, limit, false, out)? {
            Returned::Data { copied: true, .. } => Ok(()),
            Returned::Data { .. } => Err(EngineError::TooLarge { limit }),
            // An empty result; whether that is right is for the caller, who
            // knows how long the output must be.
            Returned::Empty => {
                out.clear();
                Ok(())
            }
            // The failure signal, unless there was nothing to decode.
            Returned::Null if payload.is_empty() => {
                out.clear();
                Ok(())
            }
            Returned::Null => Err(decompress_failed(payload.len())),
            Returned::NullWithLength(len) => Err(null_buffer("h4_decompress", len)),
        }
    }

    fn decompress_into(
        &self,
        payload: &[u8],
        out: &mut [u8],
    ) -> Option<Result<usize, EngineError>> {
        match &self.backend {
            // Straight from h4's payload into its buffer. A write into the
            // payload can only make the content checksum refuse the block;
            // one into the decoded block after the call, once its checksum
            // was checked, is not seen: the extension's contract forbids
            // keeping the pointer (docs/ABI.md), and copying every decoded
            // block out of lent memory cost a fifth to a third of a
            // decompression.
            Backend::InProcess(library) => {
                let decoded = library.decompress_into(payload, out)?;
                Some(written(decoded, payload.len(), out.len()))
            }
            // A helper decodes into shared memory however the core decodes;
            // one copy out of it either way.
            Backend::Isolated(helpers) => {
                let mut written = 0;
                let limit = out.len();
                let returned = helpers.call(Direction::Decompress, payload, limit, |bytes| {
                    out[..bytes.len()].copy_from_slice(bytes);
                    written = bytes.len();
                });
                Some(match returned {
                    Err(e) => Err(e),
                    Ok(Returned::Data { copied: true, .. }) => Ok(written),
                    Ok(Returned::Data { .. }) => Err(EngineError::TooLarge { limit }),
                    Ok(Returned::Empty) => Ok(0),
                    Ok(Returned::Null) => Err(decompress_failed(payload.len())),
                    Ok(Returned::NullWithLength(len)) => Err(null_buffer("h4_decompress", len)),
                })
            }
        }
    }
}

/// A load failure in words.
fn load_error_text(e: LoadError) -> String {
    match e {
        LoadError::Open(why) => why,
        LoadError::MissingSymbol(name) => format!("missing symbol {name}"),
        LoadError::Unpaired { present, missing } => {
            format!("exports {present} without {missing}")
        }
    }
}

/// What is wrong when `h4_compress` gave no usable output for `input_len`
/// bytes (a `Data` here is one longer than any honest encoding could be).
fn compress_failure(returned: Returned, input_len: usize) -> EngineError {
    match returned {
        Returned::Data { len, .. } => EngineError::Failed(format!(
            "h4_compress returned an implausible length ({len} bytes for {input_len} input bytes)"
        )),
        Returned::Null | Returned::Empty => {
            EngineError::Failed("h4_compress returned 0 (the core failed)".to_string())
        }
        Returned::NullWithLength(len) => null_buffer("h4_compress", len),
    }
}

/// `h4_decompress` gave the failure signal (0 and NULL) for a non-empty
/// payload.
fn decompress_failed(payload_len: usize) -> EngineError {
    EngineError::Failed(format!(
        "h4_decompress returned 0 and NULL for a {payload_len}-byte payload (the core failed)"
    ))
}

/// A call that returned a length with no buffer.
fn null_buffer(function: &str, len: usize) -> EngineError {
    EngineError::Failed(format!(
        "{function} returned length {len} with a NULL buffer"
    ))
}
