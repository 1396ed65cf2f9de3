//! An input named on the command line, opened once: its bytes, the name
//! messages use, and for a file its path and metadata, so the per-file
//! path can hand the bytes to the pipeline and still know what it read.

use std::fs::{File, Metadata};
use std::io::{self, IsTerminal};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

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
            let fd = io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .context("cannot use standard input")?;
            widen_pipe(&fd);
            return Ok(Input {
                name: "stdin".to_string(),
                origin: Origin::Stdin,
                file: File::from(fd),
            });
        }
        let file = File::open(path)?;
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
        if matches!(self.origin, Origin::Stdin) && !force && io::stdin().is_terminal() {
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

/// The name of an input that could not be opened, as messages use it.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_string()
    } else {
        path.display().to_string()
    }
}
