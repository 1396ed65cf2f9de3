//! Ctrl-C, SIGTERM, SIGHUP (the terminal went away) and SIGQUIT (Ctrl-\\):
//! remove any temporary output being written, then exit with the
//! conventional status (128 + the signal: 130, 143, 129, 131).
//!
//! Outputs are written as unnamed files and linked into place (see
//! `output.rs`), so an interrupted run never leaves a partial FILE.h4;
//! where the file system needs a named temporary file instead, this
//! module makes sure it is not left behind either. The four signals are
//! blocked in every thread and taken by one thread with `sigwait`, so
//! the clean-up runs as ordinary code, not inside a signal handler, and
//! nothing depends on a descriptor: a core that closes every descriptor
//! it did not open (h4 stops then, see `shield.rs`) cannot take the
//! watcher down with them. A signal mask crosses `exec`: h4's children
//! (core helpers, verify checks) clear it when they start. A signal that
//! is ignored when h4 starts (`nohup`, a shell's background job) is left
//! ignored, not watched.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use h4::engine::core::signal_disposition;
use nix::sys::signal::{SigSet, Signal};

/// Temporary files that exist right now.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The list, locked; a panic elsewhere while holding it does not stop the
/// clean-up.
fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts watching for SIGINT, SIGTERM, SIGHUP and SIGQUIT. Call once,
/// early: before any other thread starts, so that every thread inherits
/// the blocked set.
pub fn install() {
    let mut watched = SigSet::empty();
    for signal in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ] {
        // A blocked signal is queued for `sigwait` even if its action is
        // to ignore it; an ignored one stays out of the set.
        let ignored = signal_disposition(signal as i32)
            .is_some_and(|(handler, _)| handler == nix::libc::SIG_IGN);
        if !ignored {
            watched.add(signal);
        }
    }
    if watched.thread_block().is_err() {
        return; // without the watcher, the default actions still apply
    }
    let started = std::thread::Builder::new()
        .name("h4-signals".into())
        .spawn(move || {
            loop {
                let Ok(signal) = watched.wait() else { continue };
                // Held until exit, so nothing registers a temporary
                // meanwhile.
                let temporaries = temporaries();
                for path in temporaries.iter() {
                    let _ = std::fs::remove_file(path);
                }
                h4::engine::core::exit_process(128 + signal as i32);
            }
        });
    if started.is_err() {
        // No watcher: the signals must keep their default actions.
        let _ = watched.thread_unblock();
    }
}

/// Records a temporary file to remove if the process is interrupted.
pub fn register(path: &Path) {
    temporaries().push(path.to_path_buf());
}

/// Forgets a temporary file (it was renamed into place or removed).
pub fn unregister(path: &Path) {
    temporaries().retain(|p| p != path);
}
