//! What h4 says: nothing by default, a summary with `-v`, and each part
//! of an error message once.

use std::fs;

use predicates::prelude::*;

use crate::util::data::text;
use crate::util::{self, h4_in, run};

#[test]
fn quiet_by_default_and_verbose_on_request() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), text(10_000)).unwrap();
    h4_in(d)
        .args(["compress", "f"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    h4_in(d)
        .args(["decompress", "-v", "-o", "g", "f.h4"])
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::starts_with("h4: f.h4: ")
                .and(predicate::str::contains("-> g"))
                .and(predicate::str::contains("10000")),
        );
}

#[test]
fn error_messages_say_things_once() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("bad.h4"), b"garbage garbage garbage").unwrap();
    for args in [
        &["decompress", "-c", "bad.h4"][..],
        &["compress", "-c", "/proc/self/mem"],
    ] {
        let out = run(d, args);
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(out.status.code(), Some(1), "{err}");
        let (_, message) = err.rsplit_once(": ").unwrap();
        assert_eq!(err.matches(message).count(), 1, "repeated: {err}");
    }
}
