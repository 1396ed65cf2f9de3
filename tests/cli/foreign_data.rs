//! Data that is not an h4 stream: other compressed formats are named,
//! bytes after the last frame are an error, a second frame is fine.

use std::fs;

use crate::util::data::text;
use crate::util::{self, assert_clean_error, assert_rejected, pipe_ok, run};

#[test]
fn foreign_formats_are_named() {
    let dir = util::tempdir();
    let d = dir.path();
    let gzip = [
        0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xc2, 0x41,
        0x24, 0x35, 0x03, 0, 0, 0,
    ];
    let zstd = [
        0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x03, 0x19, 0, 0, b'a', b'b', b'c', 0, 0,
    ];
    let cases: [(&str, &[u8], &str); 6] = [
        ("f.gz.h4", &gzip, "looks like gzip"),
        ("f.zst.h4", &zstd, "looks like zstd"),
        (
            "f.xz.h4",
            b"\xfd7zXZ\0\0\x04\xe6\xd6\xb4\x46",
            "looks like xz",
        ),
        (
            "f.txt.h4",
            b"just some plain text, not compressed\n",
            "not an h4 file",
        ),
        ("short.h4", b"H", "truncated"),
        ("empty.h4", b"", "not an h4 file"),
    ];
    for (name, bytes, expect) in cases {
        fs::write(d.join(name), bytes).unwrap();
        for cmd in ["decompress", "test", "info"] {
            let out = run(d, &[cmd, name]);
            let err = assert_clean_error(&out, &format!("{cmd} {name}"));
            assert!(err.contains(expect), "{cmd} {name}: {err}");
            assert!(err.starts_with(&format!("h4: {name}: ")), "{err}");
        }
    }
    let stem = |n: &str| n.trim_end_matches(".h4").to_string();
    for (name, _, _) in cases {
        assert!(!d.join(stem(name)).exists(), "{name}: output left");
    }
}

#[test]
fn trailing_garbage_is_an_error() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(5000);
    let c = pipe_ok(&["compress", "-B", "1K"], &data);
    for (i, tail) in [
        &b"garbage"[..],
        b"\0",
        b"\0\0\0\0\0\0\0\0\0\0\0\0",
        b"H4\xD8",
    ]
    .iter()
    .enumerate()
    {
        let mut bad = c.clone();
        bad.extend_from_slice(tail);
        assert_rejected(d, &bad, &format!("trailing data #{i}"), "2");
    }
    let mut bad = c.clone();
    bad.extend_from_slice(b"garbage");
    fs::write(d.join("c.h4"), &bad).unwrap();
    let out = run(d, &["decompress", "c.h4"]);
    let err = assert_clean_error(&out, "trailing garbage");
    assert!(err.contains("after the last frame"), "{err}");
    // A valid frame followed by a second valid frame is fine.
    let mut two = c.clone();
    two.extend_from_slice(&c);
    let mut expected = data.clone();
    expected.extend_from_slice(&data);
    assert_eq!(pipe_ok(&["decompress"], &two), expected);
}
