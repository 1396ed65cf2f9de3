//! Directories and missing files as inputs or outputs are clean errors,
//! and one bad input among several does not stop the others.

use std::fs;

use crate::util::data::{binary, text};
use crate::util::{self, assert_clean_error, listing, names, run};

#[test]
fn directory_and_missing_inputs() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::create_dir(d.join("sub")).unwrap();
    fs::create_dir(d.join("sub.h4")).unwrap();

    for args in [
        &["compress", "sub"][..],
        &["decompress", "sub.h4"],
        &["test", "sub.h4"],
        &["info", "sub.h4"],
    ] {
        let out = run(d, args);
        let err = assert_clean_error(&out, &format!("{args:?}"));
        assert!(err.contains("is a directory"), "{args:?}: {err}");
    }

    for args in [
        &["compress", "missing_file_xyz"][..],
        &["decompress", "missing_file_xyz.h4"],
        &["test", "missing_file_xyz.h4"],
        &["info", "missing_file_xyz.h4"],
    ] {
        let out = run(d, args);
        let err = assert_clean_error(&out, &format!("{args:?}"));
        assert!(err.starts_with("h4: missing_file_xyz"), "{args:?}: {err}");
        assert!(err.contains("No such file"), "{args:?}: {err}");
    }

    // An output that is a directory.
    fs::write(d.join("f"), b"data").unwrap();
    let out = run(d, &["compress", "-o", "sub", "f"]);
    let err = assert_clean_error(&out, "-o directory");
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(listing(d), names(&["f", "sub", "sub.h4"]));
    assert_eq!(fs::read_dir(d.join("sub")).unwrap().count(), 0);
}

#[test]
fn missing_input_does_not_stop_the_others() {
    let dir = util::tempdir();
    let d = dir.path();
    let a = text(8000);
    let b = binary(9000);
    fs::write(d.join("a"), &a).unwrap();
    fs::write(d.join("b"), &b).unwrap();

    let out = run(d, &["compress", "a", "nope", "b"]);
    let err = assert_clean_error(&out, "compress a nope b");
    assert!(err.starts_with("h4: nope: "), "{err}");
    assert_eq!(listing(d), names(&["a", "a.h4", "b", "b.h4"]));

    fs::remove_file(d.join("a")).unwrap();
    fs::remove_file(d.join("b")).unwrap();
    let out = run(d, &["decompress", "a.h4", "nope.h4", "b.h4"]);
    let err = assert_clean_error(&out, "decompress a.h4 nope.h4 b.h4");
    assert!(err.starts_with("h4: nope.h4: "), "{err}");
    assert_bytes_eq!(fs::read(d.join("a")).unwrap(), a);
    assert_bytes_eq!(fs::read(d.join("b")).unwrap(), b);

    let out = run(d, &["test", "a.h4", "nope.h4", "b.h4"]);
    assert_clean_error(&out, "test a.h4 nope.h4 b.h4");

    // A corrupt file among good ones with -c: the good ones still come out.
    fs::write(d.join("bad.h4"), b"H4\xD8\x04garbage").unwrap();
    let out = run(d, &["decompress", "-c", "a.h4", "bad.h4", "b.h4"]);
    assert_clean_error(&out, "decompress -c a.h4 bad.h4 b.h4");
    let mut expected = a.clone();
    expected.extend_from_slice(&b);
    assert_bytes_eq!(out.stdout, expected);
}
