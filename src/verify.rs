//! `h4 verify`: runs the conformance checks on the selected engine and
//! prints a ✓/✗ table (or JSON). Also the hidden `__verify-check`
//! subcommand that runs one check inside a child process.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use h4::container::BLOCK_SIZES;
use h4::corpus::{self, Input};
use h4::engine::core::Core;
use h4::engine::{Engine, Reference};
use h4::verify::checks::{self, Settings};
use h4::verify::runner::{ChildCommand, Reporter};
use h4::verify::{Check, Outcome, Report, Subject};

use crate::args::{CheckArgs, VerifyArgs};
use crate::report;
use crate::report::Status;

/// The hidden subcommand that runs one check.
pub const CHILD_COMMAND: &str = "__verify-check";

/// The inputs: the built-in corpus plus the user's files.
fn inputs(files: &[PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = corpus::built_in();
    for path in files {
        let data = std::fs::read(path).with_context(|| path.display().to_string())?;
        inputs.push(Input {
            name: path.display().to_string(),
            data,
        });
    }
    Ok(inputs)
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}

pub fn run(args: &VerifyArgs) -> Status {
    match verify(args) {
        Ok(status) => status,
        Err(e) => report::fatal(&e),
    }
}

fn verify(args: &VerifyArgs) -> Result<Status> {
    // A --core library is only ever loaded by the child checks, so one that
    // crashes while loading fails the rows instead of killing the verifier;
    // the environment variable keeps its fall-back rule.
    let (engine_text, core_path) = match &args.engine.core {
        Some(path) => (
            format!("core library {}", path.display()),
            Some(path.clone()),
        ),
        None => {
            let engine = args.engine.select(args.quiet)?;
            let path = args.engine.core_path(engine.as_ref());
            (describe_engine(engine.as_ref(), path.as_deref()), path)
        }
    };
    // Read the files now, so a missing one is reported before any check
    // runs; only their count and size are kept (each child reads its own).
    let (input_count, corpus_bytes) = {
        let corpus = inputs(&args.files)?;
        (
            corpus.len(),
            corpus.iter().map(|i| i.data.len()).sum::<usize>(),
        )
    };

    let valgrind = if args.memcheck {
        find_in_path("valgrind")
    } else {
        None
    };
    let memcheck_note = match (args.memcheck, &valgrind) {
        (false, _) => None,
        (true, Some(_)) => Some("under valgrind".to_string()),
        (true, None) => Some("valgrind is not installed: --memcheck skipped".to_string()),
    };
    // Valgrind runs programs tens of times slower: fewer rounds, more time.
    let (iterations, fuzz, timeout) = match valgrind {
        Some(_) => (
            args.iterations.min(3),
            args.fuzz.min(100),
            args.timeout * 30,
        ),
        None => (args.iterations, args.fuzz, args.timeout),
    };

    let mut child_args: Vec<OsString> = match &core_path {
        Some(path) => vec!["--core".into(), path.into()],
        None => vec!["--engine".into(), "reference".into()],
    };
    for (flag, value) in [
        ("--iterations", iterations),
        ("--fuzz", fuzz),
        ("--threads", args.threads),
    ] {
        child_args.push(flag.into());
        child_args.push(value.to_string().into());
    }
    if valgrind.is_some() {
        child_args.push("--under-valgrind".into());
    }
    child_args.push("--".into());
    child_args.extend(args.files.iter().map(|f| f.clone().into_os_string()));
    let command = ChildCommand {
        program: std::env::current_exe().context("cannot find the h4 executable")?,
        prefix: vec![CHILD_COMMAND.into()],
        args: child_args,
        valgrind,
        step_timeout: Duration::from_secs(timeout.max(1)),
    };

    let bar = report::progress_bar(
        !args.quiet && !args.json,
        Check::ALL.len() as u64,
        "{spinner} [{pos}/{len}] {prefix:<13} {wide_msg}",
    );
    let subject = Subject {
        engine: engine_text,
        inputs: input_count,
        input_bytes: corpus_bytes,
        memcheck: memcheck_note,
    };
    let report = h4::verify::run_all(subject, &command, &mut |check, step| match step {
        None => {
            let done = Check::ALL.iter().position(|&c| c == check).unwrap_or(0);
            bar.set_position(done as u64);
            bar.set_prefix(check.name());
        }
        Some(step) => bar.set_message(step.to_string()),
    });
    bar.finish_and_clear();

    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).expect("plain data serializes")
        );
    } else {
        print_table(&report, args.quiet);
    }
    Ok(if report.failed == 0 {
        Status::Ok
    } else {
        Status::Failed
    })
}

fn describe_engine(engine: &dyn Engine, path: Option<&Path>) -> String {
    match path {
        Some(path) => format!("{} ({})", engine.id(), path.display()),
        None => format!("{} (built in)", engine.id()),
    }
}

fn print_table(report: &Report, quiet: bool) {
    if !quiet {
        println!("h4 verify: {}", report.engine);
        println!(
            "corpus: {} inputs, {}{}",
            report.inputs,
            report::human_bytes(report.input_bytes as u64),
            report
                .memcheck
                .as_ref()
                .map(|m| format!("; {m}"))
                .unwrap_or_default()
        );
        println!();
    }
    for row in &report.checks {
        let outcome = &row.outcome;
        if quiet && outcome.passed {
            continue;
        }
        let mark = if outcome.passed { "✓" } else { "✗" };
        println!("{mark} {:<14} {}", row.check.name(), outcome.summary);
        if let Some(evidence) = &outcome.evidence {
            println!("  {:<14} {evidence}", "");
        }
    }
    if !quiet {
        println!();
        println!(
            "{} passed, {} failed ({:.1} s)",
            report.passed, report.failed, report.seconds
        );
    }
}

/// The child: runs one check and reports through stdout.
pub fn run_child(args: &CheckArgs) -> Status {
    let mut reporter = Reporter::new(io::stdout().lock());
    let outcome = child_outcome(args, &mut reporter);
    reporter.result(&outcome);
    Status::Ok
}

fn child_outcome(args: &CheckArgs, reporter: &mut Reporter<io::StdoutLock<'_>>) -> Outcome {
    let corpus = match inputs(&args.files) {
        Ok(c) => c,
        Err(e) => return Outcome::fail("cannot read the inputs", format!("{e:#}")),
    };
    let settings = Settings {
        iterations: args.iterations.max(1),
        fuzz: args.fuzz,
        threads: args.threads.max(2),
        under_valgrind: args.under_valgrind,
    };
    let mut progress = |step: &str| reporter.progress(step);
    match &args.engine.core {
        Some(path) => match Core::load(path, BLOCK_SIZES) {
            Ok(core) => checks::run(
                args.check,
                &core,
                Some(&core),
                &corpus,
                &settings,
                &mut progress,
            ),
            Err(e) => Outcome::fail("cannot load the core", e.to_string()),
        },
        None => checks::run(
            args.check,
            &Reference::new(),
            None,
            &corpus,
            &settings,
            &mut progress,
        ),
    }
}
