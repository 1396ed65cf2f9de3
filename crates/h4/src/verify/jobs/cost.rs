//! Time against size: a core whose time grows faster than its input (a
//! rescan per token, a quadratic search on long runs) passes every test on
//! small inputs and stalls on a real one. Each kind of input is doubled
//! from 64 KiB until a call takes long enough to measure well or the input
//! reaches 16 MiB, and the growth of the best of three timings is fitted:
//! linear work doubles the time when the input doubles, quadratic work
//! quadruples it.

use std::time::Instant;

use super::{JobResult, Settings};
use crate::corpus::{self, Rng};
use crate::engine::{Engine, EngineError};

/// The smallest and largest sizes tried.
const FIRST: usize = 64 << 10;
const LAST: usize = 16 << 20;

/// A call this slow is long enough to measure: stop doubling.
const ENOUGH_SECONDS: f64 = 0.25;

/// Timings below this are too short to fit.
const MEASURABLE_SECONDS: f64 = 0.002;

/// Time growing faster than size to this power fails: linear work with
/// cache effects stays near 1.1, quadratic work is at 2.
const MAX_EXPONENT: f64 = 1.5;

/// How the best of three timings at each size grew.
struct Curve {
    points: Vec<(usize, f64)>,
}

impl Curve {
    /// The exponent of a least-squares fit of log(time) on log(size),
    /// over the measurable points; `None` with fewer than three.
    fn exponent(&self) -> Option<f64> {
        let points: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|(_, t)| *t >= MEASURABLE_SECONDS)
            .map(|&(n, t)| ((n as f64).ln(), t.ln()))
            .collect();
        if points.len() < 3 {
            return None;
        }
        let count = points.len() as f64;
        let mean_x = points.iter().map(|p| p.0).sum::<f64>() / count;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / count;
        let covariance: f64 = points
            .iter()
            .map(|p| (p.0 - mean_x) * (p.1 - mean_y))
            .sum();
        let variance: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
        Some(covariance / variance)
    }

    fn describe(&self) -> String {
        self.points
            .iter()
            .map(|(n, t)| format!("{} KiB {:.1} ms", n >> 10, t * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The kinds of input measured, by name, each made at any size.
fn kinds() -> [(&'static str, fn(usize) -> Vec<u8>); 5] {
    [
        ("one run of zeros", |n| vec![0; n]),
        ("text-like", |n| corpus::text_like(&mut Rng::new(0xc057), n)),
        ("random", |n| Rng::new(0xc058).bytes(n)),
        ("alternating bytes", |n| {
            (0..n).map(|i| if i % 2 == 0 { 0x55 } else { 0xaa }).collect()
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
        let (compress, decompress) = measure(engine, kind, make, progress)
            .map_err(|e| ("a call failed".to_string(), format!("{kind}: {e}")))?;
        for (direction, curve) in [("compress", &compress), ("decompress", &decompress)] {
            if let Some(exponent) = curve.exponent() {
                worst = worst.max(exponent);
                if exponent > MAX_EXPONENT {
                    return Err((
                        format!(
                            "{direction} time grows as size^{exponent:.1} on {kind} (superlinear)"
                        ),
                        curve.describe(),
                    ));
                }
            }
        }
    }
    Ok(format!(
        "time grows at most as size^{worst:.1} from 64 KiB up (5 kinds of input)"
    ))
}

/// The compress and decompress curves of one kind of input.
fn measure(
    engine: &dyn Engine,
    kind: &str,
    make: fn(usize) -> Vec<u8>,
    progress: &mut dyn FnMut(&str),
) -> Result<(Curve, Curve), EngineError> {
    let mut compress = Curve { points: Vec::new() };
    let mut decompress = Curve { points: Vec::new() };
    let mut size = FIRST;
    while size <= LAST {
        let data = make(size);
        progress(&format!("{kind}, {} KiB: compress", size >> 10));
        let (packed, compress_time) = best_of_three(|| engine.compress_vec(&data))?;
        progress(&format!("{kind}, {} KiB: decompress", size >> 10));
        let (_, decompress_time) =
            best_of_three(|| engine.decompress_vec(&packed, data.len()))?;
        compress.points.push((size, compress_time));
        decompress.points.push((size, decompress_time));
        if compress_time.max(decompress_time) >= ENOUGH_SECONDS {
            break;
        }
        size *= 2;
    }
    Ok((compress, decompress))
}

/// Runs `call` up to three times and returns its result and the shortest
/// time; a slow first call is not repeated.
fn best_of_three<T>(
    mut call: impl FnMut() -> Result<T, EngineError>,
) -> Result<(T, f64), EngineError> {
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..3 {
        let start = Instant::now();
        let value = call()?;
        let seconds = start.elapsed().as_secs_f64();
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

    #[test]
    fn the_fit_tells_linear_from_quadratic() {
        let curve = |power: f64| Curve {
            points: (0..6)
                .map(|i| {
                    let n = FIRST << i;
                    (n, 0.001 * ((n / FIRST) as f64).powf(power))
                })
                .collect(),
        };
        assert!((curve(1.0).exponent().unwrap() - 1.0).abs() < 0.05);
        assert!((curve(2.0).exponent().unwrap() - 2.0).abs() < 0.05);
        // Too few measurable points: no verdict.
        let short = Curve {
            points: vec![(FIRST, 0.0001), (2 * FIRST, 0.0002), (4 * FIRST, 0.004)],
        };
        assert_eq!(short.exponent(), None);
    }
}
