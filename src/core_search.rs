//! Cores by name: `--core zstd` finds `libh4_core_zstd.so` on the core
//! search path, so nobody has to know where a build or a package put it.
//! (`h4 cores`, in `cores.rs`, lists what is there.)
//!
//! The search path is every directory of `HARMONY4_CORE_DIR` (separated by
//! `:` like `PATH`), then `../lib/h4/cores` beside the h4 executable (where
//! `scripts/install` puts the project's cores), then the executable's own
//! directory (where cargo builds them, `target/release`). A value with a
//! slash is a path and is never searched for.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable naming the directories to search first.
pub const DIR_ENV: &str = "HARMONY4_CORE_DIR";

/// The file name prefix and suffix of a core called by name.
pub const PREFIX: &str = "libh4_core_";
pub const SUFFIX: &str = ".so";

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
