//! The `.h4` suffix: decompress needs it unless `-o` or `-c` names the
//! output, and compressing a `.h4` file again needs `-f`.

use std::fs;

use crate::util::data::text;
use crate::util::{self, assert_clean_error, listing, names, pipe_ok, run, run_ok};

#[test]
fn decompress_refuses_unknown_suffix() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(3000);
    let c = pipe_ok(&["compress"], &data);
    fs::write(d.join("archive.bin"), &c).unwrap();
    fs::write(d.join(".h4"), &c).unwrap();

    for name in ["archive.bin", ".h4"] {
        let out = run(d, &["decompress", name]);
        let err = assert_clean_error(&out, name);
        assert!(err.contains("suffix"), "{err}");
        assert!(err.starts_with(&format!("h4: {name}: ")), "{err}");
    }
    assert_eq!(listing(d), names(&["archive.bin", ".h4"]));

    run_ok(d, &["decompress", "-o", "restored", "archive.bin"]);
    assert_bytes_eq!(fs::read(d.join("restored")).unwrap(), data);
    assert_eq!(run_ok(d, &["decompress", "-c", "archive.bin"]), data);
    assert_eq!(run_ok(d, &["decompress", "-o", "-", ".h4"]), data);
}

#[test]
fn compress_refuses_h4_suffix_without_force() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("x.h4"), b"some bytes").unwrap();

    let out = run(d, &["compress", "x.h4"]);
    let err = assert_clean_error(&out, "compress x.h4");
    assert!(
        err.starts_with("h4: x.h4: ") && err.contains(".h4 suffix"),
        "{err}"
    );
    assert_eq!(listing(d), names(&["x.h4"]));

    run_ok(d, &["compress", "-f", "x.h4"]);
    let c = fs::read(d.join("x.h4.h4")).unwrap();
    assert_eq!(pipe_ok(&["decompress"], &c), b"some bytes");
}
