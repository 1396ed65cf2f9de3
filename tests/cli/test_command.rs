//! `h4 test`: silent success for good files, one line per bad one, every
//! file checked, nothing written.

use std::fs;

use crate::util::data::{raster_like, text};
use crate::util::{
    self, assert_clean_error, h4_in, listing, names, run, run_ok, small_multiblock, stderr_of,
};

#[test]
fn test_command() {
    let dir = util::tempdir();
    let d = dir.path();
    for (name, data) in [("g1", text(20_000)), ("g2", raster_like(200, 100))] {
        fs::write(d.join(name), data).unwrap();
        run_ok(d, &["compress", "-B", "4K", name]);
    }
    let (_, mut c) = small_multiblock("2");
    let last = c.len() - 40;
    c[last] ^= 0x01;
    fs::write(d.join("bad.h4"), &c).unwrap();

    // Good files: exit 0, silent.
    h4_in(d)
        .args(["test", "g1.h4", "g2.h4"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    let g1 = fs::read(d.join("g1.h4")).unwrap();
    h4_in(d)
        .arg("test")
        .write_stdin(g1)
        .assert()
        .success()
        .stdout("");

    // A bad one.
    let out = run(d, &["test", "bad.h4"]);
    assert_clean_error(&out, "test bad.h4");

    // One bad among good ones: exit 1, the good ones still checked.
    let out = run(d, &["test", "-v", "g1.h4", "bad.h4", "g2.h4"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr_of(&out);
    assert!(!err.contains("panicked"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("h4: g1.h4: OK"), "{err}");
    assert!(lines[1].starts_with("h4: bad.h4: ") && !lines[1].contains("OK"));
    assert!(lines[2].starts_with("h4: g2.h4: OK"), "{err}");
    assert!(lines[0].contains("20000 bytes"), "{err}");

    // Test writes nothing to the directory.
    assert_eq!(listing(d), names(&["g1", "g1.h4", "g2", "g2.h4", "bad.h4"]));
}
