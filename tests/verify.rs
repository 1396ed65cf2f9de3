//! `h4 verify` against good engines and a zoo of faulty C cores, one per
//! fault class: each must fail with exit 1 and the right row marked, and
//! the verifier itself must never crash.

use std::process::Output;

use serde_json::Value;

use crate::util::{self, c_core, h4, path_arg, project_core};

fn verify(args: &[&str]) -> Output {
    h4().arg("verify").args(args).output().unwrap()
}

/// Runs `h4 verify --json` and returns the exit code and the report.
fn verify_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = verify(&all);
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
    assert_eq!(report["checks"].as_array().unwrap().len(), 6);
    (code, report)
}

fn row<'a>(report: &'a Value, check: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no row {check}"))
}

#[test]
fn good_engines_pass_every_check() {
    let reference_core = project_core("reference");
    let zstd_core = project_core("zstd");
    for args in [
        vec!["--engine", "reference"],
        vec!["--core", path_arg(&reference_core)],
        vec!["--core", path_arg(&zstd_core)],
    ] {
        let (code, report) = verify_json(&args);
        assert_eq!(code, 0, "{args:?}: {report:#}");
        assert_eq!(report["failed"], 0);
        assert_eq!(report["passed"], 6);
        assert!(report["inputs"].as_u64().unwrap() >= 30);
    }
}

#[test]
fn user_files_join_the_corpus() {
    let dir = util::tempdir();
    let file = dir.path().join("extra.bin");
    std::fs::write(&file, b"an extra input, an extra input").unwrap();
    let (code, with) = verify_json(&["--iterations", "2", "--fuzz", "10", file.to_str().unwrap()]);
    let (_, without) = verify_json(&["--iterations", "2", "--fuzz", "10"]);
    assert_eq!(code, 0);
    assert_eq!(
        with["inputs"].as_u64().unwrap(),
        without["inputs"].as_u64().unwrap() + 1
    );
    let missing = verify(&["no-such-file"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file"));
}

/// (core source, extra cc flags, the row that must fail, words its summary
/// or evidence must contain)
const ZOO: &[(&str, &str, &str, &str)] = &[
    (
        "nondeterministic",
        "",
        "determinism",
        "same input, different bytes",
    ),
    ("address_dependent", "", "determinism", "address"),
    ("lossy", "", "losslessness", "decompress(compress(x)) != x"),
    ("leaking", "", "leaks", "memory grows"),
    ("fragile", "", "robustness", "crashed (SIGSEGV)"),
    ("fragile", "-DHANG", "robustness", "hung"),
    ("free_null_aborts", "", "abi", "crashed (SIGABRT)"),
    ("not_thread_safe", "", "thread-safety", "differ from serial"),
    ("missing_free", "", "abi", "missing symbol h4_free"),
    ("null_out", "", "abi", "NULL buffer"),
    ("spec_stub", "", "losslessness", "crashed"),
];

#[test]
fn every_faulty_core_fails_its_row() {
    for &(name, flags, check, words) in ZOO {
        let defines: Vec<&str> = flags.split_whitespace().collect();
        let core = c_core(name, flags.trim_start_matches("-D"), &defines);
        let (code, report) = verify_json(&[
            "--core",
            path_arg(&core),
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
fn table_marks_rows_and_counts_them() {
    let good = verify(&["--iterations", "2", "--fuzz", "20"]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert_eq!(text.matches('✓').count(), 6, "{text}");
    assert!(text.contains("6 passed, 0 failed"), "{text}");

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
    assert!(text.contains("5 passed, 1 failed"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
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
        let (code, report) = verify_json(&["--memcheck", "--core", path_arg(&leaking)]);
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
    let out = h4()
        .args([
            "verify",
            "--json",
            "--memcheck",
            "--iterations",
            "2",
            "--fuzz",
            "10",
        ])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        report["memcheck"]
            .as_str()
            .unwrap()
            .contains("not installed")
    );
}
