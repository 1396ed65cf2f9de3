//! Runs each check in a child process and turns whatever happens to it
//! (an answer, a signal, a silence) into an [`Outcome`].
//!
//! The child is this same program re-executed with a hidden subcommand; it
//! writes one line per step to stdout:
//!
//! ```text
//! P <what it is about to do>
//! R pass <summary>
//! R fail <summary><US><evidence>
//! ```
//!
//! (`<US>` is the unit separator, 0x1F.) The parent kills a child that
//! stays silent longer than the step time limit, and names the step that
//! was running when a child died or hung.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{Check, Outcome};

/// How to start a child check.
#[derive(Clone, Debug)]
pub struct ChildCommand {
    /// The program (normally this executable).
    pub program: PathBuf,
    /// Arguments before the check name (the hidden subcommand).
    pub prefix: Vec<OsString>,
    /// Arguments after the check name (engine choice, settings, files).
    pub args: Vec<OsString>,
    /// Run the child under valgrind at this path.
    pub valgrind: Option<PathBuf>,
    /// The longest a child may stay silent.
    pub step_timeout: Duration,
}

/// The exit status valgrind is told to use when it finds errors.
const VALGRIND_ERROR_EXIT: i32 = 99;

/// Writes the child side of the protocol.
pub struct Reporter<W: Write> {
    out: W,
}

impl<W: Write> Reporter<W> {
    /// A reporter writing to `out` (the child's stdout).
    pub fn new(out: W) -> Self {
        Reporter { out }
    }

    /// Says what is about to happen; flushed, so it survives a crash.
    pub fn progress(&mut self, what: &str) {
        let _ = writeln!(self.out, "P {}", clean(what));
        let _ = self.out.flush();
    }

    /// Writes the result.
    pub fn result(&mut self, outcome: &Outcome) {
        let line = if outcome.passed {
            format!("R pass {}", clean(&outcome.summary))
        } else {
            format!(
                "R fail {}\u{1f}{}",
                clean(&outcome.summary),
                clean(outcome.evidence.as_deref().unwrap_or(""))
            )
        };
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }
}

fn clean(text: &str) -> String {
    text.replace(['\n', '\r', '\u{1f}'], " ")
}

fn parse_result(line: &str) -> Option<Outcome> {
    if let Some(summary) = line.strip_prefix("R pass ") {
        return Some(Outcome::pass(summary));
    }
    let rest = line.strip_prefix("R fail ")?;
    let (summary, evidence) = rest.split_once('\u{1f}').unwrap_or((rest, ""));
    Some(Outcome::fail(summary, evidence))
}

/// The first error valgrind reported, without its `==PID==` prefix.
fn first_valgrind_error(stderr: &str) -> Option<String> {
    const ERRORS: [&str; 7] = [
        "Invalid read",
        "Invalid write",
        "Invalid free",
        "Mismatched free",
        "uninitialised",
        "definitely lost",
        "Process terminating",
    ];
    stderr
        .lines()
        .map(|l| {
            l.trim_start_matches(|c: char| c == '=' || c.is_ascii_digit())
                .trim()
        })
        .find(|l| ERRORS.iter().any(|e| l.contains(e)))
        .map(str::to_string)
}

/// The usual name of a signal (`SIGSEGV`), or its number when it has none.
pub fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal)
        .map_or_else(|_| format!("signal {signal}"), |s| s.as_str().to_string())
}

/// Runs `check` in a child and reports each progress line to `progress`.
pub fn run(check: Check, command: &ChildCommand, progress: &mut dyn FnMut(&str)) -> Outcome {
    let mut cmd = match &command.valgrind {
        Some(valgrind) => {
            let mut c = Command::new(valgrind);
            c.args([
                "--quiet",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite",
                &format!("--error-exitcode={VALGRIND_ERROR_EXIT}"),
            ])
            .arg(&command.program);
            c
        }
        None => Command::new(&command.program),
    };
    cmd.args(&command.prefix)
        .arg(check.name())
        .args(&command.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => return Outcome::fail("could not start the check process", e.to_string()),
    };

    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let mut last = String::from("starting");
    let mut result = None;
    let mut hung = false;
    loop {
        match rx.recv_timeout(command.step_timeout) {
            Ok(line) => {
                if let Some(step) = line.strip_prefix("P ") {
                    last = step.to_string();
                    progress(step);
                } else if let Some(outcome) = parse_result(&line) {
                    result = Some(outcome);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                hung = true;
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait();
    let _ = reader.join();
    let stderr = errors.join().unwrap_or_default();

    if hung {
        return Outcome::fail(
            format!(
                "hung: no answer within {} s",
                command.step_timeout.as_secs()
            ),
            format!("while: {last}"),
        );
    }
    let status = match status {
        Ok(status) => status,
        Err(e) => return Outcome::fail("lost the check process", e.to_string()),
    };
    if let Some(signal) = status.signal() {
        return Outcome::fail(
            format!("crashed ({})", signal_name(signal)),
            format!("while: {last}"),
        );
    }
    if command.valgrind.is_some() {
        if let Some(error) = first_valgrind_error(&stderr) {
            return Outcome::fail(
                "valgrind found memory errors",
                format!("{error} (while: {last})"),
            );
        }
        if status.code() == Some(VALGRIND_ERROR_EXIT) {
            return Outcome::fail(
                "valgrind found memory errors",
                format!("see its report (while: {last})"),
            );
        }
    }
    match result {
        Some(outcome) if status.success() => outcome,
        _ => {
            let why = stderr.lines().next().unwrap_or("no output").to_string();
            Outcome::fail(
                format!("the check process failed ({status})"),
                format!("{why} (last step: {last})"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_named() {
        assert_eq!(signal_name(11), "SIGSEGV");
        assert_eq!(signal_name(24), "SIGXCPU");
        assert_eq!(signal_name(1000), "signal 1000");
    }

    #[test]
    fn results_survive_the_line_protocol() {
        let mut buf = Vec::new();
        let mut r = Reporter::new(&mut buf);
        r.progress("case 1:\nnewline");
        r.result(&Outcome::fail("bad\tthing", "input x\u{1f}y"));
        r.result(&Outcome::pass("fine"));
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "P case 1: newline");
        assert_eq!(
            parse_result(lines[1]),
            Some(Outcome::fail("bad\tthing", "input x y"))
        );
        assert_eq!(parse_result(lines[2]), Some(Outcome::pass("fine")));
        assert_eq!(parse_result("P nothing"), None);
    }
}
