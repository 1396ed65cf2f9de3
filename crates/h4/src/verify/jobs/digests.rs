//! One compression of every corpus input, reported as digests (and, for
//! small inputs, the output itself), plus the process's identifying facts.
//!
//! The verifier runs this job in many processes that differ in one way
//! each (environment, host, CPUs, clock, speed) and compares what they
//! report: a core must give the same bytes in all of them. The first
//! process also compresses every input a second time with the allocator
//! filling memory with another byte ([`heap::set_perturb`]) and reports
//! the inputs whose output changed (`H` lines): bytes the core never
//! wrote, which would otherwise look like a dependence on the process.

use sha2::{Digest, Sha256};

use super::{JobResult, Reporter};
use crate::corpus::Input;
use crate::engine::Engine;
use crate::verify::heap;
use crate::verify::identity::{Facts, hex, unix_seconds};

/// The allocator's fill byte in every child (`MALLOC_PERTURB_=17`), and
/// the other one the heap probe tries.
const STEADY_FILL: u8 = 17;
const OTHER_FILL: u8 = 0xee;

/// Inputs up to this size have their outputs sent whole, for the identity
/// scan and for saying where outputs differ.
pub const SENT_WHOLE: usize = 64 * 1024;

/// Reports one record per input, `ok LEN SHA256 HEX NAME` (`-` for an
/// output not sent whole) or `error 0 MESSAGE-IN-HEX - NAME`, then the
/// engine's name and version (`E`) and the process's facts (`I`).
pub fn run(
    engine: &dyn Engine,
    version: Option<&str>,
    inputs: &[Input],
    probe_heap: bool,
    reporter: &mut Reporter,
) -> JobResult {
    let engine_label = match version {
        Some(version) => format!("{} {version}", engine.id().name),
        None => engine.id().name.clone(),
    };
    let started = unix_seconds();
    // Every child's allocator fills blocks from the same byte (the
    // runner's steady heap); the probe changes it for one call.
    let probing = probe_heap && heap::set_perturb(STEADY_FILL);
    for input in inputs {
        reporter.progress(&format!("{}: compress", input.name));
        let first = engine.compress_vec(&input.data);
        // A core whose output changes from call to call anyway is the
        // determinism row's; only a change that follows the fill is
        // uninitialised memory.
        if probing && engine.compress_vec(&input.data).ok() == first.as_ref().ok().cloned() {
            reporter.progress(&format!(
                "{}: compress, the heap filled otherwise",
                input.name
            ));
            heap::set_perturb(OTHER_FILL);
            let second = engine.compress_vec(&input.data);
            heap::set_perturb(STEADY_FILL);
            if let (Ok(a), Ok(b)) = (&first, &second)
                && a != b
            {
                let at = a
                    .iter()
                    .zip(b)
                    .position(|(x, y)| x != y)
                    .unwrap_or(a.len().min(b.len()));
                reporter.datum('H', &format!("{at} {}", input.name));
            }
        }
        let record = match first {
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
    reporter.datum('E', &engine_label);
    for line in Facts::of_this_process(started).to_lines() {
        reporter.datum('I', &line);
    }
    Ok(format!("{} inputs compressed", inputs.len()))
}
