//! Leaks, counted in bytes: the live heap (what `malloc` handed out and
//! did not get back) before and after thousands of identical calls must
//! be the same. A core that loses 32 bytes every thousandth call is a
//! leak that resident memory never shows; the allocator's own count does.
//! Resident memory is still watched over large calls, for cores that map
//! memory themselves.

use super::{JobResult, Settings};
use crate::corpus::{self, Rng};
use crate::engine::{Engine, EngineError};
use crate::verify::heap;

/// Small round trips between checkpoints, and checkpoints.
const ROUNDS: usize = 2_000;
const CHECKPOINTS: usize = 8;

/// Large round trips for the resident-memory measure.
const LARGE_CALLS: usize = 200;

/// Resident growth above this over the large calls is a leak.
const RESIDENT_THRESHOLD: u64 = 4 << 20;

pub fn run(engine: &dyn Engine, settings: &Settings, progress: &mut dyn FnMut(&str)) -> JobResult {
    let mut rng = Rng::new(0x1eac);
    let small = [
        vec![0x5a],
        corpus::text_like(&mut rng, 1024),
        rng.bytes(300),
        vec![0u8; 2048],
    ];
    // Under valgrind, its own leak report at exit judges; a few round
    // trips give it something to judge.
    let (rounds, checkpoints) = if settings.under_valgrind {
        (200, 1)
    } else {
        (ROUNDS, CHECKPOINTS)
    };
    let round_trips = |count: usize| -> Result<(), EngineError> {
        for _ in 0..count {
            for data in &small {
                round_trips_of(engine, data, 1)?;
            }
        }
        Ok(())
    };
    let failed = |e: EngineError| ("a call failed".to_string(), e.to_string());
    progress("warm-up: small round trips");
    round_trips(rounds / 4).map_err(failed)?;
    let mut live = Vec::with_capacity(checkpoints + 1);
    live.push(heap::live_bytes());
    for checkpoint in 0..checkpoints {
        progress(&format!(
            "small round trips {}-{}",
            checkpoint * rounds,
            (checkpoint + 1) * rounds
        ));
        round_trips(rounds).map_err(failed)?;
        live.push(heap::live_bytes());
    }
    let calls = rounds * checkpoints * small.len();
    if settings.under_valgrind {
        return Ok(format!(
            "{} round trips; valgrind found no definite leaks",
            calls
        ));
    }
    let live: Vec<u64> = live.into_iter().flatten().collect();
    if let (Some(first), Some(last)) = (live.first(), live.last()) {
        let grew = live.windows(2).filter(|w| w[1] > w[0]).count();
        // Growing at most checkpoints is a leak; one step (a cache filled
        // late) is not.
        if last > first && grew >= 3 {
            return Err((
                "the live heap grows with the number of calls".to_string(),
                format!(
                    "+{} bytes over {calls} compress/decompress calls on 4 small inputs (live bytes at each of {} checkpoints: {})",
                    last - first,
                    live.len(),
                    live.iter()
                        .map(|b| b.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    let large = corpus::text_like(&mut rng, 200_000);
    progress("warm-up: large round trips");
    round_trips_of(engine, &large, LARGE_CALLS / 10).map_err(failed)?;
    let before = resident_bytes();
    progress(&format!("{LARGE_CALLS} large round trips"));
    round_trips_of(engine, &large, LARGE_CALLS).map_err(failed)?;
    let grown = resident_bytes()
        .zip(before)
        .map(|(a, b)| a.saturating_sub(b));
    if let Some(grown) = grown
        && grown > RESIDENT_THRESHOLD
    {
        return Err((
            "resident memory grows with the number of calls".to_string(),
            format!(
                "+{} KiB over {LARGE_CALLS} round trips of 200 KB",
                grown / 1024
            ),
        ));
    }
    let heap_note = match live.as_slice() {
        [first, .., last] => format!("live heap {first} -> {last} bytes"),
        _ => "live heap not measurable here".to_string(),
    };
    Ok(format!(
        "{heap_note} over {calls} small calls; resident +{} KiB over {LARGE_CALLS} large round trips",
        grown.unwrap_or(0) / 1024,
    ))
}

fn round_trips_of(engine: &dyn Engine, data: &[u8], count: usize) -> Result<(), EngineError> {
    for _ in 0..count {
        let packed = engine.compress_vec(data)?;
        engine.decompress_vec(&packed, data.len())?;
    }
    Ok(())
}

/// Resident memory of this process in bytes, from /proc (Linux).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
