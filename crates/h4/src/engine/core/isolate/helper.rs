//! The helper's side: load the core, enter the sandbox, then answer calls
//! until h4 hangs up. Run by the h4 binary's hidden helper subcommand.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::protocol::{self, Reply, Request};
use super::sandbox;
use super::shm::Shm;
use crate::engine::core::ffi::{CoreLibrary, Decoded, Direction, Returned};

/// The largest output room made present before a decompression: the
/// pipeline's blocks are far smaller, and `--raw` may allow gigabytes that
/// are mostly never written.
const PREFAULT_OUTPUT_LIMIT: usize = 64 << 20;

/// Serves calls of the core at `path` for the h4 process `parent`, which
/// started this process with the request socket as standard input and
/// the shared memory file as standard output. Returns the exit status.
pub fn serve(path: &Path, parent: u32) -> i32 {
    // Die with h4, even if h4 is killed; and do not outlive it if it
    // died before this line.
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    // A signal mask crosses exec, and h4's command line blocks its
    // interrupts: the core runs with none blocked, as in any process.
    let _ = nix::sys::signal::SigSet::empty().thread_set_mask();
    if std::os::unix::process::parent_id() != parent {
        return 1;
    }
    let Ok((mut socket, shm)) = take_stdio() else {
        return 1;
    };
    let Ok(mut shm) = Shm::open(shm) else {
        return 1;
    };
    let library = match CoreLibrary::open(path) {
        Ok((library, identity)) => {
            let sandbox = sandbox::apply();
            let hello = protocol::hello_ok(&identity, library.has_decompress_into(), &sandbox);
            if socket.write_all(&hello).is_err() {
                return 1;
            }
            library
        }
        Err(e) => {
            let _ = socket.write_all(&protocol::hello_err(&super::super::load_error_text(e)));
            return 1;
        }
    };
    loop {
        let mut header = [0u8; Request::LEN];
        match socket.read_exact(&mut header) {
            Ok(()) => {}
            Err(_) => return 0, // h4 hung up
        }
        let Some(request) = Request::decode(&header) else {
            return 1;
        };
        if request.shm_len != shm.len() && shm.remap().is_err() {
            return 1;
        }
        shm.prefault(0, request.in_len, false);
        if request.direction == Direction::Decompress && request.limit <= PREFAULT_OUTPUT_LIMIT {
            // A block decodes to exactly its limit: every page gets written.
            shm.prefault(request.out_offset, request.limit, true);
        }
        let reply = answer(&library, &request, shm.bytes());
        if socket.write_all(&reply.encode()).is_err() {
            return 0;
        }
    }
}

/// Takes the socket (fd 0) and the memory file (fd 1) onto private
/// descriptors and points fds 0 and 1 at /dev/null, so nothing the core
/// prints or reads touches either.
fn take_stdio() -> io::Result<(UnixStream, File)> {
    let socket: OwnedFd = io::stdin().as_fd().try_clone_to_owned()?;
    let shm: OwnedFd = io::stdout().as_fd().try_clone_to_owned()?;
    let null = File::options().read(true).write(true).open("/dev/null")?;
    nix::unistd::dup2_stdin(&null)?;
    nix::unistd::dup2_stdout(&null)?;
    Ok((UnixStream::from(socket), File::from(shm)))
}

/// Makes one call: the input is at the start of `shm`, the output goes at
/// `request.out_offset`.
fn answer(library: &CoreLibrary, request: &Request, shm: &mut [u8]) -> Reply {
    let (Some(input_end), Some(out_end)) = (
        Some(request.in_len).filter(|&n| n <= request.out_offset),
        request.out_offset.checked_add(request.limit),
    ) else {
        return Reply::BadRequest;
    };
    if out_end > shm.len() {
        return Reply::BadRequest;
    }
    let (head, tail) = shm.split_at_mut(request.out_offset);
    let input = &head[..input_end];
    let out = &mut tail[..request.limit];
    if request.direction == Direction::Decompress
        && let Some(decoded) = library.decompress_into(input, out)
    {
        return match decoded {
            Decoded::Written(0) => Reply::Returned(Returned::Empty),
            Decoded::Written(len) => Reply::Returned(Returned::Data { len, copied: true }),
            Decoded::Failed => Reply::Returned(Returned::Null),
            Decoded::Overlong(len) => Reply::Returned(Returned::Data { len, copied: false }),
        };
    }
    let returned = library.call_inspect(request.direction, input, request.limit, |bytes| {
        out[..bytes.len()].copy_from_slice(bytes)
    });
    Reply::Returned(returned)
}
