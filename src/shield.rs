//! What h4 does before and after it lets a core into its process, so the
//! core cannot reach the data streams or change where and how h4 writes.
//!
//! * Standard input and output: before the first core is loaded, h4 keeps
//!   its data streams on private descriptors, points fd 1 at stderr and
//!   fd 0 at /dev/null, so nothing a core prints (a debugging `printf`)
//!   can end up inside `-c` output, and nothing it reads (a stray
//!   `getchar`) is taken out of piped input.
//! * Descriptors: the ones h4 writes and reads through (the data streams,
//!   the working directory it returns to) are noted before
//!   the load and checked after it and after each file. A core that
//!   closed or replaced one (a "close every inherited descriptor" loop in
//!   an initialiser) has taken h4's output away; that is not something to
//!   put back, so h4 stops: one line, status 1, nothing more written.
//! * Working directory, umask and signal handlers: a snapshot is taken
//!   before the first core is loaded; the library puts back what loading
//!   changed ([`Core::load`]), and [`restore_after_calls`] puts back what
//!   calls changed, after each file. Each change is a warning naming the
//!   core.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use h4::container::BLOCK_SIZES;
use h4::engine::core::{Change, Core, CoreLoadError, ProcessState};

use crate::report;

/// h4's standard output once fd 1 was handed to stderr.
static DATA_OUT: OnceLock<OwnedFd> = OnceLock::new();

/// h4's standard input once fd 0 was pointed at /dev/null; `None` when
/// there was no standard input.
static DATA_IN: OnceLock<Option<OwnedFd>> = OnceLock::new();

/// The process settings from before the first core was loaded.
static BEFORE_CORES: OnceLock<ProcessState> = OnceLock::new();

/// The descriptors h4 relies on, each with what it is (for messages) and
/// the file it was open on when the first core was about to load.
static GUARDED: OnceLock<Vec<Guarded>> = OnceLock::new();

struct Guarded {
    fd: RawFd,
    what: &'static str,
    file: Option<(u64, u64)>,
}

/// Call right before loading a core: moves the data streams off fds 0 and
/// 1, takes the snapshot [`restore_after_calls`] compares with and notes
/// the descriptors [`check_descriptors`] checks. Idempotent.
pub fn before_loading_a_core() {
    let before = BEFORE_CORES.get_or_init(ProcessState::capture);
    let data_out = DATA_OUT.get_or_init(|| {
        let Ok(data) = io::stdout().as_fd().try_clone_to_owned() else {
            // No standard output at all: nothing to protect. A duplicate of
            // stderr keeps later writes failing the same way.
            return io::stderr()
                .as_fd()
                .try_clone_to_owned()
                .expect("duplicate stderr");
        };
        // If this fails fd 1 keeps pointing at the data: the data is still
        // written through `data`, and a core's prints would still reach it.
        let _ = nix::unistd::dup2_stdout(io::stderr());
        data
    });
    let data_in = DATA_IN.get_or_init(|| {
        let data = io::stdin().as_fd().try_clone_to_owned().ok()?;
        // If this fails fd 0 keeps the data, which h4 still reads through
        // `data`; a core that reads fd 0 would still take from it.
        if let Ok(null) = File::open("/dev/null") {
            let _ = nix::unistd::dup2_stdin(null);
        }
        Some(data)
    });
    GUARDED.get_or_init(|| {
        // Not fds 0 to 2: a core that points them elsewhere (at /dev/null,
        // to silence itself) no longer reaches h4's data streams.
        let mut fds: Vec<(RawFd, &'static str)> =
            vec![(data_out.as_raw_fd(), "h4's output stream")];
        if let Some(data_in) = data_in {
            fds.push((data_in.as_raw_fd(), "h4's input stream"));
        }
        if let Some(cwd) = before.descriptor() {
            fds.push((cwd, "the working directory h4 returns to"));
        }
        fds.into_iter()
            .map(|(fd, what)| Guarded {
                fd,
                what,
                file: file_of(fd),
            })
            .collect()
    });
}

/// The device and inode `fd` is open on, if it is open (and the system
/// has /proc, which says so without borrowing a descriptor that may not
/// be open).
fn file_of(fd: RawFd) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

/// Points fds 0 to 2 at /dev/null where a core closed them (to silence
/// itself): left closed, the next file h4 opens would take the number,
/// and a later print of the core's would land in it.
fn reopen_closed_standard_descriptors() {
    // Without /proc every descriptor looks closed: nothing to tell.
    if std::fs::metadata("/proc/self/fd").is_err() {
        return;
    }
    type Dup2 = fn(&File) -> nix::Result<()>;
    let standard: [(RawFd, Dup2); 3] = [
        (0, |f| nix::unistd::dup2_stdin(f)),
        (1, |f| nix::unistd::dup2_stdout(f)),
        (2, |f| nix::unistd::dup2_stderr(f)),
    ];
    for (fd, dup2) in standard {
        if file_of(fd).is_none()
            && let Ok(null) = File::options().read(true).write(true).open("/dev/null")
        {
            if null.as_raw_fd() == fd {
                // It took the free number itself: keep it open there, and
                // inheritable, as a dup2'd one would be.
                let _ = nix::fcntl::fcntl(
                    &null,
                    nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
                );
                let _ = std::os::fd::IntoRawFd::into_raw_fd(null);
            } else {
                let _ = dup2(&null);
            }
        }
    }
}

/// Stops h4 if a core closed or replaced a descriptor h4 relies on
/// (`when`: "when loaded", "in a call"): one line naming the core and the
/// descriptor, status 1. Nothing is written after such a change: the
/// output may be gone, or be some file of the core's.
pub fn check_descriptors(core: &Path, when: &str) {
    let Some(guarded) = GUARDED.get() else {
        return;
    };
    reopen_closed_standard_descriptors();
    let lost: Vec<String> = guarded
        .iter()
        .filter(|g| g.file.is_some() && file_of(g.fd) != g.file)
        .map(|g| format!("fd {} ({})", g.fd, g.what))
        .collect();
    if !lost.is_empty() {
        eprintln!(
            "h4: core {} closed or replaced {} {when}; stopping (status 1), nothing more is written",
            core.display(),
            lost.join(", ")
        );
        h4::engine::core::exit_process(1);
    }
}

/// Loads the core at `path` into this process, shielded: the data
/// streams moved off fds 0 and 1 first, the descriptors checked and the
/// settings the load changed reported after (see the module's text).
pub fn load_core(path: &Path, quiet: bool) -> Result<Core, CoreLoadError> {
    // First: its SIGSYS handler is then part of the snapshot that calls
    // are compared with.
    h4::engine::core::exit_filter::install(format!(
        "h4: core {} ended the process with status 0 (_exit) before h4 was done; stopping (status 1), the output is incomplete\n",
        path.display()
    ));
    before_loading_a_core();
    let core = Core::load(path, BLOCK_SIZES)?;
    report_load_changes(&core, quiet);
    Ok(core)
}

/// A handle on h4's standard output for data, wherever fd 1 points now.
pub fn data_stdout() -> io::Result<File> {
    match DATA_OUT.get() {
        Some(fd) => fd.try_clone().map(File::from),
        None => io::stdout().as_fd().try_clone_to_owned().map(File::from),
    }
}

/// Whether h4's standard output for data is a terminal.
pub fn data_stdout_is_terminal() -> bool {
    match DATA_OUT.get() {
        Some(fd) => fd.is_terminal(),
        None => io::stdout().is_terminal(),
    }
}

/// A handle on h4's standard input for data, wherever fd 0 points now.
pub fn data_stdin() -> io::Result<OwnedFd> {
    match DATA_IN.get() {
        Some(Some(fd)) => fd.try_clone(),
        Some(None) => Err(io::Error::from_raw_os_error(nix::libc::EBADF)),
        None => io::stdin().as_fd().try_clone_to_owned(),
    }
}

/// Whether h4's standard input was moved off fd 0 (a core is loaded).
pub fn stdin_moved() -> bool {
    matches!(DATA_IN.get(), Some(Some(_)))
}

/// Whether h4's standard input for data is a terminal.
pub fn data_stdin_is_terminal() -> bool {
    match DATA_IN.get() {
        Some(Some(fd)) => fd.is_terminal(),
        Some(None) => false,
        None => io::stdin().is_terminal(),
    }
}

/// Whether `path` is, or links through symbolic links to, standard input
/// (`fd` 0: `/dev/stdin`, `/dev/fd/0`, `/proc/self/fd/0`) or standard
/// output (`fd` 1: `/dev/stdout`, ...): h4's data streams, which are not
/// fds 0 and 1 once a core is loaded.
pub fn names_standard_stream(path: &Path, fd: u8) -> bool {
    let device = match fd {
        0 => "/dev/stdin",
        1 => "/dev/stdout",
        _ => return false,
    };
    let names = [
        PathBuf::from(device),
        PathBuf::from(format!("/dev/fd/{fd}")),
        PathBuf::from(format!("/proc/self/fd/{fd}")),
        PathBuf::from(format!("/proc/thread-self/fd/{fd}")),
        PathBuf::from(format!("/proc/{}/fd/{fd}", std::process::id())),
    ];
    let mut path = path.to_path_buf();
    for _ in 0..8 {
        if names.contains(&path) {
            return true;
        }
        match std::fs::read_link(&path) {
            Ok(target) if target.is_absolute() => path = target,
            Ok(target) => {
                path = path.parent().unwrap_or(Path::new("/")).join(target);
            }
            Err(_) => return false,
        }
    }
    false
}

/// Warns about the settings `core` changed while loading (the library put
/// them back already).
pub fn report_load_changes(core: &Core, quiet: bool) {
    check_descriptors(core.path(), "when loaded");
    warn_changes(core.path(), core.load_changes(), "when loaded", quiet);
}

/// Puts back the settings a core changed in its calls (since before the
/// first core was loaded), warning for each. Call between files.
pub fn restore_after_calls(core: &Path, quiet: bool) {
    check_descriptors(core, "in a call");
    if let Some(before) = BEFORE_CORES.get() {
        warn_changes(core, &before.restore(), "in a call", quiet);
        // Not to be undone, and (unlike at load) too late to refuse: said
        // once.
        static SAID: std::sync::Once = std::sync::Once::new();
        if before.left_session() {
            SAID.call_once(|| {
                report::warn(
                    quiet,
                    "warning",
                    &format!(
                        "core {} moved h4 into a session of its own (setsid) in a call; \
                         neither Ctrl-C nor the terminal's hangup reaches h4 any more",
                        core.display()
                    ),
                );
            });
        }
    }
}

fn warn_changes(core: &Path, changes: &[Change], when: &str, quiet: bool) {
    for change in changes {
        report::warn(
            quiet,
            "warning",
            &format!(
                "core {} changed {change} {when}; h4 put it back",
                core.display()
            ),
        );
    }
}
