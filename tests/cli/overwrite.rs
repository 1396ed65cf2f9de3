//! An existing output is never replaced without `-f`, and `-f` through a
//! symbolic link writes the file it points to.

use std::fs;

use crate::util::data::text;
use crate::util::{self, assert_clean_error, listing, names, pipe_ok, run, run_ok};

#[test]
fn existing_output_is_refused_without_force() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(5000);
    fs::write(d.join("doc.txt"), &data).unwrap();
    fs::write(d.join("doc.txt.h4"), b"precious").unwrap();

    let out = run(d, &["compress", "doc.txt"]);
    let err = assert_clean_error(&out, "compress onto an existing file");
    assert!(
        err.starts_with("h4: doc.txt.h4: ") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(fs::read(d.join("doc.txt.h4")).unwrap(), b"precious");
    assert_eq!(listing(d), names(&["doc.txt", "doc.txt.h4"]));

    // With -f it is replaced by a valid compressed file.
    run_ok(d, &["compress", "-f", "doc.txt"]);
    let c = fs::read(d.join("doc.txt.h4")).unwrap();
    assert_eq!(pipe_ok(&["decompress"], &c), data);

    // Decompress refuses the same way.
    fs::write(d.join("doc.txt"), b"keep me").unwrap();
    let out = run(d, &["decompress", "doc.txt.h4"]);
    let err = assert_clean_error(&out, "decompress onto an existing file");
    assert!(
        err.starts_with("h4: doc.txt: ") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(fs::read(d.join("doc.txt")).unwrap(), b"keep me");
    run_ok(d, &["decompress", "-f", "doc.txt.h4"]);
    assert_bytes_eq!(fs::read(d.join("doc.txt")).unwrap(), data);

    // -o onto an existing file too.
    fs::write(d.join("other"), b"other").unwrap();
    let out = run(d, &["compress", "-o", "other", "doc.txt"]);
    assert_clean_error(&out, "-o onto an existing file");
    assert_eq!(fs::read(d.join("other")).unwrap(), b"other");
    assert_eq!(
        listing(d),
        names(&["doc.txt", "doc.txt.h4", "other"]),
        "no temporary file left behind"
    );
}

#[test]
fn forced_output_through_a_symlink_keeps_the_link() {
    // `-f -o LINK` must write the file the link points to, not replace the
    // link (think of `-f -o /dev/stdout` with stdout redirected to a file).
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("in"), b"payload payload payload").unwrap();
    fs::write(d.join("real.h4"), b"old").unwrap();
    std::os::unix::fs::symlink("real.h4", d.join("link.h4")).unwrap();
    run_ok(d, &["compress", "-f", "-o", "link.h4", "in"]);
    assert!(
        fs::symlink_metadata(d.join("link.h4"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let back = run_ok(d, &["decompress", "-c", "real.h4"]);
    assert_eq!(back, b"payload payload payload");
}
