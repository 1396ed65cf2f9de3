//! `h4 generate DIR`: writes the man pages and shell completions from the
//! command-line definition itself, so they can never describe flags h4 does
//! not have. The committed copies under `man/` and `completions/` are
//! checked against a fresh generation by `tests/generated.rs`.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Command, CommandFactory};
use clap_complete::Shell;

use crate::args::{Cli, GenerateArgs};
use crate::report;
use crate::report::Status;

pub fn run(args: &GenerateArgs) -> Status {
    match generate(&args.dir) {
        Ok(()) => Status::Ok,
        Err(e) => report::fatal(&e),
    }
}

/// The subcommands a user sees (hidden ones are internal).
fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

fn generate(dir: &Path) -> Result<()> {
    let mut cmd = Cli::command();
    cmd.build();

    let man = dir.join("man");
    fs::create_dir_all(&man).with_context(|| man.display().to_string())?;
    write_man(&cmd, &man.join("h4.1"))?;
    for sub in visible_subcommands(&cmd) {
        let name = format!("h4-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).display_name(name.clone());
        write_man(&page, &man.join(format!("{name}.1")))?;
    }

    let completions = dir.join("completions");
    fs::create_dir_all(&completions).with_context(|| completions.display().to_string())?;
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "h4", &mut out);
        let file = completions.join(match shell {
            Shell::Bash => "h4.bash",
            Shell::Zsh => "_h4",
            Shell::Fish => "h4.fish",
            Shell::Elvish => "h4.elv",
            _ => "_h4.ps1",
        });
        fs::write(&file, out).with_context(|| file.display().to_string())?;
    }
    Ok(())
}

fn write_man(cmd: &Command, path: &Path) -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .date("2026-11-25")
        .render(&mut out)
        .with_context(|| path.display().to_string())?;
    fs::write(path, out).with_context(|| path.display().to_string())
}
