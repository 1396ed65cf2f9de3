//! Messages to the user (errors, warnings and summaries on stderr) and how
//! a command ended.

use std::time::Duration;

/// How a command ended: its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    Failed = 1,
    Usage = 2,
}

/// Prints `h4: NAME: ERROR` (the error's whole chain on one line).
pub fn error(name: &str, err: &anyhow::Error) {
    eprintln!("h4: {name}: {err:#}");
}

/// Prints `h4: ERROR` for a failure that stops the whole command.
pub fn fatal(err: &anyhow::Error) -> Status {
    eprintln!("h4: {err:#}");
    Status::Failed
}

/// Prints a warning unless `quiet`.
pub fn warn(quiet: bool, name: &str, what: &str) {
    if !quiet {
        eprintln!("h4: {name}: {what}");
    }
}

/// A progress bar of `len` steps with the given indicatif `template`, on
/// stderr when `show` and stderr is a terminal; hidden otherwise, so pipes,
/// logs and `--json` runs never get escape codes.
pub fn progress_bar(show: bool, len: u64, template: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !show || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("valid template"));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A size in bytes for people: "512 B", "1.50 KiB", "12.0 MiB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let digits = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {}", UNITS[unit])
}

/// A throughput for people, in MB/s (10^6 bytes a second, as zstd prints).
pub fn rate(bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    format!("{:.1} MB/s", bytes as f64 / secs / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.50 KiB");
        assert_eq!(human_bytes(12 << 20), "12.0 MiB");
        assert_eq!(human_bytes(300 << 30), "300 GiB");
    }
}
