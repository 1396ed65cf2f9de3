//! `h4 cores`: lists the cores found on the core search path
//! (`core_search.rs`) with their names, versions, levels and paths.

use std::fs;
use std::path::PathBuf;

use h4::container::BLOCK_SIZES;
use h4::engine::Engine;
use h4::engine::core::{Core, CoreLoadError};
use serde::Serialize;

use crate::args::CoresArgs;
use crate::core_search::{DIR_ENV, PREFIX, SUFFIX, search_path};
use crate::report::Status;

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
