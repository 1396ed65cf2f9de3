//! `h4 bench`: measure engines on files or on the built-in corpus and
//! print a table (or JSON) of ratio and speed.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use h4::bench::{self, Input, Measurement, Rate, Settings};
use h4::engine::Engine;
use h4::engine::core::Core;

use crate::Status;
use crate::args::{parse_block_size, resolve_threads};
use crate::engine::{BuiltIn, EngineArgs, block_size_for, decoders_for};
use crate::json::Value;
use crate::report;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Inputs to measure; none: the built-in synthetic corpus
    pub files: Vec<PathBuf>,

    /// Measure the core library at PATH (repeatable)
    #[arg(long, value_name = "PATH")]
    pub core: Vec<PathBuf>,

    /// Measure a built-in engine (repeatable)
    #[arg(long, value_enum, value_name = "NAME")]
    pub engine: Vec<BuiltIn>,

    /// Threads for the whole-pipeline runs (0: one per CPU)
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Runs of each measurement (the median is reported)
    #[arg(short = 'i', long, value_name = "N", default_value_t = 5)]
    pub iterations: usize,

    /// Block size [default: each engine's preference, else 1M]
    #[arg(short = 'B', long, value_name = "SIZE", value_parser = parse_block_size)]
    pub block_size: Option<u32>,

    /// Measure cores without the compress-time round-trip check
    #[arg(long)]
    pub no_check: bool,

    /// Print JSON: one record per engine and input
    #[arg(long)]
    pub json: bool,

    /// No progress bar
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &BenchArgs) -> Status {
    match bench(args) {
        Ok(()) => Status::Ok,
        Err(e) => report::fatal(&e),
    }
}

/// The engines to measure: every --engine and --core, or else the one the
/// usual selection picks.
fn engines(args: &BenchArgs) -> Result<Vec<Arc<dyn Engine>>> {
    let mut list: Vec<Arc<dyn Engine>> = args.engine.iter().map(|b| b.engine()).collect();
    for path in &args.core {
        list.push(Arc::new(Core::load(path)?));
    }
    if list.is_empty() {
        list.push(EngineArgs::default().select(args.quiet)?);
    }
    Ok(list)
}

fn inputs(files: &[PathBuf]) -> Result<Vec<Input>> {
    if files.is_empty() {
        return Ok(bench::synthetic());
    }
    files
        .iter()
        .map(|path| {
            let data = std::fs::read(path).with_context(|| path.display().to_string())?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Ok(Input { name, data })
        })
        .collect()
}

fn bench(args: &BenchArgs) -> Result<()> {
    let engines = engines(args)?;
    let inputs = inputs(&args.files)?;
    let threads = resolve_threads(args.threads);

    let bar = report::progress_bar(
        !args.quiet && !args.json,
        (engines.len() * inputs.len()) as u64,
        "{spinner} [{pos}/{len}] {wide_msg}",
    );

    let mut results = Vec::new();
    for engine in &engines {
        let decoders = decoders_for(engine);
        let settings = Settings {
            iterations: args.iterations,
            threads,
            block_size: block_size_for(args.block_size, engine.as_ref()),
            check_core_output: !args.no_check,
        };
        for input in &inputs {
            bar.set_message(format!("{} on {}", engine.id(), input.name));
            let m = bench::measure(engine.as_ref(), &decoders, input, &settings)
                .map_err(anyhow::Error::new)
                .with_context(|| format!("{} on {}", engine.id(), input.name))?;
            results.push(m);
            bar.inc(1);
        }
    }
    bar.finish_and_clear();

    if args.json {
        println!(
            "{}",
            Value::Array(results.iter().map(to_json).collect()).render()
        );
    } else {
        print_table(&results, threads, args.iterations);
    }
    Ok(())
}

fn cell(rate: &Rate) -> String {
    format!("{:.0} ±{:.0}%", rate.median, rate.spread_percent())
}

fn print_table(results: &[Measurement], threads: usize, iterations: usize) {
    let pipeline = format!("h4 -T{threads}");
    println!(
        "{:<20} {:<14} {:>10} {:>7}  {:>12} {:>12}  {:>12} {:>12}",
        "engine",
        "input",
        "size",
        "ratio",
        "engine c",
        "engine d",
        format!("{pipeline} c"),
        format!("{pipeline} d"),
    );
    for m in results {
        println!(
            "{:<20} {:<14} {:>10} {:>7.3}  {:>12} {:>12}  {:>12} {:>12}",
            m.engine,
            m.input,
            report::human_bytes(m.raw_bytes),
            m.ratio(),
            cell(&m.engine_compress),
            cell(&m.engine_decompress),
            cell(&m.pipeline_compress),
            cell(&m.pipeline_decompress),
        );
    }
    println!(
        "\nMB/s of uncompressed data, median ±half-range of {iterations} runs; \"engine\": one thread, \
         engine calls only; \"{pipeline}\": the whole pipeline, memory to memory."
    );
}

fn rate_json(rate: &Rate) -> Value {
    Value::Object(vec![
        ("median", Value::Float(rate.median)),
        ("min", Value::Float(rate.min)),
        ("max", Value::Float(rate.max)),
    ])
}

fn to_json(m: &Measurement) -> Value {
    Value::Object(vec![
        ("engine", Value::Str(m.engine.clone())),
        ("input", Value::Str(m.input.clone())),
        ("raw_bytes", Value::Int(m.raw_bytes)),
        ("compressed_bytes", Value::Int(m.compressed_bytes)),
        ("ratio", Value::Float(m.ratio())),
        ("threads", Value::Int(m.threads as u64)),
        ("engine_compress_mb_s", rate_json(&m.engine_compress)),
        ("engine_decompress_mb_s", rate_json(&m.engine_decompress)),
        ("pipeline_compress_mb_s", rate_json(&m.pipeline_compress)),
        (
            "pipeline_decompress_mb_s",
            rate_json(&m.pipeline_decompress),
        ),
    ])
}
