//! The channel between `h4 verify` and its child checks: a pipe that the
//! child sees as descriptor 3.
//!
//! A check's report cannot share the child's stdout or stderr, because
//! those belong to the core under test: whatever it prints there is
//! captured and judged (the hygiene row), and it must never be mistaken
//! for the verifier's own protocol. Giving a child an extra descriptor
//! takes a `dup2` between `fork` and `exec`, and taking it over in the
//! child takes `from_raw_fd`; both are `unsafe`, so they live here.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::sys::stat::{SFlag, fstat};

/// The descriptor number the child reads its channel from.
pub const CHILD_FD: RawFd = 3;

/// Makes `command`'s child find the write end of a new pipe at
/// [`CHILD_FD`]; returns the read end and the write end, which the caller
/// must drop once the child has been spawned (or the read end never sees
/// the end of the stream).
pub fn attach(command: &mut Command) -> io::Result<(File, OwnedFd)> {
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let raw = write.as_raw_fd();
    // SAFETY: the closure runs in the forked child before exec and calls
    // only dup2, sigemptyset and sigprocmask, which are async-signal-safe
    // and allocate nothing (the set lives on the child's stack). dup2
    // clears close-on-exec on the new descriptor, so exactly this one
    // descriptor crosses the exec. The signal mask does cross an exec: the
    // command line blocks its interrupts in every thread (its `signals`
    // module), and a check, or valgrind running one, must start with none
    // blocked, or Ctrl-C would leave it running.
    unsafe {
        command.pre_exec(move || {
            if nix::libc::dup2(raw, CHILD_FD) < 0 {
                return Err(io::Error::last_os_error());
            }
            let mut none = std::mem::MaybeUninit::<nix::libc::sigset_t>::uninit();
            nix::libc::sigemptyset(none.as_mut_ptr());
            if nix::libc::sigprocmask(nix::libc::SIG_SETMASK, none.as_ptr(), std::ptr::null_mut())
                < 0
            {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Ok((File::from(read), write))
}

/// In the child: takes over descriptor [`CHILD_FD`] when it is the pipe
/// [`attach`] set up; `None` otherwise (the child was started by hand).
pub fn open_in_child() -> Option<File> {
    // SAFETY: the descriptor is borrowed only for these two queries, which
    // fail cleanly if it is not open.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(CHILD_FD) };
    let stat = fstat(borrowed).ok()?;
    if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFIFO {
        return None;
    }
    // A core that starts a program must not hand it the channel.
    fcntl(borrowed, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).ok()?;
    // SAFETY: descriptor 3 is an open pipe that nothing else in this
    // process owns: the parent put it there for this purpose, and Rust's
    // runtime and h4 open no descriptor they would take for it (they only
    // get numbers from open/pipe, which never return an open one).
    Some(unsafe { File::from_raw_fd(CHILD_FD) })
}
