//! The raw calls into a core: loading the shared library, resolving the C
//! ABI's symbols and calling them. This is the one place where h4 crosses
//! into a core's code, so it is the one place of the core host with
//! `unsafe`; [`super::Core`] decides what each answer means.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use libloading::Library;
use nix::sys::signal::SigSet;

/// `size_t h4_compress(const void*, size_t, void**)` and
/// `size_t h4_decompress(const void*, size_t, void**)`.
type CodecFn = unsafe extern "C" fn(*const c_void, usize, *mut *mut c_void) -> usize;
/// `void h4_free(void*)`.
type FreeFn = unsafe extern "C" fn(*mut c_void);
/// `size_t h4_decompress_into_v1(const void*, size_t, void*, size_t)`.
type IntoFn = unsafe extern "C" fn(*const c_void, usize, *mut c_void, usize) -> usize;
/// `size_t h4_compress_level_v1(const void*, size_t, void**, int32_t)`.
type LevelFn = unsafe extern "C" fn(*const c_void, usize, *mut *mut c_void, i32) -> usize;
/// `void h4_core_level_range_v1(int32_t*, int32_t*)`.
type RangeFn = unsafe extern "C" fn(*mut i32, *mut i32);
/// `const char* h4_core_name_v1(void)` and friends.
type StrFn = unsafe extern "C" fn() -> *const c_char;
/// `uint32_t h4_core_abi_version_v1(void)`.
type U32Fn = unsafe extern "C" fn() -> u32;

/// Why a library could not be used as a core.
#[derive(Debug)]
pub enum LoadError {
    /// The dynamic loader refused the file.
    Open(String),
    /// A required symbol is missing.
    MissingSymbol(&'static str),
    /// An optional symbol came without the one it needs.
    Unpaired {
        present: &'static str,
        missing: &'static str,
    },
}

/// Which codec entry point to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `h4_compress`.
    Compress,
    /// `h4_compress_level_v1` at this level (the caller checked that the
    /// core has it and that the level is in its range).
    CompressAt(i32),
    /// `h4_decompress`.
    Decompress,
}

/// What one call returned, before h4 decides whether it is acceptable.
#[derive(Debug, PartialEq, Eq)]
pub enum Returned {
    /// The call returned `len` and a non-NULL pointer; the bytes were
    /// taken (`copied`) unless `len` was over the caller's limit, and the
    /// buffer was released.
    Data { len: usize, copied: bool },
    /// The call returned a length with a NULL pointer.
    NullWithLength(usize),
    /// The call returned 0 and a NULL pointer: the specification's
    /// failure signal.
    Null,
    /// The call returned 0 with a buffer: an empty result (the buffer
    /// was released).
    Empty,
}

thread_local! {
    /// Whether the last [`CoreLibrary::call_inspect`] on this thread
    /// returned a buffer inside its input, for [`returned_input`].
    static RETURNED_INPUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the last call on this thread returned a buffer inside its
/// input: a host tolerates it (the buffer is not freed), a verifier
/// reports it.
pub fn returned_input() -> bool {
    RETURNED_INPUT.get()
}

/// What `h4_decompress_into_v1` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// It wrote this many bytes (at most the capacity it was given).
    Written(usize),
    /// It returned the failure value, `(size_t)-1`.
    Failed,
    /// It claimed to have written more than the capacity it was given.
    Overlong(usize),
}

/// The failure value of `h4_decompress_into_v1`.
pub const INTO_FAILED: usize = usize::MAX;

/// The optional, versioned identity symbols of a core.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// `h4_core_name_v1`, when present.
    pub name: Option<Vec<u8>>,
    /// `h4_core_version_v1`, when present.
    pub version: Option<Vec<u8>>,
    /// `h4_core_abi_version_v1`, when present.
    pub abi_version: Option<u32>,
    /// `h4_core_block_size_v1`, when present.
    pub block_size: Option<u32>,
    /// The lowest and highest level of `h4_core_level_range_v1`, when the
    /// core has levels (that symbol and `h4_compress_level_v1`).
    pub levels: Option<(i32, i32)>,
}

/// The longest identity string h4 reads from a core.
const MAX_IDENTITY: usize = 256;

/// A loaded core library and its entry points.
pub struct CoreLibrary {
    compress: CodecFn,
    decompress: CodecFn,
    free: FreeFn,
    decompress_into: Option<IntoFn>,
    compress_level: Option<LevelFn>,
    /// Never unloaded: `dlclose` would run the core's destructors in the
    /// middle of h4's work (one that joins a thread pool that never ends
    /// hangs h4 there, one that calls `exit` ends it), and unmap code a
    /// thread the core started may still be running.
    _library: ManuallyDrop<Library>,
}

impl CoreLibrary {
    /// Loads the library at `path`, resolves the three ABI symbols, and
    /// reads the identity symbols it has.
    pub fn open(path: &Path) -> Result<(Self, Identity), LoadError> {
        CORE_OPENED.store(true, Ordering::SeqCst);
        let host = std::process::id();
        // SAFETY: loading a library runs its initialisers. That is the
        // contract of a core: the user named this file as a core (with
        // --core or HARMONY4_CORE_PATH), exactly as the ABI specifies,
        // and h4 cannot load one any other way.
        let library = unsafe { Library::new(path) }.map_err(|e| {
            // libloading puts the loader's own words (dlerror) in the
            // error's source.
            let detail = std::error::Error::source(&e).map(|s| s.to_string());
            LoadError::Open(detail.unwrap_or_else(|| e.to_string()))
        });
        end_if_forked(host, FORKED_AT_LOAD);
        let library = library?;

        // SAFETY: each symbol is read with the C signature the ABI
        // specification gives it; the pointers stay valid while
        // `library` is loaded, which `CoreLibrary` guarantees by owning it.
        let (compress, decompress, free) = unsafe {
            (
                required::<CodecFn>(&library, "h4_compress")?,
                required::<CodecFn>(&library, "h4_decompress")?,
                required::<FreeFn>(&library, "h4_free")?,
            )
        };
        // SAFETY: as above, for the optional extension symbols h4 defines
        // in docs/ABI.md. A present symbol is called once here.
        let identity = unsafe {
            Identity {
                name: optional::<StrFn>(&library, "h4_core_name_v1").and_then(|f| c_string(f())),
                version: optional::<StrFn>(&library, "h4_core_version_v1")
                    .and_then(|f| c_string(f())),
                abi_version: optional::<U32Fn>(&library, "h4_core_abi_version_v1").map(|f| f()),
                block_size: optional::<U32Fn>(&library, "h4_core_block_size_v1").map(|f| f()),
                levels: None,
            }
        };
        // SAFETY: as above, with the signatures docs/ABI.md gives the
        // optional extension symbols.
        let (decompress_into, compress_level, level_range) = unsafe {
            (
                optional::<IntoFn>(&library, "h4_decompress_into_v1"),
                optional::<LevelFn>(&library, "h4_compress_level_v1"),
                optional::<RangeFn>(&library, "h4_core_level_range_v1"),
            )
        };
        let levels = match (compress_level, level_range) {
            (Some(_), Some(range)) => {
                let (mut low, mut high) = (0i32, 0i32);
                // SAFETY: the extension's contract (docs/ABI.md) is to
                // store one int32_t through each pointer; both point to
                // live locals.
                unsafe { range(&mut low, &mut high) };
                Some((low, high))
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(LoadError::Unpaired {
                    present: "h4_compress_level_v1",
                    missing: "h4_core_level_range_v1",
                });
            }
            (None, Some(_)) => {
                return Err(LoadError::Unpaired {
                    present: "h4_core_level_range_v1",
                    missing: "h4_compress_level_v1",
                });
            }
        };
        let core = CoreLibrary {
            compress,
            decompress,
            free,
            decompress_into,
            compress_level,
            _library: ManuallyDrop::new(library),
        };
        Ok((core, Identity { levels, ..identity }))
    }

    /// Calls `h4_compress` or `h4_decompress` on `input` and lends a
    /// returned buffer of at most `limit` bytes to `inspect` while it is
    /// still the core's; the buffer is released with `h4_free` on every
    /// path, inspected or not.
    pub fn call_inspect(
        &self,
        direction: Direction,
        input: &[u8],
        limit: usize,
        inspect: impl FnOnce(&[u8]),
    ) -> Returned {
        let mut buffer: *mut c_void = ptr::null_mut();
        RETURNED_INPUT.set(false);
        let call = Call::enter();
        // SAFETY: `input` is valid for reads of `input.len()` bytes for
        // the whole call and `buffer` is a valid place for the core to
        // store a pointer. The ABI lets the core keep neither;
        // `h4_compress_level_v1` has the same contract plus a level.
        let len = unsafe {
            match (direction, self.compress_level) {
                (Direction::CompressAt(level), Some(f)) => {
                    f(input.as_ptr().cast(), input.len(), &mut buffer, level)
                }
                (Direction::Decompress, _) => {
                    (self.decompress)(input.as_ptr().cast(), input.len(), &mut buffer)
                }
                // A level for a core without levels is the caller's
                // mistake; the core's own default is the safe reading.
                (Direction::Compress | Direction::CompressAt(_), _) => {
                    (self.compress)(input.as_ptr().cast(), input.len(), &mut buffer)
                }
            }
        };
        call.leave();
        if buffer.is_null() {
            return if len == 0 {
                Returned::Null
            } else {
                Returned::NullWithLength(len)
            };
        }
        // A core that hands back its input as its output ("stored") would
        // free h4's memory in h4_free: such a buffer is read if it lies
        // within the input, and never freed.
        let start = input.as_ptr() as usize;
        let at = buffer as usize;
        let into_input = (start..start + input.len()).contains(&at);
        let within_input = into_input && len <= start + input.len() - at;
        let copied = len > 0 && len <= limit && (within_input || !into_input);
        if copied {
            // SAFETY: the ABI says a non-NULL `*out_ptr` with return value
            // `len` points to `len` readable bytes owned by the core until
            // h4_free, which comes after this borrow ends. h4 cannot
            // verify that; it bounds `len` by `limit` so a lying core
            // cannot make it read gigabytes. (A buffer within the input is
            // `input`'s bytes, readable for this borrow.)
            inspect(unsafe { std::slice::from_raw_parts(buffer.cast::<u8>(), len) });
        }
        if into_input {
            RETURNED_INPUT.set(true);
        } else {
            // SAFETY: `buffer` came from this core's h4_compress or
            // h4_decompress and is released exactly once.
            unsafe { (self.free)(buffer) };
        }
        if len == 0 {
            Returned::Empty
        } else {
            Returned::Data { len, copied }
        }
    }

    /// Whether the core exports `h4_decompress_into_v1`.
    pub fn has_decompress_into(&self) -> bool {
        self.decompress_into.is_some()
    }

    /// Calls `h4_decompress_into_v1` to decode `input` straight into
    /// `out`; `None` when the core does not export it.
    pub fn decompress_into(&self, input: &[u8], out: &mut [u8]) -> Option<Decoded> {
        let f = self.decompress_into?;
        let call = Call::enter();
        // SAFETY: `input` is readable for `input.len()` bytes and `out`
        // writable for `out.len()` bytes for the whole call, and the
        // extension's contract (docs/ABI.md) is to write at most
        // `out_cap` bytes and keep neither pointer. `out` is initialised
        // memory, so whatever the core does or does not write, h4 reads
        // only bytes.
        let n = unsafe {
            f(
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().cast(),
                out.len(),
            )
        };
        call.leave();
        Some(match n {
            INTO_FAILED => Decoded::Failed,
            n if n > out.len() => Decoded::Overlong(n),
            n => Decoded::Written(n),
        })
    }

    /// Calls `h4_free(NULL)`, which the ABI requires to do nothing.
    pub fn free_null(&self) {
        // SAFETY: the ABI requires h4_free to accept NULL.
        unsafe { (self.free)(ptr::null_mut()) }
    }
}

/// One call into a core on this thread: marks the thread as in a call
/// (for the exit guard) and puts back the thread's signal mask if the core
/// changed it. A host that blocks its interrupts and takes them on a
/// thread of its own (h4's command line) must not find them unblocked on
/// a worker, where one would end the process by its default action
/// instead of the host's clean-up.
struct Call {
    mask: Option<SigSet>,
    /// The process the call was made in (see [`end_if_forked`]).
    host: u32,
}

impl Call {
    fn enter() -> Call {
        IN_CALL.set(true);
        Call {
            mask: SigSet::thread_get_mask().ok(),
            host: std::process::id(),
        }
    }

    fn leave(self) {
        end_if_forked(self.host, FORKED_IN_CALL);
        IN_CALL.set(false);
        if let Some(mask) = self.mask
            && SigSet::thread_get_mask().is_ok_and(|now| now != mask)
        {
            let _ = mask.thread_set_mask();
        }
    }
}

/// Ends this process at once if it is not `host`, the process that
/// loaded or called the core: then it is a copy the core made with `fork`
/// (at load, or in a call) and returned from instead of ending it, and
/// it would run on as a second h4, writing the same data into the same
/// output (twice the stream down a pipe) and holding h4's descriptors
/// open. Nothing is flushed: whatever the copy holds
/// unwritten is the host's, and the host writes it. The copy's one act is
/// `line` (one of [`FORKED_AT_LOAD`] and [`FORKED_IN_CALL`]), where
/// [`report_forks`] asked for it: whole, in one write, and with nothing
/// allocated (another thread of the host may have held the allocator's
/// lock when the core forked).
fn end_if_forked(host: u32, line: &'static str) {
    if std::process::id() != host {
        if let Some(&fd) = FORK_REPORT.get() {
            let _ = nix::unistd::write(
                // SAFETY: the descriptor was handed to `report_forks` as
                // one that stays open for the life of the process.
                unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) },
                line.as_bytes(),
            );
        }
        super::exit_filter::exit_group(0);
    }
}

/// What a copy of the process forked at load says on its way out.
const FORKED_AT_LOAD: &str = "F forked a child that came back into the host from its load: fork() with no _exit in the child\n";
/// What a copy of the process forked in a call says on its way out.
const FORKED_IN_CALL: &str = "F forked a child that came back into the host from a call: fork() with no _exit in the child\n";

/// Where a copy of the process that a core forked, ended by
/// [`end_if_forked`], writes one line saying so (`h4 verify`'s channel).
static FORK_REPORT: OnceLock<i32> = OnceLock::new();

/// Makes a copy of this process that a core forks and lets return into
/// the host write `F forked ...` to descriptor `fd` (which must stay open
/// for the life of the process) before it ends.
pub fn report_forks(fd: i32) {
    let _ = FORK_REPORT.set(fd);
}

thread_local! {
    /// Whether this thread is inside a call into a core.
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
    /// While this thread loads a core under [`while_loading`]: what to say
    /// (on stderr) if the core's initialisers call `exit`. A type without
    /// a destructor: `exit` runs the thread-local destructors before the
    /// `atexit` handlers, and this must still be readable then.
    static LOADING: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Runs `load`, in which a core's initialisers run, so that an `exit` they
/// call ends h4 with status 1 and `message` on stderr instead of the
/// status the core chose (a "no licence: exit(0)" would otherwise end h4
/// successfully with nothing done). Takes effect once [`guard_exit`] has
/// registered the handler.
pub fn while_loading<T>(message: String, load: impl FnOnce() -> T) -> T {
    // Leaked: a few dozen bytes a load, for a `&'static` the exit handler
    // can read.
    LOADING.set(Some(Box::leak(message.into_boxed_str())));
    let result = load();
    LOADING.set(None);
    result
}

/// Set by a host that owns the process (h4's command line): once a core is
/// loaded, any `exit` the host did not announce with [`exit_expected`] is
/// a core's, from whatever thread, and ends the process with status 1.
static GUARD_EVERY_EXIT: AtomicBool = AtomicBool::new(false);

/// Set by [`exit_expected`]: the host itself is ending the process.
static EXIT_EXPECTED: AtomicBool = AtomicBool::new(false);

/// Set as this process starts opening a core library: from then on its
/// destructors and `atexit` handlers are the core's code too.
static CORE_OPENED: AtomicBool = AtomicBool::new(false);

/// Says that this process's every `exit` is the host's to announce (see
/// [`exit_expected`]); not for a host inside another program (the Python
/// bindings), whose exits are not h4's to judge.
pub fn guard_every_exit() {
    GUARD_EVERY_EXIT.store(true, Ordering::SeqCst);
}

/// Announces that the host is ending the process with the status it
/// chose; call right before `exit` or returning from `main`.
pub fn exit_expected() {
    EXIT_EXPECTED.store(true, Ordering::SeqCst);
}

/// Ends the process with `status`: the host's own exit, announced (see
/// [`exit_expected`]).
///
/// Once a core was loaded into a process whose exits the host owns
/// ([`guard_every_exit`]), the process ends with `_exit`, so the core's
/// destructors and `atexit` handlers do not run after h4 is done: one
/// that hangs (a thread pool joined at unload that never ends) would keep
/// a finished run, or one stopped by Ctrl-C, from ever ending, and one
/// that calls `exit` or `_exit` itself would end a failed run with the
/// core's status. Standard output and error are flushed first; h4 leaves
/// nothing else for exit to do.
pub fn exit_process(status: i32) -> ! {
    if GUARD_EVERY_EXIT.load(Ordering::SeqCst) && CORE_OPENED.load(Ordering::SeqCst)
        || super::exit_filter::installed()
    {
        exit_without_teardown(status)
    }
    exit_expected();
    std::process::exit(status)
}

/// Ends the process with `status` at once, after flushing standard output
/// and error: no `atexit` handler and no library destructor runs, so no
/// loaded core's teardown either. For a process whose work is done and
/// which has nothing of its own left for exit to do.
pub fn exit_without_teardown(status: i32) -> ! {
    exit_expected();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: fflush(NULL) writes out every C stdio stream (what exit
    // would have done for a core's buffered prints, which go to stderr).
    unsafe {
        nix::libc::fflush(ptr::null_mut());
    }
    // At once, which the caller says is all that is left to do; by h4's
    // own system call, the one the exit filter lets end the process with
    // status 0.
    super::exit_filter::exit_group(status)
}

/// What is written, and where, when a core calls `exit` during a call:
/// the first [`guard_exit`] decides.
static EXIT_REPORT: OnceLock<(i32, String)> = OnceLock::new();

/// Makes a core's `exit()` in the middle of a call end h4 with status 1
/// and `message` written to descriptor `fd` instead of the status the
/// core chose (for a core in h4's own process; a helper reports the
/// core's status as it is): `exit` (and `quick_exit`) runs the handlers on the
/// thread that called it, and that thread is inside a core call only when
/// the core called it. The first call sets the message; later calls keep
/// it.
pub fn guard_exit(fd: i32, message: impl FnOnce() -> String) {
    static REGISTERED: Once = Once::new();
    EXIT_REPORT.get_or_init(|| (fd, message()));
    REGISTERED.call_once(|| {
        // SAFETY: registers a plain function with no captured state,
        // which only reads a thread-local and a static, writes to a
        // descriptor and ends the process; `quick_exit` (C11) runs its own
        // list of handlers instead of `atexit`'s.
        unsafe {
            nix::libc::atexit(exit_during_call);
            at_quick_exit(exit_during_call);
        }
    });
}

unsafe extern "C" {
    /// C11's `at_quick_exit`, which the libc crate does not declare.
    fn at_quick_exit(handler: extern "C" fn()) -> nix::libc::c_int;
}

extern "C" fn exit_during_call() {
    if let Ok(Some(message)) = LOADING.try_with(Cell::get) {
        stop_with(2, message);
    }
    if IN_CALL.try_with(Cell::get).unwrap_or(false) {
        let (fd, message) = EXIT_REPORT
            .get()
            .map_or((2, "h4: a core called exit()\n"), |(fd, m)| {
                (*fd, m.as_str())
            });
        stop_with(fd, message);
    }
    if GUARD_EVERY_EXIT.load(Ordering::SeqCst) && !EXIT_EXPECTED.load(Ordering::SeqCst) {
        stop_with(
            2,
            "h4: a loaded core called exit() from a thread of its own; stopping (status 1), nothing more is written\n",
        );
    }
}

/// Writes `message` to descriptor `fd` and ends the process with status 1
/// at once, running nothing else (inside an exit handler).
fn stop_with(fd: i32, message: &str) -> ! {
    // SAFETY: write(2) of a valid buffer, then _exit, which ends the
    // process without running anything else.
    unsafe {
        nix::libc::write(fd, message.as_ptr().cast(), message.len());
        nix::libc::_exit(1)
    }
}

/// Resolves a required symbol.
///
/// # Safety
/// `T` must be the symbol's true type.
unsafe fn required<T: Copy>(library: &Library, name: &'static str) -> Result<T, LoadError> {
    // SAFETY: the caller guarantees the type.
    unsafe { optional(library, name) }.ok_or(LoadError::MissingSymbol(name))
}

/// Resolves an optional symbol.
///
/// # Safety
/// `T` must be the symbol's true type.
unsafe fn optional<T: Copy>(library: &Library, name: &str) -> Option<T> {
    // SAFETY: the caller guarantees the type; the value is a plain
    // function pointer, copied out of the `Symbol` wrapper.
    unsafe { library.get::<T>(name.as_bytes()) }
        .ok()
        .map(|s| *s)
}

/// Copies a NUL-terminated string returned by an identity symbol, at
/// most [`MAX_IDENTITY`] bytes; `None` for NULL or an unterminated
/// string.
///
/// # Safety
/// `p` must be NULL or point to readable memory up to its NUL byte or
/// [`MAX_IDENTITY`] bytes, whichever is first.
unsafe fn c_string(p: *const c_char) -> Option<Vec<u8>> {
    if p.is_null() {
        return None;
    }
    let mut bytes = Vec::new();
    for i in 0..=MAX_IDENTITY {
        // SAFETY: the caller guarantees readability up to the NUL or the
        // limit, and we stop at either.
        let b = unsafe { *p.add(i) } as u8;
        if b == 0 {
            return Some(bytes);
        }
        bytes.push(b);
    }
    None
}
