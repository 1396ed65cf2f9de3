//! Memory discipline a core can break without crashing on ordinary heap
//! memory: writing into its input, reading past it, and keeping the input
//! pointer from one call to the next.
//!
//! Every input and every payload is handed to the core on read-only pages
//! whose last byte touches an inaccessible page ([`crate::verify::guard`]),
//! so a write or an over-read faults and is named. Then one buffer is
//! given different contents between calls: a core that caches by pointer
//! returns the old answer. (Uninitialised output bytes show as outputs
//! that change with the heap's contents, which the verifier's runs in
//! differently perturbed heaps find; heap corruption is left to glibc's
//! own checks, which the verifier turns on in this job's process.)

use super::basic::{SMALL_INPUT, compress_named, first_difference};
use super::{Failure, JobResult, UNWRITTEN};
use crate::corpus::Input;
use crate::engine::Engine;
use crate::verify::guard::{self, GuardedInput};

/// Inputs larger than this are left out of the guarded calls: mapping and
/// copying them costs time and finds nothing the smaller ones do not.
const GUARDED_LIMIT: usize = 8 << 20;

pub fn run(engine: &dyn Engine, inputs: &[Input], progress: &mut dyn FnMut(&str)) -> JobResult {
    guard::install_fault_handler().map_err(|e| {
        (
            "cannot set up the check process".to_string(),
            format!("fault handler: {e}"),
        )
    })?;
    let mut guarded = 0;
    for input in inputs.iter().filter(|i| i.data.len() <= GUARDED_LIMIT) {
        guarded_round_trip(engine, input, progress)?;
        guarded += 1;
    }
    let twice = same_input_twice(engine, inputs, progress)?;
    let pairs = reused_buffers(engine, inputs, progress)?;
    Ok(format!(
        "{guarded} inputs and payloads on read-only guarded pages, {twice} outputs within their buffers, {pairs} reused buffers"
    ))
}

fn map_error(input: &Input, e: std::io::Error) -> Failure {
    (
        "cannot set up guarded memory".to_string(),
        format!("input {}: {e}", input.name),
    )
}

/// Compresses `input` and decompresses the payload, each from guarded
/// read-only pages.
fn guarded_round_trip(
    engine: &dyn Engine,
    input: &Input,
    progress: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let source = GuardedInput::new(&input.data).map_err(|e| map_error(input, e))?;
    progress(&format!("{}: compress from guarded pages", input.name));
    let packed = source.watched(|data| compress_named(engine, &input.name, data))?;
    let payload = GuardedInput::new(&packed).map_err(|e| map_error(input, e))?;
    progress(&format!(
        "{}: decompress its payload from guarded pages",
        input.name
    ));
    // Whether the payload decodes right is the losslessness row's
    // business; here only touching memory matters.
    let _ = payload.watched(|data| engine.decompress_vec(data, input.data.len()));
    Ok(())
}

/// Two calls on each small input with the allocator's blocks at other
/// addresses in between. glibc's heap checks, on in this process, mark the
/// byte after each block's requested size with a value that depends on
/// the block's address, and fill the rest of the block's slack: a core
/// whose returned length runs past what it allocated (or wrote) returns
/// those bytes, which differ when the block moves (and only then: a core
/// whose output changes from call to call anyway is left to the
/// determinism row). Returns how many inputs were tried.
fn same_input_twice(
    engine: &dyn Engine,
    inputs: &[Input],
    progress: &mut dyn FnMut(&str),
) -> Result<usize, Failure> {
    let mut tried = 0;
    let mut shift: Vec<Vec<u8>> = Vec::new();
    for input in inputs.iter().filter(|i| i.data.len() <= SMALL_INPUT) {
        progress(&format!("{}: compress twice", input.name));
        let first = compress_named(engine, &input.name, &input.data)?;
        // With nothing moved, the core's block is the one just freed: a
        // difference now is the core's own (the determinism row's).
        if compress_named(engine, &input.name, &input.data)? != first {
            continue;
        }
        // Move the next block elsewhere.
        shift.push(vec![0u8; 24 + tried % 40]);
        let second = compress_named(engine, &input.name, &input.data)?;
        if first != second {
            let at = first
                .iter()
                .zip(&second)
                .position(|(a, b)| a != b)
                .unwrap_or(first.len().min(second.len()));
            return Err((
                UNWRITTEN.to_string(),
                format!(
                    "input {}: two calls differ at byte {at} of {}: bytes past what the core allocated or wrote (glibc marks the byte after each block)",
                    input.name,
                    first.len()
                ),
            ));
        }
        tried += 1;
    }
    Ok(tried)
}

/// The same buffer, different contents: compress `a` from a buffer, put
/// `b` (of the same length) into that buffer, compress again, and compare
/// with `b` compressed from a buffer of its own. Likewise for payloads.
/// Returns how many pairs were tried.
fn reused_buffers(
    engine: &dyn Engine,
    inputs: &[Input],
    progress: &mut dyn FnMut(&str),
) -> Result<usize, Failure> {
    let mut pairs = 0;
    for input in inputs
        .iter()
        .filter(|i| i.data.len() >= 2 && i.data.len() <= SMALL_INPUT)
    {
        let other: Vec<u8> = input.data.iter().rev().map(|b| b ^ 0x5a).collect();
        let mut buffer = input.data.clone();
        progress(&format!("{}: compress from a buffer", input.name));
        let first = compress_named(engine, &input.name, &buffer)?;
        buffer.copy_from_slice(&other);
        progress(&format!(
            "{}: compress other bytes from the same buffer",
            input.name
        ));
        let reused = compress_named(engine, &input.name, &buffer)?;
        let fresh = compress_named(engine, &input.name, &other.clone())?;
        // A core whose output changes from call to call anyway is the
        // determinism row's.
        if compress_named(engine, &input.name, &other.clone())? != fresh {
            continue;
        }
        if reused != fresh {
            let why = if reused == first {
                "returned the previous contents' output"
            } else {
                "gave other bytes"
            };
            return Err((
                "the core keeps its input pointer between calls".to_string(),
                format!(
                    "input {}: compressing a buffer again after its bytes changed {why} ({})",
                    input.name,
                    first_difference(&fresh, &reused)
                ),
            ));
        }
        // Payloads: two of different inputs, decoded from one buffer.
        let room = first.len().max(fresh.len());
        let mut payload = vec![0u8; room];
        payload[..first.len()].copy_from_slice(&first);
        progress(&format!("{}: decompress from a buffer", input.name));
        let _ = engine.decompress_vec(&payload[..first.len()], input.data.len());
        payload[..fresh.len()].copy_from_slice(&fresh);
        progress(&format!(
            "{}: decompress another payload from the same buffer",
            input.name
        ));
        let back = engine.decompress_vec(&payload[..fresh.len()], other.len());
        let alone = engine.decompress_vec(&fresh.clone(), other.len());
        if let (Ok(back), Ok(alone)) = (back, alone)
            && back != alone
        {
            let why = if back == input.data {
                "returned the previous payload's contents"
            } else {
                "gave other bytes"
            };
            return Err((
                "the core keeps its input pointer between calls".to_string(),
                format!(
                    "input {}: decompressing a buffer again after its bytes changed {why}",
                    input.name
                ),
            ));
        }
        pairs += 1;
    }
    Ok(pairs)
}
