//! The checks themselves, run in-process on one engine.
//!
//! These are the risky parts of `h4 verify`: a bad core can crash, hang or
//! corrupt the heap while they run, so the verifier runs each one in a
//! child process (see [`super::runner`]). Before every call that might
//! misbehave a check reports what it is about to do, so a crash or a hang
//! can be pinned to an input and an iteration.

use std::time::Instant;

use super::{Check, Outcome};
use crate::corpus::{Input, Rng};
use crate::engine::core::Core;
use crate::engine::{Engine, EngineError};

/// What a check is told about the run.
pub struct Settings {
    /// Determinism iterations per input.
    pub iterations: usize,
    /// Corrupted payloads for the robustness check.
    pub fuzz: usize,
    /// Threads for the concurrency checks.
    pub threads: usize,
    /// The check runs under valgrind, whose own leak report replaces the
    /// resident-memory measure (valgrind's allocator distorts it).
    pub under_valgrind: bool,
}

/// Runs one check. `progress` hears what is about to happen before each
/// risky call.
pub fn run(
    check: Check,
    engine: &dyn Engine,
    core: Option<&Core>,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Outcome {
    let result = match check {
        Check::Abi => abi(engine, core, progress),
        Check::Determinism => determinism(engine, inputs, settings, progress),
        Check::Losslessness => losslessness(engine, inputs, progress),
        Check::Robustness => robustness(engine, inputs, settings, progress),
        Check::Leaks if settings.under_valgrind => leaks_under_valgrind(engine, inputs, progress),
        Check::Leaks => leaks(engine, inputs, progress),
        Check::ThreadSafety => thread_safety(engine, inputs, settings, progress),
    };
    match result {
        Ok(summary) => Outcome::pass(summary),
        Err((summary, evidence)) => Outcome::fail(summary, evidence),
    }
}

/// The largest input the robustness and thread-safety checks use: larger
/// ones make each call slow without finding more.
const SMALL_INPUT: usize = 300_000;

/// A failed check: a summary and one line of evidence.
type Failure = (String, String);

fn compress(engine: &dyn Engine, input: &Input) -> Result<Vec<u8>, Failure> {
    compress_named(engine, &input.name, &input.data)
}

/// Compresses `data` (the input called `name`, perhaps moved elsewhere).
fn compress_named(engine: &dyn Engine, name: &str, data: &[u8]) -> Result<Vec<u8>, Failure> {
    engine.compress_vec(data).map_err(|e| {
        (
            "compression failed".to_string(),
            format!("input {name}: {e}"),
        )
    })
}

/// Describes where two outputs first differ.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(at) => format!("first difference at byte {at}"),
        None => format!("lengths differ ({} vs {} bytes)", a.len(), b.len()),
    }
}

fn abi(
    engine: &dyn Engine,
    core: Option<&Core>,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let Some(core) = core else {
        return Ok(format!("built-in {}: no ABI to check", engine.id()));
    };
    progress("h4_free(NULL)");
    core.free_null();
    progress("h4_compress and h4_free on one byte");
    core.compress_vec(b"h")
        .map_err(|e| ("h4_compress failed on one byte".to_string(), e.to_string()))?;
    let version = core
        .version()
        .map(|v| format!(", version {v}"))
        .unwrap_or_default();
    Ok(format!(
        "3 symbols, h4_free(NULL) is a no-op; name '{}'{version}",
        engine.id().name
    ))
}

fn determinism(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let mut baselines = Vec::with_capacity(inputs.len());
    for input in inputs {
        progress(&format!("{}: first call", input.name));
        let base = compress(engine, input)?;
        for iteration in 1..settings.iterations {
            progress(&format!("{}: iteration {iteration}", input.name));
            let again = compress(engine, input)?;
            if again != base {
                return Err((
                    "same input, different bytes".to_string(),
                    format!(
                        "input {}, iteration {iteration}: {}",
                        input.name,
                        first_difference(&base, &again)
                    ),
                ));
            }
        }
        // The same bytes at other addresses and alignments.
        for shift in 1..8 {
            progress(&format!("{}: copy at alignment +{shift}", input.name));
            let mut buffer = vec![0u8; input.data.len() + shift];
            buffer[shift..].copy_from_slice(&input.data);
            let moved = compress_named(engine, &input.name, &buffer[shift..])?;
            if moved != base {
                return Err((
                    "output depends on the input's address".to_string(),
                    format!(
                        "input {} copied to alignment +{shift}: {}",
                        input.name,
                        first_difference(&base, &moved)
                    ),
                ));
            }
        }
        baselines.push(Baseline {
            input,
            packed: base,
            unpacked: None,
        });
    }
    progress("all inputs from several threads at once");
    if let Some((thread, name, diff)) =
        concurrent_mismatch(engine, &baselines, settings.threads, true)
    {
        return Err((
            "concurrent calls on the same input differ".to_string(),
            format!("thread {thread}, input {name}: {diff}"),
        ));
    }
    Ok(format!(
        "{} iterations x {} inputs, 8 alignments, {} threads at once",
        settings.iterations,
        inputs.len(),
        settings.threads
    ))
}

fn losslessness(
    engine: &dyn Engine,
    inputs: &[Input],
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let mut bytes = 0usize;
    for input in inputs {
        progress(&format!("{}: compress", input.name));
        let packed = compress(engine, input)?;
        progress(&format!("{}: decompress", input.name));
        let back = engine
            .decompress_vec(&packed, input.data.len())
            .map_err(|e| {
                (
                    "a compressed input does not decompress".to_string(),
                    format!("input {}: {e}", input.name),
                )
            })?;
        if back != input.data {
            return Err((
                "decompress(compress(x)) != x".to_string(),
                format!(
                    "input {}: {}",
                    input.name,
                    first_difference(&input.data, &back)
                ),
            ));
        }
        bytes += input.data.len();
    }
    Ok(format!(
        "{} inputs, {} bytes, all exact",
        inputs.len(),
        bytes
    ))
}

/// The kinds of corruption the robustness check feeds to the decoder.
const MUTATIONS: [&str; 7] = [
    "bit flips",
    "truncation",
    "extension",
    "random bytes",
    "length field",
    "zeroed range",
    "duplicated range",
];

/// Corrupts `payload` in place with mutation `kind`.
pub fn mutate(payload: &mut Vec<u8>, kind: usize, rng: &mut Rng) {
    let len = payload.len().max(1);
    match kind {
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !payload.is_empty() {
                    let at = rng.below(payload.len());
                    payload[at] ^= 1 << rng.below(8);
                }
            }
        }
        1 => payload.truncate(rng.below(len)),
        2 => {
            let n = 1 + rng.below(64);
            let extra = rng.bytes(n);
            payload.extend_from_slice(&extra);
        }
        3 => *payload = rng.bytes(payload.len()),
        4 => {
            // Headers and length fields sit at the front of most formats:
            // fill a few of the first bytes with extreme values.
            let value = [0x00, 0xff, 0x7f, 0x80][rng.below(4)];
            let start = rng.below(len.min(16));
            let end = (start + 1 + rng.below(8)).min(payload.len());
            payload[start..end].fill(value);
        }
        5 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(payload.len());
            payload[start..end].fill(0);
        }
        _ => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(payload.len());
            if start < end {
                let chunk = payload[start..end].to_vec();
                payload.splice(start..start, chunk);
            }
        }
    }
}

fn robustness(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    // Corrupt payloads of the small and medium inputs: large ones make
    // each case slow without finding more.
    let mut bases = Vec::new();
    for input in inputs.iter().filter(|i| i.data.len() <= SMALL_INPUT) {
        progress(&format!("{}: compress", input.name));
        bases.push((input, compress(engine, input)?));
    }
    let mut rng = Rng::new(0x00f0_22ed);
    let (mut rejected, mut decoded) = (0usize, 0usize);
    for case in 0..settings.fuzz {
        let (input, payload) = &bases[case % bases.len()];
        let kind = rng.below(MUTATIONS.len());
        let mut bad = payload.clone();
        mutate(&mut bad, kind, &mut rng);
        progress(&format!(
            "case {case}: {} of the compressed '{}' ({} bytes)",
            MUTATIONS[kind],
            input.name,
            bad.len()
        ));
        // Any answer is acceptable; only a crash or a hang is not. The
        // limit keeps a lying length from costing memory.
        let limit = (input.data.len() * 4).max(1 << 20);
        match engine.decompress_vec(&bad, limit) {
            Ok(out) if !out.is_empty() => decoded += 1,
            _ => rejected += 1,
        }
    }
    Ok(format!(
        "{} corrupted payloads, no crash or hang ({rejected} rejected or empty, {decoded} decoded to something)",
        settings.fuzz
    ))
}

/// Round trips on every input once; valgrind's leak check at exit (which
/// the runner turns into a failure) does the judging.
fn leaks_under_valgrind(
    engine: &dyn Engine,
    inputs: &[Input],
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    for input in inputs {
        progress(&format!("{}: round trip", input.name));
        let packed = compress(engine, input)?;
        let _ = engine.decompress_vec(&packed, input.data.len());
    }
    Ok(format!(
        "{} round trips; valgrind found no definite leaks",
        inputs.len()
    ))
}

/// Resident memory of this process in bytes, from /proc (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Memory growth above this over the leak check's calls is a leak.
const LEAK_THRESHOLD: u64 = 4 << 20;

fn leaks(
    engine: &dyn Engine,
    inputs: &[Input],
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    if resident_bytes().is_none() {
        return Ok("skipped: resident memory is not readable on this system".to_string());
    }
    let small = inputs
        .iter()
        .find(|i| i.name == "one-byte")
        .map_or(&b"h"[..], |i| &i.data);
    let large = inputs
        .iter()
        .find(|i| i.name == "text-like")
        .map_or(&[0u8; 100_000][..], |i| &i.data);
    let mut run = |data: &[u8], calls: usize, label: &str| -> Result<u64, Failure> {
        let once = || -> Result<(), EngineError> {
            let packed = engine.compress_vec(data)?;
            engine.decompress_vec(&packed, data.len()).map(drop)
        };
        progress(&format!("{label}: warm-up"));
        for _ in 0..calls / 10 {
            once().map_err(|e| ("a call failed".to_string(), format!("{label}: {e}")))?;
        }
        let before = resident_bytes().unwrap_or(0);
        progress(&format!("{label}: {calls} calls"));
        for _ in 0..calls {
            once().map_err(|e| ("a call failed".to_string(), format!("{label}: {e}")))?;
        }
        Ok(resident_bytes().unwrap_or(0).saturating_sub(before))
    };
    const SMALL_CALLS: usize = 20_000;
    const LARGE_CALLS: usize = 300;
    let started = Instant::now();
    let small_growth = run(small, SMALL_CALLS, "1-byte input")?;
    let large_growth = run(large, LARGE_CALLS, "200 KB input")?;
    let worst = small_growth.max(large_growth);
    let summary = format!(
        "resident memory grew {} KiB over {SMALL_CALLS} small and {LARGE_CALLS} large round trips ({:.1} s)",
        worst / 1024,
        started.elapsed().as_secs_f64()
    );
    if worst > LEAK_THRESHOLD {
        return Err((
            "memory grows with every call".to_string(),
            format!(
                "+{} KiB after {SMALL_CALLS} calls on 1 byte, +{} KiB after {LARGE_CALLS} calls on 200 KB",
                small_growth / 1024,
                large_growth / 1024
            ),
        ));
    }
    Ok(summary)
}

/// Serial results to compare concurrent calls against.
struct Baseline<'a> {
    input: &'a Input,
    packed: Vec<u8>,
    /// The serial decompression of `packed`, when the check decompresses.
    unpacked: Option<Vec<u8>>,
}

/// Runs the baselines' compressions (and decompressions, where they have
/// them) on `threads` threads at once and returns the first result that
/// differs from the serial one: every thread runs every input when
/// `same_input`, else each thread its own share.
fn concurrent_mismatch(
    engine: &dyn Engine,
    baselines: &[Baseline],
    threads: usize,
    same_input: bool,
) -> Option<(usize, String, String)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    for round in 0..3 {
                        for (i, base) in baselines.iter().enumerate() {
                            let input = base.input;
                            if !same_input && (i + round) % threads != t {
                                continue;
                            }
                            let mismatch = |what: &str, want: &[u8], got: &[u8]| {
                                Some((
                                    t,
                                    input.name.clone(),
                                    format!("{what} {}", first_difference(want, got)),
                                ))
                            };
                            let got = engine.compress_vec(&input.data).unwrap_or_default();
                            if got != base.packed {
                                return mismatch("compression:", &base.packed, &got);
                            }
                            if let Some(want) = &base.unpacked {
                                let back = engine
                                    .decompress_vec(&base.packed, input.data.len())
                                    .unwrap_or_default();
                                if back != *want {
                                    return mismatch("decompression:", want, &back);
                                }
                            }
                        }
                    }
                    None
                })
            })
            .collect();
        handles.into_iter().find_map(|h| h.join().ok().flatten())
    })
}

fn thread_safety(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    // Small inputs make many calls overlap.
    let mut baselines = Vec::new();
    for input in inputs.iter().filter(|i| i.data.len() <= SMALL_INPUT) {
        progress(&format!("{}: serial calls", input.name));
        let packed = compress(engine, input)?;
        let unpacked = engine
            .decompress_vec(&packed, input.data.len())
            .unwrap_or_default();
        baselines.push(Baseline {
            input,
            packed,
            unpacked: Some(unpacked),
        });
    }
    progress(&format!("{} threads on different inputs", settings.threads));
    if let Some((thread, name, diff)) =
        concurrent_mismatch(engine, &baselines, settings.threads, false)
    {
        return Err((
            "concurrent calls differ from serial calls".to_string(),
            format!("thread {thread}, input {name}: {diff}"),
        ));
    }
    Ok(format!(
        "{} threads x {} inputs x 3 rounds match serial calls",
        settings.threads,
        baselines.len()
    ))
}
