//! `h4 [OPTIONS] [FILE]...`: the command line without a command, as zstd
//! and gzip users type it. It is a front for the commands: `-d` runs
//! `decompress`, `-t` `test`, `-l` `info`, and anything else `compress`,
//! with the same files and options.
//!
//! What zstd's parser does by hand, clap does here once the arguments are
//! normalised by [`normalise`]: `-#` levels inside groups of short flags
//! (`-19`, `-d19`) become `--level=N`, and the names `unh4` and `h4cat`
//! add the flags they stand for.

use std::ffi::OsString;
use std::path::Path;

use crate::args::{BEST_LEVEL, CompressArgs, DecompressArgs, DirectArgs, InfoArgs, TestArgs};
use crate::input::{Expansion, Wanted};
use crate::report::Status;
use crate::{files, info, test};

/// The names of the commands: a first argument that is one of them runs
/// that command; anything else is the zstd-style command line.
pub const COMMANDS: &[&str] = &[
    "compress",
    "decompress",
    "test",
    "info",
    "verify",
    "bench",
    "cores",
    "generate",
    "help",
    "__verify-check",
    "__core-helper",
];

/// What the program was called as, by its file name without extension,
/// as zstd matches `unzstd` and `zstdcat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Personality {
    /// `h4`.
    Plain,
    /// `unh4`: `h4 -d`.
    Unh4,
    /// `h4cat`: `h4 -dc`, following symbolic links.
    H4cat,
}

impl Personality {
    pub fn of(argv0: &OsString) -> Self {
        let name = Path::new(argv0)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.split('.').next().unwrap_or_default();
        match stem {
            "unh4" => Personality::Unh4,
            "h4cat" => Personality::H4cat,
            _ => Personality::Plain,
        }
    }
}

/// The arguments as clap should see them: `argv` with the flags the
/// program's name stands for inserted first, and `-#` levels rewritten,
/// unless the first argument names a command other than `compress` (whose
/// levels are written as zstd's are too: `h4 compress -9 FILE`).
pub fn normalise(argv: Vec<OsString>, personality: Personality) -> Vec<OsString> {
    let mut args = argv.into_iter();
    let mut out: Vec<OsString> = args.next().into_iter().collect();
    let mut rest: Vec<OsString> = args.collect();
    let names_command = rest
        .first()
        .is_some_and(|a| COMMANDS.iter().any(|c| a == c));
    if personality == Personality::Plain && names_command {
        let command = rest.remove(0);
        let compress = command == "compress";
        out.push(command);
        if !compress {
            out.extend(rest);
            return out;
        }
    }
    match personality {
        Personality::Plain => {}
        Personality::Unh4 => out.push("-d".into()),
        Personality::H4cat => out.push("-dc".into()),
    }
    let mut files_only = false;
    let mut value_next = false;
    for arg in rest {
        if files_only || value_next {
            value_next = false;
            out.push(arg);
            continue;
        }
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            files_only = true;
            out.push(arg);
            continue;
        }
        if text.starts_with("--") || !text.starts_with('-') || text == "-" {
            value_next = takes_value_long(text);
            out.push(arg);
            continue;
        }
        let (flags, levels, needs_value) = split_short_group(&text[1..]);
        value_next = needs_value;
        if !flags.is_empty() {
            out.push(format!("-{flags}").into());
        }
        out.extend(
            levels
                .into_iter()
                .map(|l| OsString::from(format!("--level={l}"))),
        );
    }
    out
}

/// Short flags that take a value (the rest of the group, or the next
/// argument).
const SHORT_WITH_VALUE: &[char] = &['o', 'T', 'B'];

/// Long options that take a value as the next argument when not given
/// with `=`.
const LONG_WITH_VALUE: &[&str] = &[
    "--output",
    "--output-dir-flat",
    "--threads",
    "--block-size",
    "--level",
    "--core",
    "--engine",
];

fn takes_value_long(text: &str) -> bool {
    LONG_WITH_VALUE.contains(&text)
}

/// Splits a group of short flags (`dc19`, `T4`, `19`) into the flags for
/// clap, the levels written as digits, and whether the next argument is
/// the value of the group's last flag. Digits after a flag that takes a
/// value are that value (`-T4`), not a level.
fn split_short_group(group: &str) -> (String, Vec<String>, bool) {
    let mut flags = String::new();
    let mut levels = Vec::new();
    let mut chars = group.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() {
            let mut end = i + 1;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + 1;
                chars.next();
            }
            levels.push(group[i..end].to_string());
            continue;
        }
        flags.push(c);
        if SHORT_WITH_VALUE.contains(&c) {
            let value = &group[i + c.len_utf8()..];
            flags.push_str(value);
            return (flags, levels, value.is_empty());
        }
    }
    (flags, levels, false)
}

/// Runs the zstd-style command line.
pub fn run(args: DirectArgs, personality: Personality) -> Status {
    let DirectArgs {
        compress: _,
        decompress,
        test,
        list,
        mut files,
        level,
        block_size,
        no_check,
    } = args;
    files.follow_links = personality == Personality::H4cat;
    if test || list {
        let expansion = Expansion {
            recursive: files.recursive,
            follow_links: files.force || files.follow_links,
            quiet: files.common.quiet,
            wanted: Wanted::Compressed,
        };
        let Some(inputs) = expansion.inputs(&files.files) else {
            return Status::Failed;
        };
        if list {
            return info::run(&InfoArgs {
                files: inputs,
                json: false,
                blocks: files.common.verbose,
            });
        }
        return test::run(&TestArgs {
            files: inputs,
            engine: files.engine,
            host: files.host,
            common: files.common,
        });
    }
    if decompress {
        return files::decompress(&DecompressArgs { files, range: None });
    }
    let (requested, lowered) = level.requested();
    if lowered {
        crate::report::warn(
            files.common.quiet,
            "warning",
            &format!("levels above {BEST_LEVEL} need --ultra; using {BEST_LEVEL}",),
        );
    }
    files::compress_at(
        &CompressArgs {
            files,
            block_size,
            no_check,
            format_version: h4::container::FORMAT_VERSION,
            level: None,
        },
        requested,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        let argv = std::iter::once("h4")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        normalise(argv, Personality::Plain)
            .into_iter()
            .skip(1)
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn levels_in_short_groups() {
        assert_eq!(norm(&["-19", "f"]), ["--level=19", "f"]);
        assert_eq!(norm(&["-dc3"]), ["-dc", "--level=3"]);
        assert_eq!(norm(&["-T4", "-B1M"]), ["-T4", "-B1M"]);
        assert_eq!(norm(&["-T", "4", "-5"]), ["-T", "4", "--level=5"]);
        assert_eq!(norm(&["-o", "-3"]), ["-o", "-3"]);
        assert_eq!(norm(&["-ko", "out"]), ["-ko", "out"]);
        assert_eq!(norm(&["--", "-3"]), ["--", "-3"]);
        assert_eq!(norm(&["-", "x"]), ["-", "x"]);
        assert_eq!(norm(&["--core", "-9"]), ["--core", "-9"]);
    }

    #[test]
    fn compress_takes_levels_and_other_commands_are_left_alone() {
        assert_eq!(
            norm(&["compress", "-9", "f"]),
            ["compress", "--level=9", "f"]
        );
        assert_eq!(
            norm(&["compress", "-kf3"]),
            ["compress", "-kf", "--level=3"]
        );
        assert_eq!(norm(&["compress", "-o", "-3"]), ["compress", "-o", "-3"]);
        assert_eq!(norm(&["decompress", "-9"]), ["decompress", "-9"]);
        assert_eq!(norm(&["verify", "-3"]), ["verify", "-3"]);
    }

    #[test]
    fn personalities_by_name() {
        let p = |s: &str| Personality::of(&OsString::from(s));
        assert_eq!(p("/usr/bin/unh4"), Personality::Unh4);
        assert_eq!(p("h4cat"), Personality::H4cat);
        assert_eq!(p("h4cat.exe"), Personality::H4cat);
        assert_eq!(p("/usr/bin/h4"), Personality::Plain);
        assert_eq!(p("unh4x"), Personality::Plain);
    }
}
