//! The child side of `h4 verify`: the jobs a child process runs on one
//! engine, and what it reports.
//!
//! These are the risky parts: a bad core can crash, hang, exit or corrupt
//! the heap while they run, so each runs in a child process of its own
//! (see [`super::runner`]). Before every call that might misbehave a job
//! reports what it is about to do, so a crash or a hang can be pinned to
//! an input and a step. Reports go to the channel (descriptor 3),
//! never to stdout or stderr, which are the core's to misuse.

mod basic;
mod cost;
mod digests;
mod hygiene;
mod leaks;
mod memory;
mod races;

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::str::FromStr;

use super::Outcome;
use super::channel;
use crate::container::BLOCK_SIZES;
use crate::corpus::Input;
use crate::engine::core::Core;
use crate::engine::{Engine, Reference};

pub use basic::{first_difference, mutate};
pub use hygiene::Snapshot;

/// One job a child process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// Loads the core and checks its symbols.
    Abi,
    /// Same input, same bytes: repeated, moved, concurrent, in one process.
    Repeat,
    /// Compresses the corpus once and reports digests and identity facts.
    Digests,
    /// `decompress(compress(x)) == x`, on the corpus and beyond it.
    Losslessness,
    /// Corrupted payloads.
    Robustness,
    /// Inputs on guarded read-only pages, reused buffers.
    Memory,
    /// The process's state before and after loading and calls.
    Hygiene,
    /// Live heap bytes over many calls.
    Leaks,
    /// Time at growing sizes.
    Cost,
    /// Concurrent calls, compress and decompress.
    Races,
    /// Concurrent first compressions in a fresh process.
    FirstCompress,
    /// Concurrent first decompressions in a fresh process.
    FirstDecompress,
}

impl Job {
    const ALL: [Job; 12] = [
        Job::Abi,
        Job::Repeat,
        Job::Digests,
        Job::Losslessness,
        Job::Robustness,
        Job::Memory,
        Job::Hygiene,
        Job::Leaks,
        Job::Cost,
        Job::Races,
        Job::FirstCompress,
        Job::FirstDecompress,
    ];

    /// Whether the job compares outputs of the engine with each other
    /// (and so needs the same bytes wherever the core reads memory it
    /// never wrote: see [`super::runner::STEADY_HEAP`]).
    pub fn compares_outputs(self) -> bool {
        matches!(
            self,
            Job::Digests
                | Job::Repeat
                | Job::Memory
                | Job::Races
                | Job::FirstCompress
                | Job::FirstDecompress
        )
    }

    /// The job's name on the child's command line.
    pub fn name(self) -> &'static str {
        match self {
            Job::Abi => "abi",
            Job::Repeat => "repeat",
            Job::Digests => "digests",
            Job::Losslessness => "losslessness",
            Job::Robustness => "robustness",
            Job::Memory => "memory",
            Job::Hygiene => "hygiene",
            Job::Leaks => "leaks",
            Job::Cost => "cost",
            Job::Races => "races",
            Job::FirstCompress => "first-compress",
            Job::FirstDecompress => "first-decompress",
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Job {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Job::ALL
            .into_iter()
            .find(|j| j.name() == s)
            .ok_or_else(|| format!("unknown job '{s}'"))
    }
}

/// Something a child changes about itself before it loads the engine, for
/// the runs that compare processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    /// Another host name (and login) in new user and UTS namespaces.
    Host,
    /// Only one CPU in the affinity mask.
    OneCpu,
    /// Not a change: the digests job also compresses each input with the
    /// heap filled otherwise (the first process of a comparison).
    HeapProbe,
}

impl Factor {
    /// The factor's name on the child's command line.
    pub fn name(self) -> &'static str {
        match self {
            Factor::Host => "host",
            Factor::OneCpu => "one-cpu",
            Factor::HeapProbe => "heap-probe",
        }
    }
}

impl FromStr for Factor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        [Factor::Host, Factor::OneCpu, Factor::HeapProbe]
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown factor '{s}'"))
    }
}

/// How a failure that found output bytes the core never wrote (or that
/// lie past what it allocated) begins. Such bytes also make outputs
/// differ between calls, processes and threads; the verifier then leaves
/// those differences to the memory row.
pub const UNWRITTEN: &str = "outputs hold bytes the core never wrote";

/// What a cost failure says: the verifier then spares the other rows the
/// largest inputs.
pub const SUPERLINEAR: &str = "time grows faster than the input";

/// The host name a child with [`Factor::Host`] takes: nothing a real
/// machine is called, so finding it in an output is proof.
pub const VERIFY_HOST_NAME: &str = "h4-verify-host-5e1f";

/// What a job is told about the run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Determinism iterations per input.
    pub iterations: usize,
    /// Corrupted payloads for the robustness check.
    pub fuzz: usize,
    /// Threads for the concurrency checks.
    pub threads: usize,
    /// The child runs under valgrind's memcheck, which judges leaks itself
    /// and makes everything tens of times slower.
    pub under_valgrind: bool,
    /// Leave out the inputs over 16 MiB (the cost row found time growing
    /// faster than the input: they would only hang).
    pub skip_large: bool,
    /// In a process of concurrent first calls, how much later each thread
    /// starts than the one before it (see `races::first_calls`).
    pub stagger: std::time::Duration,
}

/// The engine a child runs its job on.
#[derive(Clone, Debug)]
pub enum Subject {
    /// The built-in reference engine.
    Reference,
    /// The core library at this path.
    Core(PathBuf),
}

/// Writes the child side of the protocol (see [`super::runner`]).
pub struct Reporter {
    out: Box<dyn Write>,
}

impl Reporter {
    /// A reporter on the channel the parent set up, or on stdout when the
    /// child was started by hand.
    pub fn open() -> Self {
        let out: Box<dyn Write> = match channel::open_in_child() {
            Some(file) => Box::new(file),
            None => Box::new(io::stdout()),
        };
        Reporter { out }
    }

    /// A reporter writing to `out` (for tests).
    pub fn to_writer(out: impl Write + 'static) -> Self {
        Reporter { out: Box::new(out) }
    }

    /// One line, in one write: a copy of this process that a core forked
    /// writes its own line to the same pipe (see
    /// `engine::core::report_forks`), and a pipe keeps a write whole only
    /// when it is one (`writeln!` on a file makes two).
    fn line(&mut self, line: &str) {
        let _ = self.out.write_all(format!("{line}\n").as_bytes());
        let _ = self.out.flush();
    }

    /// Says what is about to happen; flushed, so it survives a crash.
    pub fn progress(&mut self, what: &str) {
        self.line(&format!("P {}", clean(what)));
    }

    /// Reports a datum for the parent (a digest, a fact): `kind` is one
    /// letter.
    pub fn datum(&mut self, kind: char, text: &str) {
        self.line(&format!("{kind} {}", clean(text)));
    }

    /// Writes the result.
    pub fn result(&mut self, outcome: &Outcome) {
        let line = if outcome.passed {
            format!("R pass {}", clean(&outcome.summary))
        } else {
            format!(
                "R fail {}\u{1f}{}",
                clean(&outcome.summary),
                clean(outcome.evidence.as_deref().unwrap_or(""))
            )
        };
        self.line(&line);
    }
}

fn clean(text: &str) -> String {
    text.replace(['\n', '\r', '\u{1f}'], " ")
}

/// A failed job: a summary and one line of evidence.
type Failure = (String, String);

/// What a job returns: a summary, or a failure.
type JobResult = Result<String, Failure>;

/// Runs `job` on `subject` in this (child) process: applies `factor`,
/// loads the engine, runs the job on `inputs()` and reports through
/// `reporter`. Returns when the job is done; a crash or an `exit` in the
/// core ends the process instead, which the parent reads as such.
pub fn run(
    job: Job,
    subject: &Subject,
    factor: Option<Factor>,
    files: &[PathBuf],
    settings: &Settings,
    reporter: &mut Reporter,
) {
    let outcome = match run_job(job, subject, factor, files, settings, reporter) {
        Ok(summary) => Outcome::pass(summary),
        Err((summary, evidence)) => Outcome::fail(summary, evidence),
    };
    reporter.result(&outcome);
}

fn run_job(
    job: Job,
    subject: &Subject,
    factor: Option<Factor>,
    files: &[PathBuf],
    settings: &Settings,
    reporter: &mut Reporter,
) -> JobResult {
    if let Some(factor) = factor {
        apply(factor).map_err(|e| ("cannot set up the check process".to_string(), e))?;
    }
    // The hygiene job compares the process before and after loading; the
    // others only need the engine.
    let before_load = (job == Job::Hygiene).then(hygiene::prepare);
    // An exit() inside a call is reported on the channel, not as the
    // exit status the core chose.
    crate::engine::core::report_exit_in_call(
        channel::CHILD_FD,
        "X the core called exit() during a call\n".to_string(),
    );
    // A copy of this process that the core forks and lets return into it
    // is ended in every job (as in h4); the hygiene job has it say so.
    if job == Job::Hygiene {
        crate::engine::core::report_forks(channel::CHILD_FD);
    }
    reporter.progress("loading the engine");
    let mut core = match subject {
        Subject::Reference => None,
        Subject::Core(path) => {
            let mut core = Core::load(path, BLOCK_SIZES)
                .map_err(|e| ("cannot load the core".to_string(), e.why))?;
            // The checks place the inputs themselves.
            core.lend_callers_buffers();
            Some(core)
        }
    };
    let reference = Reference::new();
    let engine: &dyn Engine = match &core {
        Some(core) => core,
        None => &reference,
    };
    let mut progress = |step: &str| reporter.progress(step);
    let needs_corpus = !matches!(
        job,
        Job::Abi
            | Job::FirstCompress
            | Job::FirstDecompress
            | Job::Hygiene
            | Job::Leaks
            | Job::Cost
    );
    let inputs = if needs_corpus {
        corpus(files)?
    } else {
        Vec::new()
    };
    match job {
        Job::Abi => basic::abi(engine, core.as_ref(), &mut progress),
        Job::Repeat => basic::repeat(engine, &inputs, settings, &mut progress),
        Job::Digests => digests::run(
            engine,
            core.as_ref().and_then(Core::version),
            &inputs,
            factor == Some(Factor::HeapProbe),
            reporter,
        ),
        Job::Losslessness => {
            let summary =
                basic::losslessness(engine, core.as_ref(), &inputs, settings, &mut progress)?;
            match core.as_mut() {
                Some(core) if core.levels().is_some() => {
                    let levels = basic::levels(core, &inputs, &mut |s| reporter.progress(s))?;
                    Ok(format!("{summary}; {levels}"))
                }
                _ => Ok(summary),
            }
        }
        Job::Robustness => basic::robustness(engine, &inputs, settings, &mut progress),
        Job::Memory => memory::run(engine, &inputs, &mut progress),
        Job::Hygiene => hygiene::run(
            engine,
            core.as_ref(),
            before_load.expect("prepared for hygiene"),
            &mut progress,
        ),
        Job::Leaks => leaks::run(engine, settings, &mut progress),
        Job::Cost => cost::run(engine, settings, &mut progress),
        Job::Races => races::run(engine, &inputs, settings, &mut progress),
        Job::FirstCompress => races::first_calls(engine, false, settings.stagger, &mut progress),
        Job::FirstDecompress => races::first_calls(engine, true, settings.stagger, &mut progress),
    }
}

/// The inputs: the built-in corpus plus the user's files.
fn corpus(files: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    let mut inputs = crate::corpus::built_in();
    for path in files {
        let data = std::fs::read(path).map_err(|e| {
            (
                "cannot read the inputs".to_string(),
                format!("{}: {e}", path.display()),
            )
        })?;
        inputs.push(Input::new(path.display().to_string(), data));
    }
    Ok(inputs)
}

/// Applies `factor` to this process. It must still be single-threaded.
fn apply(factor: Factor) -> Result<(), String> {
    match factor {
        Factor::Host => other_host(),
        Factor::HeapProbe => Ok(()),
        Factor::OneCpu => {
            let mut one = nix::sched::CpuSet::new();
            let first = (0..nix::sched::CpuSet::count())
                .find(|&cpu| {
                    nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0))
                        .is_ok_and(|set| set.is_set(cpu).unwrap_or(false))
                })
                .unwrap_or(0);
            one.set(first).map_err(|e| e.to_string())?;
            nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &one)
                .map_err(|e| format!("sched_setaffinity: {e}"))
        }
    }
}

/// Moves this process into new user and UTS namespaces, where its user id
/// is another (so the password database names another user) and the host
/// has [`VERIFY_HOST_NAME`].
fn other_host() -> Result<(), String> {
    use nix::sched::CloneFlags;
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    nix::sched::unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWUTS)
        .map_err(|e| format!("user namespaces are not available here ({e})"))?;
    // Another user id inside: 1 unless that is the real one.
    let inside = if uid.as_raw() == 1 { 2 } else { 1 };
    let write =
        |path: &str, text: String| std::fs::write(path, text).map_err(|e| format!("{path}: {e}"));
    write("/proc/self/setgroups", "deny".to_string())?;
    write("/proc/self/uid_map", format!("{inside} {uid} 1"))?;
    write("/proc/self/gid_map", format!("{inside} {gid} 1"))?;
    nix::unistd::sethostname(VERIFY_HOST_NAME).map_err(|e| format!("sethostname: {e}"))
}
