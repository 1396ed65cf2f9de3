//! Starts child checks and turns whatever happens to them (an answer, a
//! fault, an `exit`, a signal, a silence) into what the verifier judges.
//!
//! The child is this same program re-executed with a hidden subcommand
//! and a job name. It writes one line per step to its channel (descriptor
//! 3, set up by the `channel` module):
//!
//! ```text
//! P <what it is about to do>
//! R pass <summary>
//! R fail <summary><US><evidence>
//! D <digest record>          (the digests job)
//! I <identifying fact>       (the digests job)
//! H <offset> <input>         (output changed with the heap's fill)
//! E <engine name and version> (the digests job)
//! F <what the core did>      (a fault on guarded memory)
//! X <what happened>          (the core called exit() during a call)
//! ```
//!
//! (`<US>` is the unit separator, 0x1F.) Its stdout and stderr are
//! captured apart: they belong to the core. The parent kills a child that
//! stays silent longer than the step time limit, and names the step that
//! was running when a child died or hung.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use super::Outcome;
use super::channel;
use super::jobs::{Factor, Job};
use crate::engine::core::signal_name;

/// How to start a child check.
#[derive(Clone, Debug)]
pub struct ChildCommand {
    /// The program (normally this executable).
    pub program: PathBuf,
    /// Arguments before the job name (the hidden subcommand).
    pub prefix: Vec<OsString>,
    /// Arguments after the job name (engine choice, settings).
    pub args: Vec<OsString>,
    /// The user's extra inputs, passed after `--`.
    pub files: Vec<OsString>,
    /// valgrind, when the checks run under its memcheck (`--memcheck`).
    pub valgrind: Option<PathBuf>,
    /// The longest a child may stay silent.
    pub step_timeout: Duration,
}

/// How a child is made slower than the machine, for the runs that
/// compare a fast process with a slow one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slowdown {
    /// At full speed.
    None,
    /// Under valgrind's instrumentation-free tool, which runs every
    /// instruction several times slower, in CPU time as well as in wall
    /// time.
    Emulated(PathBuf),
    /// Stopped and continued so that it runs a tenth of the time: slower
    /// in wall time only.
    Stopped,
}

/// One child to start.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The job it runs.
    pub job: Job,
    /// What it changes about itself before loading the engine.
    pub factor: Option<Factor>,
    /// Environment variables to set (`Some`) or remove (`None`).
    pub env: Vec<(OsString, Option<OsString>)>,
    /// Whether it runs under valgrind's memcheck when the verifier does.
    pub memcheck: bool,
    /// How it is slowed.
    pub slowdown: Slowdown,
    /// Arguments for the job, after the usual ones.
    pub extra_args: Vec<OsString>,
}

impl Launch {
    /// `job` with nothing changed, under memcheck when the verifier is.
    pub fn job(job: Job) -> Launch {
        Launch {
            job,
            factor: None,
            env: Vec::new(),
            memcheck: true,
            slowdown: Slowdown::None,
            extra_args: Vec::new(),
        }
    }

    /// The same, with `name=value` in the environment.
    pub fn with_env(mut self, name: &str, value: impl Into<OsString>) -> Launch {
        self.env.push((name.into(), Some(value.into())));
        self
    }

    /// The same, never under memcheck (timing and differential runs).
    pub fn native(mut self) -> Launch {
        self.memcheck = false;
        self
    }
}

/// How a child ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited or was killed by a signal.
    Status(ExitStatus),
    /// It stayed silent past the time limit (seconds) and was killed.
    Hung(u64),
    /// It could not be started.
    NotStarted(String),
}

/// Everything a child said and did.
#[derive(Debug)]
pub struct ChildRun {
    /// Its result line.
    pub result: Option<Outcome>,
    /// Its data lines (`D`, `I`, `H`), in order.
    pub data: Vec<(char, String)>,
    /// What the core did (`F`: to guarded memory, or a fork), and the step
    /// the child was on when it said so (a child may run on after a fault
    /// it was only told of).
    pub fault: Option<(String, String)>,
    /// The core called `exit` during a call (`X`).
    pub exited_in_call: bool,
    /// How it ended.
    pub ended: Ended,
    /// What was written to its stdout (the first 64 KiB).
    pub stdout: Vec<u8>,
    /// What was written to its stderr (the first 64 KiB).
    pub stderr: Vec<u8>,
    /// valgrind's report, under memcheck.
    pub valgrind_log: Option<String>,
    /// The last step it announced.
    pub last_step: String,
    /// Whether it ran under memcheck.
    pub memcheck: bool,
}

/// What the allocator of every child that compares outputs runs with:
/// every block it hands out filled with the same byte, and no per-thread
/// cache (whose blocks skip the fill). Bytes a core copies from memory it
/// never wrote are then the same in every call and every process, so they
/// show only where the verifier changes the fill on purpose (the memory
/// row), not as nondeterminism or races. (Other children go without: the
/// fill costs a pass over every block, and a corrupted header can make a
/// decoder ask for gigabytes.) A launch may override either.
pub const STEADY_HEAP: [(&str, &str); 2] = [
    ("MALLOC_PERTURB_", "17"),
    ("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0"),
];

/// The exit status valgrind is told to use when it finds errors.
const VALGRIND_ERROR_EXIT: i32 = 99;

/// How much of a child's stdout and stderr is kept.
const KEPT: usize = 64 * 1024;

fn parse_result(line: &str) -> Option<Outcome> {
    if let Some(summary) = line.strip_prefix("R pass ") {
        return Some(Outcome::pass(summary));
    }
    let rest = line.strip_prefix("R fail ")?;
    let (summary, evidence) = rest.split_once('\u{1f}').unwrap_or((rest, ""));
    Some(Outcome::fail(summary, evidence))
}

/// The first error valgrind reported, without its `==PID==` prefix.
fn first_valgrind_error(report: &str) -> Option<String> {
    const ERRORS: [&str; 7] = [
        "Invalid read",
        "Invalid write",
        "Invalid free",
        "Mismatched free",
        "uninitialised",
        "definitely lost",
        "Process terminating",
    ];
    report
        .lines()
        .map(|l| {
            l.trim_start_matches(|c: char| c == '=' || c.is_ascii_digit())
                .trim()
        })
        .find(|l| ERRORS.iter().any(|e| l.contains(e)))
        .map(str::to_string)
}

/// Reads up to [`KEPT`] bytes of a stream and drains the rest.
fn keep_start(mut stream: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        let room = KEPT.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..n.min(room)]);
    }
    kept
}

/// A directory for valgrind's report, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Option<Scratch> {
        use std::sync::atomic::AtomicUsize;
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "h4-verify-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dir).ok()?;
        Some(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `launch` and waits for it, reporting each step to `progress`.
pub fn launch(command: &ChildCommand, launch: &Launch, progress: &mut dyn FnMut(&str)) -> ChildRun {
    let memcheck = launch.memcheck && command.valgrind.is_some();
    let scratch = if memcheck { Scratch::new() } else { None };
    let log = scratch.as_ref().map(|s| s.0.join("valgrind.log"));
    let mut timeout = command.step_timeout;
    let mut cmd = match (&launch.slowdown, &command.valgrind) {
        (Slowdown::Emulated(valgrind), _) => {
            timeout *= 30;
            let mut c = Command::new(valgrind);
            c.args(["--quiet", "--tool=none"]).arg(&command.program);
            c
        }
        (_, Some(valgrind)) if memcheck => {
            timeout *= 30;
            let mut c = Command::new(valgrind);
            c.args([
                "--quiet",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite",
                &format!("--error-exitcode={VALGRIND_ERROR_EXIT}"),
            ]);
            if let Some(log) = &log {
                c.arg(format!("--log-file={}", log.display()));
            }
            c.arg(&command.program);
            c
        }
        _ => Command::new(&command.program),
    };
    if launch.slowdown == Slowdown::Stopped {
        timeout *= 20;
    }
    cmd.args(&command.prefix).arg(launch.job.name());
    if let Some(factor) = launch.factor {
        cmd.args(["--factor", factor.name()]);
    }
    if memcheck {
        cmd.arg("--under-valgrind");
    }
    cmd.args(&command.args)
        .args(&launch.extra_args)
        .arg("--")
        .args(&command.files)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if launch.job.compares_outputs() {
        for (name, value) in STEADY_HEAP {
            cmd.env(name, value);
        }
    }
    for (name, value) in &launch.env {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    let not_started = |why: String| ChildRun {
        result: None,
        data: Vec::new(),
        fault: None,
        exited_in_call: false,
        ended: Ended::NotStarted(why),
        stdout: Vec::new(),
        stderr: Vec::new(),
        valgrind_log: None,
        last_step: "starting".to_string(),
        memcheck,
    };
    let (channel, write_end) = match channel::attach(&mut cmd) {
        Ok(pair) => pair,
        Err(e) => return not_started(format!("cannot make a pipe: {e}")),
    };
    let spawned = cmd.spawn();
    // The parent's copy of the write end must go, or the channel never
    // ends.
    drop(cmd);
    drop(write_end);
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return not_started(e.to_string()),
    };

    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(channel).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().expect("piped");
    let stdout = std::thread::spawn(move || keep_start(stdout));
    let stderr = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || keep_start(stderr));
    let done = Arc::new(AtomicBool::new(false));
    let stopper = (launch.slowdown == Slowdown::Stopped).then(|| {
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let done = Arc::clone(&done);
        std::thread::spawn(move || duty_cycle(pid, &done))
    });

    let mut run = not_started(String::new());
    let mut hung = false;
    loop {
        match rx.recv_timeout(timeout) {
            Ok(line) => {
                let (kind, rest) = line.split_at(line.len().min(2));
                match kind {
                    "P " => {
                        run.last_step = rest.to_string();
                        progress(rest);
                    }
                    "R " => run.result = parse_result(&line),
                    "F " => run.fault = Some((rest.to_string(), run.last_step.clone())),
                    "X " => run.exited_in_call = true,
                    "D " | "I " | "H " | "E " => run
                        .data
                        .push((line.as_bytes()[0] as char, rest.to_string())),
                    _ => {}
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    done.store(true, Ordering::SeqCst);
    if let Some(stopper) = stopper {
        let _ = stopper.join();
    }
    // The channel can end before the process does (a child that closed
    // it, or whose exit hangs in the core's teardown): that, too, may take
    // the time limit and no more.
    if !hung && !exits_within(&mut child, timeout) {
        hung = true;
        let _ = child.kill();
    }
    let status = child.wait();
    let _ = reader.join();
    run.stdout = stdout.join().unwrap_or_default();
    run.stderr = stderr.join().unwrap_or_default();
    run.valgrind_log = log.and_then(|l| std::fs::read_to_string(l).ok());
    run.ended = match status {
        _ if hung => Ended::Hung(timeout.as_secs()),
        Ok(status) => Ended::Status(status),
        Err(e) => Ended::NotStarted(format!("lost the check process: {e}")),
    };
    run
}

/// Whether `child` ends within `limit`.
fn exits_within(child: &mut std::process::Child, limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    let mut pause = Duration::from_micros(200);
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if std::time::Instant::now() >= deadline => return false,
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
        }
    }
}

/// Keeps `pid` stopped nine tenths of the time until `done`.
fn duty_cycle(pid: nix::unistd::Pid, done: &AtomicBool) {
    use nix::sys::signal::{Signal, kill};
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(2));
        if kill(pid, Signal::SIGSTOP).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(18));
        let _ = kill(pid, Signal::SIGCONT);
    }
    let _ = kill(pid, Signal::SIGCONT);
}

impl ChildRun {
    /// The child's verdict, or what went wrong with it: a fault on
    /// guarded memory, an `exit` in a call, a hang, a crash, a memory
    /// error valgrind found, or a failure to report.
    pub fn outcome(&self) -> Outcome {
        let last = &self.last_step;
        if let Some((fault, step)) = &self.fault {
            let (summary, detail) = fault.split_once(": ").unwrap_or((fault, ""));
            return Outcome::fail(format!("the core {summary}"), format!("{step}: {detail}"));
        }
        if self.exited_in_call {
            return Outcome::fail(
                "the core called exit() during a call",
                format!("while: {last}"),
            );
        }
        let status = match &self.ended {
            Ended::NotStarted(why) => {
                return Outcome::fail("could not start the check process", why.clone());
            }
            Ended::Hung(seconds) => {
                return Outcome::fail(
                    format!("hung: no answer within {seconds} s"),
                    format!("while: {last}"),
                );
            }
            Ended::Status(status) => status,
        };
        if let Some(signal) = status.signal() {
            let detail = self
                .stderr_line()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            return Outcome::fail(
                format!("crashed ({})", signal_name(signal)),
                format!("while: {last}{detail}"),
            );
        }
        if self.memcheck {
            let report = self.valgrind_log.as_deref().unwrap_or("");
            if let Some(error) = first_valgrind_error(report) {
                return Outcome::fail(
                    "valgrind found memory errors",
                    format!("{error} (while: {last})"),
                );
            }
            if status.code() == Some(VALGRIND_ERROR_EXIT) {
                return Outcome::fail(
                    "valgrind found memory errors",
                    format!("see its report (while: {last})"),
                );
            }
        }
        match &self.result {
            Some(outcome) if status.success() => outcome.clone(),
            _ => Outcome::fail(
                format!("the check process failed ({status})"),
                format!(
                    "{} (last step: {last})",
                    self.stderr_line()
                        .unwrap_or_else(|| "no output".to_string())
                ),
            ),
        }
    }

    /// The first line of stderr, if any.
    fn stderr_line(&self) -> Option<String> {
        String::from_utf8_lossy(&self.stderr)
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
    }
}

/// The first `library` directory's file named `name` among the system's
/// library directories (`/lib`, `/usr/lib` and their multiarch
/// subdirectories), for a C library add-on such as glibc's malloc checks.
pub fn system_library(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in ["/lib", "/usr/lib", "/lib64", "/usr/lib64"] {
        dirs.push(PathBuf::from(root));
        if let Ok(entries) = std::fs::read_dir(root) {
            dirs.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.to_string_lossy().ends_with("-linux-gnu")),
            );
        }
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The first program called `program` on `PATH`.
pub fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_survive_the_line_protocol() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Shared::default();
        let mut r = super::super::jobs::Reporter::to_writer(buf.clone());
        r.progress("case 1:\nnewline");
        r.result(&Outcome::fail("bad\tthing", "input x\u{1f}y"));
        r.result(&Outcome::pass("fine"));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "P case 1: newline");
        assert_eq!(
            parse_result(lines[1]),
            Some(Outcome::fail("bad\tthing", "input x y"))
        );
        assert_eq!(parse_result(lines[2]), Some(Outcome::pass("fine")));
        assert_eq!(parse_result("P nothing"), None);
    }
}
