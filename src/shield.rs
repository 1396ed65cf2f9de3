//! What h4 does before and after it lets a core into its process, so the
//! core cannot reach the data stream or change where and how h4 writes.
//!
//! * Standard output: before the first core is loaded, h4 keeps its data
//!   stream on a private descriptor and points fd 1 at stderr, so nothing
//!   a core prints (a debugging `printf`) can end up inside `-c` output.
//! * Working directory, umask and signal handlers: a snapshot is taken
//!   before the first core is loaded; the library puts back what loading
//!   changed ([`Core::load`]), and [`restore_after_calls`] puts back what
//!   calls changed, after each file. Each change is a warning naming the
//!   core.

use std::fs::File;
use std::io::{self, IsTerminal};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::sync::OnceLock;

use h4::engine::core::{Change, Core, ProcessState};

use crate::report;

/// h4's standard output once fd 1 was handed to stderr.
static DATA_OUT: OnceLock<OwnedFd> = OnceLock::new();

/// The process settings from before the first core was loaded.
static BEFORE_CORES: OnceLock<ProcessState> = OnceLock::new();

/// Call right before loading a core: moves the data stream off fd 1 and
/// takes the snapshot [`restore_after_calls`] compares with. Idempotent.
pub fn before_loading_a_core() {
    BEFORE_CORES.get_or_init(ProcessState::capture);
    DATA_OUT.get_or_init(|| {
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

/// Warns about the settings `core` changed while loading (the library put
/// them back already).
pub fn report_load_changes(core: &Core, quiet: bool) {
    warn_changes(core.path(), core.load_changes(), "when loaded", quiet);
}

/// Puts back the settings a core changed in its calls (since before the
/// first core was loaded), warning for each. Call between files.
pub fn restore_after_calls(core: &Path, quiet: bool) {
    if let Some(before) = BEFORE_CORES.get() {
        warn_changes(core, &before.restore(), "in a call", quiet);
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
