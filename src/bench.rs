//! `h4 bench`: measure engines on files or on the built-in corpus and
//! print a table (or JSON) of ratio and speed.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use h4::bench::{self, Measurement, Rate, Settings};
use h4::corpus::{self, Input};
use h4::engine::Engine;

use crate::args::{BenchArgs, EngineArgs, resolve_threads};
use crate::engine::{block_size_for, decoders_for};
use crate::report;
use crate::report::Status;

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
        list.push(Arc::new(crate::shield::load_core(path, args.quiet)?));
    }
    if list.is_empty() {
        list.push(EngineArgs::default().select(args.quiet)?);
    }
    Ok(list)
}

fn inputs(files: &[PathBuf]) -> Result<Vec<Input>> {
    if files.is_empty() {
        return Ok(corpus::synthetic());
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

    for core in &args.core {
        crate::shield::restore_after_calls(core, args.quiet);
    }
    // Through h4's data stream: with a core loaded, fd 1 is stderr.
    let mut out = std::io::BufWriter::new(
        crate::shield::data_stdout().context("cannot use standard output")?,
    );
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&results).expect("plain data serializes")
        )?;
    } else {
        print_table(&mut out, &results, threads, args.iterations)?;
    }
    out.flush()?;
    Ok(())
}

fn cell(rate: &Rate) -> String {
    format!("{:.0} ±{:.0}%", rate.median, rate.spread_percent())
}

fn print_table(
    out: &mut impl Write,
    results: &[Measurement],
    threads: usize,
    iterations: usize,
) -> std::io::Result<()> {
    let pipeline = format!("h4 -T{threads}");
    writeln!(
        out,
        "{:<20} {:<14} {:>10} {:>7}  {:>12} {:>12}  {:>12} {:>12}",
        "engine",
        "input",
        "size",
        "ratio",
        "engine c",
        "engine d",
        format!("{pipeline} c"),
        format!("{pipeline} d"),
    )?;
    for m in results {
        writeln!(
            out,
            "{:<20} {:<14} {:>10} {:>7.3}  {:>12} {:>12}  {:>12} {:>12}",
            m.engine,
            m.input,
            report::human_bytes(m.raw_bytes),
            m.ratio,
            cell(&m.engine_compress),
            cell(&m.engine_decompress),
            cell(&m.pipeline_compress),
            cell(&m.pipeline_decompress),
        )?;
    }
    writeln!(
        out,
        "\nMB/s of uncompressed data, median ±half-range of {iterations} runs; \"engine\": one thread, \
         engine calls only; \"{pipeline}\": the whole pipeline, memory to memory."
    )
}
