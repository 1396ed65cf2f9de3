//! Levels: `-#`, `--level`, `--fast[=N]` and `--best` choose effort, on
//! the reference engine (levels 1 to 9; others move to the nearest) and on
//! cores through the level extension; a level never changes how a file
//! decodes, is never written into it, and the same level always gives the
//! same bytes.

use std::fs;

use crate::util::data::text;
use crate::util::{self, c_core, path_arg, pipe_ok, project_core, run, stderr_of};

#[test]
fn reference_levels_on_every_spelling() {
    let data = text(300_000);
    let at = |args: &[&str]| pipe_ok(args, &data);
    let one = at(&["-1"]);
    let nine = at(&["-9"]);
    assert_ne!(one, nine, "levels 1 and 9 made the same bytes");
    // Every spelling of a level gives the command's bytes.
    for level in ["1", "5", "9"] {
        let want = at(&["compress", "-c", "--level", level]);
        assert_bytes_eq!(at(&[&format!("-{level}")]), want, "-{level}");
        assert_bytes_eq!(at(&["--level", level]), want, "--level {level}");
        assert_bytes_eq!(at(&["-c", &format!("-{level}")]), want, "-c -{level}");
        let spelled = format!("-{level}");
        assert_bytes_eq!(at(&["compress", &spelled, "-c"]), want, "compress -{level}");
        assert_bytes_eq!(
            at(&["compress", &format!("-c{level}")]),
            want,
            "compress -c{level}"
        );
    }
    assert_bytes_eq!(at(&["-c1"]), one, "a level inside a group of flags");
    // Past the reference engine's 9: its 9; --fast: its 1; --best: 19.
    assert_bytes_eq!(at(&["-19"]), nine);
    assert_bytes_eq!(at(&["--best"]), nine);
    assert_bytes_eq!(at(&["--fast"]), one);
    assert_bytes_eq!(at(&["--fast=3"]), one);
    // Past 19 without --ultra: 19, with a warning, as zstd does.
    assert_bytes_eq!(at(&["-22", "-q"]), nine);
    assert_bytes_eq!(at(&["--ultra", "-22"]), nine);
    // The last level given wins.
    assert_bytes_eq!(at(&["--best", "-1"]), one);
    assert_bytes_eq!(at(&["-1", "--best"]), nine);
    // No level: the engine's default, the command's bytes.
    assert_bytes_eq!(at(&[]), at(&["compress", "-c"]));
    // Any level decodes without being told it.
    for frame in [&one, &nine] {
        assert_bytes_eq!(pipe_ok(&["-d"], frame), data);
    }
    // Same level, same bytes.
    assert_bytes_eq!(at(&["-9", "-T1"]), at(&["-9", "-T2"]));
}

#[test]
fn out_of_range_levels_are_usage_errors() {
    let dir = util::tempdir();
    for args in [
        &["-23"][..],
        &["-0"],
        &["--level", "0"],
        &["--fast=0"],
        &["--fast=x"],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
}

#[test]
fn verbose_says_when_a_level_moves_or_is_ignored() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("f"), text(10_000)).unwrap();
    let err = stderr_of(&run(d, &["-v", "-c", "-19", "f"]));
    assert!(
        err.contains("h4: note: the reference engine has levels 1 to 9: level 19 compresses as 9"),
        "{err}"
    );
    let quiet = stderr_of(&run(d, &["-c", "-19", "f"]));
    assert!(quiet.is_empty(), "{quiet}");

    let plain = c_core("slow_blocks", "", &[]);
    let out = run(d, &["-v", "-c", "-5", "--core", path_arg(&plain), "f"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out)
            .contains("core 'unnamed' has no levels (no h4_compress_level_v1): level 5 ignored"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn cores_take_levels_through_the_extension() {
    let data = text(400_000);
    let zstd = project_core("zstd");
    let lib = path_arg(&zstd);
    let at = |args: &[&str]| {
        let mut all = vec!["--core", lib, "-c"];
        all.extend_from_slice(args);
        pipe_ok(&all, &data)
    };
    let default = at(&[]);
    let three = at(&["-3"]);
    let nineteen = at(&["-19"]);
    let fast = at(&["--fast=5"]);
    assert_bytes_eq!(default, three, "the zstd core's default is zstd's level 3");
    assert!(
        nineteen.len() < three.len(),
        "{} vs {}",
        nineteen.len(),
        three.len()
    );
    assert!(
        fast.len() > three.len(),
        "{} vs {}",
        fast.len(),
        three.len()
    );
    // zstd's ultra levels, with --ultra; without, 19 and a warning.
    let ultra = at(&["--ultra", "-22"]);
    assert!(
        ultra.len() <= nineteen.len(),
        "{} vs {}",
        ultra.len(),
        nineteen.len()
    );
    assert_bytes_eq!(pipe_ok(&["-dc", "--core", lib], &ultra), data);
    let out = crate::util::h4()
        .args(["--core", lib, "-c", "-22"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("h4: warning: levels above 19 need --ultra; using 19"),
        "{}",
        stderr_of(&out)
    );
    assert_bytes_eq!(out.stdout, nineteen);
    // In a sandboxed helper the level is the same.
    assert_bytes_eq!(at(&["-19", "--isolate"]), nineteen);
    // The command's --level reaches the core too.
    assert_bytes_eq!(
        pipe_ok(&["compress", "-c", "--level", "9", "--core", lib], &data),
        at(&["-9"])
    );
    for frame in [&nineteen, &fast] {
        assert_bytes_eq!(pipe_ok(&["-dc", "--core", lib], frame), data);
    }

    // A C core: levels 1 to 25, which cut its runs at 10 x the level.
    let rle = c_core("rle_levels", "", &[]);
    let lib = path_arg(&rle);
    let runs = vec![b'z'; 100_000];
    let one = pipe_ok(&["-c", "-1", "--core", lib], &runs);
    let nineteen = pipe_ok(&["-c", "-19", "--core", lib], &runs);
    assert!(
        one.len() > nineteen.len() * 10,
        "{} vs {}",
        one.len(),
        nineteen.len()
    );
    // --fast is below its range: its level 1.
    assert_bytes_eq!(pipe_ok(&["-c", "--fast", "--core", lib], &runs), one);
    assert_bytes_eq!(pipe_ok(&["-dc", "--core", lib], &nineteen), runs);
}

#[test]
fn a_level_function_without_its_range_does_not_load() {
    let dir = util::tempdir();
    fs::write(dir.path().join("f"), b"data").unwrap();
    let core = c_core("level_without_range", "", &[]);
    for isolate in [false, true] {
        let mut args = vec!["-c", "--core", path_arg(&core), "f"];
        if isolate {
            args.push("--isolate");
        }
        let out = run(dir.path(), &args);
        util::assert_fails(
            &out,
            "exports h4_compress_level_v1 without h4_core_level_range_v1",
        );
    }
}
