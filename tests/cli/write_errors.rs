//! A full device on standard output or `-o` is a one-line error naming
//! the cause, with nothing left behind.

use std::fs::{self, File};
use std::process::Stdio;

use crate::util::data::mixed;
use crate::util::{self, assert_clean_error, h4_process, listing, names, pipe_ok, run};

#[test]
fn write_error_on_full_device() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("in"), mixed(100_000)).unwrap();
    let c = pipe_ok(&["compress"], &mixed(100_000));
    fs::write(d.join("in2.h4"), c).unwrap();

    for args in [
        &["compress", "-c", "in"][..],
        &["decompress", "-c", "in2.h4"],
    ] {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let out = h4_process()
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = assert_clean_error(&out, &format!("{args:?} > /dev/full"));
        assert!(
            err.contains("write error") && err.contains("No space"),
            "{err}"
        );
    }

    // -o /dev/full: a special file written in place.
    let out = run(d, &["compress", "-o", "/dev/full", "in"]);
    let err = assert_clean_error(&out, "-o /dev/full");
    assert!(err.contains("No space"), "{err}");
    assert_eq!(listing(d), names(&["in", "in2.h4"]));
}
