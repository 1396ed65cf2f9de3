//! What the test modules share: the `h4` binary and the commands that run
//! it, checks of what it prints and leaves behind, and the frame layout
//! the corruption tests cut into; test data is in [`data`], the core
//! libraries in [`cores`].

pub mod cores;
pub mod data;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Output;

pub use cores::{c_core, project_core};
use tempfile::TempDir;

/// `assert_eq!` for byte strings: reports the lengths and the first
/// difference instead of printing every byte.
macro_rules! assert_bytes_eq {
    ($left:expr, $right:expr $(,)?) => {
        assert_bytes_eq!($left, $right, "bytes differ")
    };
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (l, r): (&[u8], &[u8]) = (&$left[..], &$right[..]);
        if l != r {
            let at = l
                .iter()
                .zip(r)
                .position(|(a, b)| a != b)
                .unwrap_or(l.len().min(r.len()));
            panic!(
                "{}: {} bytes vs {} bytes, first difference at byte {at}",
                format!($($msg)+),
                l.len(),
                r.len()
            );
        }
    }};
}

/// The `h4` binary cargo built for these tests.
pub const H4: &str = env!("CARGO_BIN_EXE_h4");

/// `h4`, with nothing on stdin and no core chosen by the environment
/// (`HARMONY4_CORE_PATH` removed; a test that wants one sets it).
pub fn h4() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(H4);
    cmd.env_remove("HARMONY4_CORE_PATH");
    cmd
}

/// [`h4`] run in `dir`.
pub fn h4_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = h4();
    cmd.current_dir(dir);
    cmd
}

/// `h4` as a plain process, for tests that spawn it or connect its
/// standard streams to files; no core chosen by the environment.
pub fn h4_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(H4);
    cmd.env_remove("HARMONY4_CORE_PATH");
    cmd
}

/// `path` as a command-line argument.
pub fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A new temporary directory, removed when dropped.
pub fn tempdir() -> TempDir {
    TempDir::new().unwrap()
}

/// Runs `h4 ARGS` in `dir` and returns its output, whatever the status.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    h4_in(dir).args(args).output().unwrap()
}

/// Runs `h4 ARGS` in `dir`, requires success and returns its stdout.
#[track_caller]
pub fn run_ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "h4 {args:?} failed: {:?}: {}",
        out.status,
        stderr_of(&out)
    );
    out.stdout
}

/// Runs `h4 ARGS` with `input` on stdin, requires success, returns stdout.
#[track_caller]
pub fn pipe_ok(args: &[&str], input: &[u8]) -> Vec<u8> {
    let out = h4_in(&std::env::temp_dir())
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "h4 {args:?} < stdin failed: {:?}: {}",
        out.status,
        stderr_of(&out)
    );
    out.stdout
}

/// What a run printed on stderr.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Requires exit status 1 with exactly one line on stderr, starting "h4: ",
/// and no panic. Returns the message.
#[track_caller]
pub fn assert_clean_error(out: &Output, what: &str) -> String {
    let err = stderr_of(out);
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: wrong exit status {:?}, stderr: {err}",
        out.status
    );
    assert!(err.starts_with("h4: "), "{what}: stderr {err:?}");
    assert!(err.ends_with('\n'), "{what}: stderr {err:?}");
    assert_eq!(
        err.lines().count(),
        1,
        "{what}: stderr not one line: {err:?}"
    );
    err
}

/// [`assert_clean_error`], and the message contains `needle`.
#[track_caller]
pub fn assert_fails(out: &Output, needle: &str) {
    let err = assert_clean_error(out, needle);
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// `list` as a set, to compare with [`listing`].
pub fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The length of a format 1 frame header written by the reference
/// engine: 11 fixed bytes, the name "reference" and a 4-byte check
/// (format 2's is shorter).
pub const HEADER_LEN: usize = 11 + 9 + 4;
/// The length of a format 1 block header (format 2's is at most 18).
pub const BLOCK_HEADER_LEN: usize = 16;
/// The length of a format 1 frame trailer.
pub const TRAILER_LEN: usize = 32;

/// A small input of several compressible 1 KiB blocks (the last one
/// partial), and its `.h4` frame in container format `format`.
pub fn small_multiblock(format: &str) -> (Vec<u8>, Vec<u8>) {
    let data: Vec<u8> = (0..3 * 1024 + 100).map(|i| (i / 97) as u8).collect();
    let c = pipe_ok(&["compress", "-B", "1K", "--format-version", format], &data);
    (data, c)
}

/// Writes `bytes` as `dir/c.h4` and requires `h4 decompress c.h4` and
/// `h4 test c.h4` on `threads` threads to fail cleanly, leaving nothing
/// but c.h4 behind.
#[track_caller]
pub fn assert_rejected(dir: &Path, bytes: &[u8], what: &str, threads: &str) {
    fs::write(dir.join("c.h4"), bytes).unwrap();
    let out = run(dir, &["decompress", "-T", threads, "c.h4"]);
    assert_clean_error(&out, &format!("decompress {what}"));
    assert!(out.stdout.is_empty(), "decompress {what}: wrote to stdout");
    assert_eq!(
        listing(dir),
        names(&["c.h4"]),
        "decompress {what}: left files behind"
    );
    let out = run(dir, &["test", "-T", threads, "c.h4"]);
    assert_clean_error(&out, &format!("test {what}"));
    assert!(out.stdout.is_empty(), "test {what}: wrote to stdout");
}

/// Whether process `pid` has a file open in `dir`: the output it is
/// writing, which has no name there yet (`O_TMPFILE`, shown by
/// `/proc/PID/fd` as `DIR/#INODE (deleted)`) or a hidden temporary one.
pub fn writes_into(pid: u32, dir: &Path) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    fds.filter_map(|fd| fs::read_link(fd.ok()?.path()).ok())
        .any(|target| target.parent() == Some(dir.as_path()))
}

/// Waits (up to 20 s) until process `pid` is writing an output in `dir`.
#[track_caller]
pub fn wait_for_output(pid: u32, dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !writes_into(pid, dir) {
        assert!(
            std::time::Instant::now() < deadline,
            "no output was opened in {}",
            dir.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Installs h4 under `root/prefix` with `scripts/install --no-build`, the
/// binary under test and the test build of the project's cores standing in
/// for target/release, and returns the prefix.
pub fn install(root: &Path) -> std::path::PathBuf {
    let release = root.join("target/release");
    fs::create_dir_all(&release).unwrap();
    fs::copy(H4, release.join("h4")).unwrap();
    for core in ["reference", "zstd"] {
        let name = format!("libh4_core_{core}.so");
        fs::copy(project_core(core), release.join(name)).unwrap();
    }
    fs::copy(
        cores::verify_preload(),
        release.join("libh4_verify_preload.so"),
    )
    .unwrap();
    let prefix = root.join("prefix");
    let out =
        std::process::Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install"))
            .arg("--no-build")
            .arg("--target-dir")
            .arg(root.join("target"))
            .arg(&prefix)
            .output()
            .unwrap();
    assert!(out.status.success(), "scripts/install: {}", stderr_of(&out));
    prefix
}

/// PATH with `bin` first.
pub fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}
