//! h4 as the host of external cores: selection, identity, the round-trip
//! check, `--raw`, and how every kind of misbehaving core is handled
//! (a clear one-line error, exit 1, no output file, no leaked buffer).

use std::fs;
use std::path::Path;
use std::process::Output;

use tempfile::TempDir;

use crate::util::{self, assert_fails, c_core, h4_in, path_arg, project_core};

/// Runs and text-like stretches, so every core has something to gain.
fn sample(len: usize) -> Vec<u8> {
    util::data::runs(len, 0x1234_5678)
}

/// A directory with `in.bin` holding `data`.
fn workdir(data: &[u8]) -> TempDir {
    let dir = util::tempdir();
    fs::write(dir.path().join("in.bin"), data).unwrap();
    dir
}

/// Only `in.bin` (and whatever `keep` names) is left in the directory.
#[track_caller]
fn assert_no_output(dir: &Path, keep: &[&str]) {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "in.bin" && !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    assert!(names.is_empty(), "left behind: {names:?}");
}

/// Runs h4 with a leak counter file and returns the output and the number
/// of core buffers never released.
fn run_counting(dir: &Path, args: &[&str]) -> (Output, i64) {
    let counter = dir.join("leaks.txt");
    let out = h4_in(dir)
        .args(args)
        .env("H4_TEST_LEAK_FILE", &counter)
        .output()
        .unwrap();
    let leaks = fs::read_to_string(&counter)
        .expect("the core wrote its leak count")
        .trim()
        .parse()
        .unwrap();
    fs::remove_file(counter).unwrap();
    (out, leaks)
}

#[test]
fn project_cores_round_trip_by_flag_and_by_environment() {
    let data = sample(300_000);
    for name in ["reference", "zstd"] {
        let core = project_core(name);
        let dir = workdir(&data);
        let d = dir.path();
        h4_in(d)
            .args(["compress", "-B", "64K", "--core", path_arg(&core), "in.bin"])
            .assert()
            .success();
        let by_flag = fs::read(d.join("in.bin.h4")).unwrap();
        let by_env = h4_in(d)
            .args(["compress", "-B", "64K", "-c", "in.bin"])
            .env("HARMONY4_CORE_PATH", &core)
            .output()
            .unwrap();
        assert!(by_env.status.success());
        assert!(by_env.stdout == by_flag, "{name}: env and flag differ");
        assert!(by_flag.len() < data.len() / 2, "{name} did not compress");

        let info = h4_in(d).args(["info", "in.bin.h4"]).output().unwrap();
        let table = String::from_utf8_lossy(&info.stdout);
        assert!(table.contains(&format!("core '{name}'")), "{table}");

        fs::rename(d.join("in.bin"), d.join("orig")).unwrap();
        h4_in(d)
            .args(["decompress", "--core", path_arg(&core), "in.bin.h4"])
            .assert()
            .success();
        assert!(fs::read(d.join("in.bin")).unwrap() == data, "{name}");
    }
}

#[test]
fn project_cores_are_deterministic_across_thread_counts() {
    let data = sample(1_000_000);
    let dir = workdir(&data);
    for name in ["reference", "zstd"] {
        let core = project_core(name);
        let outputs: Vec<Vec<u8>> = ["1", "2", "4"]
            .iter()
            .map(|t| {
                let args = [
                    "compress",
                    "-T",
                    t,
                    "-B",
                    "64K",
                    "--core",
                    path_arg(&core),
                    "-c",
                    "in.bin",
                ];
                h4_in(dir.path()).args(args).output().unwrap().stdout
            })
            .collect();
        assert!(
            outputs.iter().all(|o| *o == outputs[0] && !o.is_empty()),
            "{name}"
        );
    }
}

#[test]
fn reference_core_payloads_equal_the_built_in_engine() {
    let data = sample(200_000);
    let dir = workdir(&data);
    let d = dir.path();
    let core = project_core("reference");
    let builtin = h4_in(d)
        .args(["compress", "--raw", "-c", "in.bin"])
        .output()
        .unwrap();
    let through_abi = h4_in(d)
        .args([
            "compress",
            "--raw",
            "--core",
            path_arg(&core),
            "-c",
            "in.bin",
        ])
        .output()
        .unwrap();
    assert!(builtin.status.success() && through_abi.status.success());
    assert!(builtin.stdout == through_abi.stdout);

    // A frame made through the reference core names the reference format,
    // so the built-in engine decodes it without the core.
    let frame = h4_in(d)
        .args(["compress", "--core", path_arg(&core), "-c", "in.bin"])
        .output()
        .unwrap()
        .stdout;
    let back = h4_in(d)
        .args(["decompress"])
        .write_stdin(frame)
        .output()
        .unwrap();
    assert!(back.status.success());
    assert!(back.stdout == data);
}

#[test]
fn raw_mode_round_trips_including_empty_input() {
    let core = project_core("zstd");
    for data in [Vec::new(), sample(100_000)] {
        let dir = workdir(&data);
        let d = dir.path();
        let packed = h4_in(d)
            .args([
                "compress",
                "--raw",
                "--core",
                path_arg(&core),
                "-c",
                "in.bin",
            ])
            .output()
            .unwrap();
        assert!(packed.status.success());
        // What the core returns is a plain zstd frame: no h4 container.
        assert_eq!(&packed.stdout[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        let back = h4_in(d)
            .args(["decompress", "--raw", "--core", path_arg(&core)])
            .write_stdin(packed.stdout)
            .output()
            .unwrap();
        assert!(back.status.success());
        assert!(back.stdout == data);
    }
    // --raw never invents an .h4 name.
    let dir = workdir(b"x");
    let out = h4_in(dir.path())
        .args(["compress", "--raw", "in.bin"])
        .output()
        .unwrap();
    assert_fails(&out, "needs -o FILE or -c");
}

#[test]
fn core_frames_need_their_core() {
    let dir = workdir(&sample(50_000));
    let d = dir.path();
    let zstd = project_core("zstd");
    h4_in(d)
        .args(["compress", "--core", path_arg(&zstd), "in.bin"])
        .assert()
        .success();
    fs::rename(d.join("in.bin"), d.join("orig")).unwrap();
    let out = h4_in(d).args(["decompress", "in.bin.h4"]).output().unwrap();
    assert_fails(&out, "made by core 'zstd', which is not loaded");
    assert!(!d.join("in.bin").exists());
    let wrong = c_core("plain_rle", "", &[]);
    let out = h4_in(d)
        .args(["decompress", "--core", path_arg(&wrong), "in.bin.h4"])
        .output()
        .unwrap();
    assert_fails(&out, "the loaded engine is core 'unnamed'");
    assert!(!d.join("in.bin").exists());
}

#[test]
fn environment_core_that_fails_to_load_falls_back_with_one_warning() {
    let dir = workdir(&sample(20_000));
    let d = dir.path();
    let reference = h4_in(d)
        .args(["compress", "-c", "in.bin"])
        .output()
        .unwrap()
        .stdout;
    let out = h4_in(d)
        .args(["compress", "-c", "in.bin"])
        .env("HARMONY4_CORE_PATH", d.join("no-such-core.so"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HARMONY4_CORE_PATH") && stderr.contains("using the reference engine"));
    assert!(out.stdout == reference);

    // --engine reference ignores the variable, even a working one.
    let zstd = project_core("zstd");
    let out = h4_in(d)
        .args(["compress", "--engine", "reference", "-c", "in.bin"])
        .env("HARMONY4_CORE_PATH", &zstd)
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    assert!(out.stdout == reference);
}

#[test]
fn core_flag_that_fails_to_load_is_an_error() {
    let dir = workdir(b"data");
    let d = dir.path();
    let out = h4_in(d)
        .args(["compress", "--core", "no-such-core.so", "in.bin"])
        .output()
        .unwrap();
    assert_fails(&out, "cannot load core no-such-core.so");
    assert_no_output(d, &[]);
}

#[test]
fn a_foreign_core_with_only_the_three_symbols_works() {
    let core = c_core("plain_rle", "", &[]);
    let data = sample(200_000);
    let dir = workdir(&data);
    let d = dir.path();
    let (out, leaks) = run_counting(
        d,
        &["compress", "-B", "16K", "--core", path_arg(&core), "in.bin"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(leaks, 0);
    let info = h4_in(d)
        .args(["info", "--json", "in.bin.h4"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(json[0]["frames"][0]["engine"]["name"], "unnamed");
    assert_eq!(json[0]["frames"][0]["engine"]["kind"], "core");
    let (out, leaks) = run_counting(
        d,
        &["decompress", "--core", path_arg(&core), "-c", "in.bin.h4"],
    );
    assert!(out.status.success());
    assert_eq!(leaks, 0);
    assert!(out.stdout == data);
}

#[test]
fn missing_symbol_is_named() {
    let core = c_core("missing_free", "", &[]);
    let dir = workdir(b"data");
    let out = h4_in(dir.path())
        .args(["compress", "--core", path_arg(&core), "in.bin"])
        .output()
        .unwrap();
    assert_fails(&out, "missing symbol h4_free");
    assert!(String::from_utf8_lossy(&out.stderr).contains("libmissing_free.so"));
    assert_no_output(dir.path(), &[]);
}

#[test]
fn misbehaving_cores_fail_cleanly_without_leaks() {
    let data = sample(100_000);
    let cases = [
        ("null_out", "with a NULL buffer"),
        ("returns_zero", "returned 0 (the core failed)"),
        ("huge_length", "implausible length"),
        ("lossy", "round-trip check failed"),
    ];
    for (name, needle) in cases {
        let core = c_core(name, "", &[]);
        let dir = workdir(&data);
        let d = dir.path();
        for threads in ["1", "2"] {
            let (out, leaks) = run_counting(
                d,
                &[
                    "compress",
                    "-T",
                    threads,
                    "-B",
                    "16K",
                    "--core",
                    path_arg(&core),
                    "in.bin",
                ],
            );
            assert_fails(&out, needle);
            assert_eq!(leaks, 0, "{name} leaked");
            assert_no_output(d, &[]);
        }
    }
}

#[test]
fn decompress_side_misbehaviour_is_caught() {
    let data = sample(100_000);
    let dir = workdir(&data);
    let d = dir.path();
    // Frames made by a good core named "unnamed", decoded by bad cores that
    // are also unnamed: each must fail cleanly, leak nothing, write nothing.
    let good = c_core("plain_rle", "", &[]);
    h4_in(d)
        .args(["compress", "-B", "16K", "--core", path_arg(&good), "in.bin"])
        .assert()
        .success();
    fs::rename(d.join("in.bin"), d.join("orig")).unwrap();
    for (name, needle) in [
        ("null_out", "with a NULL buffer"),
        ("returns_zero", "decoded 0 bytes"),
        ("huge_length", "decodes to more than"),
    ] {
        let core = c_core(name, "", &[]);
        let (out, leaks) = run_counting(d, &["decompress", "--core", path_arg(&core), "in.bin.h4"]);
        assert_fails(&out, needle);
        assert_eq!(leaks, 0, "{name} leaked");
        assert_no_output(d, &["orig", "in.bin.h4"]);
    }
}

#[test]
fn lossy_core_without_check_is_caught_on_decompress() {
    let data = sample(100_000);
    let dir = workdir(&data);
    let d = dir.path();
    let core = c_core("lossy", "", &[]);
    h4_in(d)
        .args([
            "compress",
            "--no-check",
            "--core",
            path_arg(&core),
            "in.bin",
        ])
        .assert()
        .success();
    fs::rename(d.join("in.bin"), d.join("orig")).unwrap();
    let out = h4_in(d)
        .args(["decompress", "--core", path_arg(&core), "in.bin.h4"])
        .output()
        .unwrap();
    assert_fails(&out, "content checksum mismatch");
    assert_no_output(d, &["orig", "in.bin.h4"]);
}

#[test]
fn wrong_core_with_the_right_name_is_caught_by_checksums() {
    let data = sample(100_000);
    let dir = workdir(&data);
    let d = dir.path();
    let key_a = c_core("xor", "_a", &["-DKEY=0x55"]);
    let key_b = c_core("xor", "_b", &["-DKEY=0x2a"]);
    h4_in(d)
        .args(["compress", "--core", path_arg(&key_a), "in.bin"])
        .assert()
        .success();
    fs::rename(d.join("in.bin"), d.join("orig")).unwrap();
    let out = h4_in(d)
        .args(["decompress", "--core", path_arg(&key_b), "in.bin.h4"])
        .output()
        .unwrap();
    assert_fails(&out, "content checksum mismatch");
    assert_no_output(d, &["orig", "in.bin.h4"]);
    h4_in(d)
        .args(["decompress", "--core", path_arg(&key_a), "in.bin.h4"])
        .assert()
        .success();
    assert!(fs::read(d.join("in.bin")).unwrap() == data);
}

#[test]
fn identity_symbols_are_validated() {
    let dir = workdir(b"data");
    for (name, needle) in [
        (
            "bad_identity",
            "h4_core_name_v1 must return 1 to 64 printable ASCII",
        ),
        ("future_abi", "ABI version 2"),
    ] {
        let core = c_core(name, "", &[]);
        let out = h4_in(dir.path())
            .args(["compress", "--core", path_arg(&core), "in.bin"])
            .output()
            .unwrap();
        assert_fails(&out, needle);
        assert_no_output(dir.path(), &[]);
    }
}

#[test]
fn a_core_can_choose_the_block_size_unless_the_user_does() {
    let dir = workdir(&sample(100_000));
    let d = dir.path();
    let zstd = project_core("zstd");
    // Format 1 records the block size however short the input is.
    let block_size = |args: &[&str]| {
        let frame = h4_in(d)
            .args(args)
            .args(["--format-version", "1", "in.bin"])
            .output()
            .unwrap()
            .stdout;
        let out = h4_in(d)
            .args(["info", "--json"])
            .write_stdin(frame)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json[0]["frames"][0]["block_size"].as_u64().unwrap()
    };
    assert_eq!(
        block_size(&["compress", "-c", "--core", path_arg(&zstd)]),
        6 << 20
    );
    assert_eq!(
        block_size(&["compress", "-c", "-B", "64K", "--core", path_arg(&zstd)]),
        64 << 10
    );
    assert_eq!(block_size(&["compress", "-c"]), 1 << 20);
}
