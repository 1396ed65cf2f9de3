//! An input named on the command line, opened once: its bytes, the name
//! messages use, and for a file its path and metadata, so the per-file
//! path can hand the bytes to the pipeline and still know what it read.

use std::fs::{File, Metadata};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::args::FileArgs;

/// The suffix of compressed files.
pub const SUFFIX: &str = ".h4";

/// Where an input's bytes come from.
pub enum Origin {
    /// Standard input.
    Stdin,
    /// A file named on the command line.
    File {
        /// As given.
        path: PathBuf,
        /// Taken when it was opened.
        meta: Box<Metadata>,
    },
}

/// An opened input.
pub struct Input {
    /// The name to use in messages: the path as given, or "stdin".
    pub name: String,
    /// Standard input or a file.
    pub origin: Origin,
    /// The bytes (standard input is duplicated, so reads bypass the
    /// standard library's extra buffer).
    pub file: File,
}

impl Input {
    /// Opens `path` ("-" is standard input), refusing directories.
    pub fn open(path: &Path) -> Result<Self> {
        if path == Path::new("-") {
            let fd = crate::shield::data_stdin().context("cannot use standard input")?;
            widen_pipe(&fd);
            return Ok(Input {
                name: "stdin".to_string(),
                origin: Origin::Stdin,
                file: File::from(fd),
            });
        }
        // Standard input by another name is read where h4 keeps it once a
        // core is loaded: fd 0 is /dev/null then (see `shield`).
        let file = if crate::shield::stdin_moved() && crate::shield::names_standard_stream(path, 0)
        {
            File::from(crate::shield::data_stdin()?)
        } else {
            File::open(path)?
        };
        let meta = file.metadata()?;
        if meta.is_dir() {
            bail!("is a directory -- ignored");
        }
        Ok(Input {
            name: path.display().to_string(),
            origin: Origin::File {
                path: path.to_path_buf(),
                meta: Box::new(meta),
            },
            file,
        })
    }

    /// Refuses to read compressed data typed at a terminal.
    pub fn refuse_terminal(&self, force: bool) -> Result<()> {
        if matches!(self.origin, Origin::Stdin) && !force && crate::shield::data_stdin_is_terminal()
        {
            bail!("refusing to read compressed data from a terminal; use -f to force");
        }
        Ok(())
    }
}

impl Origin {
    /// The file's path, when the input is a file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Origin::File { path, .. } => Some(path),
            Origin::Stdin => None,
        }
    }

    /// The file's metadata, when the input is a file.
    pub fn metadata(&self) -> Option<&Metadata> {
        match self {
            Origin::File { meta, .. } => Some(meta),
            Origin::Stdin => None,
        }
    }
}

/// Asks for a 1 MiB buffer on `fd` if it is a pipe (Linux keeps 64 KiB by
/// default): blocks are megabytes, and a small pipe makes the writer and
/// h4 take turns every 64 KiB. A refusal (the user's pipe-max-size) is
/// harmless.
pub fn widen_pipe(fd: &impl AsFd) {
    use nix::fcntl::{FcntlArg, fcntl};
    let is_pipe = nix::sys::stat::fstat(fd.as_fd())
        .is_ok_and(|st| st.st_mode & nix::libc::S_IFMT == nix::libc::S_IFIFO);
    if is_pipe {
        let _ = fcntl(fd.as_fd(), FcntlArg::F_SETPIPE_SZ(1 << 20));
    }
}

/// The inputs named on the command line, standard input when none.
pub fn input_paths(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

/// Which files a recursive walk keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// Files to compress: everything but `.h4` files.
    Uncompressed,
    /// Files to decompress, test or list: `.h4` files only.
    Compressed,
}

/// How the names on a command line become the inputs, as zstd and gzip
/// do it.
pub struct Expansion {
    /// `-r`: the files under directories named, sorted, instead of the
    /// directories.
    pub recursive: bool,
    /// Symbolic links named as inputs are followed (`-f`, `h4cat`);
    /// otherwise each is skipped with a warning.
    pub follow_links: bool,
    /// No warnings.
    pub quiet: bool,
    pub wanted: Wanted,
}

impl Expansion {
    /// The expansion `args` ask for.
    pub fn of(args: &FileArgs, wanted: Wanted) -> Self {
        Expansion {
            recursive: args.recursive,
            follow_links: args.force || args.follow_links,
            quiet: args.common.quiet,
            wanted,
        }
    }

    /// The inputs for `files` (standard input when there are none);
    /// `None` when every name was skipped (a failure, as in zstd).
    pub fn inputs(&self, files: &[PathBuf]) -> Option<Vec<PathBuf>> {
        if files.is_empty() {
            return Some(input_paths(files));
        }
        let mut inputs = Vec::new();
        let mut skipped = 0;
        for path in files {
            if path == Path::new("-") {
                inputs.push(path.clone());
            } else if self.skips_link(path) {
                skipped += 1;
            } else if self.recursive && path.is_dir() {
                self.walk(path, &mut inputs);
            } else {
                inputs.push(path.clone());
            }
        }
        if inputs.is_empty() && skipped == files.len() {
            return None;
        }
        Some(inputs)
    }

    /// Whether `path` is a symbolic link to skip (one to a FIFO is
    /// followed, as zstd does), warning about it.
    fn skips_link(&self, path: &Path) -> bool {
        let link = path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        let fifo = || {
            std::fs::metadata(path).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_fifo()
            })
        };
        if !link || self.follow_links || fifo() {
            return false;
        }
        crate::report::warn(
            self.quiet,
            &path.display().to_string(),
            "is a symbolic link -- ignored (use -f to follow it)",
        );
        true
    }

    /// Adds the files under `dir` that this expansion wants, in name
    /// order, to `inputs`.
    fn walk(&self, dir: &Path, inputs: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            // Kept, so opening it reports why, as for any input.
            inputs.push(dir.to_path_buf());
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            let Ok(meta) = path.symlink_metadata() else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if !self.skips_link(&path) {
                    if path.is_dir() {
                        continue; // no loops through linked directories
                    }
                    self.keep(path, inputs);
                }
            } else if meta.is_dir() {
                self.walk(&path, inputs);
            } else {
                self.keep(path, inputs);
            }
        }
    }

    fn keep(&self, path: PathBuf, inputs: &mut Vec<PathBuf>) {
        let compressed = path
            .as_os_str()
            .as_encoded_bytes()
            .ends_with(SUFFIX.as_bytes());
        if compressed == (self.wanted == Wanted::Compressed) {
            inputs.push(path);
        }
    }
}

/// The inputs of a compress or decompress command line (see
/// [`Expansion`]).
pub fn expand_inputs(args: &FileArgs, wanted: Wanted) -> Option<Vec<PathBuf>> {
    Expansion::of(args, wanted).inputs(&args.files)
}

/// The name of an input that could not be opened, as messages use it.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}
