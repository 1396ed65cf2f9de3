//! Usage errors (unknown flags, bad values, conflicting flags) exit 2 and
//! write nothing. Without a command, words are files, as in zstd: see
//! `direct.rs`.

use std::fs;

use crate::util::{self, listing, names, run, stderr_of};

#[test]
fn usage_errors_exit_2() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), b"data").unwrap();
    let cases: [&[&str]; 11] = [
        &["compress", "--no-such-flag", "f"],
        &["compress", "-B", "1G", "f"],
        &["compress", "-B", "100", "f"],
        &["compress", "-B", "65M", "f"],
        &["compress", "-B", "lots", "f"],
        &["compress", "-T", "many", "f"],
        &["compress", "-q", "-v", "f"],
        &["compress", "-c", "-o", "g", "f"],
        &["-c", "-o", "g", "f"],
        &["--frobnicate", "f"],
        &["-19", "--fast=0", "f"],
    ];
    for args in cases {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
        assert!(!stderr_of(&out).contains("panicked"));
    }
    assert_eq!(listing(d), names(&["f"]), "a usage error wrote a file");
}

#[test]
fn long_version_says_what_the_sandbox_can_enforce_and_short_stays_one_line() {
    let dir = util::tempdir();
    let d = dir.path();
    let long = run(d, &["--version"]);
    assert!(long.status.success(), "{}", stderr_of(&long));
    let text = String::from_utf8_lossy(&long.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("h4 "), "{text}");
    assert!(
        lines[1].starts_with("isolation sandbox (--isolate): "),
        "{text}"
    );
    let short = run(d, &["-V"]);
    assert!(short.status.success(), "{}", stderr_of(&short));
    assert_eq!(String::from_utf8_lossy(&short.stdout).trim_end(), lines[0]);
}
