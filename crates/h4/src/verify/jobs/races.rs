//! Thread safety: concurrent calls must give what serial calls give.
//!
//! Races hide: one in decompression only shows when two decompressions
//! overlap, one in a lazily built table only when the very first calls of
//! a process do. So compression and decompression are hammered
//! separately and together, by more threads than there are CPUs, for long
//! enough that a race shows every time; and the first calls of fresh
//! processes are made concurrently, started together by a spinning
//! barrier (the verifier runs that job in many fresh processes).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::basic::{SMALL_INPUT, first_difference};
use super::{Failure, JobResult, Settings};
use crate::corpus::{self, Input, Rng};
use crate::engine::Engine;

/// How long each phase hammers the engine.
const PHASE: Duration = Duration::from_millis(700);

/// One input with its serial results.
struct Known<'a> {
    input: &'a Input,
    packed: Vec<u8>,
    unpacked: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Compress,
    Decompress,
    Both,
    /// Every thread compresses the same input at the same time.
    SameInput,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Compress => "concurrent compressions",
            Phase::Decompress => "concurrent decompressions",
            Phase::Both => "concurrent compressions and decompressions",
            Phase::SameInput => "concurrent compressions of the same input",
        }
    }
}

/// The number of CPUs this process may run on.
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

pub fn run(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    let threads = settings.threads.max(2 * cpus()).max(2);
    let mut known = Vec::new();
    for input in inputs
        .iter()
        .filter(|i| !i.data.is_empty() && i.data.len() <= SMALL_INPUT)
    {
        progress(&format!("{}: serial calls", input.name));
        let packed = engine.compress_vec(&input.data).map_err(|e| {
            (
                "compression failed".to_string(),
                format!("input {}: {e}", input.name),
            )
        })?;
        let unpacked = engine
            .decompress_vec(&packed, input.data.len())
            .unwrap_or_default();
        known.push(Known {
            input,
            packed,
            unpacked,
        });
    }
    let phase_time = if settings.under_valgrind {
        PHASE * 4
    } else {
        PHASE
    };
    let mut calls = 0;
    for phase in [
        Phase::Compress,
        Phase::Decompress,
        Phase::Both,
        Phase::SameInput,
    ] {
        progress(&format!("{threads} threads: {}", phase.name()));
        calls += hammer(engine, &known, threads, phase, phase_time)?;
    }
    Ok(format!(
        "{threads} threads on {} CPUs: {calls} concurrent calls on {} inputs match serial calls (compress, decompress, both, same input)",
        cpus(),
        known.len()
    ))
}

/// Runs `phase` on `threads` threads for `time`, each thread walking the
/// inputs from its own starting point; returns the number of calls.
fn hammer(
    engine: &dyn Engine,
    known: &[Known],
    threads: usize,
    phase: Phase,
    time: Duration,
) -> Result<usize, Failure> {
    let stop = AtomicBool::new(false);
    let calls = AtomicUsize::new(0);
    let deadline = Instant::now() + time;
    let failure = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (stop, calls) = (&stop, &calls);
                scope.spawn(move || -> Option<Failure> {
                    let mut i = if phase == Phase::SameInput {
                        0
                    } else {
                        t * known.len() / threads
                    };
                    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                        let k = &known[i % known.len()];
                        i += 1;
                        let compress = match phase {
                            Phase::Compress | Phase::SameInput => true,
                            Phase::Decompress => false,
                            Phase::Both => (i + t) % 2 == 0,
                        };
                        let wrong = if compress {
                            let got = engine.compress_vec(&k.input.data).unwrap_or_default();
                            (got != k.packed).then(|| {
                                format!("compression: {}", first_difference(&k.packed, &got))
                            })
                        } else {
                            let got = engine
                                .decompress_vec(&k.packed, k.input.data.len())
                                .unwrap_or_default();
                            (got != k.unpacked).then(|| {
                                format!("decompression: {}", first_difference(&k.unpacked, &got))
                            })
                        };
                        calls.fetch_add(1, Ordering::Relaxed);
                        if let Some(wrong) = wrong {
                            stop.store(true, Ordering::Relaxed);
                            return Some((
                                format!("{} differ from serial calls", phase.name()),
                                format!("thread {t}, input {}: {wrong}", k.input.name),
                            ));
                        }
                    }
                    None
                })
            })
            .collect();
        handles.into_iter().find_map(|h| h.join().ok().flatten())
    });
    match failure {
        Some(failure) => Err(failure),
        None => Ok(calls.into_inner()),
    }
}

/// The first calls of this process, made concurrently by one thread per
/// CPU (at least two) released together, thread `t` after a further
/// `t × stagger`: compressions, or (after serial compressions)
/// decompressions. Compared with serial calls made after.
///
/// The stagger is for state a core sets up on its first call: threads
/// that start together all find it missing and each build their own,
/// which hides a "ready" flag set before the state is complete. Only a
/// call that starts while another is building finds it half made, and
/// how long building takes depends on the core; the verifier runs fresh
/// processes with staggers from none to tens of microseconds.
pub fn first_calls(
    engine: &dyn Engine,
    decompress: bool,
    stagger: std::time::Duration,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    let threads = cpus().max(2);
    let mut rng = Rng::new(0xf125);
    // Different inputs with different most common bytes, so a shared
    // table filled by one call and read by another shows.
    let inputs: Vec<Vec<u8>> = (0..threads)
        .map(|t| {
            let mut data = corpus::text_like(&mut rng, 16 * 1024 + t * 1000);
            for (i, b) in data.iter_mut().enumerate() {
                if i % 3 == t % 3 {
                    *b = b.wrapping_add(t as u8 * 17);
                }
            }
            data
        })
        .collect();
    let payloads: Vec<Vec<u8>> = if decompress {
        progress("serial compressions");
        inputs
            .iter()
            .map(|data| engine.compress_vec(data))
            .collect::<Result<_, _>>()
            .map_err(|e| ("compression failed".to_string(), e.to_string()))?
    } else {
        Vec::new()
    };
    progress(&format!(
        "{threads} concurrent first {}",
        if decompress {
            "decompressions"
        } else {
            "compressions"
        }
    ));
    // The threads release each other: the last to arrive sets them all
    // off. The main thread waits in `join`, off the CPUs: a spinning
    // main thread would keep one of the callers off a CPU of its own,
    // to start tens of microseconds late once the scheduler got to it.
    let ready = AtomicUsize::new(0);
    let results: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (ready, inputs, payloads) = (&ready, &inputs, &payloads);
                scope.spawn(move || {
                    // The C library gives a thread its heap on its first
                    // allocation (tens of microseconds, varying): done
                    // before the release, or it would scatter the calls'
                    // starts more than any stagger.
                    drop(std::hint::black_box(vec![1u8; 1 << 16]));
                    ready.fetch_add(1, Ordering::SeqCst);
                    while ready.load(Ordering::SeqCst) < threads {
                        std::hint::spin_loop();
                    }
                    let start = std::time::Instant::now() + stagger * t as u32;
                    while std::time::Instant::now() < start {
                        std::hint::spin_loop();
                    }
                    if decompress {
                        engine
                            .decompress_vec(&payloads[t], inputs[t].len())
                            .unwrap_or_default()
                    } else {
                        engine.compress_vec(&inputs[t]).unwrap_or_default()
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    progress("serial calls to compare with");
    for (t, got) in results.iter().enumerate() {
        let want = if decompress {
            engine
                .decompress_vec(&payloads[t], inputs[t].len())
                .unwrap_or_default()
        } else {
            engine.compress_vec(&inputs[t]).unwrap_or_default()
        };
        if *got != want {
            let what = if decompress {
                "decompressions"
            } else {
                "compressions"
            };
            return Err((
                format!("concurrent first {what} of a process differ from serial calls"),
                format!(
                    "thread {t} of {threads}, a 16 KB text: {}",
                    first_difference(&want, got)
                ),
            ));
        }
    }
    Ok(format!(
        "{threads} concurrent first calls match serial calls"
    ))
}
