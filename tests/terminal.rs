//! Progress on a terminal, and none elsewhere: h4 run inside a
//! pseudo-terminal (util-linux `script`) draws a progress bar for a slow
//! stream, `-q` silences it, and on a pipe nothing is drawn.

use std::process::Command;

fn h4() -> String {
    assert_cmd::cargo::cargo_bin("h4").display().to_string()
}

/// Runs `shell` inside a pseudo-terminal and returns what it printed, or
/// `None` when `script` is not available.
fn in_pty(shell: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("typescript");
    let out = Command::new("script")
        .args(["-q", "-e", "-c", shell])
        .arg(&log)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&std::fs::read(&log).ok()?).into_owned())
}

/// A stream that pauses half-way, so progress has time to draw.
fn slow_stream(flags: &str) -> String {
    format!(
        "sh -c '(head -c 3000000 /dev/zero; sleep 1; head -c 3000000 /dev/zero) | {} compress {flags} -T1 -c > /dev/null'",
        h4()
    )
}

#[test]
fn progress_is_drawn_on_a_terminal_unless_quiet() {
    let Some(shown) = in_pty(&slow_stream("")) else {
        eprintln!("skipped: no working `script` for a pseudo-terminal");
        return;
    };
    assert!(shown.contains("B/s"), "no progress drawn: {shown:?}");
    let quiet = in_pty(&slow_stream("-q")).unwrap();
    assert!(!quiet.contains("B/s"), "-q still drew progress: {quiet:?}");
}

#[test]
fn nothing_is_drawn_on_a_pipe() {
    let out = Command::new("sh")
        .args(["-c", &slow_stream("")])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_color_turns_off_colour_on_a_terminal() {
    let bogus = format!("{} compress --bogus", h4());
    let Some(coloured) = in_pty(&format!("sh -c '{bogus}; true'")) else {
        eprintln!("skipped: no working `script` for a pseudo-terminal");
        return;
    };
    assert!(
        coloured.contains("\u{1b}["),
        "expected colour on a terminal: {coloured:?}"
    );
    let plain = in_pty(&format!("sh -c 'NO_COLOR=1 {bogus}; true'")).unwrap();
    assert!(plain.contains("unexpected argument"), "{plain:?}");
    assert!(
        !plain.contains("\u{1b}["),
        "NO_COLOR still coloured: {plain:?}"
    );
}
