//! `h4 verify`: the conformance harness for engines and cores.
//!
//! It checks what the core ABI specification's "Testing Requirements" ask
//! of a core before it is deployed (determinism every time and on every
//! platform, reversibility, identity safety, no leaks) and what any host
//! needs of a guest in its process: the ABI itself, robustness against
//! corrupted input, memory discipline, hygiene (no printing, no changed
//! process state, no `exit`), bounded cost and thread safety. A passing
//! grade is meant to say the core is safe to deploy.
//!
//! Every check runs in child processes ([`runner`], [`jobs`]) under a time
//! limit, so a core that crashes, aborts, exits, corrupts the heap or
//! hangs turns into a failed row with its signal or reason, never a dead
//! harness. Determinism and identity compare many processes that differ
//! in one thing each ([`variants`]); [`vectors`] carries the digests to
//! other machines.

mod channel;
mod guard;
mod heap;
pub mod identity;
pub mod jobs;
pub mod runner;
pub mod variants;
pub mod vectors;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::corpus::Input;
use jobs::Job;
use runner::{ChildCommand, Launch};
use vectors::Vectors;

/// One row of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The symbols, `h4_free(NULL)` and the identity symbols.
    Abi,
    /// Same input, same bytes: repeated, moved, concurrent, and in
    /// processes that differ in environment, host, CPUs, clock and speed.
    Determinism,
    /// No user, home, host, process id or time in any output.
    Identity,
    /// `decompress(compress(x)) == x`, on the corpus and beyond.
    Losslessness,
    /// Corrupted payloads neither crash nor hang the decoder.
    Robustness,
    /// No writes into the input, no reads outside it, no uninitialised
    /// output bytes, no pointers kept between calls.
    Memory,
    /// Nothing printed, no process state changed, no `exit`.
    Hygiene,
    /// The live heap does not grow with the number of calls.
    Leaks,
    /// Time grows no faster than the input.
    Cost,
    /// Concurrent calls match serial calls.
    ThreadSafety,
    /// Outputs match recorded conformance vectors (`--against`).
    Vectors,
}

impl Check {
    /// The rows of every run, in report order.
    pub const DEFAULT: [Check; 10] = [
        Check::Abi,
        Check::Determinism,
        Check::Identity,
        Check::Losslessness,
        Check::Robustness,
        Check::Memory,
        Check::Hygiene,
        Check::Leaks,
        Check::Cost,
        Check::ThreadSafety,
    ];

    /// The row's name.
    pub fn name(self) -> &'static str {
        match self {
            Check::Abi => "abi",
            Check::Determinism => "determinism",
            Check::Identity => "identity",
            Check::Losslessness => "losslessness",
            Check::Robustness => "robustness",
            Check::Memory => "memory",
            Check::Hygiene => "hygiene",
            Check::Leaks => "leaks",
            Check::Cost => "cost",
            Check::ThreadSafety => "thread-safety",
            Check::Vectors => "vectors",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Check {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Check::DEFAULT
            .into_iter()
            .chain([Check::Vectors])
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown check '{s}'"))
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Whether it passed.
    pub passed: bool,
    /// What was checked, or what went wrong.
    pub summary: String,
    /// For a failure: which input, which condition, what differed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl Outcome {
    /// A pass.
    pub fn pass(summary: impl Into<String>) -> Self {
        Outcome {
            passed: true,
            summary: summary.into(),
            evidence: None,
        }
    }

    /// A failure with one line of evidence.
    pub fn fail(summary: impl Into<String>, evidence: impl Into<String>) -> Self {
        Outcome {
            passed: false,
            summary: summary.into(),
            evidence: Some(evidence.into()),
        }
    }
}

/// One row of a [`Report`]: a check, how it ended and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The check.
    pub check: Check,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// How long it took.
    pub seconds: f64,
}

/// What a verify run found; `h4 verify --json` prints these fields in this
/// order.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The engine verified, as the report names it.
    pub engine: String,
    /// The version of the built-in corpus.
    pub corpus_version: u32,
    /// How many inputs the checks ran on.
    pub inputs: usize,
    /// Their total size.
    pub input_bytes: usize,
    /// Whether valgrind ran the checks, or why it did not.
    pub memcheck: Option<String>,
    /// What could not be varied or checked on this system, and why.
    pub notes: Vec<String>,
    /// One row per check, in [`Check::DEFAULT`] order (then `vectors`).
    pub checks: Vec<Row>,
    /// Rows that passed.
    pub passed: usize,
    /// Rows that failed.
    pub failed: usize,
    /// How long the run took.
    pub seconds: f64,
}

/// What [`run_all`] needs to know.
pub struct Plan {
    /// The engine, as the report names it.
    pub engine: String,
    /// The core library, when a core is verified.
    pub library: Option<PathBuf>,
    /// How to start a child check.
    pub command: ChildCommand,
    /// The inputs the children use: the built-in corpus, then the user's
    /// files.
    pub inputs: Vec<Input>,
    /// How many of `inputs` are the built-in corpus.
    pub corpus_len: usize,
    /// The preload library that moves one child's clock and CPU count.
    pub preload: Option<PathBuf>,
    /// valgrind, wherever it is installed (a really slower CPU for one
    /// child), whether or not the checks run under its memcheck.
    pub valgrind: Option<PathBuf>,
    /// Whether valgrind's memcheck runs the checks, or why it does not.
    pub memcheck: Option<String>,
    /// Conformance vectors to compare with (`--against`).
    pub against: Option<Vectors>,
    /// Fresh processes whose first calls are concurrent.
    pub first_call_processes: usize,
    /// The rows to run (`--only`); `None`: every row. The abi row always
    /// runs, the vectors row whenever there are vectors to compare with,
    /// and the determinism row's processes whenever identity or the
    /// vectors need them.
    pub only: Option<Vec<Check>>,
}

impl Plan {
    /// Whether row `check` is to be run and reported.
    fn wants(&self, check: Check) -> bool {
        match check {
            Check::Abi => true,
            Check::Vectors => self.against.is_some(),
            _ => self.only.as_ref().is_none_or(|only| only.contains(&check)),
        }
    }
}

/// What a run produced.
pub struct Verification {
    /// The report.
    pub report: Report,
    /// This run's conformance vectors, when every process gave the same
    /// bytes (the only case in which they may be recorded).
    pub vectors: Option<Vectors>,
    /// Why the core could not be loaded, when it could not: no other
    /// check ran.
    pub load_failure: Option<String>,
}

/// Times and records one row at a time.
struct Rows<'a> {
    rows: Vec<Row>,
    progress: &'a mut dyn FnMut(Check, Option<&str>),
}

impl Rows<'_> {
    /// Runs `f` as row `check`, timing it, when `plan` wants the row.
    fn run(&mut self, plan: &Plan, check: Check, f: impl FnOnce(&mut dyn FnMut(&str)) -> Outcome) {
        if plan.wants(check) {
            let outcome = self.measure(check, f);
            self.push(check, outcome.0, outcome.1);
        }
    }

    /// Runs `f` as the work of row `check` and returns what it gave and
    /// how long it took, without recording a row.
    fn measure<T>(&mut self, check: Check, f: impl FnOnce(&mut dyn FnMut(&str)) -> T) -> (T, f64) {
        (self.progress)(check, None);
        let start = Instant::now();
        let progress = &mut *self.progress;
        let value = f(&mut |step| progress(check, Some(step)));
        (value, start.elapsed().as_secs_f64())
    }

    fn push(&mut self, check: Check, outcome: Outcome, seconds: f64) {
        self.rows.push(Row {
            check,
            outcome,
            seconds,
        });
    }
}

/// Whether a failure is only that outputs differ (between calls,
/// processes or threads), which bytes the core never wrote explain.
fn only_differs(outcome: &Outcome) -> bool {
    !outcome.passed
        && ["differ", "depends on"]
            .iter()
            .any(|w| outcome.summary.contains(w))
}

/// A pass for a row whose only failure was differing outputs, when
/// another row (`explained_by`) found why: bytes the core never wrote
/// (memory), or identity written into every output (a clock changes from
/// call to call).
fn left_to(explained_by: Check, outcome: Outcome) -> Outcome {
    Outcome::pass(format!(
        "outputs differ ({}; {}), which the {explained_by} row explains",
        outcome.summary,
        outcome.evidence.unwrap_or_default()
    ))
}

/// Runs every check and collects the report. `progress` hears each check
/// as it starts (`step` is `None`) and each step it reports. Memory runs
/// before determinism and thread safety (the report keeps its order):
/// output bytes a core never wrote make outputs differ everywhere, and
/// those differences are then memory's finding, not theirs. Cost runs
/// before losslessness, which leaves its largest inputs out for a core
/// whose time grows faster than its input (they would only hang).
pub fn run_all(plan: &Plan, progress: &mut dyn FnMut(Check, Option<&str>)) -> Verification {
    let started = Instant::now();
    let mut rows = Rows {
        rows: Vec::new(),
        progress,
    };
    let mut notes: Vec<String> = Vec::new();
    let launch = |launch: Launch, progress: &mut dyn FnMut(&str)| {
        runner::launch(&plan.command, &launch, progress).outcome()
    };

    rows.run(plan, Check::Abi, |p| launch(Launch::job(Job::Abi), p));
    let abi = &rows.rows[0].outcome;
    if !abi.passed && abi.summary == "cannot load the core" {
        let why = abi.evidence.clone().unwrap_or_default();
        for check in Check::DEFAULT
            .into_iter()
            .skip(1)
            .filter(|&c| plan.wants(c))
        {
            rows.push(
                check,
                Outcome::fail("not run", "the core did not load"),
                0.0,
            );
        }
        return Verification {
            report: report(plan, rows.rows, notes, started),
            vectors: None,
            load_failure: Some(why),
        };
    }

    // A row not run counts as passed for the others' arbitration.
    let not_run = || (Outcome::pass("not run"), 0.0);
    let (memory, memory_seconds) = if plan.wants(Check::Memory) {
        rows.measure(Check::Memory, |p| {
            let mut memory = Launch::job(Job::Memory);
            if plan.memcheck.is_none() {
                memory = with_malloc_checks(memory);
            }
            launch(memory, p)
        })
    } else {
        not_run()
    };
    let unwritten = memory.summary.starts_with(jobs::UNWRITTEN);
    let mut superlinear = false;
    rows.run(plan, Check::Cost, |p| {
        let cost = launch(Launch::job(Job::Cost).native(), p);
        superlinear = !cost.passed && cost.summary.contains(jobs::SUPERLINEAR);
        cost
    });

    let compare_processes =
        plan.wants(Check::Determinism) || plan.wants(Check::Identity) || plan.against.is_some();
    let ((findings, repeat), determinism_seconds) = if !compare_processes {
        (
            (variants::Findings::default(), Outcome::pass("not run")),
            0.0,
        )
    } else {
        rows.measure(Check::Determinism, |p| {
            let setup = variants::Setup {
                command: &plan.command,
                library: plan.library.as_deref(),
                preload: plan.preload.as_deref(),
                valgrind: plan.valgrind.as_deref(),
                inputs: &plan.inputs,
                unwritten,
            };
            let found = variants::compare(&setup, p);
            (found, launch(Launch::job(Job::Repeat), p))
        })
    };
    // A value derived from identity (a hash of the host name, say) is
    // told by outputs that change with it and with nothing else: not by a
    // core whose outputs change from call to call.
    let identity = findings
        .identity
        .clone()
        .or_else(|| findings.identity_derived.clone().filter(|_| repeat.passed));
    // Outputs that differ because of what another row found are that
    // row's finding.
    let explained_by = if !memory.passed || findings.heap.is_some() {
        Some(Check::Memory)
    } else if identity.is_some() {
        Some(Check::Identity)
    } else {
        None
    };
    // Outputs that change from call to call also differ between threads.
    let threads_explained_by =
        explained_by.or((!repeat.passed && only_differs(&repeat)).then_some(Check::Determinism));
    notes.extend(findings.notes.iter().cloned());
    let determinism = match (&findings.determinism, repeat.passed) {
        (_, false) if explained_by.is_some() && only_differs(&repeat) => {
            left_to(explained_by.expect("checked"), repeat)
        }
        // Different bytes from one call to the next say most.
        (_, false) => repeat,
        (Some(failure), true) => failure.clone(),
        (None, true) => Outcome::pass(format!(
            "same bytes in {}; {}",
            findings.covered, repeat.summary
        )),
    };
    let engine_name = findings
        .engine
        .clone()
        .unwrap_or_else(|| plan.engine.clone());
    let vectors =
        (compare_processes && determinism.passed && findings.determinism.is_none()).then(|| {
            Vectors::new(
                &engine_name,
                &plan.inputs[..plan.corpus_len],
                &findings.digests,
            )
        });
    if plan.wants(Check::Determinism) {
        rows.push(Check::Determinism, determinism, determinism_seconds);
    }
    rows.run(plan, Check::Identity, |_| match &identity {
        Some(failure) => failure.clone(),
        None => Outcome::pass(
            "no user, home, host, process id or time in any small output, none derived from them",
        ),
    });
    rows.run(plan, Check::Losslessness, |p| {
        let mut job = Launch::job(Job::Losslessness);
        if superlinear {
            job.extra_args.push("--skip-large".into());
        }
        launch(job, p)
    });
    rows.run(plan, Check::Robustness, |p| {
        launch(Launch::job(Job::Robustness), p)
    });
    let memory = match (&findings.heap, memory.passed) {
        (Some(heap), true) => heap.clone(),
        (None, true) => Outcome::pass(format!(
            "{}; no output byte changes with the heap",
            memory.summary
        )),
        (_, false) => memory,
    };
    if plan.wants(Check::Memory) {
        rows.push(Check::Memory, memory, memory_seconds);
    }
    rows.run(plan, Check::Hygiene, |p| {
        let hygiene = Launch::job(Job::Hygiene)
            .with_env("LC_ALL", "C.UTF-8")
            .with_env("LANG", "C.UTF-8");
        let run = runner::launch(&plan.command, &hygiene, p);
        let outcome = run.outcome();
        let printed = [("stdout", &run.stdout), ("stderr", &run.stderr)]
            .into_iter()
            .find(|(_, bytes)| !bytes.is_empty());
        match printed {
            // A crash prints the C library's last words; a change of state
            // is its own finding.
            Some((stream, bytes)) if outcome.passed => Outcome::fail(
                format!("the core wrote to {stream}"),
                format!("{} bytes, starting {}", bytes.len(), quote(bytes)),
            ),
            _ => outcome,
        }
    });
    rows.run(plan, Check::Leaks, |p| {
        launch(
            Launch::job(Job::Leaks).with_env("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0"),
            p,
        )
    });
    rows.run(plan, Check::ThreadSafety, |p| {
        let outcome = thread_safety(plan, &launch, p);
        match threads_explained_by {
            Some(row) if only_differs(&outcome) => left_to(row, outcome),
            _ => outcome,
        }
    });
    if let Some(recorded) = &plan.against {
        rows.run(plan, Check::Vectors, |_| {
            let corpus = &plan.inputs[..plan.corpus_len];
            recorded.compare(&Vectors::new(&engine_name, corpus, &findings.digests))
        });
    }
    let mut checks = rows.rows;
    let order = |c: Check| {
        Check::DEFAULT
            .iter()
            .position(|&d| d == c)
            .unwrap_or(usize::MAX)
    };
    checks.sort_by_key(|row| order(row.check));
    Verification {
        report: report(plan, checks, notes, started),
        vectors,
        load_failure: None,
    }
}

/// Starts a child and reads its verdict.
type LaunchFn<'a> = dyn Fn(Launch, &mut dyn FnMut(&str)) -> Outcome + 'a;

/// How much later each thread of the `i`th fresh process starts its first
/// call than the one before it (see `jobs::races::first_calls`): none for
/// the first two, then from 100 ns (a small table half filled) growing by
/// 30% a pair of processes, to 32 µs by the 48th. One process in five or
/// fewer catches a first call that finds a table of 256 words half made
/// (`tests/cores/race_lazy_init.c` at -O2), and only at staggers near the
/// time the table takes to fill: many processes, each cheap (about 10
/// ms), at many staggers. Compressions and decompressions take turns.
fn first_call_stagger(i: usize) -> Duration {
    match i / 2 {
        0 => Duration::ZERO,
        k => Duration::from_nanos((100.0 * 1.3f64.powi(k as i32 - 1)) as u64),
    }
}

/// Concurrent first calls in fresh processes, then concurrent calls.
fn thread_safety(plan: &Plan, launch: &LaunchFn, progress: &mut dyn FnMut(&str)) -> Outcome {
    for i in 0..plan.first_call_processes {
        let job = if i % 2 == 1 {
            Job::FirstDecompress
        } else {
            Job::FirstCompress
        };
        let stagger = first_call_stagger(i).as_nanos();
        let mut child = Launch::job(job).native();
        child
            .extra_args
            .push(format!("--stagger-ns={stagger}").into());
        let outcome = launch(child, progress);
        if !outcome.passed {
            return outcome;
        }
    }
    let races = launch(Launch::job(Job::Races), progress);
    if races.passed {
        Outcome::pass(format!(
            "{}; first calls concurrent in {} fresh processes, threads starting up to {} µs apart",
            races.summary,
            plan.first_call_processes,
            first_call_stagger(plan.first_call_processes.saturating_sub(1)).as_micros()
        ))
    } else {
        races
    }
}

fn report(plan: &Plan, checks: Vec<Row>, notes: Vec<String>, started: Instant) -> Report {
    let failed = checks.iter().filter(|r| !r.outcome.passed).count();
    Report {
        engine: plan.engine.clone(),
        corpus_version: crate::corpus::CORPUS_VERSION,
        inputs: plan.inputs.len(),
        input_bytes: plan.inputs.iter().map(|i| i.data.len()).sum(),
        memcheck: plan.memcheck.clone(),
        notes,
        passed: checks.len() - failed,
        failed,
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Turns on glibc's heap consistency checks in a child, where the C
/// library has them: a core that writes past its buffer aborts at the
/// next allocation instead of going unnoticed.
fn with_malloc_checks(launch: Launch) -> Launch {
    let launch = launch.with_env("MALLOC_CHECK_", "3").with_env(
        "GLIBC_TUNABLES",
        "glibc.malloc.check=3:glibc.malloc.tcache_count=0",
    );
    // glibc 2.34 and later keep the checks in a library of their own.
    match runner::system_library("libc_malloc_debug.so.0") {
        Some(debug) => {
            let mut value = debug.into_os_string();
            if let Some(old) = std::env::var_os("LD_PRELOAD") {
                value.push(":");
                value.push(old);
            }
            launch.with_env("LD_PRELOAD", value)
        }
        None => launch,
    }
}

/// The start of what a core printed, quoted on one line.
fn quote(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
        .chars()
        .flat_map(char::escape_default)
        .collect();
    format!("\"{text}\"")
}
