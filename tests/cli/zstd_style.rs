//! The command line without a command, as zstd and gzip users type it:
//! `h4 FILE`, `-d`, `-t`, `-l`, `-dc`, combined short flags, `-` and
//! `--`, `-r`, `--output-dir-flat`, `unh4` and `h4cat`, symbolic links,
//! and the `-v` summaries in both directions.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::util::data::text;
use crate::util::{self, H4, assert_fails, h4_in, listing, names, run, run_ok, stderr_of};

#[test]
fn a_file_compresses_and_decompresses_without_a_command() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(200_000);
    fs::write(d.join("f"), &data).unwrap();
    run_ok(d, &["f"]);
    assert_eq!(listing(d), names(&["f", "f.h4"]), "h4 f keeps f");
    // The same bytes as the command.
    let by_command = run_ok(d, &["compress", "-c", "f"]);
    assert_bytes_eq!(fs::read(d.join("f.h4")).unwrap(), by_command);

    fs::remove_file(d.join("f")).unwrap();
    run_ok(d, &["-d", "f.h4"]);
    assert_bytes_eq!(fs::read(d.join("f")).unwrap(), data);
    // Existing outputs stay unless -f; combined short flags as zstd reads them.
    assert_fails(&run(d, &["-d", "f.h4"]), "already exists");
    run_ok(d, &["-df", "f.h4"]);
    run_ok(d, &["-t", "f.h4"]);
    assert_bytes_eq!(run_ok(d, &["-dc", "f.h4"]), data);
    assert_bytes_eq!(run_ok(d, &["-dcf", "f.h4"]), data);
    assert_bytes_eq!(run_ok(d, &["--decompress", "--stdout", "f.h4"]), data);
    assert_bytes_eq!(run_ok(d, &["--uncompress", "-c", "f.h4"]), data);
    // The last operation given wins, as in zstd.
    assert_bytes_eq!(run_ok(d, &["-t", "-dc", "f.h4"]), data);
    assert!(run_ok(d, &["-dc", "-t", "f.h4"]).is_empty());
}

#[test]
fn test_and_list_report_on_files() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), text(50_000)).unwrap();
    run_ok(d, &["-B", "16K", "f"]);
    let listed = String::from_utf8(run_ok(d, &["-l", "f.h4"])).unwrap();
    assert!(
        listed.contains("f.h4") && listed.contains("reference"),
        "{listed}"
    );
    assert_eq!(
        listed,
        String::from_utf8(run_ok(d, &["info", "f.h4"])).unwrap()
    );
    // -lv lists every block.
    let blocks = String::from_utf8(run_ok(d, &["-lv", "f.h4"])).unwrap();
    assert!(blocks.contains("Content at"), "{blocks}");
    assert_eq!(blocks.matches("coded").count(), 4, "{blocks}");

    let mut bytes = fs::read(d.join("f.h4")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    fs::write(d.join("bad.h4"), bytes).unwrap();
    let out = run(d, &["-t", "f.h4", "bad.h4"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.starts_with("h4: bad.h4: ") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn stdin_dash_and_double_dash() {
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(30_000);
    // No file: stdin to stdout, both ways (what `tar -I h4` relies on).
    let packed = h4_in(d).write_stdin(data.clone()).output().unwrap();
    assert!(packed.status.success(), "{}", stderr_of(&packed));
    let back = h4_in(d)
        .arg("-d")
        .write_stdin(packed.stdout.clone())
        .output()
        .unwrap();
    assert_bytes_eq!(back.stdout, data);
    let dash = h4_in(d)
        .args(["-c", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert_bytes_eq!(dash.stdout, packed.stdout);

    // After --, names that look like options or commands are files.
    fs::write(d.join("-9"), b"dash nine").unwrap();
    fs::write(d.join("compress"), b"a file named compress").unwrap();
    run_ok(d, &["--", "-9", "compress"]);
    assert!(d.join("-9.h4").exists() && d.join("compress.h4").exists());
}

#[test]
fn several_files_with_c_are_concatenated_frames() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("a"), b"first ").unwrap();
    fs::write(d.join("b"), b"second").unwrap();
    let both = run_ok(d, &["-c", "a", "b"]);
    fs::write(d.join("ab.h4"), both).unwrap();
    assert_eq!(run_ok(d, &["-dc", "ab.h4"]), b"first second");
}

#[test]
fn recursion_and_a_flat_output_directory() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::create_dir_all(d.join("src/deep")).unwrap();
    fs::write(d.join("src/a"), text(1000)).unwrap();
    fs::write(d.join("src/deep/b"), text(2000)).unwrap();
    // Without -r a directory is refused.
    assert_fails(&run(d, &["src"]), "is a directory");

    run_ok(d, &["-r", "src"]);
    assert_eq!(listing(&d.join("src")), names(&["a", "a.h4", "deep"]));
    assert_eq!(listing(&d.join("src/deep")), names(&["b", "b.h4"]));
    // Again: the .h4 files are not compressed a second time (and the
    // others are not overwritten).
    let again = run(d, &["-r", "src"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(stderr_of(&again).matches("already exists").count(), 2);
    assert!(!d.join("src/a.h4.h4").exists());

    // -dr decompresses only the .h4 files; -tr tests them.
    fs::remove_file(d.join("src/a")).unwrap();
    fs::remove_file(d.join("src/deep/b")).unwrap();
    run_ok(d, &["-dr", "src"]);
    assert_eq!(fs::read(d.join("src/deep/b")).unwrap(), text(2000));
    run_ok(d, &["-tr", "src"]);

    // Every output in one directory, made if missing.
    run_ok(d, &["-r", "--output-dir-flat", "flat", "src"]);
    assert_eq!(listing(&d.join("flat")), names(&["a.h4", "b.h4"]));
    run_ok(
        d,
        &["-d", "--output-dir-flat", "back", "flat/a.h4", "flat/b.h4"],
    );
    assert_eq!(fs::read(d.join("back/a")).unwrap(), text(1000));
    // An empty directory tree is nothing to do, not stdin.
    fs::create_dir(d.join("empty")).unwrap();
    let out = run(d, &["-r", "empty"]);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn symbolic_links_are_skipped_unless_forced() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("real"), text(5000)).unwrap();
    symlink("real", d.join("link")).unwrap();
    let out = run(d, &["link"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "all inputs skipped is a failure"
    );
    let err = stderr_of(&out);
    assert!(err.contains("link: is a symbolic link -- ignored"), "{err}");
    assert!(!d.join("link.h4").exists());
    // With another input, the link is only a warning (quiet with -q).
    let out = run(d, &["link", "real"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(d.join("real.h4").exists() && !d.join("link.h4").exists());
    let out = run(d, &["-q", "-f", "link", "real"]);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        stderr_of(&out)
    );
    assert!(d.join("link.h4").exists(), "-f follows the link");
    // -r skips links inside directories too.
    fs::create_dir(d.join("tree")).unwrap();
    symlink("../real", d.join("tree/inner")).unwrap();
    fs::write(d.join("tree/file"), b"x").unwrap();
    run_ok(d, &["-q", "-r", "tree"]);
    assert_eq!(
        listing(&d.join("tree")),
        names(&["file", "file.h4", "inner"])
    );
}

#[test]
fn c_with_o_is_a_usage_error() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), b"data").unwrap();
    for args in [
        &["-c", "-o", "g", "f"][..],
        &["-d", "-c", "-o", "g", "f.h4"],
        &["compress", "-co", "g", "f"],
    ] {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("cannot be used with"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(listing(d), names(&["f"]));
}

#[test]
fn verbose_summaries_in_both_directions() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), vec![b'a'; 10_000]).unwrap();
    let out = run(d, &["-v", "f"]);
    let err = stderr_of(&out);
    let compressed = fs::metadata(d.join("f.h4")).unwrap().len();
    // zstd's form: the output as a share of the input, both sizes, the output.
    let percent = format!("{:.2}%", compressed as f64 * 100.0 / 10_000.0);
    assert!(
        err.starts_with(&format!(
            "h4: f: {percent} (9.77 KiB => {compressed} B) -> f.h4 (reference, level 2), "
        )),
        "{err}"
    );
    fs::remove_file(d.join("f")).unwrap();
    let out = run(d, &["-dv", "f.h4"]);
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "h4: f.h4: 10000 bytes ({compressed} B => 9.77 KiB) -> f, "
        )),
        "{err}"
    );
    // A tiny input grows, and says so.
    fs::write(d.join("one"), b"x").unwrap();
    let err = stderr_of(&run(d, &["-v", "one"]));
    assert!(
        err.starts_with("h4: one: 2400.00% (1 B => 24 B) -> one.h4"),
        "{err}"
    );
}

/// `unh4` is `h4 -d`, `h4cat` is `h4 -dc` (following links), as unzstd and
/// zstdcat are, whatever directory they are linked from.
#[test]
fn unh4_and_h4cat() {
    let dir = util::tempdir();
    let d = dir.path();
    let bin = d.join("bin");
    fs::create_dir(&bin).unwrap();
    for name in ["unh4", "h4cat"] {
        symlink(H4, bin.join(name)).unwrap();
    }
    let data = text(20_000);
    fs::write(d.join("f"), &data).unwrap();
    run_ok(d, &["--rm", "f"]);
    symlink("f.h4", d.join("link.h4")).unwrap();

    let cat = |args: &[&str]| {
        let out = std::process::Command::new(bin.join("h4cat"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        out.stdout
    };
    assert_bytes_eq!(cat(&["f.h4"]), data);
    assert_bytes_eq!(cat(&["link.h4"]), data, "h4cat follows links");
    assert!(!d.join("f").exists(), "h4cat wrote a file");

    let unh4 = std::process::Command::new(bin.join("unh4"))
        .arg("f.h4")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(unh4.status.success(), "{}", stderr_of(&unh4));
    assert_bytes_eq!(fs::read(d.join("f")).unwrap(), data);
    assert!(
        Path::new(&d.join("f.h4")).exists(),
        "unh4 keeps its input, as unzstd"
    );
}
