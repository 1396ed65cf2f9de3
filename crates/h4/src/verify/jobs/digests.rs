//! One compression of every corpus input, reported as digests (and, for
//! small inputs, the output itself), plus the process's identifying facts.
//!
//! The verifier runs this job in many processes that differ in one way
//! each (environment, host, CPUs, heap, clock, speed) and compares what
//! they report: a core must give the same bytes in all of them.

use sha2::{Digest, Sha256};

use super::{JobResult, Reporter};
use crate::corpus::Input;
use crate::engine::Engine;
use crate::verify::identity::{Facts, hex, unix_seconds};

/// Inputs up to this size have their outputs sent whole, for the identity
/// scan and for saying where outputs differ.
pub const SENT_WHOLE: usize = 64 * 1024;

/// Reports one record per input, `ok LEN SHA256 HEX NAME` (`-` for an
/// output not sent whole) or `error 0 MESSAGE-IN-HEX - NAME`, then the
/// facts.
pub fn run(engine: &dyn Engine, inputs: &[Input], reporter: &mut Reporter) -> JobResult {
    let started = unix_seconds();
    for input in inputs {
        reporter.progress(&format!("{}: compress", input.name));
        let record = match engine.compress_vec(&input.data) {
            Ok(output) => {
                let whole = if input.data.len() <= SENT_WHOLE && output.len() <= 4 * SENT_WHOLE {
                    hex(&output)
                } else {
                    "-".to_string()
                };
                format!(
                    "ok {} {} {whole} {}",
                    output.len(),
                    hex(&Sha256::digest(&output)),
                    input.name,
                )
            }
            Err(e) => format!("error 0 {} - {}", hex(e.to_string().as_bytes()), input.name),
        };
        reporter.datum('D', &record);
    }
    for line in Facts::of_this_process(started).to_lines() {
        reporter.datum('I', &line);
    }
    Ok(format!("{} inputs compressed", inputs.len()))
}
