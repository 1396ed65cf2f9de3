//! Output files that never leave a partial result behind.
//!
//! A regular output file is written under a temporary name in its target
//! directory and moved into place only after the last byte is written, so
//! an error or interruption never leaves a truncated FILE.h4 (or FILE). An
//! existing file is never replaced without `--force`; outputs that are not
//! regular files (`/dev/null`, a FIFO, a terminal) are written in place and
//! never replaced or removed.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use crate::signals;

/// Large enough that block headers and small frames are batched, small
/// enough that block payloads (bigger than this) bypass the copy.
const BUFFER: usize = 256 * 1024;

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A path.
    Path(PathBuf),
}

impl Target {
    /// The name to use in messages.
    pub fn display(&self) -> String {
        match self {
            Target::Stdout => "stdout".to_string(),
            Target::Path(p) => p.display().to_string(),
        }
    }

    /// Whether this is a terminal (standard output on a console, or a path
    /// naming a terminal device).
    pub fn is_terminal(&self) -> bool {
        match self {
            Target::Stdout => io::stdout().is_terminal(),
            Target::Path(p) => File::options()
                .write(true)
                .open(p)
                .is_ok_and(|f| f.is_terminal()),
        }
    }
}

/// Metadata to give a finished output file: the input's permission bits
/// and modification time, as gzip and zstd do.
pub struct CopyMeta {
    pub permissions: Permissions,
    pub modified: Option<SystemTime>,
}

/// An output being written.
pub struct Output {
    writer: BufWriter<File>,
    kind: Kind,
}

enum Kind {
    Stdout,
    /// Not a regular file: written in place, never renamed or removed.
    InPlace,
    /// A temporary file to move onto `dest` when finished.
    Staged {
        temp: PathBuf,
        dest: PathBuf,
        force: bool,
        done: bool,
    },
}

/// How an output ended up.
#[derive(Debug, PartialEq, Eq)]
pub enum Finished {
    /// Written to standard output.
    Stdout,
    /// Written into a special file.
    InPlace,
    /// A regular file now holds the complete output.
    Regular,
}

impl Output {
    /// Opens `target` for writing. `private` creates the temporary file
    /// readable by its owner only (its final permissions come from
    /// [`Output::finish`]).
    pub fn create(target: &Target, force: bool, private: bool) -> Result<Self> {
        let dest = match target {
            Target::Stdout => {
                let fd = io::stdout()
                    .as_fd()
                    .try_clone_to_owned()
                    .context("cannot use standard output")?;
                return Ok(Output {
                    writer: BufWriter::with_capacity(BUFFER, File::from(fd)),
                    kind: Kind::Stdout,
                });
            }
            Target::Path(p) => p,
        };
        // Write through symbolic links rather than replace them: `-f -o
        // /dev/stdout` must not rename a file over the /dev/stdout link.
        let resolved;
        let dest = if dest
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            resolved = fs::canonicalize(dest).unwrap_or_else(|_| dest.clone());
            &resolved
        } else {
            dest
        };

        match fs::metadata(dest) {
            Ok(meta) if meta.is_dir() => bail!("is a directory"),
            Ok(meta) if !meta.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .context("cannot open for writing")?;
                return Ok(Output {
                    writer: BufWriter::with_capacity(BUFFER, file),
                    kind: Kind::InPlace,
                });
            }
            Ok(_) if !force => bail!("already exists; use -f to overwrite"),
            _ => {}
        }

        let (file, temp) = create_temp(dest, if private { 0o600 } else { 0o666 })?;
        Ok(Output {
            writer: BufWriter::with_capacity(BUFFER, file),
            kind: Kind::Staged {
                temp,
                dest: dest.clone(),
                force,
                done: false,
            },
        })
    }

    /// The writer to send the data to.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.writer
    }

    /// Flushes the output and, for a regular file, moves it into place.
    /// With `sync`, the data and the directory entry reach the disk first.
    pub fn finish(mut self, sync: bool, meta: Option<&CopyMeta>) -> Result<Finished> {
        self.writer.flush().context("write error")?;
        let file = self.writer.get_ref();
        let Kind::Staged {
            temp,
            dest,
            force,
            done,
        } = &mut self.kind
        else {
            return Ok(match self.kind {
                Kind::Stdout => Finished::Stdout,
                _ => Finished::InPlace,
            });
        };
        if let Some(meta) = meta {
            file.set_permissions(meta.permissions.clone())
                .context("cannot set permissions")?;
            if let Some(modified) = meta.modified {
                file.set_modified(modified)
                    .context("cannot set modification time")?;
            }
        }
        if sync {
            file.sync_all().context("cannot sync to disk")?;
        }
        publish(temp, dest, *force)?;
        *done = true;
        signals::unregister(temp);
        if sync {
            sync_dir(dest).context("cannot sync directory")?;
        }
        Ok(Finished::Regular)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Kind::Staged {
            temp, done: false, ..
        } = &self.kind
        {
            let _ = fs::remove_file(temp);
            signals::unregister(temp);
        }
    }
}

/// Creates a new, uniquely named hidden file next to `dest`.
fn create_temp(dest: &Path, mode: u32) -> Result<(File, PathBuf)> {
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let base = dest.file_name().context("not a file name")?;
    for attempt in 0u32.. {
        let mut name = OsString::from(".");
        name.push(base);
        name.push(format!(".{}-{attempt}.h4tmp", std::process::id()));
        let temp = dir.join(name);
        // Registered before it exists, so no interrupt can fall between
        // creating the file and remembering to remove it.
        signals::register(&temp);
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp);
        if created.is_err() {
            signals::unregister(&temp);
        }
        match created {
            Ok(file) => return Ok((file, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => continue,
            Err(e) => return Err(e).context("cannot create output file"),
        }
    }
    unreachable!("the loop returns")
}

/// Moves `temp` onto `dest`. Without `force` this cannot replace a file that
/// appeared meanwhile: a hard link fails if `dest` exists, where a rename
/// would silently replace it.
fn publish(temp: &Path, dest: &Path, force: bool) -> Result<()> {
    if !force {
        match fs::hard_link(temp, dest) {
            Ok(()) => {
                fs::remove_file(temp).context("cannot remove temporary file")?;
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                bail!("already exists; use -f to overwrite")
            }
            // Some file systems have no hard links; fall back to a rename
            // after checking again.
            Err(_) if dest.symlink_metadata().is_ok() => {
                bail!("already exists; use -f to overwrite")
            }
            Err(_) => {}
        }
    }
    fs::rename(temp, dest).context("cannot move output into place")
}

fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}
