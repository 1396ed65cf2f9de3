//! Time against size: a core whose time grows faster than its input (a
//! rescan per token, a quadratic search on long runs) passes every test on
//! small inputs and stalls on a real one. Each kind of input is doubled
//! from 64 KiB until a call takes long enough to measure well or the input
//! reaches 8 MiB, and the best of three timings compared: linear work
//! doubles the time when the input doubles, quadratic work quadruples it.
//! Caches make linear work look worse for a doubling or two (up to three
//! times the time, as the data outgrows each level), so only time that
//! grows more than 3.5 times per doubling over two doublings in a row,
//! and is slow by the largest size, counts as superlinear. A curve that
//! looks superlinear is measured once more and fails only if it looks so
//! again: a quadratic core is quadratic every time, while a shared machine
//! now and then makes one size slow (the kernel zeroing fresh pages, which
//! the thread's CPU clock counts, can stall for tens of milliseconds).

use super::{JobResult, SUPERLINEAR, Settings};
use crate::corpus::{self, Rng};
use crate::engine::{Engine, EngineError};

/// The smallest and largest sizes tried.
const FIRST: usize = 64 << 10;
const LAST: usize = 8 << 20;

/// A call this slow is long enough to measure: stop doubling.
const ENOUGH_SECONDS: f64 = 0.2;

/// Timings below this are too short to fit.
const MEASURABLE_SECONDS: f64 = 0.002;

/// A doubling of the input that multiplies the time by more than this is
/// superlinear (linear work: 2, quadratic work: 4).
const MAX_RATIO: f64 = 3.5;

/// Only a core this slow at the largest size measured can fail: a fast
/// linear core's time per byte still grows a little with the size (caches,
/// page faults), and a superlinear one is slow by the time it is measured.
const SLOW_BYTES_PER_SECOND: f64 = 64e6;

/// How many doublings in a row are averaged against [`MAX_RATIO`].
const DOUBLINGS: usize = 2;

/// How the best of three timings at each size grew.
struct Curve {
    points: Vec<(usize, f64)>,
}

impl Curve {
    /// How many times longer each doubling of the input took, over the
    /// measurable points.
    fn ratios(&self) -> Vec<f64> {
        let times: Vec<f64> = self
            .points
            .iter()
            .map(|p| p.1)
            .filter(|&t| t >= MEASURABLE_SECONDS)
            .collect();
        times.windows(2).map(|w| w[1] / w[0]).collect()
    }

    /// Whether time grew more than [`MAX_RATIO`] times per doubling over
    /// some [`DOUBLINGS`] doublings in a row, to a speed under
    /// [`SLOW_BYTES_PER_SECOND`] at the largest size.
    fn superlinear(&self) -> bool {
        let slow = self
            .points
            .last()
            .is_some_and(|&(n, t)| n as f64 / t < SLOW_BYTES_PER_SECOND);
        slow && self.worst() > MAX_RATIO
    }

    /// The largest ratio per doubling over any [`DOUBLINGS`] doublings in
    /// a row: how close the curve came to failing.
    fn worst(&self) -> f64 {
        self.ratios()
            .windows(DOUBLINGS)
            .map(|w| w.iter().product::<f64>().powf(1.0 / DOUBLINGS as f64))
            .fold(0.0, f64::max)
    }

    fn describe(&self) -> String {
        self.points
            .iter()
            .map(|(n, t)| format!("{} KiB {:.1} ms", n >> 10, t * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A kind of input: its name, and how to make it at any size.
type InputKind = (&'static str, fn(usize) -> Vec<u8>);

/// The kinds of input measured, by name, each made at any size.
fn kinds() -> [InputKind; 5] {
    [
        ("one run of zeros", |n| vec![0; n]),
        ("text-like", |n| corpus::text_like(&mut Rng::new(0xc057), n)),
        ("random", |n| Rng::new(0xc058).bytes(n)),
        ("alternating bytes", |n| {
            (0..n)
                .map(|i| if i % 2 == 0 { 0x55 } else { 0xaa })
                .collect()
        }),
        ("runs of 300", |n| (0..n).map(|i| (i / 300) as u8).collect()),
    ]
}

pub fn run(engine: &dyn Engine, settings: &Settings, progress: &mut dyn FnMut(&str)) -> JobResult {
    if settings.under_valgrind {
        return Ok("skipped under valgrind (its slowdown is not the core's)".to_string());
    }
    let mut worst = 0.0f64;
    for (kind, make) in kinds() {
        // A call that fails is the other rows' business (losslessness,
        // robustness); here the kind is measured as far as it goes.
        let mut curves = measure(engine, kind, make, progress);
        if curves.0.superlinear() || curves.1.superlinear() {
            progress(&format!("{kind}: superlinear once, measuring again"));
            curves = measure(engine, kind, make, progress);
        }
        let (compress, decompress) = curves;
        for (direction, curve) in [("compress", &compress), ("decompress", &decompress)] {
            worst = worst.max(curve.worst());
            if curve.superlinear() {
                return Err((
                    format!(
                        "{direction} {SUPERLINEAR} on {kind}: x{:.1} per doubling",
                        curve.worst()
                    ),
                    curve.describe(),
                ));
            }
        }
    }
    Ok(format!(
        "time at most x{worst:.1} per doubling of the input, 64 KiB up (5 kinds of input)"
    ))
}

/// The compress and decompress curves of one kind of input.
fn measure(
    engine: &dyn Engine,
    kind: &str,
    make: fn(usize) -> Vec<u8>,
    progress: &mut dyn FnMut(&str),
) -> (Curve, Curve) {
    let mut compress = Curve { points: Vec::new() };
    let mut decompress = Curve { points: Vec::new() };
    let mut decoding = true;
    let mut size = FIRST;
    while size <= LAST {
        let data = make(size);
        progress(&format!("{kind}, {} KiB: compress", size >> 10));
        let Ok((packed, compress_time)) = best_of_three(|| engine.compress_vec(&data)) else {
            break;
        };
        compress.points.push((size, compress_time));
        let mut slowest = compress_time;
        if decoding {
            progress(&format!("{kind}, {} KiB: decompress", size >> 10));
            match best_of_three(|| engine.decompress_vec(&packed, data.len())) {
                Ok((_, time)) => {
                    decompress.points.push((size, time));
                    slowest = slowest.max(time);
                }
                Err(_) => decoding = false,
            }
        }
        if slowest >= ENOUGH_SECONDS {
            break;
        }
        size *= 2;
    }
    (compress, decompress)
}

/// The CPU time this thread has used: what a call costs, whatever else
/// the machine is doing.
fn thread_seconds() -> f64 {
    use nix::time::{ClockId, clock_gettime};
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map_or(0.0, |t| t.tv_sec() as f64 + t.tv_nsec() as f64 * 1e-9)
}

/// Runs `call` up to three times and returns its result and the shortest
/// CPU time; a slow first call is not repeated.
fn best_of_three<T>(
    mut call: impl FnMut() -> Result<T, EngineError>,
) -> Result<(T, f64), EngineError> {
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..3 {
        let start = thread_seconds();
        let value = call()?;
        let seconds = thread_seconds() - start;
        best = best.min(seconds);
        result = Some(value);
        if seconds >= ENOUGH_SECONDS {
            break;
        }
    }
    Ok((result.expect("called at least once"), best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::reference::Hooked;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The verdict on the reference engine made to spend a chosen CPU
    /// time per compression: `spin(n, call)` seconds for an input of `n`
    /// bytes on the engine's `call`-th compression.
    fn verdict(spin: fn(usize, usize) -> f64) -> JobResult {
        let calls = AtomicUsize::new(0);
        let engine = Hooked::new(move |compressing, n| {
            if compressing {
                let call = calls.fetch_add(1, Ordering::Relaxed);
                let until = thread_seconds() + spin(n, call);
                while thread_seconds() < until {
                    std::hint::spin_loop();
                }
            }
        });
        let settings = Settings {
            iterations: 1,
            fuzz: 0,
            threads: 1,
            under_valgrind: false,
            skip_large: false,
            stagger: std::time::Duration::ZERO,
        };
        run(&engine, &settings, &mut |_| {})
    }

    #[test]
    fn one_slow_size_is_measured_again_and_a_quadratic_core_still_fails() {
        // 1 ns a byte, but the first three calls at 8 MiB (the first
        // kind's last size) take 150 ms: a stall of the machine, not of
        // the core.
        let stalled = verdict(|n, call| {
            let stall = n == LAST && call < 3 * 8;
            if stall { 0.15 } else { n as f64 * 1e-9 }
        });
        assert!(stalled.is_ok(), "{stalled:?}");
        // Quadratic every time: fails, on the first kind.
        let quadratic = verdict(|n, _| {
            let mib = n as f64 / (1 << 20) as f64;
            0.004 * mib * mib
        });
        let failure = quadratic.expect_err("a quadratic core fails").0;
        assert!(failure.contains("one run of zeros"), "{failure}");
    }

    #[test]
    fn doublings_tell_linear_from_quadratic() {
        let curve = |power: f64| Curve {
            points: (0..6)
                .map(|i| {
                    let n = FIRST << i;
                    (n, 0.001 * ((n / FIRST) as f64).powf(power))
                })
                .collect(),
        };
        assert!(!curve(1.0).superlinear());
        assert!(curve(2.0).superlinear());
        assert!((curve(2.0).worst() - 4.0).abs() < 0.01);
        // Caches: one doubling at x3.3 among x2s is not superlinear.
        let cached = Curve {
            points: [3.0, 8.5, 24.2, 60.0]
                .iter()
                .enumerate()
                .map(|(i, ms)| (FIRST << i, ms / 1000.0))
                .collect(),
        };
        assert!(!cached.superlinear());
        // Points too short to measure do not count.
        let short = Curve {
            points: vec![(FIRST, 0.0001), (2 * FIRST, 0.0004), (4 * FIRST, 0.0016)],
        };
        assert!(!short.superlinear());
    }
}
