//! `h4 verify`: runs the conformance checks on the selected engine and
//! prints a ✓/✗ table (or JSON), and reads and writes conformance vectors.
//! Also the hidden `__verify-check` subcommand that runs one job inside a
//! child process.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use h4::corpus::{self, Input};
use h4::verify::jobs::{self, Reporter, Settings, Subject};
use h4::verify::runner::{self, ChildCommand};
use h4::verify::variants::PRELOAD_NAME;
use h4::verify::vectors::Vectors;
use h4::verify::{Check, Plan, Report};

use crate::args::{CheckArgs, VerifyArgs};
use crate::engine::CoreSource;
use crate::report;
use crate::report::Status;

/// The hidden subcommand that runs one job.
pub const CHILD_COMMAND: &str = "__verify-check";

/// Environment variable naming the preload library that moves a child's
/// clock and CPU count (by default it is looked for beside the program).
pub const PRELOAD_ENV: &str = "H4_VERIFY_PRELOAD";

/// Fresh processes whose first calls are made concurrently.
const FIRST_CALL_PROCESSES: usize = 48;

/// The built-in corpus, then the user's files.
fn inputs(files: &[PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = corpus::built_in();
    for path in files {
        let data = std::fs::read(path).with_context(|| path.display().to_string())?;
        inputs.push(Input::new(path.display().to_string(), data));
    }
    Ok(inputs)
}

/// The preload library: `H4_VERIFY_PRELOAD`, else beside this program,
/// else in `../lib/h4/` from it (where `scripts/install` puts it).
fn preload() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(PRELOAD_ENV) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [
        dir.join(PRELOAD_NAME),
        dir.join("../lib/h4").join(PRELOAD_NAME),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

pub fn run(args: &VerifyArgs) -> Status {
    match verify(args) {
        Ok(status) => status,
        Err(e) => report::fatal(&e),
    }
}

fn verify(args: &VerifyArgs) -> Result<Status> {
    // A core is only ever loaded by the children, so one that crashes
    // while loading fails a row instead of killing the verifier.
    let core = args.engine.core_to_verify();
    let engine_text = match &core {
        Some((path, CoreSource::Flag)) => format!("core library {}", path.display()),
        Some((path, CoreSource::Environment)) => format!(
            "core library {} (from {})",
            path.display(),
            crate::engine::CORE_ENV
        ),
        None => "reference (built in)".to_string(),
    };
    let against = args.against.as_deref().map(read_vectors).transpose()?;
    // Read the files now, so a missing one is reported before any check
    // runs.
    let all_inputs = inputs(&args.files)?;
    let corpus_len = all_inputs.len() - args.files.len();

    let valgrind = runner::find_in_path("valgrind");
    let memcheck = match (args.memcheck, &valgrind) {
        (false, _) => None,
        (true, Some(_)) => Some("under valgrind".to_string()),
        (true, None) => Some("valgrind is not installed: --memcheck skipped".to_string()),
    };
    let memcheck_valgrind = valgrind.clone().filter(|_| args.memcheck);
    // Valgrind runs programs tens of times slower: fewer rounds.
    let (iterations, fuzz) = match memcheck_valgrind {
        Some(_) => (args.iterations.min(3), args.fuzz.min(100)),
        None => (args.iterations, args.fuzz),
    };

    let mut child_args: Vec<OsString> = match &core {
        Some((path, _)) => vec!["--core".into(), path.into()],
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
    let command = ChildCommand {
        program: std::env::current_exe().context("cannot find the h4 executable")?,
        prefix: vec![CHILD_COMMAND.into()],
        args: child_args,
        files: args
            .files
            .iter()
            .map(|f| f.clone().into_os_string())
            .collect(),
        valgrind: memcheck_valgrind,
        step_timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let plan = Plan {
        engine: engine_text,
        library: core.as_ref().map(|(path, _)| path.clone()),
        command,
        inputs: all_inputs,
        corpus_len,
        preload: preload(),
        valgrind,
        memcheck,
        against,
        first_call_processes: FIRST_CALL_PROCESSES,
        only: (!args.only.is_empty()).then(|| {
            let mut only = args.only.clone();
            // Recording needs the processes the determinism row compares.
            if args.record.is_some() {
                only.push(Check::Determinism);
            }
            only
        }),
    };

    let rows = Check::DEFAULT
        .iter()
        .filter(|&&c| {
            plan.only
                .as_ref()
                .is_none_or(|o| c == Check::Abi || o.contains(&c))
        })
        .count() as u64
        + u64::from(plan.against.is_some());
    let bar = report::progress_bar(
        !args.quiet && !args.json,
        rows,
        "{spinner} [{pos}/{len}] {prefix:<13} {wide_msg}",
    );
    let mut done = 0;
    let verification = h4::verify::run_all(&plan, &mut |check, step| match step {
        None => {
            bar.set_position(done);
            done += 1;
            bar.set_prefix(check.name());
        }
        Some(step) => bar.set_message(step.to_string()),
    });
    bar.finish_and_clear();

    if let (Some(why), Some((path, CoreSource::Flag))) = (&verification.load_failure, &core) {
        bail!("cannot load core {}: {why}", path.display());
    }
    let report = &verification.report;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(report).expect("plain data serializes")
        );
    } else {
        print_table(report, args.quiet);
    }
    if let Some(path) = &args.record {
        let Some(vectors) = &verification.vectors else {
            bail!(
                "{}: not recorded: the engine's outputs differ between processes (see the determinism row)",
                path.display()
            );
        };
        write_vectors(path, vectors)?;
        if !args.quiet && !args.json {
            println!(
                "recorded {} conformance vectors in {}",
                vectors.vectors.len(),
                path.display()
            );
        }
    }
    Ok(if report.failed == 0 {
        Status::Ok
    } else {
        Status::Failed
    })
}

fn read_vectors(path: &Path) -> Result<Vectors> {
    let text = std::fs::read(path).with_context(|| path.display().to_string())?;
    serde_json::from_slice(&text)
        .with_context(|| format!("{}: not a conformance vectors file", path.display()))
}

fn write_vectors(path: &Path, vectors: &Vectors) -> Result<()> {
    let mut text = serde_json::to_string_pretty(vectors).expect("plain data serializes");
    text.push('\n');
    std::fs::write(path, text).with_context(|| path.display().to_string())
}

fn print_table(report: &Report, quiet: bool) {
    if !quiet {
        println!("h4 verify: {}", report.engine);
        println!(
            "corpus: {} inputs, {} (corpus version {}){}",
            report.inputs,
            report::human_bytes(report.input_bytes as u64),
            report.corpus_version,
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
        println!(
            "{mark} {:<14} {} ({:.1} s)",
            row.check.name(),
            outcome.summary,
            row.seconds
        );
        if let Some(evidence) = &outcome.evidence {
            println!("  {:<14} {evidence}", "");
        }
    }
    if !quiet {
        for note in &report.notes {
            println!("note: {note}");
        }
        println!();
        println!(
            "{} passed, {} failed ({:.1} s)",
            report.passed, report.failed, report.seconds
        );
    }
}

/// The child: runs one job and reports on its channel.
pub fn run_child(args: &CheckArgs) -> Status {
    let mut reporter = Reporter::open();
    let subject = match (&args.engine.core, args.engine.engine) {
        (Some(path), _) => Subject::Core(path.clone()),
        _ => Subject::Reference,
    };
    let settings = Settings {
        iterations: args.iterations.max(1),
        fuzz: args.fuzz,
        threads: args.threads.max(2),
        under_valgrind: args.under_valgrind,
        skip_large: args.skip_large,
        stagger: std::time::Duration::from_nanos(args.stagger_ns),
    };
    jobs::run(
        args.job,
        &subject,
        args.factor,
        &args.files,
        &settings,
        &mut reporter,
    );
    if args.job == jobs::Job::Hygiene && matches!(subject, Subject::Core(_)) {
        // The core's teardown (its destructors and `atexit` handlers) runs
        // as this child exits: one that hangs or crashes there would hang
        // or crash every host that exits, and shows as this check's.
        reporter.progress("exit: the core's destructors and atexit handlers");
        return Status::Ok;
    }
    // Every other check ends without the teardown, which is the hygiene
    // check's to judge.
    h4::engine::core::exit_without_teardown(Status::Ok as i32)
}
