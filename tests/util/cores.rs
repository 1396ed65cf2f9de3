//! The core libraries the tests load: the project's own cores (built once
//! with cargo) and the C test cores in `tests/cores/` (compiled once each
//! with `cc`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where test builds go: a target directory of their own, so the nested
/// cargo never waits on the lock of the cargo running the tests.
fn build_dir() -> PathBuf {
    root().join("target").join("test-cores")
}

/// The path of a project core (`"reference"` or `"zstd"`), built on first
/// use in release mode (the zstd core's C code is slow unoptimised).
pub fn project_core(name: &str) -> PathBuf {
    project_library(&format!("libh4_core_{name}.so"))
}

/// The preload library `h4 verify` moves a child's clock and CPU count
/// with, built like the project cores.
pub fn verify_preload() -> PathBuf {
    project_library("libh4_verify_preload.so")
}

/// A shared library of the workspace, built on first use.
fn project_library(file: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root())
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "h4-core-reference",
                "-p",
                "h4-core-zstd",
                "-p",
                "h4-verify-preload",
            ])
            .env("CARGO_TARGET_DIR", build_dir())
            .status()
            .expect("run cargo");
        assert!(status.success(), "building the project cores failed");
    });
    let path = build_dir().join("release").join(file);
    assert!(path.exists(), "{} missing", path.display());
    path
}

/// The path of the C test core `tests/cores/NAME.c`, compiled on first use
/// with the extra compiler flags `defines` (e.g. `-DKEY=7`); `variant`
/// names the build when the same source is built several ways.
pub fn c_core(name: &str, variant: &str, defines: &[&str]) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let out_dir = build_dir().join("c");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(format!("lib{name}{variant}.so"));
    let source = root().join("tests").join("cores").join(format!("{name}.c"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let header = source.with_file_name("common.h");
    let fresh = modified(&out).is_some_and(|built| {
        [&source, &header]
            .iter()
            .all(|s| modified(s) <= Some(built))
    });
    if !fresh {
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let status = Command::new(cc)
            .args(["-shared", "-fPIC", "-O1", "-Wall", "-o"])
            .arg(&out)
            .arg(&source)
            .args(defines)
            .status()
            .expect("run the C compiler (cc)");
        assert!(status.success(), "compiling {} failed", source.display());
    }
    out
}
