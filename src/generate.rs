//! `h4 generate DIR`: writes the man pages and shell completions from the
//! command-line definition itself, so they can never describe flags h4 does
//! not have. The committed copies under `man/` and `completions/` are
//! checked against a fresh generation by `tests/generated.rs`.
//!
//! clap_mangen renders each page's options; this module writes what it
//! cannot know, as zstd's page has it: a synopsis with the arguments'
//! names, the conventions (DESCRIPTION), ENVIRONMENT, EXIT STATUS,
//! EXAMPLES, FILES and SEE ALSO naming only pages that exist. Internal
//! commands appear nowhere: not in pages, not in completions.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_complete::Shell;

use crate::args::{Cli, GenerateArgs};
use crate::report;
use crate::report::Status;

/// The date in the pages' footers: fixed, so generating is repeatable.
const DATE: &str = "2026-12-03";

pub fn run(args: &GenerateArgs) -> Status {
    match generate(&args.dir) {
        Ok(()) => Status::Ok,
        Err(e) => report::fatal(&e),
    }
}

/// The commands a user sees (hidden ones are internal; `help` has no page).
fn visible_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// The command line as users may see it: without the internal commands.
fn public_command() -> Command {
    // Unbuilt: building adds --help and --version, which `public` adds
    // again when it is built.
    let cmd = Cli::command();
    let visible: Vec<Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let mut public = Command::new("h4")
        .about(cmd.get_about().cloned().unwrap_or_default())
        .version(cmd.get_version().unwrap_or_default().to_string())
        .args_conflicts_with_subcommands(true)
        .disable_help_subcommand(true)
        .subcommands(visible);
    for arg in cmd.get_arguments() {
        public = public.arg(arg.clone());
    }
    public.build();
    public
}

fn generate(dir: &Path) -> Result<()> {
    let cmd = public_command();

    let man = dir.join("man");
    fs::create_dir_all(&man).with_context(|| man.display().to_string())?;
    let pages: Vec<String> = visible_subcommands(&cmd)
        .map(|s| format!("h4-{}", s.get_name()))
        .collect();
    write(&man.join("h4.1"), &main_page(&cmd, &pages)?)?;
    for sub in visible_subcommands(&cmd) {
        let name = format!("h4-{}", sub.get_name());
        let text = command_page(sub, &name)?;
        write(&man.join(format!("{name}.1")), &text)?;
    }
    // `unh4` and `h4cat` are h4 under other names, as unzstd and zstdcat.
    for alias in ["unh4", "h4cat"] {
        write(&man.join(format!("{alias}.1")), ".so man1/h4.1\n")?;
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
        let out = also_for_other_names(shell, String::from_utf8(out).expect("scripts are text"));
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

/// Registers a completion script for `unh4` and `h4cat` too, where the
/// shell makes that a matter of naming them (bash, zsh); they take h4's
/// options.
fn also_for_other_names(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => script.replace(" -o default h4\n", " -o default h4 unh4 h4cat\n"),
        Shell::Zsh => script
            .replacen("#compdef h4\n", "#compdef h4 unh4 h4cat\n", 1)
            .replace("compdef _h4 h4\n", "compdef _h4 h4 unh4 h4cat\n"),
        _ => script,
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| path.display().to_string())
}

/// What clap_mangen makes of `cmd` as the page `name`, with the footer of
/// every h4 page.
fn rendered(cmd: &Command, name: &str) -> Result<String> {
    let page = cmd
        .clone()
        .name(name.to_string())
        .display_name(name.to_string());
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .title(name)
        .section("1")
        .date(DATE)
        .source(format!("h4 {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands")
        .render(&mut out)
        .context(name.to_string())?;
    Ok(String::from_utf8(out).expect("roff is text"))
}

/// Replaces the body of section `title` (up to the next section) with
/// `body`; `None` removes the section.
fn replace_section(page: &mut String, title: &str, body: Option<&str>) {
    let head = format!(".SH {title}\n");
    let Some(start) = page.find(&head) else {
        return;
    };
    let after = start + head.len();
    let end = page[after..].find(".SH ").map_or(page.len(), |i| after + i);
    let replacement = body.map_or(String::new(), |b| format!("{head}{b}"));
    page.replace_range(start..end, &replacement);
}

/// Inserts `sections` before the VERSION section (or at the end).
fn insert_before_version(page: &mut String, sections: &str) {
    let at = page.find(".SH VERSION\n").unwrap_or(page.len());
    page.insert_str(at, sections);
}

/// Text escaped for roff: backslashes and hyphens, and a line that would
/// start with a control character.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|line| {
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One option of a synopsis: `[-o|--output FILE]`.
fn synopsis_option(arg: &Arg) -> String {
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("\\fB\\-{short}\\fR"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", roff(long)));
    }
    let takes_value = matches!(arg.get_action(), ArgAction::Set | ArgAction::Append);
    let value = match arg.get_value_names() {
        Some(names) if takes_value => {
            let joined: Vec<String> = names.iter().map(|n| roff(n)).collect();
            let value = format!("\\fI{}\\fR", joined.join(" "));
            if arg.is_require_equals_set() {
                format!("[={value}]")
            } else {
                format!(" {value}")
            }
        }
        _ => String::new(),
    };
    format!("[{}{value}]", names.join("|"))
}

/// `NAME [OPTIONS...] [FILE]...`, every option with its value's name.
fn synopsis_line(cmd: &Command, name: &str) -> String {
    let mut line = format!("\\fB{}\\fR", roff(name));
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() || arg.is_positional() {
            continue;
        }
        line.push(' ');
        line.push_str(&synopsis_option(arg));
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let value = arg
            .get_value_names()
            .map_or_else(|| arg.get_id().to_string(), |n| n.join(" "));
        let many = matches!(arg.get_action(), ArgAction::Append);
        line.push_str(&format!(
            " [\\fI{}\\fR]{}",
            roff(&value),
            if many { "..." } else { "" }
        ));
    }
    line
}

/// The page of one command, `h4-NAME(1)`.
fn command_page(cmd: &Command, name: &str) -> Result<String> {
    let mut page = rendered(cmd, name)?;
    let display = name.replacen('-', " ", 1);
    replace_section(
        &mut page,
        "SYNOPSIS",
        Some(&format!("{}\n", synopsis_line(cmd, &display))),
    );
    insert_before_version(
        &mut page,
        &format!("{EXIT_STATUS}.SH \"SEE ALSO\"\n\\fBh4\\fR(1)\n"),
    );
    Ok(page)
}

/// The page of `h4` itself, `h4(1)`: the zstd-style command line, the
/// conventions, and the commands (`pages`) it has pages for.
fn main_page(cmd: &Command, pages: &[String]) -> Result<String> {
    let mut page = rendered(cmd, "h4")?;
    let mut synopsis = format!("{}\n.br\n", synopsis_line(cmd, "h4"));
    synopsis.push_str(
        "\\fBunh4\\fR [\\fIOPTIONS\\fR] [\\fIFILE\\fR]...\n.br\n\
         \\fBh4cat\\fR [\\fIOPTIONS\\fR] [\\fIFILE\\fR]...\n.br\n\
         \\fBh4\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]...\n",
    );
    replace_section(&mut page, "SYNOPSIS", Some(&synopsis));
    replace_section(&mut page, "DESCRIPTION", Some(DESCRIPTION));
    replace_section(&mut page, "SUBCOMMANDS", None);
    let mut commands = String::from(".SH COMMANDS\n");
    for sub in visible_subcommands(cmd) {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        commands.push_str(&format!(
            ".TP\n\\fBh4 {}\\fR\n{}; see \\fBh4\\-{}\\fR(1)\n",
            roff(sub.get_name()),
            roff(&about),
            roff(sub.get_name())
        ));
    }
    let see_also: Vec<String> = pages
        .iter()
        .map(|p| format!("\\fB{}\\fR(1)", roff(p)))
        .chain(["zstd", "gzip", "tar"].map(|p| format!("\\fB{p}\\fR(1)")))
        .collect();
    insert_before_version(
        &mut page,
        &format!(
            "{commands}{ENVIRONMENT}{EXIT_STATUS}{EXAMPLES}{FILES}.SH \"SEE ALSO\"\n{}\n",
            see_also.join(", ")
        ),
    );
    Ok(page)
}

/// The conventions, as zstd's and gzip's pages give theirs.
const DESCRIPTION: &str = r#"\fBh4\fR compresses files into \fB.h4\fR frames with the deterministic, lossless HarmonyØ4 engines: the built\-in reference engine, or a \fIcore\fR, a shared library loaded at run time. The same input gives the same bytes on every run, thread count and machine, and nothing about the input's name, dates, owner or host is written.
.PP
Without a \fICOMMAND\fR, \fBh4\fR reads its command line as \fBzstd\fR(1) and \fBgzip\fR(1) do: \fBh4 FILE\fR compresses \fIFILE\fR to \fIFILE\fR.h4, \fB\-d\fR decompresses, \fB\-t\fR tests and \fB\-l\fR lists. Short options combine (\fB\-dc\fR, \fB\-dcf\fR), \fB\-#\fR sets the level (\fB\-1\fR to \fB\-19\fR; with \fB\-\-ultra\fR, up to \fB\-22\fR), \fB\-\-\fR ends the options, and \fB\-\fR is standard input. \fBunh4\fR is \fBh4 \-d\fR and \fBh4cat\fR is \fBh4 \-dc\fR. So \fBtar \-I h4\fR works both ways. A first argument that names a command (\fBcompress\fR, \fBdecompress\fR, \fBtest\fR, \fBinfo\fR, \fBverify\fR, \fBbench\fR, \fBcores\fR) runs that command; a file of that name is \fB./compress\fR or follows \fB\-\-\fR.
.PP
\fIFILE\fR compresses to \fIFILE\fR.h4; decompression strips \fB.h4\fR and refuses other names unless \fB\-o\fR or \fB\-c\fR says where to write. No \fIFILE\fR, or \fB\-\fR, means standard input to standard output. Input files are kept unless \fB\-\-rm\fR is given, and then removed only once the output is complete and synced.
.PP
Existing files are never overwritten without \fB\-f\fR. Outputs are written as unnamed files beside the target and linked into place when complete, so an error, an interrupt or a crash never leaves a partial or temporary file. An input that shrinks, grows or changes while it is read is an error. Compressed data is never written to a terminal, and a terminal is never read as input, without \fB\-f\fR. Symbolic links named as inputs are skipped with a warning unless \fB\-f\fR is given (\fBh4cat\fR follows them). The permission bits and modification time of \fIFILE\fR are copied to its output.
.PP
Levels trade speed for size; a level is never needed to decompress and never written into a file. The reference engine has levels 1 to 9 (default 2): a level above 9 compresses as 9 and \fB\-\-fast\fR as 1. A core with levels (the zstd core has zstd's) takes the level as it is, moved into its range if need be; a core without levels ignores it (\fB\-v\fR says so).
.PP
Errors are one line, \fBh4: FILE: what is wrong\fR. With \fB\-v\fR, each file gets a summary line in zstd's form.
"#;

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBHARMONY4_CORE_PATH\fR
The core library to use when neither \fB\-\-core\fR nor \fB\-\-engine\fR is given. If it does not load, h4 warns and uses the reference engine, unless a core is required.
.TP
\fBHARMONY4_CORE_REQUIRED\fR
\fB1\fR: a core that does not load, or no core at all, is an error instead of a fall\-back to the reference engine (as \fB\-\-require\-core\fR).
.TP
\fBHARMONY4_CORE_DIR\fR
Directories (separated by \fB:\fR) searched first for a core given by name, \fB\-\-core\fR \fINAME\fR.
.TP
\fBHARMONY4_ISOLATE\fR
\fB1\fR: run cores in sandboxed helper processes (as \fB\-\-isolate\fR).
.TP
\fBHARMONY4_CORE_TIMEOUT\fR
Seconds an isolated core may take for one call before it counts as hung.
.TP
\fBNO_COLOR\fR
Set: no colour in messages.
"#;

const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Every file was processed.
.TP
\fB1\fR
A file could not be processed (the message names it), or a check failed; the other files were.
.TP
\fB2\fR
The command line is wrong; nothing was done.
.TP
\fB128+N\fR
Signal \fIN\fR ended the run (130 for Ctrl\-C, 129 for SIGHUP, 143 for SIGTERM); no partial output is left.
"#;

const EXAMPLES: &str = r#".SH EXAMPLES
.TP
\fBh4 big.bin\fR
Writes big.bin.h4 and keeps big.bin.
.TP
\fBh4 \-d big.bin.h4\fR, \fBunh4 big.bin.h4\fR
Writes big.bin back.
.TP
\fBh4 \-19 \-T4 \-v *.raw\fR
Compresses every .raw file with the most effort on 4 threads, with a line on each.
.TP
\fBh4 \-r \-\-output\-dir\-flat packed src\fR
Compresses every file under src into packed/.
.TP
\fBtar \-I h4 \-cf src.tar.h4 src\fR, \fBtar \-I h4 \-xf src.tar.h4\fR
Makes and unpacks a compressed archive.
.TP
\fBh4cat log.h4 | grep error\fR
Decompresses to standard output.
.TP
\fBh4 \-t *.h4\fR, \fBh4 \-l *.h4\fR
Checks every file, or lists what each holds.
.TP
\fBh4 \-\-core zstd big.bin\fR
Compresses with the zstd core, found by name (see \fBh4 cores\fR).
"#;

const FILES: &str = r#".SH FILES
.TP
\fIFILE\fR\fB.h4\fR
The compressed form of \fIFILE\fR.
.TP
\fIPREFIX\fR\fB/lib/h4/cores/libh4_core_\fR\fINAME\fR\fB.so\fR
The cores \fB\-\-core\fR \fINAME\fR finds next to an installed \fIPREFIX\fR\fB/bin/h4\fR (searched after \fBHARMONY4_CORE_DIR\fR, and before the directory of the h4 executable itself). \fBh4 cores\fR lists them.
"#;
