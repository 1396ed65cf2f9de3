//! The process-wide settings a core can change behind h4's back: the
//! working directory, the file-creation mask, the signal handlers, which
//! signals the loading thread blocks, the resource limits, and the process
//! group and session.
//!
//! A core runs inside h4's process, so a `chdir` in its initialiser moves
//! where relative outputs land, a `umask(0)` makes them world-writable, an
//! ignored SIGINT makes Ctrl-C do nothing (and so does a process group or
//! session of the core's making: the terminal sends Ctrl-C to its
//! foreground group), and a file-size or CPU-time limit kills h4 in the
//! middle of a large output. [`ProcessState`] is taken
//! before a core is loaded and compared afterwards; whatever changed is
//! put back and reported, so the host can warn and name the core.
//! Reading and restoring signal actions goes through `sigaction(2)`
//! directly (a NULL new action reads without changing anything, which
//! nix's safe wrapper cannot do), which is why this small module allows
//! `unsafe`.
#![allow(unsafe_code)]

use std::fmt;
use std::fs::File;
use std::os::unix::fs::MetadataExt;

use nix::libc;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{Pid, getpgrp, getsid, setpgid};

/// The signals whose handling h4 relies on: interrupts that must clean up
/// (INT, TERM, HUP, QUIT); a closed pipe, which must be an error rather
/// than a silent death (PIPE); and the faults (SEGV, BUS, ILL, FPE, ABRT),
/// which must end the process by the signal. A core's "crash reporter"
/// that ends the process with `_exit(0)` would make a crash in the middle
/// of a run a success with a truncated output, which no exit hook can
/// catch. And SYS, by which the exit filter reports a core's `_exit(0)`
/// (see `exit_filter`).
const WATCHED: [Signal; 11] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGPIPE,
    Signal::SIGSEGV,
    Signal::SIGBUS,
    Signal::SIGILL,
    Signal::SIGFPE,
    Signal::SIGABRT,
    Signal::SIGSYS,
];

/// The resource limits a core could change behind its host's back, with
/// their names: lowered, most stop h4's work (a file-size limit kills it
/// with SIGXFSZ in the middle of an output, a CPU-time limit with SIGXCPU;
/// too few descriptors, too little memory or too few processes make it
/// fail). `h4 verify`'s hygiene check compares the same ones.
pub const RESOURCE_LIMITS: [(Resource, &str); 8] = [
    (Resource::RLIMIT_STACK, "stack size"),
    (Resource::RLIMIT_NOFILE, "open files"),
    (Resource::RLIMIT_CORE, "core file size"),
    (Resource::RLIMIT_AS, "address space"),
    (Resource::RLIMIT_DATA, "data size"),
    (Resource::RLIMIT_FSIZE, "file size"),
    (Resource::RLIMIT_CPU, "CPU time"),
    (Resource::RLIMIT_NPROC, "processes"),
];

/// A setting that differed from the snapshot and was put back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The working directory.
    WorkingDirectory,
    /// The file-creation mask (umask).
    Umask,
    /// The handling of this signal.
    SignalHandler(Signal),
    /// Which of the watched signals the thread blocks (h4's command line
    /// blocks its interrupts and takes them with `sigwait`; unblocked,
    /// one would end the process without its clean-up).
    BlockedSignals,
    /// This resource limit (its soft value, what the process runs under;
    /// a lowered hard limit that still allows it may stay lowered).
    Limit(&'static str),
    /// The process group (outside the terminal's foreground group,
    /// Ctrl-C no longer reaches h4).
    ProcessGroup,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::WorkingDirectory => f.write_str("the working directory"),
            Change::Umask => f.write_str("the file-creation mask (umask)"),
            Change::SignalHandler(signal) => write!(f, "the handling of {}", signal.as_str()),
            Change::BlockedSignals => f.write_str("the blocked signals"),
            Change::Limit(name) => write!(f, "the limit of {name}"),
            Change::ProcessGroup => f.write_str("h4's process group"),
        }
    }
}

/// The settings of this process that a core could change.
pub struct ProcessState {
    /// The working directory, held open so it can be returned to even if
    /// its path changes; `None` if it cannot be opened.
    cwd: Option<File>,
    umask: Mode,
    signals: Vec<(Signal, libc::sigaction)>,
    /// The calling thread's signal mask (per thread: this is the mask of
    /// the thread that takes and restores the snapshot).
    mask: Option<SigSet>,
    /// The soft and hard value of each of [`RESOURCE_LIMITS`] that could
    /// be read.
    limits: Vec<(Resource, &'static str, (u64, u64))>,
    /// The process group and the session.
    group: (Pid, Option<Pid>),
}

/// A resource limit a core lowered below what h4 had, and which h4 cannot
/// raise back (the core lowered the hard limit under it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitLost {
    /// The limit's name ("file size").
    pub name: &'static str,
    /// The soft value h4 had.
    pub before: u64,
    /// The hard value the core left, now the most h4 may have.
    pub now: u64,
}

impl fmt::Display for LimitLost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: u64| {
            if v == libc::RLIM_INFINITY {
                "unlimited".to_string()
            } else {
                v.to_string()
            }
        };
        write!(
            f,
            "lowered the hard limit of {} to {} (h4 had {}), which h4 cannot raise back",
            self.name,
            value(self.now),
            value(self.before)
        )
    }
}

impl fmt::Debug for ProcessState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessState")
            .field("umask", &self.umask)
            .finish_non_exhaustive()
    }
}

impl ProcessState {
    /// Takes the current settings.
    pub fn capture() -> Self {
        ProcessState {
            cwd: File::open(".").ok(),
            umask: current_umask(),
            signals: WATCHED
                .iter()
                .filter_map(|&s| action(s).map(|a| (s, a)))
                .collect(),
            mask: SigSet::thread_get_mask().ok(),
            limits: RESOURCE_LIMITS
                .iter()
                .filter_map(|&(r, name)| getrlimit(r).ok().map(|l| (r, name, l)))
                .collect(),
            group: (getpgrp(), getsid(None).ok()),
        }
    }

    /// Whether the process has left the session it was in at this
    /// snapshot (`setsid`): nothing brings it back, and outside the
    /// terminal's session neither Ctrl-C nor the terminal's hangup reaches
    /// it.
    pub fn left_session(&self) -> bool {
        let (_, session) = self.group;
        session.is_some() && getsid(None).ok() != session
    }

    /// Puts back the resource limits lowered since this snapshot (a raised
    /// one harms no one and stays): the ones put back.
    fn restore_limits(&self) -> Vec<Change> {
        let mut changes = Vec::new();
        for &(resource, name, (soft, hard)) in &self.limits {
            let Ok((now_soft, now_hard)) = getrlimit(resource) else {
                continue;
            };
            if now_soft >= soft && now_hard >= hard {
                continue;
            }
            // Raising a hard limit takes privilege; a lowered one that
            // still allows the old soft value may stay.
            let restored = setrlimit(resource, soft, hard).is_ok()
                || (soft <= now_hard && setrlimit(resource, soft, now_hard).is_ok());
            if restored && now_soft < soft {
                changes.push(Change::Limit(name));
            }
        }
        changes
    }

    /// The first resource limit still lower than at this snapshot (after
    /// [`Self::restore`]): the core lowered its hard limit under h4's soft
    /// one, which only a privileged process can raise again.
    pub fn lost_limit(&self) -> Option<LimitLost> {
        self.limits.iter().find_map(|&(resource, name, (soft, _))| {
            let (now_soft, now_hard) = getrlimit(resource).ok()?;
            (now_soft < soft).then_some(LimitLost {
                name,
                before: soft,
                now: now_hard,
            })
        })
    }

    /// Puts back every setting that differs from this snapshot and says
    /// which did.
    pub fn restore(&self) -> Vec<Change> {
        let mut changes = Vec::new();
        if let Some(cwd) = &self.cwd {
            let here = std::fs::metadata(".").ok().map(|m| (m.dev(), m.ino()));
            let saved = cwd.metadata().ok().map(|m| (m.dev(), m.ino()));
            if here != saved {
                let _ = nix::unistd::fchdir(cwd);
                changes.push(Change::WorkingDirectory);
            }
        }
        if current_umask() != self.umask {
            nix::sys::stat::umask(self.umask);
            changes.push(Change::Umask);
        }
        for (signal, saved) in &self.signals {
            let Some(now) = action(*signal) else { continue };
            if now.sa_sigaction != saved.sa_sigaction || now.sa_flags != saved.sa_flags {
                // SAFETY: this puts back exactly the action that was in
                // place before (h4's own handler or the default), which
                // was valid then and still is: h4's handlers live as long
                // as the process. `saved` is a complete sigaction that
                // the kernel itself filled in.
                unsafe { libc::sigaction(*signal as libc::c_int, saved, std::ptr::null_mut()) };
                changes.push(Change::SignalHandler(*signal));
            }
        }
        if let (Some(saved), Ok(now)) = (self.mask, SigSet::thread_get_mask())
            && WATCHED
                .iter()
                .any(|&s| saved.contains(s) != now.contains(s))
        {
            let _ = saved.thread_set_mask();
            changes.push(Change::BlockedSignals);
        }
        changes.extend(self.restore_limits());
        // Back into the group it was in, which is still in this session
        // (unless it has since emptied, when the move fails and stays).
        let (group, session) = self.group;
        if getpgrp() != group
            && getsid(None).ok() == session
            && setpgid(Pid::from_raw(0), group).is_ok()
        {
            changes.push(Change::ProcessGroup);
        }
        changes
    }

    /// The descriptor this snapshot keeps open (the working directory, to
    /// return to).
    pub fn descriptor(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        self.cwd.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// The file-creation mask when the snapshot was taken.
    pub fn umask(&self) -> Mode {
        self.umask
    }
}

/// The action installed for `signal`, read without changing it.
fn action(signal: Signal) -> Option<libc::sigaction> {
    raw_action(signal as libc::c_int)
}

/// The action installed for signal number `signo`, read without changing
/// it; `None` for a number the system does not have.
fn raw_action(signo: libc::c_int) -> Option<libc::sigaction> {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: a NULL new action only reads the current one into `old`,
    // which is valid for writes of a whole `sigaction`.
    let done = unsafe { libc::sigaction(signo, std::ptr::null(), old.as_mut_ptr()) };
    // SAFETY: zero is a valid bit pattern for every field, and on success
    // the kernel filled it in.
    (done == 0).then(|| unsafe { old.assume_init() })
}

/// How signal number `signo` is handled, as the handler's address (0 for
/// the default action, 1 for ignored) and the action's flags; `None` for a
/// number the system does not have. For comparing before and after a core
/// runs, not for calling anything.
pub fn signal_disposition(signo: i32) -> Option<(usize, i32)> {
    raw_action(signo).map(|a| (a.sa_sigaction, a.sa_flags))
}

/// The usual name of a signal (`SIGSEGV`), or its number when it has none.
pub fn signal_name(signal: i32) -> String {
    Signal::try_from(signal).map_or_else(|_| format!("signal {signal}"), |s| s.as_str().to_string())
}

/// The program's locale for every category, as `setlocale(LC_ALL, NULL)`
/// names it.
pub fn current_locale() -> Option<String> {
    // SAFETY: a NULL locale only queries; the returned string is owned by
    // the C library and copied before anything else can call setlocale
    // (the callers are single-threaded checks).
    unsafe {
        let name = libc::setlocale(libc::LC_ALL, std::ptr::null());
        (!name.is_null()).then(|| {
            std::ffi::CStr::from_ptr(name)
                .to_string_lossy()
                .into_owned()
        })
    }
}

/// The file-creation mask, read from /proc/self/status where Linux has it
/// (no change, not even for an instant), else by setting and resetting it.
pub fn current_umask() -> Mode {
    let from_proc = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Umask:"))?;
            u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
        })
        .and_then(|bits| Mode::from_bits(bits as nix::libc::mode_t));
    from_proc.unwrap_or_else(|| {
        let old = nix::sys::stat::umask(Mode::from_bits_truncate(0o022));
        nix::sys::stat::umask(old);
        old
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_named() {
        assert_eq!(signal_name(11), "SIGSEGV");
        assert_eq!(signal_name(24), "SIGXCPU");
        assert_eq!(signal_name(1000), "signal 1000");
    }

    #[test]
    fn an_unblocked_interrupt_is_blocked_again() {
        // Per thread: this test's thread only.
        let mut int = SigSet::empty();
        int.add(Signal::SIGINT);
        int.thread_block().unwrap();
        let state = ProcessState::capture();
        int.thread_unblock().unwrap();
        assert_eq!(state.restore(), vec![Change::BlockedSignals]);
        assert!(SigSet::thread_get_mask().unwrap().contains(Signal::SIGINT));
        assert!(state.restore().is_empty());
        int.thread_unblock().unwrap();
    }

    #[test]
    fn an_unchanged_process_has_no_changes() {
        let state = ProcessState::capture();
        assert!(state.restore().is_empty());
    }
}
