//! `--rm` removes the input only after a complete, successful output;
//! `-k` keeps it.

use std::fs;

use crate::util::data::{mixed, pcm};
use crate::util::{self, assert_clean_error, listing, names, pipe_ok, run, run_ok};

#[test]
fn rm_removes_input_only_after_success() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = pcm(20_000);
    fs::write(d.join("a.pcm"), &data).unwrap();

    run_ok(d, &["compress", "--rm", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm.h4"]));
    run_ok(d, &["decompress", "--rm", "a.pcm.h4"]);
    assert_eq!(listing(d), names(&["a.pcm"]));
    assert_bytes_eq!(fs::read(d.join("a.pcm")).unwrap(), data);

    // Default and -k keep; a later -k overrides --rm.
    run_ok(d, &["compress", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));
    run_ok(d, &["compress", "-f", "-k", "a.pcm"]);
    run_ok(d, &["compress", "-f", "--rm", "-k", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));
    fs::remove_file(d.join("a.pcm")).unwrap();
    run_ok(d, &["decompress", "-k", "a.pcm.h4"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));

    // Output exists, no -f: fails, input kept, existing output untouched.
    fs::write(d.join("a.pcm.h4"), b"old").unwrap();
    let out = run(d, &["compress", "--rm", "a.pcm"]);
    assert_clean_error(&out, "--rm onto an existing output");
    assert_bytes_eq!(fs::read(d.join("a.pcm")).unwrap(), data);
    assert_eq!(fs::read(d.join("a.pcm.h4")).unwrap(), b"old");
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));

    // --rm with -c (or -o to a non-regular file) keeps the input.
    let c = run_ok(d, &["compress", "--rm", "-c", "a.pcm"]);
    assert_eq!(pipe_ok(&["decompress"], &c), data);
    assert!(d.join("a.pcm").exists(), "--rm -c removed the input");
    run_ok(d, &["compress", "--rm", "-o", "/dev/null", "a.pcm"]);
    assert!(
        d.join("a.pcm").exists(),
        "--rm -o /dev/null removed the input"
    );
}

#[test]
fn rm_keeps_corrupt_input_and_writes_nothing() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = mixed(30_000);
    let mut c = pipe_ok(&["compress", "-B", "4K"], &data);
    let mid = c.len() / 2;
    c[mid] ^= 0x40;
    fs::write(d.join("bad.h4"), &c).unwrap();

    let out = run(d, &["decompress", "--rm", "bad.h4"]);
    assert_clean_error(&out, "decompress --rm of a corrupt file");
    assert_eq!(
        listing(d),
        names(&["bad.h4"]),
        "input removed or output left"
    );
    assert_bytes_eq!(fs::read(d.join("bad.h4")).unwrap(), c);

    // Truncated, too.
    fs::write(d.join("short.h4"), &c[..c.len() - 5]).unwrap();
    let out = run(d, &["decompress", "--rm", "short.h4"]);
    assert_clean_error(&out, "decompress --rm of a truncated file");
    assert_eq!(listing(d), names(&["bad.h4", "short.h4"]));
}
