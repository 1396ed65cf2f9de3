//! h4 on a terminal (a pseudo-terminal from util-linux `script`): progress
//! is drawn for a slow stream unless `-q`, and never on a pipe; `NO_COLOR`
//! turns colour off; compressed data is neither written to nor read from a
//! terminal unless forced.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{self, H4, data};

/// Runs `command` (a shell command line) in `dir` under util-linux
/// `script`, on a pseudo-terminal, and returns what the terminal showed
/// (stdout) and the command's exit status; `None` when `script` cannot
/// open a pseudo-terminal here.
fn on_terminal(dir: &Path, command: &str) -> Option<Output> {
    let available = Command::new("script")
        .args(["-q", "-e", "-c", "true", "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipped: util-linux `script` cannot run a pseudo terminal here");
        return None;
    }
    Some(
        Command::new("script")
            .args(["-q", "-e", "-c", command, "/dev/null"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    )
}

/// Runs `shell` on a pseudo-terminal, requires it to succeed and returns
/// what the terminal showed, or `None` when `script` is not available.
fn shown(shell: &str) -> Option<String> {
    let dir = util::tempdir();
    let out = on_terminal(dir.path(), shell)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{shell}: {:?}: {text}", out.status);
    Some(text)
}

/// A stream that pauses half-way, so progress has time to draw.
fn slow_stream(flags: &str) -> String {
    format!(
        "sh -c '(head -c 3000000 /dev/zero; sleep 1; head -c 3000000 /dev/zero) | {H4} compress {flags} -T1 -c > /dev/null'"
    )
}

#[test]
fn progress_is_drawn_on_a_terminal_unless_quiet() {
    let Some(drawn) = shown(&slow_stream("")) else {
        return;
    };
    assert!(drawn.contains("B/s"), "no progress drawn: {drawn:?}");
    let quiet = shown(&slow_stream("-q")).unwrap();
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
    let bogus = format!("{H4} compress --bogus");
    let Some(coloured) = shown(&format!("sh -c '{bogus}; true'")) else {
        return;
    };
    assert!(
        coloured.contains("\u{1b}["),
        "expected colour on a terminal: {coloured:?}"
    );
    let plain = shown(&format!("sh -c 'NO_COLOR=1 {bogus}; true'")).unwrap();
    assert!(plain.contains("unexpected argument"), "{plain:?}");
    assert!(
        !plain.contains("\u{1b}["),
        "NO_COLOR still coloured: {plain:?}"
    );
}

#[test]
fn compressed_data_and_terminals() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("in"), data::text(2000)).unwrap();
    let bin = format!("'{H4}'");

    let Some(out) = on_terminal(d, &format!("{bin} compress -c in")) else {
        return;
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("refusing to write compressed data to a terminal"),
        "{shown}"
    );
    assert!(
        !shown.contains("H4"),
        "compressed bytes reached the terminal"
    );

    // -f forces it; a file output is fine on a terminal.
    let out = on_terminal(d, &format!("{bin} compress -f -c in")).unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = on_terminal(d, &format!("{bin} compress in")).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(d.join("in.h4").exists());

    // Compressing a terminal is refused as zstd refuses it ("stdin is a
    // console"), instead of waiting for typing; -f reads it.
    for cmd in ["", "compress -o x.h4"] {
        let out = on_terminal(d, &format!("{bin} {cmd}")).unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {shown}");
        assert!(
            shown.contains("h4: stdin: is a terminal, aborting"),
            "{cmd}: {shown}"
        );
    }
    assert!(!d.join("x.h4").exists());

    // Reading compressed data from a terminal is refused too.
    for cmd in ["decompress", "test", "-d", "-t"] {
        let out = on_terminal(d, &format!("{bin} {cmd}")).unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {shown}");
        assert!(
            shown.contains("refusing to read compressed data from a terminal"),
            "{cmd}: {shown}"
        );
    }
}
