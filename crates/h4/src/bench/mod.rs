//! `h4 bench`: compression ratio and speed of any engine, measured the
//! same way for every engine so the numbers compare.
//!
//! For each engine and input it reports the ratio, then throughput in MB/s
//! of raw data (10^6 bytes a second, as zstd and lz4 print it), as the
//! median and spread of several runs, measured two ways:
//!
//! * **engine**: the engine alone on one thread, block by block, with no
//!   container, checksums or I/O: what a core author optimises;
//! * **pipeline**: the whole of `h4 compress` / `h4 decompress` on `-T`
//!   threads, container and checksums included, from memory to memory: what
//!   a user gets, minus the disk.

use std::io;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::corpus::Input;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::pipeline::{self, CompressOptions, DecompressOptions};
use crate::source::Source;

/// The median and spread of a set of throughputs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rate {
    /// Median MB/s.
    pub median: f64,
    /// Slowest run, MB/s.
    pub min: f64,
    /// Fastest run, MB/s.
    pub max: f64,
}

impl Rate {
    fn of(bytes: usize, seconds: &[f64]) -> Rate {
        let mut rates: Vec<f64> = seconds
            .iter()
            .map(|s| bytes as f64 / s.max(1e-9) / 1e6)
            .collect();
        rates.sort_by(f64::total_cmp);
        let n = rates.len();
        let median = if n % 2 == 1 {
            rates[n / 2]
        } else {
            (rates[n / 2 - 1] + rates[n / 2]) / 2.0
        };
        Rate {
            median,
            min: rates[0],
            max: rates[n - 1],
        }
    }

    /// Half the range as a percentage of the median.
    pub fn spread_percent(&self) -> f64 {
        (self.max - self.min) / 2.0 / self.median.max(1e-9) * 100.0
    }
}

/// What was measured for one engine on one input; `h4 bench --json` prints
/// these fields in this order.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// The engine, as frames record it.
    pub engine: String,
    /// The input's name.
    pub input: String,
    /// Input size.
    pub raw_bytes: u64,
    /// `.h4` size.
    pub compressed_bytes: u64,
    /// Input size over compressed size.
    pub ratio: f64,
    /// Threads of the pipeline runs.
    pub threads: usize,
    /// The engine alone, one thread.
    #[serde(rename = "engine_compress_mb_s")]
    pub engine_compress: Rate,
    /// The engine alone, one thread.
    #[serde(rename = "engine_decompress_mb_s")]
    pub engine_decompress: Rate,
    /// The whole pipeline on `threads` threads.
    #[serde(rename = "pipeline_compress_mb_s")]
    pub pipeline_compress: Rate,
    /// The whole pipeline on `threads` threads.
    #[serde(rename = "pipeline_decompress_mb_s")]
    pub pipeline_decompress: Rate,
}

/// How to measure.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Runs of each measurement.
    pub iterations: usize,
    /// Pipeline threads.
    pub threads: usize,
    /// Block size.
    pub block_size: u32,
    /// The compress-time round-trip check for cores.
    pub check_core_output: bool,
}

/// Measures `engine` on `input`. `decoders` are the engines the pipeline
/// may need to decode (the engine itself when it is a core).
pub fn measure(
    engine: &dyn Engine,
    decoders: &[Arc<dyn Engine>],
    input: &Input,
    settings: &Settings,
) -> Result<Measurement> {
    let data = &input.data;
    let runs = settings.iterations.max(1);
    let engine_error = |error| Error::Engine { block: 0, error };
    let blocks: Vec<&[u8]> = data.chunks(settings.block_size as usize).collect();

    // The engine alone.
    let mut payloads: Vec<Vec<u8>> = blocks.iter().map(|_| Vec::new()).collect();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        for (block, out) in blocks.iter().zip(payloads.iter_mut()) {
            engine.compress(block, out).map_err(engine_error)?;
        }
        times.push(start.elapsed().as_secs_f64());
    }
    let engine_compress = Rate::of(data.len(), &times);
    let mut raw = Vec::new();
    times.clear();
    for _ in 0..runs {
        let start = Instant::now();
        for (block, payload) in blocks.iter().zip(&payloads) {
            engine
                .decompress(payload, block.len(), &mut raw)
                .map_err(engine_error)?;
        }
        times.push(start.elapsed().as_secs_f64());
    }
    let engine_decompress = Rate::of(data.len(), &times);

    // The pipeline, memory to memory.
    let options = CompressOptions {
        block_size: settings.block_size,
        threads: settings.threads,
        check_core_output: settings.check_core_output,
        ..CompressOptions::default()
    };
    let mut frame = Vec::with_capacity(data.len() + data.len() / 64 + 1024);
    times.clear();
    for _ in 0..runs {
        frame.clear();
        let start = Instant::now();
        pipeline::compress(Source::from_slice(data), engine, &options, &mut frame)?;
        times.push(start.elapsed().as_secs_f64());
    }
    let pipeline_compress = Rate::of(data.len(), &times);
    let decode = DecompressOptions {
        threads: settings.threads,
        engines: decoders.to_vec(),
        progress: None,
    };
    times.clear();
    for _ in 0..runs {
        let start = Instant::now();
        pipeline::decompress(&frame[..], &decode, &mut io::sink())?;
        times.push(start.elapsed().as_secs_f64());
    }
    let pipeline_decompress = Rate::of(data.len(), &times);

    Ok(Measurement {
        engine: engine.id().to_string(),
        input: input.name.clone(),
        raw_bytes: data.len() as u64,
        compressed_bytes: frame.len() as u64,
        ratio: data.len() as f64 / frame.len().max(1) as f64,
        engine_compress,
        engine_decompress,
        pipeline_compress,
        pipeline_decompress,
        threads: settings.threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_median_and_spread() {
        let r = Rate::of(1_000_000, &[1.0, 0.5, 0.25]);
        assert_eq!(r.median, 2.0);
        assert_eq!((r.min, r.max), (1.0, 4.0));
        assert_eq!(r.spread_percent(), 75.0);
        let even = Rate::of(1_000_000, &[1.0, 0.5]);
        assert_eq!(even.median, 1.5);
    }
}
