//! `h4 verify` against good engines and the zoo of faulty C cores in
//! `tests/cores/` (`zoo.tsv`): each faulty core fails with exit 1 and its
//! row marked (and no other row, unless its fault really shows there too),
//! good cores pass, conformance vectors are recorded and compared, and the
//! verifier itself never crashes.
//!
//! Every run of the test suite verifies the good engines and one faulty
//! core of each kind; `scripts/verify-zoo` verifies the whole zoo (an
//! ignored test here: about ten seconds a core).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{self, c_core, h4, path_arg, project_core};

/// `h4 verify ARGS`, with the preload library that moves a child's clock
/// and CPU count (built for the tests), in a clean environment for cores.
fn verify_command(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = h4();
    cmd.arg("verify")
        .args(args)
        .env("H4_VERIFY_PRELOAD", util::cores::verify_preload());
    cmd
}

fn verify(args: &[&str]) -> Output {
    verify_command(args).output().unwrap()
}

/// Runs `h4 verify --json ARGS` (with `env` set) and returns the exit
/// code and the report.
fn verify_json_env(args: &[&str], env: &[(&str, &Path)]) -> (i32, Value) {
    let mut cmd = verify_command(&[&["--json"][..], args].concat());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("h4 verify died: {:?}", out.status));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

fn verify_json(args: &[&str]) -> (i32, Value) {
    verify_json_env(args, &[])
}

fn row<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no row {check}"))
}

fn failed_rows(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["check"].as_str().unwrap().to_string())
        .collect()
}

/// The rows of a default run, in order.
const ROWS: [&str; 10] = [
    "abi",
    "determinism",
    "identity",
    "losslessness",
    "robustness",
    "memory",
    "hygiene",
    "leaks",
    "cost",
    "thread-safety",
];

#[test]
fn good_engines_pass_every_check() {
    let reference_core = project_core("reference");
    let zstd_core = project_core("zstd");
    let stored = zoo_core("stored");
    let plain_rle = zoo_core("plain_rle");
    for args in [
        vec!["--engine", "reference"],
        vec!["--core", path_arg(&reference_core)],
        vec!["--core", path_arg(&zstd_core)],
        vec!["--core", path_arg(&stored)],
        vec!["--core", path_arg(&plain_rle)],
    ] {
        let (code, report) = verify_json(&args);
        assert_eq!(code, 0, "{args:?}: {report:#}");
        assert_eq!(report["failed"], 0);
        let names: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["check"].as_str().unwrap())
            .collect();
        assert_eq!(names, ROWS, "{args:?}");
        assert!(report["inputs"].as_u64().unwrap() >= 100);
        for r in report["checks"].as_array().unwrap() {
            assert!(r["seconds"].as_f64().is_some(), "{r}");
        }
    }
}

/// One manifest line of `tests/cores/zoo.tsv`.
struct ZooCore {
    name: String,
    issue: String,
    row: String,
    trigger: String,
}

fn zoo() -> Vec<ZooCore> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cores/zoo.tsv");
    std::fs::read_to_string(manifest)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            ZooCore {
                name: fields[0].trim_end_matches(".c").to_string(),
                issue: fields[1].to_string(),
                row: fields[2].to_string(),
                trigger: fields[4].to_string(),
            }
        })
        .collect()
}

/// A zoo core built as an author would ship it (`-O2`).
fn zoo_core(name: &str) -> PathBuf {
    c_core(name, "-O2", &["-O2"])
}

/// Rows besides its own that a core may fail, because its fault really
/// shows there: a core that ends the process on the empty input stops
/// every row that compresses it; threads left behind hold memory, and
/// can leave the thread-safety check none to start; a read past the
/// input crashes where a 2 MiB input ends its mapping (the cost check's);
/// a payload holding the time in seconds differs between two processes
/// that straddle a second (the determinism check's), or two calls that
/// do (the memory check compares outputs made under two heap fills).
const ALSO_FAILS: &[(&str, &[&str])] = &[
    (
        "exit_on_empty",
        &["determinism", "losslessness", "robustness", "memory"],
    ),
    ("thread_per_call", &["leaks", "thread-safety"]),
    ("overread_input", &["cost"]),
    ("identity_seconds_ascii", &["determinism", "memory"]),
    ("identity_seconds_be", &["determinism", "memory"]),
];

/// Verifies `core` as a core author would (default settings) and checks
/// that exactly its row fails, with evidence.
fn check_zoo_core(core: &ZooCore) {
    let library = zoo_core(&core.name);
    // A core that reads a file in $HOME needs one there to read.
    let home = util::tempdir();
    let config = home.path().join(".config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("h4core.conf"), "100\n").unwrap();
    let (code, report) = verify_json_env(&["--core", path_arg(&library)], &[("HOME", home.path())]);
    let failed = failed_rows(&report);
    if core.row == "none" {
        assert_eq!(code, 0, "{}: {report:#}", core.name);
        return;
    }
    assert_eq!(code, 1, "{}: {report:#}", core.name);
    assert!(
        failed.contains(&core.row),
        "{} ({}) must fail {}, failed {failed:?}: {report:#}",
        core.name,
        core.trigger,
        core.row
    );
    let also = ALSO_FAILS
        .iter()
        .find(|(name, _)| *name == core.name)
        .map_or(&[][..], |(_, rows)| *rows);
    for other in &failed {
        assert!(
            *other == core.row || also.contains(&other.as_str()),
            "{} must fail only {}, also failed {other}: {report:#}",
            core.name,
            core.row
        );
    }
    let r = row(&report, &core.row);
    assert!(
        r["evidence"].as_str().is_some_and(|e| !e.is_empty()),
        "{}: {r}",
        core.name
    );
}

/// One core of each kind of fault the zoo has, run on every test run.
const SAMPLE: [&str; 12] = [
    "pid_salt",
    "env_tz_mktime",
    "daily_seed",
    "hostname_tuning",
    "identity_pid_le",
    "uninit_reserved",
    "sentinel_writes_input",
    "stdout_on_incompressible",
    "umask_in_call",
    "slow_leak",
    "lossy_at_64m",
    "race_decompress",
];

/// [`check_zoo_core`] for each of the zoo's cores named.
fn check_zoo_cores(names: &[&str]) {
    let zoo = zoo();
    for name in names {
        let core = zoo
            .iter()
            .find(|c| c.name == *name)
            .unwrap_or_else(|| panic!("{name} is not in zoo.tsv"));
        check_zoo_core(core);
    }
}

#[test]
fn a_core_of_each_kind_fails_exactly_its_row() {
    check_zoo_cores(&SAMPLE);
}

/// A core whose `fork()` child returns into the host, at load or from a
/// call: h4 ends such a copy at once (tests/host.rs), and `h4 verify`
/// names the fault in the hygiene row, the one that loads the core and
/// calls it with its own checks of the process.
#[test]
fn a_core_whose_forked_child_returns_into_the_host_fails_hygiene() {
    check_zoo_cores(&["host_forks_at_load", "host_forks_in_call"]);
}

/// A core that moves its host into a process group of its own at load,
/// or into a session of its own in a call (out of the terminal's
/// foreground group, away from Ctrl-C), fails the hygiene row; h4 itself
/// puts the group back and names the session (tests/host.rs).
#[test]
fn a_core_that_moves_the_host_out_of_its_process_group_fails_hygiene() {
    check_zoo_cores(&["host_setpgid_at_load", "host_setsid_in_call"]);
}

/// The whole zoo (`scripts/verify-zoo`): every core for issue 13 fails
/// exactly its row, and the good ones pass.
#[test]
#[ignore = "slow: about ten seconds a core; run by scripts/verify-zoo"]
fn every_zoo_core_fails_exactly_its_row() {
    let mut failures = Vec::new();
    for core in zoo()
        .iter()
        .filter(|c| c.issue == "13" || c.issue == "good")
    {
        eprintln!("verify-zoo: {} (expects {})", core.name, core.row);
        if let Err(e) = std::panic::catch_unwind(|| check_zoo_core(core)) {
            let message = e
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "failed".to_string());
            failures.push(format!(
                "{}: {}",
                core.name,
                message.lines().next().unwrap_or("")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (core source, extra cc flags, the row that must fail, words its summary
/// or evidence must contain): the blunt faults.
const BLUNT: &[(&str, &str, &str, &str)] = &[
    (
        "nondeterministic",
        "",
        "determinism",
        "same input, different bytes",
    ),
    ("address_dependent", "", "determinism", "address"),
    ("lossy", "", "losslessness", "decompress(compress(x)) != x"),
    ("leaking", "", "leaks", "grows"),
    ("fragile", "", "robustness", "crashed (SIGSEGV)"),
    ("fragile", "-DHANG", "robustness", "hung"),
    ("free_null_aborts", "", "abi", "crashed (SIGABRT)"),
    ("not_thread_safe", "", "thread-safety", "differ from serial"),
    ("null_out", "", "abi", "NULL buffer"),
    ("spec_stub", "", "losslessness", "crashed"),
    (
        "host_hangs_at_unload",
        "",
        "hygiene",
        "exit: the core's destructors and atexit handlers",
    ),
    (
        "host_exit_at_unload",
        "-DCRASH",
        "hygiene",
        "crashed (SIGSEGV)",
    ),
];

#[test]
fn every_blunt_fault_fails_its_row() {
    for &(name, flags, check, words) in BLUNT {
        let defines: Vec<&str> = flags.split_whitespace().collect();
        let core = c_core(name, flags.trim_start_matches("-D"), &defines);
        let (code, report) = verify_json(&[
            "--core",
            path_arg(&core),
            "--only",
            check,
            "--iterations",
            "5",
            "--fuzz",
            "300",
            "--timeout",
            "3",
        ]);
        assert_eq!(code, 1, "{name} {flags}: {report:#}");
        let r = row(&report, check);
        assert_eq!(r["passed"], false, "{name} {flags}: {report:#}");
        let text = format!("{} {}", r["summary"], r["evidence"]);
        assert!(text.contains(words), "{name} {flags}: {check} says {text}");
        assert!(r["evidence"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

#[test]
fn a_core_that_does_not_load_is_one_error() {
    let missing = c_core("missing_free", "", &[]);
    let out = verify(&["--core", path_arg(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing symbol h4_free"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_environments_core_is_verified_not_replaced() {
    // A core the variable names is the one verified...
    let stored = zoo_core("stored");
    let (code, report) = verify_json_env(
        &["--only", "abi,losslessness"],
        &[("HARMONY4_CORE_PATH", &stored)],
    );
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["engine"]
            .as_str()
            .unwrap()
            .contains("HARMONY4_CORE_PATH")
    );
    // ...and one that does not load fails, instead of the reference
    // engine passing in its place.
    let nowhere = Path::new("/nonexistent/libh4core.so");
    let (code, report) = verify_json_env(&[], &[("HARMONY4_CORE_PATH", nowhere)]);
    assert_eq!(code, 1, "{report:#}");
    let abi = row(&report, "abi");
    assert_eq!(abi["passed"], false);
    assert!(
        abi["evidence"].as_str().unwrap().contains("nonexistent"),
        "{abi}"
    );
    // --engine reference still overrides the variable.
    let (code, report) = verify_json_env(
        &["--engine", "reference", "--only", "abi"],
        &[("HARMONY4_CORE_PATH", nowhere)],
    );
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn vectors_are_recorded_once_and_compared_anywhere() {
    let dir = util::tempdir();
    let file = dir.path().join("reference.json");
    let out = verify(&[
        "--engine",
        "reference",
        "--record",
        path_arg(&file),
        "--only",
        "abi",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let vectors: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(vectors["format"], "h4-verify-vectors");
    assert!(vectors["vectors"].as_array().unwrap().len() >= 100);
    // Nothing about this machine or run is in the file.
    let text = std::fs::read_to_string(&file).unwrap();
    for private in [
        std::env::var("USER").unwrap_or_default(),
        std::env::var("HOME").unwrap_or_default(),
        dir.path().display().to_string(),
    ] {
        assert!(
            private.len() < 3 || !text.contains(&private),
            "{private} in vectors"
        );
    }

    // The same engine in another process and environment matches...
    let mut same = verify_command(&[
        "--json",
        "--engine",
        "reference",
        "--only",
        "determinism",
        "--against",
        path_arg(&file),
    ]);
    same.env("TZ", "<+05>-5").env("LC_ALL", "C.UTF-8");
    let out = same.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(row(&report, "vectors")["passed"], true);

    // ...another core does not...
    let stored = zoo_core("stored");
    let (code, report) = verify_json(&[
        "--core",
        path_arg(&stored),
        "--only",
        "determinism",
        "--against",
        path_arg(&file),
    ]);
    assert_eq!(code, 1);
    assert_eq!(failed_rows(&report), ["vectors"], "{report:#}");
    assert!(
        row(&report, "vectors")["evidence"]
            .as_str()
            .unwrap()
            .contains("input")
    );

    // ...and a core whose bytes differ between processes is never
    // recorded.
    let pid_salt = zoo_core("pid_salt");
    let refused = dir.path().join("pid_salt.json");
    let out = verify(&[
        "--core",
        path_arg(&pid_salt),
        "--only",
        "determinism",
        "--record",
        path_arg(&refused),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!refused.exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not recorded"), "{stderr}");
}

/// The vectors shipped in `tests/vectors/` are what the reference engine
/// and the zstd core make of the corpus today: a change of either
/// engine's bytes fails here.
#[test]
fn shipped_vectors_match_the_engines() {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let zstd = project_core("zstd");
    for (file, args) in [
        ("reference.json", vec!["--engine", "reference"]),
        ("zstd.json", vec!["--core", path_arg(&zstd)]),
    ] {
        let path = vectors.join(file);
        let mut all = args.clone();
        all.extend(["--only", "determinism", "--against", path_arg(&path)]);
        let (code, report) = verify_json(&all);
        assert_eq!(code, 0, "{file}: {report:#}");
        assert_eq!(row(&report, "vectors")["passed"], true, "{file}");
    }
}

#[test]
fn table_marks_rows_and_times_them() {
    let good = verify(&["--iterations", "2", "--fuzz", "20"]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert_eq!(text.matches('✓').count(), 10, "{text}");
    assert!(text.contains("10 passed, 0 failed"), "{text}");
    for name in ROWS {
        assert!(text.contains(&format!("✓ {name}")), "{name}: {text}");
    }

    let lossy = c_core("lossy", "", &[]);
    let bad = verify(&[
        "--core",
        path_arg(&lossy),
        "--iterations",
        "2",
        "--fuzz",
        "20",
    ]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text.contains("✗ losslessness"), "{text}");
    assert!(text.contains("first difference at byte"), "{text}");
    assert!(text.contains("9 passed, 1 failed"), "{text}");
}

#[test]
fn only_the_rows_asked_for_run() {
    let (code, report) = verify_json(&["--only", "cost,losslessness"]);
    assert_eq!(code, 0, "{report:#}");
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["check"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["abi", "losslessness", "cost"]);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(verify(&["--only", "speed"]).status.code(), Some(2));
    assert_eq!(verify(&["--iterations", "many"]).status.code(), Some(2));
    assert_eq!(
        verify(&["--core", "a.so", "--engine", "reference"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn memcheck_runs_under_valgrind_or_says_why_not() {
    let leaking = c_core("leaking", "", &[]);
    let has_valgrind = std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_valgrind {
        let (code, report) = verify_json(&[
            "--memcheck",
            "--only",
            "leaks",
            "--core",
            path_arg(&leaking),
        ]);
        assert_eq!(code, 1);
        assert_eq!(report["memcheck"], "under valgrind");
        let r = row(&report, "leaks");
        assert_eq!(r["passed"], false);
        assert!(r["summary"].as_str().unwrap().contains("valgrind"), "{r}");
    } else {
        eprintln!("valgrind not installed: only the fallback message is checked");
    }
    // With no valgrind on PATH the run goes on and says so.
    let empty = util::tempdir();
    let out = verify_command(&["--json", "--memcheck", "--only", "leaks"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert!(
        report["memcheck"]
            .as_str()
            .unwrap()
            .contains("not installed")
    );
}

#[test]
fn user_files_join_the_corpus() {
    let dir = util::tempdir();
    let file = dir.path().join("extra.bin");
    std::fs::write(&file, b"an extra input, an extra input").unwrap();
    let (code, with) = verify_json(&["--only", "losslessness", file.to_str().unwrap()]);
    let (_, without) = verify_json(&["--only", "losslessness"]);
    assert_eq!(code, 0);
    assert_eq!(
        with["inputs"].as_u64().unwrap(),
        without["inputs"].as_u64().unwrap() + 1
    );
    let missing = verify(&["no-such-file"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file"));
}
