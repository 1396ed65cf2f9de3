//! README's Usage and Cores examples run as written: each `sh` block is
//! run with `sh -e` in an empty directory, with h4 installed by
//! `scripts/install` (the binary under test and the test build of the
//! cores standing in for target/release) first on PATH.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{self, stderr_of};

/// The first ```sh block after `heading` in README.md.
fn sh_block(heading: &str) -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading}"))..];
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let len = section[start..].find("```").expect("a closing fence");
    section[start..start + len].to_string()
}

fn run_block(heading: &str) {
    let dir = util::tempdir();
    let bin = util::install(dir.path()).join("bin");
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    let script = sh_block(heading);
    let out = Command::new("sh")
        .args(["-e", "-c", &script])
        .current_dir(&work)
        .env("PATH", util::path_with(&bin))
        .env_remove("HARMONY4_CORE_PATH")
        .env_remove("HARMONY4_CORE_DIR")
        .env_remove("HARMONY4_CORE_REQUIRED")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "README's {heading} block failed: {}\n{script}",
        stderr_of(&out)
    );
}

#[test]
fn readme_usage_runs_as_written() {
    run_block("## Usage");
}

#[test]
fn readme_cores_runs_as_written() {
    run_block("## Cores");
}
