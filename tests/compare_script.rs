//! `scripts/compare` on a machine that lacks some tools: a peer that is
//! not installed, or a program an input needs, is left out with a note,
//! and the rest is measured (it used to stop the whole run). And with
//! `--head`, on the first bytes of its inputs.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use crate::util::{self, H4, stderr_of};

/// The path of the Python interpreter, if there is one.
fn python3() -> Option<String> {
    Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string())
}

/// `scripts/compare` run by `python` on the data in `data`, with `args`,
/// one run of each command, and this build of h4.
fn compare(python: &Path, data: &Path, args: &[&str]) -> Command {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/compare");
    let mut command = Command::new(python);
    command
        .arg(script)
        .args(args)
        .args(["--runs", "1", "--h4", H4])
        .arg("--data")
        .arg(data)
        .env_remove("HARMONY4_CORE_PATH");
    command
}

/// The report `command` prints; it must succeed.
fn report_of(command: &mut Command) -> String {
    let out = command.output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}\n{report}", stderr_of(&out));
    report
}

#[test]
fn compare_skips_what_is_not_installed() {
    let Some(python) = python3() else {
        eprintln!("skipped: python3 is not installed");
        return;
    };
    let dir = util::tempdir();
    let d = dir.path();
    // A PATH with Python and a shell only: no lz4, gzip, pigz, flac,
    // espeak-ng or sox.
    let bin = d.join("bin");
    std::fs::create_dir(&bin).unwrap();
    symlink(&python, bin.join("python3")).unwrap();
    symlink("/bin/sh", bin.join("sh")).unwrap();
    let report = report_of(
        compare(
            &bin.join("python3"),
            &d.join("data"),
            &["--only", "random,speech-mono", "--threads", "1"],
        )
        .env("PATH", &bin),
    );
    assert!(
        report.contains("Not installed, so not measured: lz4 -1,"),
        "{report}"
    );
    assert!(
        report
            .contains("Inputs not made here, so not measured: speech-mono (needs espeak-ng, sox)"),
        "{report}"
    );
    assert!(report.contains("| h4 reference | 1.000 |"), "{report}");
    assert!(report.contains("grows <= 0.1% (random)"), "{report}");
    // The report says how it was made, naming this machine's paths by
    // what they are.
    assert!(
        report.contains(
            "by `scripts/compare --only random,speech-mono --threads 1 --runs 1 --h4 H4 --data DIR`"
        ),
        "{report}"
    );
    assert!(!report.contains(&*d.to_string_lossy()), "{report}");
}

#[test]
fn compare_measures_the_head_of_each_input() {
    let Some(python) = python3() else {
        eprintln!("skipped: python3 is not installed");
        return;
    };
    let dir = util::tempdir();
    let data = dir.path().join("data");
    let report = report_of(&mut compare(
        Path::new(&python),
        &data,
        &["--only", "random", "--threads", "1", "--head", "5k"],
    ));
    assert!(
        report.contains("**random** (5 KiB: the first 5000 bytes of seeded pseudo-random bytes)"),
        "{report}"
    );
    // The whole input is kept; its head is a file of its own.
    let head = data.join("scratch/head-5000/random.bin");
    assert_eq!(std::fs::metadata(head).unwrap().len(), 5000);
    assert_eq!(
        std::fs::metadata(data.join("random.bin")).unwrap().len(),
        32 << 20
    );
}
