//! Cores by name: `--core zstd` finds `libh4_core_zstd.so` on the core
//! search path, so nobody has to know where a build or a package put it;
//! `h4 cores` lists what is there.
//!
//! The search path is every directory of `HARMONY4_CORE_DIR` (separated by
//! `:` like `PATH`), then `../lib/h4/cores` beside the h4 executable (where
//! `scripts/install` puts the project's cores), then the executable's own
//! directory (where cargo builds them, `target/release`). A value with a
//! slash is a path and is never searched for.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use h4::container::BLOCK_SIZES;
use h4::engine::Engine;
use h4::engine::core::{Core, CoreLoadError};
use serde::Serialize;

use crate::args::CoresArgs;
use crate::report::Status;

/// The environment variable naming the directories to search first.
pub const DIR_ENV: &str = "HARMONY4_CORE_DIR";

/// The file name prefix and suffix of a core called by name.
const PREFIX: &str = "libh4_core_";
const SUFFIX: &str = ".so";

/// The directories searched for cores by name, in order (missing ones
/// included: listings say they were looked at).
pub fn search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os(DIR_ENV)
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(bin) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        // The executable's path has its links resolved, so its parent's
        // parent is the prefix it was installed under.
        let prefix = bin.parent().unwrap_or(&bin).to_path_buf();
        dirs.push(prefix.join("lib/h4/cores"));
        dirs.push(bin);
    }
    dirs
}

/// Whether `--core` names a core rather than giving its path: no slash.
pub fn is_name(value: &Path) -> bool {
    !value.as_os_str().as_encoded_bytes().contains(&b'/')
}

/// The file a core called `name` would have: `libh4_core_NAME.so` (a name
/// that already is a file name, `libh4_core_zstd.so`, stays as it is).
fn file_name(name: &Path) -> OsString {
    let text = name.as_os_str();
    let bytes = text.as_encoded_bytes();
    if bytes.starts_with(PREFIX.as_bytes()) && bytes.ends_with(SUFFIX.as_bytes()) {
        return text.to_owned();
    }
    let mut file = OsString::from(PREFIX);
    file.push(text);
    file.push(SUFFIX);
    file
}

/// Finds the core called `name` on the search path.
pub fn find(name: &Path) -> Option<PathBuf> {
    let file = file_name(name);
    search_path()
        .into_iter()
        .map(|dir| dir.join(&file))
        .find(|path| path.is_file())
}

/// The value parser of `--core`: a path stays as given; a name becomes
/// the path of the core found for it, or stays as given when none is
/// (loading it then fails with [`not_found`]'s message).
pub fn parse_core(text: &str) -> Result<PathBuf, String> {
    let value = PathBuf::from(text);
    if text.is_empty() {
        return Err("a core name or path cannot be empty".to_string());
    }
    if is_name(&value) {
        return Ok(find(&value).unwrap_or(value));
    }
    Ok(value)
}

/// Why the core called `name` cannot be loaded: where it was looked for.
pub fn not_found(name: &Path) -> String {
    let dirs: Vec<String> = search_path()
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    format!(
        "no core named '{}' ({}) in {}; give a path (./{}) for a library elsewhere, or set {DIR_ENV}",
        name.display(),
        file_name(name).to_string_lossy(),
        dirs.join(", "),
        name.display()
    )
}

/// One core found on the search path.
#[derive(Serialize)]
struct Found {
    /// What `--core` takes.
    name: String,
    /// What the core calls itself (written into the frames it makes).
    core: Option<String>,
    version: Option<String>,
    /// Its levels, lowest to highest.
    levels: Option<[i32; 2]>,
    path: PathBuf,
    /// A core of the same name earlier on the path is used instead.
    shadowed: bool,
    /// Why it does not load, when it does not.
    error: Option<String>,
}

/// `h4 cores`: every core on the search path, with its name, version,
/// levels and path; each is loaded in a sandboxed helper process, so a
/// broken library is a row that says so, not a dead h4.
pub fn run(args: &CoresArgs) -> Status {
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    let dirs = search_path();
    for dir in &dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<(String, PathBuf)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let file = e.file_name().into_string().ok()?;
                let name = file.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?.to_string();
                e.path().is_file().then(|| (name, e.path()))
            })
            .collect();
        files.sort();
        for (name, path) in files {
            let shadowed = !seen.insert(name.clone());
            found.push(describe(name, path, shadowed));
        }
    }
    if args.json {
        let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        let json = serde_json::json!({ "search_path": dirs, "cores": found });
        println!("{json}");
        return Status::Ok;
    }
    let rows: Vec<[String; 5]> = found.iter().map(row).collect();
    let header = ["Name", "Core", "Version", "Levels", "Path"].map(String::from);
    let width = |i: usize| {
        rows.iter()
            .chain([&header])
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for r in std::iter::once(&header).chain(&rows) {
        println!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            r[0], r[1], r[2], r[3], r[4]
        );
    }
    if found.is_empty() {
        println!("(no cores)");
    }
    println!();
    println!("Searched, in order ({DIR_ENV} first):");
    for dir in &dirs {
        let shown = fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        let missing = if dir.is_dir() { "" } else { " (missing)" };
        println!("  {}{missing}", shown.display());
    }
    Status::Ok
}

/// A line of the table: name, core, version, levels, path (and what is
/// wrong with it).
fn row(f: &Found) -> [String; 5] {
    let mut path = f.path.display().to_string();
    if f.shadowed {
        path.push_str(" (shadowed by the one above)");
    }
    if let Some(error) = &f.error {
        path = format!("{path}: does not load: {error}");
    }
    let levels = f
        .levels
        .map_or_else(|| "-".to_string(), |[low, high]| format!("{low}..{high}"));
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    [
        f.name.clone(),
        text(&f.core),
        text(&f.version),
        levels,
        path,
    ]
}

/// Loads the core at `path` in a helper and says what it is.
fn describe(name: String, path: PathBuf, shadowed: bool) -> Found {
    let loaded = crate::engine::helper_command()
        .and_then(|command| Ok(Core::isolated(&path, BLOCK_SIZES, &command, 1)?));
    let mut found = Found {
        name,
        core: None,
        version: None,
        levels: None,
        path,
        shadowed,
        error: None,
    };
    match loaded {
        Ok(core) => {
            found.core = Some(core.id().name.clone());
            found.version = core.version().map(str::to_string);
            found.levels = core.levels().map(|r| [*r.start(), *r.end()]);
        }
        // The path is in the row already.
        Err(e) => {
            found.error = Some(match e.downcast_ref::<CoreLoadError>() {
                Some(load) => load.why.clone(),
                None => format!("{e:#}"),
            })
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert!(is_name(Path::new("zstd")));
        assert!(is_name(Path::new("libh4_core_zstd.so")));
        assert!(!is_name(Path::new("./zstd")));
        assert!(!is_name(Path::new("/usr/lib/h4/cores/libh4_core_zstd.so")));
        assert_eq!(file_name(Path::new("zstd")), "libh4_core_zstd.so");
        assert_eq!(
            file_name(Path::new("libh4_core_zstd.so")),
            "libh4_core_zstd.so"
        );
    }
}
