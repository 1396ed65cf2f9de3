//! Conformance vectors: the SHA-256 of an engine's output for every
//! corpus input, recorded on one machine (`h4 verify --record FILE`) and
//! compared on another (`--against FILE`), like numcodecs'
//! backwards-compatibility fixtures. The specification asks for the same
//! bytes on every platform; a file of digests carries that claim from one
//! platform, OS or build to the next. Nothing about the machine that
//! recorded them is written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Outcome;
use super::identity::hex;
use crate::corpus::{CORPUS_VERSION, Input};

/// What identifies a vectors file.
pub const FORMAT: &str = "h4-verify-vectors";

/// The vectors file's own version.
pub const VERSION: u32 = 1;

/// A vectors file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vectors {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written.
    pub version: u32,
    /// The corpus version the digests are of.
    pub corpus_version: u32,
    /// The engine's name (and version, for a core that reports one).
    pub engine: String,
    /// One entry per corpus input, in corpus order.
    pub vectors: Vec<Vector>,
}

/// One input's digests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vector {
    /// The input's name in the corpus.
    pub input: String,
    /// The SHA-256 of the input: proves the corpus was generated alike.
    pub input_sha256: String,
    /// The output's length.
    pub output_len: usize,
    /// The SHA-256 of the output.
    pub output_sha256: String,
}

impl Vectors {
    /// The vectors of `engine` from its outputs' digests (by input name),
    /// for the built-in corpus `corpus`; inputs without a digest are left
    /// out.
    pub fn new(
        engine: &str,
        corpus: &[Input],
        digests: &BTreeMap<String, (usize, String)>,
    ) -> Vectors {
        Vectors {
            format: FORMAT.to_string(),
            version: VERSION,
            corpus_version: CORPUS_VERSION,
            engine: engine.to_string(),
            vectors: corpus
                .iter()
                .filter_map(|input| {
                    let (len, digest) = digests.get(&input.name)?;
                    Some(Vector {
                        input: input.name.clone(),
                        input_sha256: hex(&Sha256::digest(&input.data)),
                        output_len: *len,
                        output_sha256: digest.clone(),
                    })
                })
                .collect(),
        }
    }

    /// Compares `self` (recorded) with `now` (this run's): the row's
    /// outcome.
    pub fn compare(&self, now: &Vectors) -> Outcome {
        if self.format != FORMAT || self.version != VERSION {
            return Outcome::fail(
                "not a vectors file this h4 reads",
                format!("format '{}' version {}", self.format, self.version),
            );
        }
        if self.corpus_version != now.corpus_version {
            return Outcome::fail(
                "recorded with another corpus",
                format!(
                    "corpus version {} recorded, {} here",
                    self.corpus_version, now.corpus_version
                ),
            );
        }
        let here: BTreeMap<&str, &Vector> =
            now.vectors.iter().map(|v| (v.input.as_str(), v)).collect();
        let mut differ = 0;
        let mut first = None;
        for recorded in &self.vectors {
            let Some(current) = here.get(recorded.input.as_str()) else {
                differ += 1;
                first
                    .get_or_insert_with(|| format!("input {}: not in this corpus", recorded.input));
                continue;
            };
            if current.input_sha256 != recorded.input_sha256 {
                return Outcome::fail(
                    "the corpus is not the same bytes here",
                    format!(
                        "input {}: its SHA-256 differs from the recorded one",
                        recorded.input
                    ),
                );
            }
            if current.output_sha256 != recorded.output_sha256 {
                differ += 1;
                first.get_or_insert_with(|| {
                    format!(
                        "input {}: {} bytes, SHA-256 {}… recorded; {} bytes, {}… here",
                        recorded.input,
                        recorded.output_len,
                        &recorded.output_sha256[..12.min(recorded.output_sha256.len())],
                        current.output_len,
                        &current.output_sha256[..12.min(current.output_sha256.len())]
                    )
                });
            }
        }
        match first {
            Some(evidence) => Outcome::fail(
                format!(
                    "{differ} of {} outputs differ from the vectors recorded for {}",
                    self.vectors.len(),
                    self.engine
                ),
                evidence,
            ),
            None => Outcome::pass(format!(
                "{} outputs match the vectors recorded for {} (corpus version {})",
                self.vectors.len(),
                self.engine,
                self.corpus_version
            )),
        }
    }
}
