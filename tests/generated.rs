//! The man pages and completions in the repository are exactly what
//! `h4 generate` makes from the current command line: adding a flag without
//! regenerating fails here. Also checks that they load.

use std::path::Path;
use std::process::Command;

use crate::util::{self, h4_process};

fn files_under(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn committed_man_pages_and_completions_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fresh = util::tempdir();
    let status = h4_process()
        .arg("generate")
        .arg(fresh.path())
        .status()
        .unwrap();
    assert!(status.success());
    for sub in ["man", "completions"] {
        let (committed, generated) = (root.join(sub), fresh.path().join(sub));
        assert_eq!(
            files_under(&committed),
            files_under(&generated),
            "{sub}/ has other files than `h4 generate` makes"
        );
        for name in files_under(&generated) {
            let want = std::fs::read(generated.join(&name)).unwrap();
            let have = std::fs::read(committed.join(&name)).unwrap();
            assert!(
                want == have,
                "{sub}/{name} is stale: run `cargo run -- generate .` and commit the result"
            );
        }
    }
}

#[test]
fn man_page_renders_and_bash_completion_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = root.join("man/h4.1");
    match Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("compress"), "{text}");
        }
        _ => eprintln!("skipped: man is not installed"),
    }
    let script = format!(
        "source {} && complete -p h4 && complete -p unh4 && complete -p h4cat",
        root.join("completions/h4.bash").display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("h4"));
}

/// Runs `program -c script` in the repository, or `None` when the shell
/// is not installed.
fn shell(program: &str, script: &str) -> Option<String> {
    let out = Command::new(program)
        .args(["-c", script])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn fish_and_zsh_completions_load() {
    match shell("fish", "source completions/h4.fish; complete -C 'h4 comp'") {
        Some(out) => assert!(out.contains("compress"), "{out}"),
        None => eprintln!("skipped: fish is not installed"),
    }
    let dump = std::env::temp_dir().join(format!("h4-zcompdump-{}", std::process::id()));
    let script = format!(
        "fpath=(completions $fpath); autoload -U compinit; compinit -u -d {}; print -r -- ${{_comps[h4]}}",
        dump.display()
    );
    match shell("zsh", &script) {
        Some(out) => assert_eq!(out.trim(), "_h4"),
        None => eprintln!("skipped: zsh is not installed"),
    }
    let _ = std::fs::remove_file(dump);
}

/// `man h4` reads like zstd's page: the sections people look for, a
/// synopsis with the arguments' names, a footer that fits 80 columns, SEE
/// ALSO naming only pages that exist; the completions offer no internal
/// command.
#[test]
fn man_pages_are_complete_and_completions_public() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("man/h4.1")).unwrap();
    for section in [
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH ENVIRONMENT",
        ".SH \"EXIT STATUS\"",
        ".SH EXAMPLES",
        ".SH FILES",
        ".SH \"SEE ALSO\"",
    ] {
        assert!(page.contains(section), "h4(1) has no {section}");
    }
    assert!(
        page.contains("[\\fB\\-o\\fR|\\fB\\-\\-output\\fR \\fIFILE\\fR]"),
        "synopsis without argument names"
    );
    for name in std::fs::read_dir(root.join("man")).unwrap() {
        let name = name.unwrap().path();
        let text = std::fs::read_to_string(&name).unwrap();
        for reference in text.split("\\fB").skip(1) {
            let Some((page_name, _)) = reference.split_once("\\fR(1)") else {
                continue;
            };
            let page_name = page_name.replace("\\-", "-");
            if ["zstd", "gzip", "tar"].contains(&page_name.as_str()) {
                continue;
            }
            assert!(
                root.join("man").join(format!("{page_name}.1")).exists(),
                "{} refers to {page_name}(1), which does not exist",
                name.display()
            );
        }
    }
    for file in ["h4.bash", "_h4", "h4.fish", "h4.elv", "_h4.ps1"] {
        let text = std::fs::read_to_string(root.join("completions").join(file)).unwrap();
        for internal in ["__verify-check", "__core-helper", "generate"] {
            assert!(
                !text.contains(internal),
                "completions/{file} offers {internal}"
            );
        }
    }
    match Command::new("man")
        .arg("-l")
        .arg(root.join("man/h4.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let footer = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
            assert!(footer.chars().count() <= 80, "{footer:?}");
            assert!(
                footer.starts_with(&format!("h4 {}", env!("CARGO_PKG_VERSION")))
                    && footer.ends_with("h4(1)"),
                "{footer:?}"
            );
        }
        _ => eprintln!("skipped: man is not installed"),
    }
}
