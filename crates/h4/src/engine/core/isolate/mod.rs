//! `--isolate`: a core's code runs in helper processes, never in h4's.
//!
//! In its own process a core can crash, abort, call `exit`, hang, print
//! or scribble on memory, and take h4 (and the user's output) down with
//! it. A helper is this same program started again with a hidden
//! subcommand (the caller says how, with [`HelperCommand`]): it loads the
//! core, enters a sandbox (`sandbox`), and answers one call at a time.
//! Blocks travel through shared memory (`shm`), requests and answers
//! through a Unix socket (`protocol`). Up to one helper a worker thread of
//! the pipeline runs at once, so the parallelism stays; the first starts
//! with the core, the others when a call finds every helper busy.
//!
//! Whatever happens to a helper becomes an answer: a crash, an abort or
//! an `exit` is seen as the socket closing, and the helper's exit status
//! says which; a helper that does not answer within the call's time limit
//! is killed. Each is an [`EngineError`] naming the core and what
//! happened, and the pipeline adds the block.

mod helper;
mod protocol;
mod sandbox;
mod shm;

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use helper::serve;
pub use sandbox::probe as sandbox_probe;

use super::ffi::{Direction, Identity, Returned};
use crate::engine::EngineError;
use protocol::{Hello, Reply, Request};
use shm::Shm;

/// How to start a helper: `program ARGS... CORE_PATH PARENT_PID`, which
/// must end up calling [`serve`].
#[derive(Clone, Debug)]
pub struct HelperCommand {
    /// The program (normally this executable).
    pub program: PathBuf,
    /// Arguments before the core's path (the hidden subcommand).
    pub args: Vec<OsString>,
    /// The longest one call may take; `None`: 10 s plus 1 s per MiB the
    /// call reads or may write.
    pub timeout: Option<Duration>,
}

/// How long a helper may take to load its core and say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(30);

/// The first size of a helper's shared memory; it grows to the largest
/// call's input and output.
const INITIAL_SHM: usize = 1 << 20;

/// The helpers of one isolated core.
pub(crate) struct Helpers {
    command: HelperCommand,
    path: PathBuf,
    pool: Mutex<Pool>,
    returned: Condvar,
    label: OnceLock<String>,
    /// The first helper's hello: every later one must say the same.
    hello: Hello,
}

struct Pool {
    idle: Vec<Helper>,
    /// Helpers alive, idle or busy, or being started.
    alive: usize,
    /// The most helpers to have alive at once: one per worker thread,
    /// fewer once starting one has failed while others were alive.
    most: usize,
}

impl Helpers {
    /// Starts the first helper of the core at `path`, whose hello gives
    /// the core's identity; up to `count` run at once, each started when
    /// a call finds every other one busy. (Starting them all here cost a
    /// helper's start, a few milliseconds of CPU, on every input of one
    /// block, which only ever uses one.) `Err`: why the core could not be
    /// loaded or a helper not started.
    pub fn start(
        command: &HelperCommand,
        path: &Path,
        count: usize,
    ) -> Result<(Helpers, Identity), String> {
        let mut first = Helper::start(command, path)?;
        let hello = first.greet()?;
        let identity = hello.identity.clone();
        let helpers = Helpers {
            command: command.clone(),
            path: path.to_path_buf(),
            pool: Mutex::new(Pool {
                idle: vec![first],
                alive: 1,
                most: count.max(1),
            }),
            returned: Condvar::new(),
            label: OnceLock::new(),
            hello,
        };
        Ok((helpers, identity))
    }

    /// Sets how messages name the core.
    pub fn set_label(&self, label: String) {
        let _ = self.label.set(label);
    }

    /// What the helpers' sandbox enforces.
    pub fn sandbox(&self) -> &str {
        &self.hello.sandbox
    }

    /// Whether the core exports `h4_decompress_into_v1`.
    pub fn has_decompress_into(&self) -> bool {
        self.hello.has_decompress_into
    }

    /// Makes one call in a helper, lending the output to `inspect`.
    pub fn call(
        &self,
        direction: Direction,
        input: &[u8],
        limit: usize,
        inspect: impl FnOnce(&[u8]),
    ) -> Result<Returned, EngineError> {
        let mut helper = self.take().map_err(|e| self.failure(&e))?;
        let timeout = self
            .command
            .timeout
            .unwrap_or_else(|| default_timeout(input.len(), limit));
        match helper.call(direction, input, limit, timeout, inspect) {
            Ok(returned) => {
                self.give(helper);
                Ok(returned)
            }
            Err(what) => {
                drop(helper);
                self.lost();
                Err(self.failure(&what))
            }
        }
    }

    fn failure(&self, what: &str) -> EngineError {
        let label = self.label.get().map_or("the core", String::as_str);
        EngineError::Failed(format!("{label} {what}"))
    }

    /// An idle helper; if all are busy, a new one while fewer than
    /// `most` are alive, else the next one handed back.
    fn take(&self) -> Result<Helper, String> {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(helper) = pool.idle.pop() {
                return Ok(helper);
            }
            if pool.alive < pool.most {
                pool.alive += 1;
                drop(pool);
                let started = self.start_another();
                let Err(why) = started else {
                    return started;
                };
                pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
                pool.alive -= 1;
                if pool.alive == 0 {
                    self.returned.notify_all();
                    return Err(why);
                }
                // Others are alive: the work goes on with fewer.
                pool.most = pool.alive;
                continue;
            }
            pool = self.returned.wait(pool).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Starts one more helper, which must greet as the first one did: a
    /// core file replaced while h4 runs must not serve half the blocks.
    fn start_another(&self) -> Result<Helper, String> {
        let mut helper = Helper::start(&self.command, &self.path)?;
        let hello = helper.greet()?;
        // The sandbox's description is not compared: it may name a passing
        // error of the system's.
        if hello.identity != self.hello.identity
            || hello.has_decompress_into != self.hello.has_decompress_into
        {
            return Err("changed while h4 was running (a new helper loaded another core)".into());
        }
        Ok(helper)
    }

    fn give(&self, helper: Helper) {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        pool.idle.push(helper);
        self.returned.notify_one();
    }

    fn lost(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        pool.alive -= 1;
        self.returned.notify_all();
    }
}

/// 10 s, plus a second per MiB the call reads or may write (a generous
/// floor of 1 MB/s for the slowest honest core).
fn default_timeout(input: usize, limit: usize) -> Duration {
    let mib = (input.saturating_add(limit.min(1 << 30)) >> 20) as u64;
    Duration::from_secs(10 + mib)
}

/// One helper process.
struct Helper {
    child: Child,
    socket: UnixStream,
    shm: Shm,
}

impl Helper {
    /// Starts a helper; [`greet`](Self::greet) waits for it to be ready.
    fn start(command: &HelperCommand, path: &Path) -> Result<Helper, String> {
        let failed = |e: io::Error| format!("cannot start a core helper: {e}");
        let shm = Shm::create(INITIAL_SHM).map_err(failed)?;
        let (socket, theirs) = UnixStream::pair().map_err(failed)?;
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .arg(path)
            .arg(std::process::id().to_string())
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .stdout(Stdio::from(shm.file().map_err(failed)?))
            .stderr(Stdio::null());
        let child = spawn_from_keeper(cmd).map_err(failed)?;
        Ok(Helper { child, socket, shm })
    }

    /// Reads the helper's hello: it has loaded the core and entered its
    /// sandbox.
    fn greet(&mut self) -> Result<Hello, String> {
        let _ = self.socket.set_read_timeout(Some(HELLO_TIMEOUT));
        match protocol::read_hello(&mut self.socket) {
            Ok(hello) => Ok(hello),
            Err(Ok(why)) => Err(why),
            Err(Err(e)) if timed_out(&e) => Err(format!(
                "the core helper did not start within {} s",
                HELLO_TIMEOUT.as_secs()
            )),
            Err(Err(_)) => Err(format!(
                "the core helper {} while loading the core",
                self.death_at_load()
            )),
        }
    }

    /// Makes one call: the input into shared memory, the request out, the
    /// reply back within `timeout`.
    fn call(
        &mut self,
        direction: Direction,
        input: &[u8],
        limit: usize,
        timeout: Duration,
        inspect: impl FnOnce(&[u8]),
    ) -> Result<Returned, String> {
        let out_offset = input.len().next_multiple_of(4096);
        let needed = out_offset
            .checked_add(limit)
            .ok_or("was asked for an impossible output size")?;
        self.shm
            .grow(needed)
            .map_err(|e| format!("could not be given memory: {e}"))?;
        self.shm.prefault(0, input.len(), true);
        self.shm.bytes()[..input.len()].copy_from_slice(input);
        let request = Request {
            direction,
            in_len: input.len(),
            out_offset,
            limit,
            shm_len: self.shm.len(),
        };
        let started = Instant::now();
        if self.socket.write_all(&request.encode()).is_err() {
            return Err(self.death());
        }
        let _ = self.socket.set_read_timeout(Some(timeout));
        let mut reply = [0u8; Reply::LEN];
        if let Err(e) = self.socket.read_exact(&mut reply) {
            if timed_out(&e) {
                return Err(format!(
                    "did not answer within {} s (hung?); h4 stopped it",
                    started.elapsed().as_secs()
                ));
            }
            return Err(self.death());
        }
        match Reply::decode(&reply) {
            Some(Reply::Returned(Returned::Data { len, copied: true })) if len <= limit => {
                self.shm.prefault(out_offset, len, false);
                inspect(&self.shm.bytes()[out_offset..out_offset + len]);
                Ok(Returned::Data { len, copied: true })
            }
            Some(Reply::Returned(Returned::Data { copied: true, .. })) | None => {
                Err("answered nonsense".to_string())
            }
            Some(Reply::Returned(returned)) => Ok(returned),
            Some(Reply::BadRequest) => Err("could not read h4's request".to_string()),
        }
    }

    /// How the helper ended, once its socket closed: it is given a moment
    /// to finish dying, then killed.
    fn death(&mut self) -> String {
        self.death_with(describe)
    }

    /// [`death`](Self::death) before the helper said hello: an exit then
    /// is the helper giving up (its own status), not a call's `exit`.
    fn death_at_load(&mut self) -> String {
        self.death_with(|status| match status.code() {
            Some(code) => format!("ended with status {code}"),
            None => describe(status),
        })
    }

    fn death_with(&mut self, say: impl Fn(ExitStatus) -> String) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return say(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = self.child.kill();
                    return "closed its connection to h4".to_string();
                }
            }
        }
    }
}

impl Drop for Helper {
    /// Kills the helper and reaps it (so its CPU time is counted as h4's,
    /// as `time` users expect).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Helpers {
    /// Kills every helper before reaping any: each takes a few
    /// milliseconds to unmap its memory, and they can do that together.
    fn drop(&mut self) {
        let pool = self.pool.get_mut().unwrap_or_else(|e| e.into_inner());
        for helper in &mut pool.idle {
            let _ = helper.child.kill();
        }
    }
}

/// What an exit status says happened to a helper in the middle of a call.
fn describe(status: ExitStatus) -> String {
    use nix::sys::signal::Signal;
    match (status.signal(), status.code()) {
        (Some(signal), _) => {
            let name = Signal::try_from(signal).map_or("an unknown signal", Signal::as_str);
            match Signal::try_from(signal) {
                Ok(Signal::SIGABRT) => format!("aborted ({name})"),
                Ok(Signal::SIGSYS) => format!("was stopped by the sandbox ({name})"),
                Ok(Signal::SIGKILL) => format!("was killed ({name})"),
                _ => format!("crashed ({name})"),
            }
        }
        (None, Some(code)) => format!("called exit({code}) in the middle of a call"),
        (None, None) => "ended".to_string(),
    }
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Starts `command` from one thread that lives as long as the process:
/// a helper asks the kernel to kill it when the thread that started it
/// ends (PR_SET_PDEATHSIG), which must mean "when h4 ends", not "when
/// the worker thread that needed it ends".
fn spawn_from_keeper(command: Command) -> io::Result<Child> {
    type Job = (Command, mpsc::Sender<io::Result<Child>>);
    static KEEPER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (jobs, incoming) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            for (mut command, reply) in incoming {
                let _ = reply.send(command.spawn());
            }
        });
        Mutex::new(jobs)
    });
    let (reply, answer) = mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((command, reply))
        .map_err(|_| io::Error::other("the helper starter is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the helper starter is gone"))?
}
