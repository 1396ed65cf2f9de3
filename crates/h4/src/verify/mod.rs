//! `h4 verify`: the conformance harness for engines and cores.
//!
//! It checks what the core ABI specification's "Testing Requirements" ask
//! of a core before it is deployed: the ABI itself, determinism,
//! losslessness, robustness against corrupted input, memory leaks and
//! thread safety, on a built-in corpus of edge cases plus the user's files.
//!
//! The checks ([`checks`]) run in child processes ([`runner`]) under a time
//! limit, so a core that crashes, aborts, corrupts the heap or hangs turns
//! into a failed row with its signal or reason, never a dead harness.

pub mod checks;
pub mod runner;

use std::fmt;
use std::str::FromStr;
use std::time::Instant;

use serde::Serialize;

use runner::ChildCommand;

/// One row of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The symbols, `h4_free(NULL)` and the identity symbols.
    Abi,
    /// Same input, same bytes: repeated, moved, and concurrent.
    Determinism,
    /// `decompress(compress(x)) == x`.
    Losslessness,
    /// Corrupted payloads neither crash nor hang the decoder.
    Robustness,
    /// Memory does not grow with the number of calls.
    Leaks,
    /// Concurrent calls on different inputs match serial calls.
    ThreadSafety,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 6] = [
        Check::Abi,
        Check::Determinism,
        Check::Losslessness,
        Check::Robustness,
        Check::Leaks,
        Check::ThreadSafety,
    ];

    /// The row's name.
    pub fn name(self) -> &'static str {
        match self {
            Check::Abi => "abi",
            Check::Determinism => "determinism",
            Check::Losslessness => "losslessness",
            Check::Robustness => "robustness",
            Check::Leaks => "leaks",
            Check::ThreadSafety => "thread-safety",
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
        Check::ALL
            .into_iter()
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
    /// For a failure: which input, iteration or offset.
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

/// One row of a [`Report`]: a check and how it ended.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The check.
    pub check: Check,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What a verify run found; `h4 verify --json` prints these fields in this
/// order.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The engine verified, as the report names it.
    pub engine: String,
    /// How many inputs the checks ran on.
    pub inputs: usize,
    /// Their total size.
    pub input_bytes: usize,
    /// Whether valgrind ran the checks, or why it did not.
    pub memcheck: Option<String>,
    /// One row per check, in [`Check::ALL`] order.
    pub checks: Vec<Row>,
    /// Rows that passed.
    pub passed: usize,
    /// Rows that failed.
    pub failed: usize,
    /// How long the run took.
    pub seconds: f64,
}

/// What [`run_all`] is told about the run besides how to start a child.
#[derive(Clone, Debug)]
pub struct Subject {
    /// The engine, as the report names it.
    pub engine: String,
    /// How many inputs the checks run on.
    pub inputs: usize,
    /// Their total size.
    pub input_bytes: usize,
    /// Whether valgrind runs the checks, or why it does not.
    pub memcheck: Option<String>,
}

/// Runs every check, each in its own child started by `command`, and
/// collects the report. `progress` hears each check as it starts
/// (`step` is `None`) and each step it reports.
pub fn run_all(
    subject: Subject,
    command: &ChildCommand,
    progress: &mut dyn FnMut(Check, Option<&str>),
) -> Report {
    let started = Instant::now();
    let checks: Vec<Row> = Check::ALL
        .into_iter()
        .map(|check| {
            progress(check, None);
            let outcome = runner::run(check, command, &mut |step| progress(check, Some(step)));
            Row { check, outcome }
        })
        .collect();
    let failed = checks.iter().filter(|r| !r.outcome.passed).count();
    Report {
        engine: subject.engine,
        inputs: subject.inputs,
        input_bytes: subject.input_bytes,
        memcheck: subject.memcheck,
        passed: checks.len() - failed,
        failed,
        checks,
        seconds: started.elapsed().as_secs_f64(),
    }
}
