//! Interrupts with real signals: Ctrl-C (SIGINT) and SIGTERM in the middle
//! of writing an output remove the temporary file, write no output, keep
//! the input, and exit with 130 and 143.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{self, h4_process, listing};

fn interrupt_mid_write(signal: &str, want_status: i32) {
    interrupt_mid_write_of(
        &["compress", "-B", "4K", "-o", "out.h4"],
        signal,
        want_status,
    );
}

/// Starts `command` (an h4 compressing standard input) in a new directory
/// and feeds it a MiB, keeping the pipe open: h4 is mid-stream, with an
/// output begun, when this returns.
fn mid_stream(
    mut command: Command,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    tempfile::TempDir,
) {
    let dir = util::tempdir();
    let mut child = command
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&vec![7u8; 1 << 20]).unwrap();
    stdin.flush().unwrap();
    util::wait_for_output(child.id(), dir.path());
    (child, stdin, dir)
}

fn kill(signal: &str, child: &std::process::Child) {
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
}

fn interrupt_mid_write_of(args: &[&str], signal: &str, want_status: i32) {
    let mut command = h4_process();
    command.args(args);
    let (mut child, stdin, dir) = mid_stream(command);
    kill(signal, &child);
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(want_status), "{signal}");
    let left = listing(dir.path());
    assert!(left.is_empty(), "{signal} left {left:?}");
}

/// As under nohup: a SIGHUP ignored by h4's parent (sh's `trap ''`) is
/// ignored across exec, and must not end the run.
#[test]
fn a_signal_ignored_when_h4_starts_stays_ignored() {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" compress -B 4K -o out.h4")
        .arg(util::H4);
    let (mut child, mut stdin, dir) = mid_stream(command);
    kill("-HUP", &child);
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "SIGHUP ended h4");
    stdin.write_all(&vec![7u8; 1 << 20]).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", util::stderr_of(&out));
    assert_eq!(listing(dir.path()), util::names(&["out.h4"]));
}

#[test]
fn sigint_removes_the_partial_output_and_exits_130() {
    interrupt_mid_write("-INT", 130);
}

#[test]
fn sigterm_removes_the_partial_output_and_exits_143() {
    interrupt_mid_write("-TERM", 143);
}

/// The terminal going away mid-run (SIGHUP), in the zstd-style command
/// line: no output left, the conventional 129.
#[test]
fn sighup_removes_the_partial_output_and_exits_129() {
    interrupt_mid_write_of(&["-B", "4K", "-o", "out.h4"], "-HUP", 129);
}

#[test]
fn interrupted_rm_keeps_the_input() {
    let dir = util::tempdir();
    let input = dir.path().join("data");
    // A FIFO as input: h4 blocks reading it, mid-compression.
    let made = Command::new("mkfifo").arg(&input).status().unwrap();
    assert!(made.success());
    let mut child = h4_process()
        .args(["compress", "--rm", "data"])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(&input)
        .unwrap();
    writer.write_all(&vec![1u8; 1 << 16]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    drop(writer);
    assert_eq!(status.code(), Some(130));
    assert!(
        input.exists(),
        "--rm removed the input of an interrupted run"
    );
    assert!(!dir.path().join("data.h4").exists());
}
