//! The second implementation: `scripts/h4_reference.py`, written from
//! `docs/FORMAT.md` alone, must produce and accept exactly the bytes h4 does.
//!
//! Needs python3 with the `xxhash` package (`.ci/run` installs it from
//! `scripts/requirements.txt`); without them the test says so and passes.

use std::process::Command;

use crate::util::H4;

#[test]
fn independent_python_implementation_agrees_byte_for_byte() {
    let root = env!("CARGO_MANIFEST_DIR");
    let probe = Command::new("python3")
        .args(["-c", "import xxhash"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        _ => {
            eprintln!(
                "skipped: needs python3 with xxhash (pip install -r scripts/requirements.txt)"
            );
            return;
        }
    }
    let out = Command::new("python3")
        .arg(format!("{root}/scripts/check_spec.py"))
        .arg(H4)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check_spec.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("all byte-identical"), "{stdout}");
}
