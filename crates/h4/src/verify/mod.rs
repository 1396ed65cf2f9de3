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
pub mod corpus;
pub mod runner;

use std::fmt;
use std::str::FromStr;

/// One row of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Whether it passed.
    pub passed: bool,
    /// What was checked, or what went wrong.
    pub summary: String,
    /// For a failure: which input, iteration or offset.
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
