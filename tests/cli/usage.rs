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
