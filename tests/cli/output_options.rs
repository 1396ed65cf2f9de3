//! `-o FILE` and `-c`: one input to a named file or special file, several
//! to standard output as frames back to back.

use std::fs;
use std::os::unix::fs::FileTypeExt;

use predicates::prelude::*;

use crate::util::data::{noise, text};
use crate::util::{self, h4_in, listing, names, pipe_ok, run_ok};

#[test]
fn output_option() {
    let dir = util::tempdir();
    let d = dir.path();
    let one = text(9000);
    let two = noise(7000, 2);
    fs::write(d.join("one"), &one).unwrap();
    fs::write(d.join("two"), &two).unwrap();

    run_ok(d, &["compress", "-B", "1K", "-o", "custom.name", "one"]);
    assert_eq!(listing(d), names(&["one", "two", "custom.name"]));
    run_ok(d, &["decompress", "-o", "back", "custom.name"]);
    assert_bytes_eq!(fs::read(d.join("back")).unwrap(), one);

    // -o with two inputs is a usage error.
    for cmd in ["compress", "decompress"] {
        h4_in(d)
            .args([cmd, "-o", "both", "one", "two"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("-o"));
    }
    assert!(!d.join("both").exists());

    // /dev/null needs no -f and stays a character device.
    run_ok(d, &["compress", "-o", "/dev/null", "one"]);
    run_ok(d, &["decompress", "-o", "/dev/null", "custom.name"]);
    let meta = fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");

    // -c with two inputs: two frames back to back, decoding to both.
    let both = run_ok(d, &["compress", "-c", "-B", "1K", "one", "two"]);
    let mut expected = one.clone();
    expected.extend_from_slice(&two);
    assert_eq!(pipe_ok(&["decompress"], &both), expected);
    fs::write(d.join("cat.h4"), &both).unwrap();
    assert_eq!(run_ok(d, &["decompress", "-c", "cat.h4"]), expected);
    run_ok(d, &["test", "cat.h4"]);

    // Decompressing several files with -c concatenates their contents.
    run_ok(d, &["compress", "two"]);
    assert_bytes_eq!(
        run_ok(d, &["decompress", "-c", "custom.name", "two.h4"]),
        expected
    );
}
