//! `-o FILE` and `-c`: one input to a named file or special file, several
//! to standard output as frames back to back; `--range` writes part of the
//! content.

use std::fs;
use std::os::unix::fs::FileTypeExt;

use predicates::prelude::*;

use crate::util::data::{noise, text};
use crate::util::{self, h4_in, listing, names, pipe_ok, run, run_ok};

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

#[test]
fn range_writes_part_of_the_content_from_files_and_pipes() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = crate::util::data::mixed(300_000);
    for format in ["1", "2"] {
        std::fs::write(d.join("in"), &data).unwrap();
        let name = format!("f{format}.h4");
        run_ok(
            d,
            &[
                "compress",
                "-B",
                "4K",
                "--format-version",
                format,
                "in",
                "-o",
                &name,
            ],
        );
        for (range, start, end) in [
            ("0:10", 0, 10),
            ("4095:4097", 4095, 4097),
            ("4096:8192", 4096, 8192),
            ("150000:", 150_000, data.len()),
            ("299990:400000", 299_990, data.len()),
            ("400000:500000", data.len(), data.len()),
            ("7:7", 7, 7),
        ] {
            let got = run_ok(d, &["decompress", "-c", "--range", range, &name]);
            assert_eq!(got, data[start..end], "format {format}, file, {range}");
            let frame = std::fs::read(d.join(&name)).unwrap();
            let got = pipe_ok(&["decompress", "--range", range], &frame);
            assert_eq!(got, data[start..end], "format {format}, pipe, {range}");
        }
    }
    // A range is part of the content, so it never takes the content's name.
    let out = run(d, &["decompress", "--range", "0:10", "f2.h4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!d.join("f2").exists());
    let out = run(d, &["decompress", "-c", "--range", "10:5", "f2.h4"]);
    assert_eq!(out.status.code(), Some(2));
}
