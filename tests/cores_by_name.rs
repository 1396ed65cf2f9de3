//! Cores by name: `--core NAME` searches `HARMONY4_CORE_DIR`, then
//! `PREFIX/lib/h4/cores` beside an installed h4 (what `scripts/install`
//! makes), then the executable's directory; `h4 cores` lists what it
//! finds; `--require-core` and `HARMONY4_CORE_REQUIRED=1` turn the
//! fall-back of a `HARMONY4_CORE_PATH` that does not load into an error.

use std::fs;
use std::process::Command;

use crate::util::data::text;
use crate::util::{self, assert_fails, h4_in, project_core, stderr_of};

/// The directory the project's cores were built into for the tests.
fn core_dir() -> std::path::PathBuf {
    project_core("zstd").parent().unwrap().to_path_buf()
}

#[test]
fn a_core_by_name_from_the_core_directory() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(100_000);
    fs::write(d.join("f"), &data).unwrap();
    let by_path = h4_in(d)
        .args(["-c", "--core"])
        .arg(project_core("zstd"))
        .arg("f")
        .output()
        .unwrap();
    let by_name = h4_in(d)
        .env(
            "HARMONY4_CORE_DIR",
            format!("/nonexistent:{}", core_dir().display()),
        )
        .args(["-c", "--core", "zstd", "f"])
        .output()
        .unwrap();
    assert!(by_name.status.success(), "{}", stderr_of(&by_name));
    assert_bytes_eq!(
        by_name.stdout,
        by_path.stdout,
        "--core zstd is the zstd core"
    );
    // The file name works as a name too, and the commands take names.
    let by_file = h4_in(d)
        .env("HARMONY4_CORE_DIR", core_dir())
        .args(["compress", "-c", "--core", "libh4_core_zstd.so", "f"])
        .output()
        .unwrap();
    assert_bytes_eq!(by_file.stdout, by_path.stdout);

    let out = h4_in(d)
        .env("HARMONY4_CORE_DIR", d)
        .args(["-c", "--core", "nosuch", "f"])
        .output()
        .unwrap();
    assert_fails(&out, "no core named 'nosuch' (libh4_core_nosuch.so) in");
    assert!(stderr_of(&out).contains(&d.display().to_string()));

    // HARMONY4_CORE_PATH may name a core too.
    let by_variable = h4_in(d)
        .env("HARMONY4_CORE_DIR", core_dir())
        .env("HARMONY4_CORE_PATH", "zstd")
        .args(["-c", "f"])
        .output()
        .unwrap();
    assert!(by_variable.stderr.is_empty(), "{}", stderr_of(&by_variable));
    assert_bytes_eq!(by_variable.stdout, by_path.stdout);
}

#[test]
fn h4_cores_lists_names_versions_levels_and_paths() {
    let out = util::h4()
        .env("HARMONY4_CORE_DIR", core_dir())
        .arg("cores")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    let zstd = table
        .lines()
        .find(|l| l.starts_with("zstd "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(zstd.contains("-131072..22"), "{zstd}");
    assert!(
        zstd.contains(&project_core("zstd").display().to_string()),
        "{zstd}"
    );
    let reference = table.lines().find(|l| l.starts_with("reference ")).unwrap();
    assert!(reference.contains("1..9"), "{reference}");
    assert!(table.contains(&core_dir().display().to_string()), "{table}");

    // A library that does not load is a row saying why; a core of the same
    // name later on the path is marked as not the one used.
    let dir = util::tempdir();
    fs::write(dir.path().join("libh4_core_broken.so"), b"not a library").unwrap();
    fs::copy(
        project_core("reference"),
        dir.path().join("libh4_core_zstd.so"),
    )
    .unwrap();
    let search = format!("{}:{}", dir.path().display(), core_dir().display());
    let out = util::h4()
        .env("HARMONY4_CORE_DIR", &search)
        .arg("cores")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    let broken = table.lines().find(|l| l.starts_with("broken ")).unwrap();
    assert!(broken.contains("does not load"), "{broken}");
    let zstd: Vec<&str> = table.lines().filter(|l| l.starts_with("zstd ")).collect();
    assert!(zstd.len() >= 2, "{table}");
    assert!(
        zstd[0].contains("1..9") && !zstd[0].contains("shadowed"),
        "{table}"
    );
    assert!(zstd[1].contains("(shadowed by the one above)"), "{table}");
    assert!(
        zstd[0].contains("1..9") && zstd[1].contains("(shadowed by the one above)"),
        "{table}"
    );

    let json = util::h4()
        .env("HARMONY4_CORE_DIR", core_dir())
        .args(["cores", "--json"])
        .output()
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let cores = parsed["cores"].as_array().unwrap();
    assert!(
        cores
            .iter()
            .any(|c| c["name"] == "zstd" && c["levels"][1] == 22),
        "{parsed}"
    );
}

#[test]
fn a_required_core_that_does_not_load_is_an_error() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), b"data").unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = h4_in(d);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    };
    let missing = [("HARMONY4_CORE_PATH", "/nonexistent/libh4core.so")];
    // The specification's fall-back: a warning, the reference engine, exit 0.
    let out = run(&missing, &["-c", "f"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("using the reference engine"));
    // Required: one line, exit 1, nothing written.
    for (env, args) in [
        (
            &[missing[0], ("HARMONY4_CORE_REQUIRED", "1")][..],
            &["-c", "f"][..],
        ),
        (&missing[..], &["--require-core", "-c", "f"]),
        (&missing[..], &["compress", "--require-core", "f"]),
        (&[("HARMONY4_CORE_REQUIRED", "1")][..], &["f"]),
    ] {
        let out = run(env, args);
        util::assert_clean_error(&out, &format!("{env:?} {args:?}"));
        assert!(out.stdout.is_empty());
        assert!(!d.join("f.h4").exists());
    }
    // --engine reference is an explicit choice over the environment.
    let out = run(
        &[missing[0], ("HARMONY4_CORE_REQUIRED", "1")],
        &["--engine", "reference", "-c", "f"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
}

/// `scripts/install PREFIX` as a user runs it (here without building: the
/// binary under test and the test build of the cores stand in for
/// target/release), then the installed h4 finds its cores by name.
#[test]
fn install_script_puts_everything_where_h4_finds_it() {
    let dir = util::tempdir();
    let prefix = util::install(dir.path());
    for file in [
        "bin/h4",
        "bin/unh4",
        "bin/h4cat",
        "lib/h4/cores/libh4_core_zstd.so",
        "lib/h4/cores/libh4_core_reference.so",
        "lib/h4/libh4_verify_preload.so",
        "share/man/man1/h4.1",
        "share/man/man1/h4-compress.1",
        "share/man/man1/unh4.1",
        "share/bash-completion/completions/h4",
        "share/bash-completion/completions/unh4",
        "share/zsh/site-functions/_h4",
        "share/fish/vendor_completions.d/h4.fish",
    ] {
        assert!(prefix.join(file).exists(), "{file} not installed");
    }
    let installed = |program: &str, args: &[&str], stdin: &[u8]| {
        let mut child = Command::new(prefix.join("bin").join(program))
            .args(args)
            .env_remove("HARMONY4_CORE_PATH")
            .env_remove("HARMONY4_CORE_DIR")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            stderr_of(&out)
        );
        out.stdout
    };
    // The installed verifier finds its preload library: nothing is left
    // unvaried for want of it.
    let report = installed("h4", &["verify", "--json", "--only", "determinism"], b"");
    let report: serde_json::Value = serde_json::from_slice(&report).unwrap();
    assert!(
        !report["notes"].to_string().contains("not found"),
        "{report:#}"
    );
    let listing = String::from_utf8(installed("h4", &["cores"], b"")).unwrap();
    let cores_dir = prefix.join("lib/h4/cores").canonicalize().unwrap();
    assert!(
        listing.contains(&cores_dir.display().to_string()),
        "{listing}"
    );
    let data = text(50_000);
    let packed = installed("h4", &["--core", "zstd", "-9"], &data);
    assert_bytes_eq!(installed("unh4", &["--core", "zstd"], &packed), data);
    assert_bytes_eq!(installed("h4cat", &["--core", "zstd"], &packed), data);
}
