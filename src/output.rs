//! Output files that never leave a partial result behind.
//!
//! A regular output file is written as an unnamed file in its target
//! directory (Linux `O_TMPFILE`) and linked into place only after the last
//! byte is written, so an error, an interruption, a crash or SIGKILL never
//! leaves a truncated FILE.h4 (or FILE) or a temporary file. Where the file
//! system has no unnamed files, a hidden temporary name is used instead,
//! removed on errors and signals. The directory is opened once, before
//! writing, and everything after is relative to it. An
//! existing file is never replaced without `--force`; outputs that are not
//! regular files (`/dev/null`, a FIFO, a terminal) are written in place and
//! never replaced or removed.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, AtFlags, OFlag, openat, renameat};
use nix::sys::stat::{Mode, fstatat};
use nix::unistd::{UnlinkatFlags, linkat, unlinkat};

use crate::{shield, signals};

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
            Target::Stdout => shield::data_stdout_is_terminal(),
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
    /// A file with no name yet, or a hidden temporary one, to be linked
    /// as `name` in `dir` when finished.
    Staged {
        dir: File,
        name: OsString,
        temp: Temp,
        force: bool,
    },
}

/// The file being written before it is published.
enum Temp {
    /// An `O_TMPFILE`: it has no name, so nothing is left if h4 dies.
    Unnamed,
    /// A hidden file in the target directory, on file systems without
    /// `O_TMPFILE`: removed on errors and signals, not after a crash.
    /// `None` once it was moved into place.
    Named {
        name: Option<OsString>,
        /// Its absolute path, for the signal handler.
        path: PathBuf,
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
            Target::Path(p) if !shield::names_standard_stream(p, 1) => p,
            _ => {
                let file = shield::data_stdout().context("cannot use standard output")?;
                crate::input::widen_pipe(&file);
                return Ok(Output {
                    writer: BufWriter::with_capacity(BUFFER, file),
                    kind: Kind::Stdout,
                });
            }
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

        let dir_path = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = dest.file_name().context("not a file name")?.to_owned();
        // The directory is opened now and everything later is relative to
        // it, so nothing (a core's chdir included) can move the output.
        let dir = File::open(dir_path).context("cannot open the output directory")?;
        let mode = Mode::from_bits_truncate(if private { 0o600 } else { 0o666 });
        let (file, temp) = match create_unnamed(&dir, mode) {
            Ok(file) => (file, Temp::Unnamed),
            Err(e) if unnamed_unsupported(e) => create_named(&dir, dir_path, &name, mode)?,
            Err(e) => return Err(e).context("cannot create output file"),
        };
        Ok(Output {
            writer: BufWriter::with_capacity(BUFFER, file),
            kind: Kind::Staged {
                dir,
                name,
                temp,
                force,
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
            dir,
            name,
            temp,
            force,
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
        match temp {
            Temp::Unnamed => publish_unnamed(file, dir, name, *force)?,
            Temp::Named { name: temp, path } => {
                if let Some(temp_name) = temp.take() {
                    let published = publish_named(dir, &temp_name, name, *force);
                    if published.is_err() {
                        *temp = Some(temp_name);
                    }
                    published?;
                    signals::unregister(path);
                }
            }
        }
        if sync {
            dir.sync_all().context("cannot sync directory")?;
        }
        Ok(Finished::Regular)
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Kind::Staged {
            dir,
            temp:
                Temp::Named {
                    name: Some(name),
                    path,
                },
            ..
        } = &self.kind
        {
            let _ = unlinkat(dir, name.as_os_str(), UnlinkatFlags::NoRemoveDir);
            signals::unregister(path);
        }
    }
}

/// An unnamed file in `dir` (Linux `O_TMPFILE`).
fn create_unnamed(dir: &File, mode: Mode) -> nix::Result<File> {
    let flags = OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC;
    openat(dir, ".", flags, mode).map(File::from)
}

/// Whether `O_TMPFILE` failed because the system or file system lacks it
/// (rather than for a reason the named fallback would hit too).
fn unnamed_unsupported(e: Errno) -> bool {
    matches!(
        e,
        Errno::EOPNOTSUPP | Errno::EISDIR | Errno::EINVAL | Errno::ENOENT | Errno::ENOSYS
    )
}

/// Creates a new, uniquely named hidden file next to `name` in `dir`.
fn create_named(dir: &File, dir_path: &Path, name: &OsStr, mode: Mode) -> Result<(File, Temp)> {
    for attempt in 0u32.. {
        let mut temp = OsString::from(".");
        temp.push(name);
        temp.push(format!(".{}-{attempt}.h4tmp", std::process::id()));
        let path =
            std::path::absolute(dir_path.join(&temp)).unwrap_or_else(|_| dir_path.join(&temp));
        // Registered before it exists, so no interrupt can fall between
        // creating the file and remembering to remove it.
        signals::register(&path);
        let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_WRONLY | OFlag::O_CLOEXEC;
        match openat(dir, temp.as_os_str(), flags, mode) {
            Ok(fd) => {
                let temp = Temp::Named {
                    name: Some(temp),
                    path,
                };
                return Ok((File::from(fd), temp));
            }
            Err(e) => {
                signals::unregister(&path);
                if e == Errno::EEXIST && attempt < 1000 {
                    continue;
                }
                return Err(io::Error::from(e)).context("cannot create output file");
            }
        }
    }
    unreachable!("the loop returns")
}

/// Gives the unnamed `file` its name. Without `force` this cannot replace
/// a file that appeared meanwhile: linking fails if `name` exists. With
/// `force`, it is linked under a hidden name and renamed over `name`.
fn publish_unnamed(file: &File, dir: &File, name: &OsStr, force: bool) -> Result<()> {
    let link = |at: &OsStr| {
        // Through /proc, which needs no privilege; AT_EMPTY_PATH on the
        // descriptor itself where /proc is missing (it needs
        // CAP_DAC_READ_SEARCH).
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        match linkat(
            AT_FDCWD,
            proc_path.as_str(),
            dir,
            at,
            AtFlags::AT_SYMLINK_FOLLOW,
        ) {
            Err(Errno::ENOENT) => linkat(file, "", dir, at, AtFlags::AT_EMPTY_PATH),
            other => other,
        }
    };
    if !force {
        return match link(name) {
            Ok(()) => Ok(()),
            Err(Errno::EEXIST) => bail!("already exists; use -f to overwrite"),
            Err(e) => Err(io::Error::from(e)).context("cannot move output into place"),
        };
    }
    for attempt in 0u32.. {
        let mut temp = OsString::from(".");
        temp.push(name);
        temp.push(format!(".{}-{attempt}.h4tmp", std::process::id()));
        match link(&temp) {
            Ok(()) => {
                let renamed = renameat(dir, temp.as_os_str(), dir, name);
                if renamed.is_err() {
                    let _ = unlinkat(dir, temp.as_os_str(), UnlinkatFlags::NoRemoveDir);
                }
                return renamed
                    .map_err(io::Error::from)
                    .context("cannot move output into place");
            }
            Err(Errno::EEXIST) if attempt < 1000 => continue,
            Err(e) => return Err(io::Error::from(e)).context("cannot move output into place"),
        }
    }
    unreachable!("the loop returns")
}

/// Moves the hidden file `temp` onto `name`. Without `force` this cannot
/// replace a file that appeared meanwhile: a hard link fails if `name`
/// exists, where a rename would silently replace it.
fn publish_named(dir: &File, temp: &OsStr, name: &OsStr, force: bool) -> Result<()> {
    if !force {
        match linkat(dir, temp, dir, name, AtFlags::empty()) {
            Ok(()) => {
                unlinkat(dir, temp, UnlinkatFlags::NoRemoveDir)
                    .map_err(io::Error::from)
                    .context("cannot remove temporary file")?;
                return Ok(());
            }
            Err(Errno::EEXIST) => bail!("already exists; use -f to overwrite"),
            // Some file systems have no hard links; fall back to a rename
            // after checking again.
            Err(_) if fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).is_ok() => {
                bail!("already exists; use -f to overwrite")
            }
            Err(_) => {}
        }
    }
    renameat(dir, temp, dir, name)
        .map_err(io::Error::from)
        .context("cannot move output into place")
}
