//! `tar -I h4` and `tar --use-compress-program=h4` with GNU tar: tar runs
//! the program bare to compress (stdin to stdout) and with `-d` to
//! decompress, so this is the zstd-style command line end to end.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::data::text;
use crate::util::{self, H4, stderr_of};

/// A directory holding `h4` (a link to the binary under test), to put
/// first on PATH.
fn bin_dir(root: &Path) -> PathBuf {
    let bin = root.join("bin");
    fs::create_dir_all(&bin).unwrap();
    for name in ["h4", "unh4", "h4cat"] {
        symlink(H4, bin.join(name)).unwrap();
    }
    bin
}

fn gnu_tar() -> bool {
    Command::new("tar")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU tar"))
}

#[test]
fn tar_creates_lists_and_extracts_through_h4() {
    if !gnu_tar() {
        eprintln!("skipped: GNU tar is not installed");
        return;
    }
    let dir = util::tempdir();
    let d = dir.path();
    let path = util::path_with(&bin_dir(d));
    fs::create_dir_all(d.join("src/sub")).unwrap();
    fs::write(d.join("src/a.txt"), text(300_000)).unwrap();
    fs::write(d.join("src/sub/b.bin"), util::data::binary(100_000)).unwrap();
    fs::write(d.join("src/empty"), b"").unwrap();
    let tar = |args: &[&str]| {
        let out = Command::new("tar")
            .args(args)
            .current_dir(d)
            .env("PATH", &path)
            .env_remove("HARMONY4_CORE_PATH")
            .output()
            .unwrap();
        assert!(out.status.success(), "tar {args:?}: {}", stderr_of(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    tar(&["-I", "h4", "-cf", "src.tar.h4", "src"]);
    let archive = fs::read(d.join("src.tar.h4")).unwrap();
    assert!(archive.starts_with(b"H4"), "not an .h4 file");
    tar(&["--use-compress-program=h4", "-cf", "again.tar.h4", "src"]);

    let listed = tar(&["-I", "h4", "-tf", "src.tar.h4"]);
    for name in ["src/a.txt", "src/sub/b.bin", "src/empty"] {
        assert!(listed.lines().any(|l| l == name), "{name} not in {listed}");
    }
    fs::create_dir(d.join("out")).unwrap();
    tar(&["-I", "h4", "-xf", "src.tar.h4", "-C", "out"]);
    tar(&["--use-compress-program=h4", "-tf", "again.tar.h4"]);
    for name in ["src/a.txt", "src/sub/b.bin", "src/empty"] {
        assert_eq!(
            fs::read(d.join("out").join(name)).unwrap(),
            fs::read(d.join(name)).unwrap(),
            "{name}"
        );
    }
    // tar's -a picks the program by suffix for known ones only; h4cat
    // pipes an archive into tar as zstdcat does.
    let piped = Command::new("sh")
        .args(["-c", "h4cat src.tar.h4 | tar tf -"])
        .current_dir(d)
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", stderr_of(&piped));
    assert_eq!(String::from_utf8(piped.stdout).unwrap(), listed);
}
