//! The project's cores under a naive host: `tests/python/ctypes_client.py`
//! binds a core exactly as the `CoreCompression` class of the core ABI
//! specification does (ctypes, `string_at(out_ptr, size)`, `h4_free`, no
//! other checks), and must round-trip deterministically through both cores
//! and produce the very bytes `h4 compress --raw` does.
//!
//! Needs python3 (standard library only); without it the tests say so and
//! pass.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::data::noise;
use crate::util::{self, h4_process, project_core};

const CORES: [&str; 2] = ["reference", "zstd"];

fn client() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/ctypes_client.py")
}

fn python3_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        eprintln!("skipped: python3 not found");
    }
    found
}

/// Runs the client with `args` and requires success.
#[track_caller]
fn run_client(args: &[&Path]) -> Output {
    let out = Command::new("python3")
        .arg(client())
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "ctypes_client.py {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `h4 ARGS < input` with no core in the environment, requires success
/// and returns stdout.
#[track_caller]
fn h4_stdout(args: &[&str], input: &Path) -> Vec<u8> {
    let out = h4_process()
        .args(args)
        .stdin(File::open(input).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "h4 {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Inputs that take each of the reference engine's paths (stored, RLE,
/// delta) plus the empty input.
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let mut mixed = b"HarmonyO4 raw output through the ABI. ".repeat(50);
    mixed.extend(std::iter::repeat_n(7u8, 10_000));
    mixed.extend((0..30_000u32).map(|i| (i * 3) as u8));
    mixed.extend(noise(5_000, 13));
    vec![
        ("empty", Vec::new()),
        ("text", b"hello world\n".to_vec()),
        ("ramp", (0..65_536u32).map(|i| i as u8).collect()),
        ("mixed", mixed),
    ]
}

#[test]
fn spec_binding_round_trips_every_project_core() {
    if !python3_available() {
        return;
    }
    for name in CORES {
        let core = project_core(name);
        let out = run_client(&[&core]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = format!("6 inputs round-tripped through {}", core.display());
        assert!(stdout.contains(&expected), "core {name}:\n{stdout}");
    }
}

#[test]
fn spec_binding_bytes_equal_h4_raw_output() {
    if !python3_available() {
        return;
    }
    let dir = util::tempdir();
    let d = dir.path();
    let reference = project_core("reference");
    for (label, data) in samples() {
        let input = d.join(format!("{label}.bin"));
        fs::write(&input, &data).unwrap();

        // The reference core through ctypes makes exactly the bytes of the
        // engine built into h4.
        let via_python = d.join(format!("{label}.reference.py"));
        run_client(&[
            &reference,
            Path::new("--compress-file"),
            &input,
            &via_python,
        ]);
        let via_python = fs::read(&via_python).unwrap();
        let builtin = h4_stdout(&["compress", "--raw", "-c"], &input);
        assert!(
            via_python == builtin,
            "{label}: ctypes gave {} bytes, h4 --raw gave {}",
            via_python.len(),
            builtin.len()
        );

        for name in CORES {
            let core = project_core(name);
            let core_arg = util::path_arg(&core);

            // Compressing: ctypes and h4 --core agree byte for byte.
            let py_out = d.join(format!("{label}.{name}.py"));
            run_client(&[&core, Path::new("--compress-file"), &input, &py_out]);
            let h4_out = h4_stdout(&["compress", "--raw", "-c", "--core", core_arg], &input);
            assert!(
                fs::read(&py_out).unwrap() == h4_out,
                "{label}: core {name} differs between ctypes and h4 --core"
            );

            // Decompressing across hosts: h4 reads what ctypes wrote ...
            let back = h4_stdout(&["decompress", "--raw", "-c", "--core", core_arg], &py_out);
            assert!(
                back == data,
                "{label}: h4 could not undo core {name} via ctypes"
            );

            // ... and ctypes reads what h4 wrote.
            let h4_file = d.join(format!("{label}.{name}.h4raw"));
            fs::write(&h4_file, &h4_out).unwrap();
            let py_back = d.join(format!("{label}.{name}.back"));
            run_client(&[&core, Path::new("--decompress-file"), &h4_file, &py_back]);
            assert!(
                fs::read(&py_back).unwrap() == data,
                "{label}: ctypes could not undo core {name} via h4"
            );
        }
    }
}
