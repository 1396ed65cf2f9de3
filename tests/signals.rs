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

fn interrupt_mid_write_of(args: &[&str], signal: &str, want_status: i32) {
    let dir = util::tempdir();
    let mut child = h4_process()
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed some data and keep the pipe open, so h4 is mid-stream.
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&vec![7u8; 1 << 20]).unwrap();
    stdin.flush().unwrap();

    util::wait_for_output(child.id(), dir.path());
    let kill = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(want_status), "{signal}");
    let left = listing(dir.path());
    assert!(left.is_empty(), "{signal} left {left:?}");
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
