//! Ctrl-C, SIGTERM, SIGHUP (the terminal went away) and SIGQUIT (Ctrl-\\):
//! remove any temporary output being written, then exit with the
//! conventional status (128 + the signal: 130, 143, 129, 131).
//!
//! Outputs are written as unnamed files and linked into place (see
//! `output.rs`), so an interrupted run never leaves a partial FILE.h4;
//! where the file system needs a named temporary file instead, this
//! module makes sure it is not left behind either. The
//! signal is received on a thread of its own (signal-hook's self-pipe), so
//! the clean-up runs as ordinary code, not inside a signal handler.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

/// Temporary files that exist right now.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The list, locked; a panic elsewhere while holding it does not stop the
/// clean-up.
fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts watching for SIGINT, SIGTERM, SIGHUP and SIGQUIT. Call once,
/// early.
pub fn install() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]) else {
        return; // without the watcher, the default actions still apply
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // Held until exit, so nothing registers a temporary meanwhile.
            let temporaries = temporaries();
            for path in temporaries.iter() {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(128 + signal);
        }
    });
}

/// Records a temporary file to remove if the process is interrupted.
pub fn register(path: &Path) {
    temporaries().push(path.to_path_buf());
}

/// Forgets a temporary file (it was renamed into place or removed).
pub fn unregister(path: &Path) {
    temporaries().retain(|p| p != path);
}
