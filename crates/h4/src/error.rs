//! The library's typed errors.
//!
//! Every failure says what went wrong in words a user can act on; the
//! binary adds the file name in front.

use std::{fmt, io};

use crate::container::{EngineId, FormatError, ReadError};
use crate::engine::EngineError;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything that can go wrong while compressing or decompressing.
#[derive(Debug)]
pub enum Error {
    /// Reading the input failed.
    Read(io::Error),
    /// Writing the output failed.
    Write(io::Error),
    /// The input is not a valid `.h4` stream.
    Format(FormatError),
    /// The engine failed on a block.
    Engine {
        /// Zero-based block number within its frame.
        block: u64,
        /// What the engine said.
        error: EngineError,
    },
    /// The frame was made by an engine that is not available.
    EngineUnavailable {
        /// The engine the frame names.
        needed: EngineId,
        /// The engines that were offered, if any.
        available: Vec<EngineId>,
    },
    /// A worker thread stopped without a result (a bug).
    WorkerLost,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read(e) => write!(f, "read error: {e}"),
            Error::Write(e) => write!(f, "write error: {e}"),
            Error::Format(e) => e.fmt(f),
            Error::Engine { block, error } => write!(f, "block {block}: {error}"),
            Error::EngineUnavailable { needed, available } => {
                write!(f, "made by {needed}, which is not loaded")?;
                match available.first() {
                    Some(other) => write!(
                        f,
                        " (the loaded engine is {other}); load that core with --core PATH"
                    ),
                    None => f.write_str("; load that core with --core PATH or HARMONY4_CORE_PATH"),
                }
            }
            Error::WorkerLost => f.write_str("internal error: a worker thread stopped"),
        }
    }
}

/// No `source()`: every message already includes its cause's text, and
/// reporting both (as `anyhow` chains do) would say everything twice.
impl std::error::Error for Error {}

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Error::Format(e)
    }
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => Error::Read(e),
            ReadError::Format(e) => Error::Format(e),
        }
    }
}

impl Error {
    /// The error behind an I/O error from a [`Reader`](crate::Reader): the
    /// library's own when it carries one, else a read error.
    pub fn from_reader(error: io::Error) -> Error {
        match error.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            true => *error
                .into_inner()
                .expect("checked above")
                .downcast::<Error>()
                .expect("checked above"),
            false => Error::Read(error),
        }
    }

    /// Whether this is a write to a pipe whose reader has gone away, which a
    /// command-line tool should treat as a quiet end rather than an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}
