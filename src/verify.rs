//! `h4 verify`: runs the conformance checks on the selected engine and
//! prints a ✓/✗ table (or JSON). Also the hidden `__verify-check`
//! subcommand that runs one check inside a child process.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use h4::engine::core::Core;
use h4::engine::{Engine, Reference};
use h4::verify::checks::{self, Settings};
use h4::verify::corpus::{self, Input};
use h4::verify::runner::{self, ChildCommand, Reporter};
use h4::verify::{Check, Outcome};

use crate::Status;
use crate::engine::EngineArgs;
use crate::json::Value;
use crate::report;

/// The hidden subcommand that runs one check.
pub const CHILD_COMMAND: &str = "__verify-check";

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Extra inputs to check besides the built-in corpus
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub engine: EngineArgs,

    /// Calls per input in the determinism check
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub iterations: usize,

    /// Corrupted payloads to feed the decoder in the robustness check
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub fuzz: usize,

    /// Threads for the concurrency checks
    #[arg(short = 'T', long, value_name = "N", default_value_t = 4)]
    pub threads: usize,

    /// Also run every check under valgrind (when installed)
    #[arg(long)]
    pub memcheck: bool,

    /// Seconds a check may go without progress before it counts as hung
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    /// Print only failures
    #[arg(short, long)]
    pub quiet: bool,
}

/// The arguments of the hidden child subcommand.
#[derive(Args, Debug)]
pub struct CheckArgs {
    pub check: Check,
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[arg(long)]
    pub iterations: usize,
    #[arg(long)]
    pub fuzz: usize,
    #[arg(long)]
    pub threads: usize,
    #[arg(long)]
    pub under_valgrind: bool,
}

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

    let started = Instant::now();
    let mut rows = Vec::new();
    for check in Check::ALL {
        bar.set_prefix(check.name());
        let outcome = runner::run(check, &command, &mut |step| {
            bar.set_message(step.to_string())
        });
        bar.inc(1);
        rows.push((check, outcome));
    }
    bar.finish_and_clear();

    let report = Report {
        engine: engine_text,
        inputs: input_count,
        bytes: corpus_bytes,
        memcheck: memcheck_note,
        failed: rows.iter().filter(|(_, o)| !o.passed).count(),
        rows,
        elapsed: started.elapsed(),
    };
    if args.json {
        println!("{}", report.to_json().render());
    } else {
        report.print_table(args.quiet);
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

/// What a verify run found, for the table or JSON.
struct Report {
    engine: String,
    inputs: usize,
    bytes: usize,
    memcheck: Option<String>,
    rows: Vec<(Check, Outcome)>,
    failed: usize,
    elapsed: Duration,
}

impl Report {
    fn print_table(&self, quiet: bool) {
        if !quiet {
            println!("h4 verify: {}", self.engine);
            println!(
                "corpus: {} inputs, {}{}",
                self.inputs,
                report::human_bytes(self.bytes as u64),
                self.memcheck
                    .as_ref()
                    .map(|m| format!("; {m}"))
                    .unwrap_or_default()
            );
            println!();
        }
        for (check, outcome) in &self.rows {
            if quiet && outcome.passed {
                continue;
            }
            let mark = if outcome.passed { "✓" } else { "✗" };
            println!("{mark} {:<14} {}", check.name(), outcome.summary);
            if let Some(evidence) = &outcome.evidence {
                println!("  {:<14} {evidence}", "");
            }
        }
        if !quiet {
            println!();
            println!(
                "{} passed, {} failed ({:.1} s)",
                self.rows.len() - self.failed,
                self.failed,
                self.elapsed.as_secs_f64()
            );
        }
    }

    fn to_json(&self) -> Value {
        let checks = self
            .rows
            .iter()
            .map(|(check, outcome)| {
                let mut fields = vec![
                    ("check", Value::Str(check.name().into())),
                    ("passed", Value::Bool(outcome.passed)),
                    ("summary", Value::Str(outcome.summary.clone())),
                ];
                if let Some(evidence) = &outcome.evidence {
                    fields.push(("evidence", Value::Str(evidence.clone())));
                }
                Value::Object(fields)
            })
            .collect();
        Value::Object(vec![
            ("engine", Value::Str(self.engine.clone())),
            ("inputs", Value::Int(self.inputs as u64)),
            ("input_bytes", Value::Int(self.bytes as u64)),
            (
                "memcheck",
                self.memcheck.clone().map_or(Value::Null, Value::Str),
            ),
            ("checks", Value::Array(checks)),
            ("passed", Value::Int((self.rows.len() - self.failed) as u64)),
            ("failed", Value::Int(self.failed as u64)),
            ("seconds", Value::Float(self.elapsed.as_secs_f64())),
        ])
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
        Some(path) => match Core::load(path) {
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
