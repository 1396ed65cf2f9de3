//! The library's typed errors.
//!
//! Every failure says what went wrong in words a user can act on; the
//! binary adds the file name in front.

use std::{fmt, io};

use crate::engine::{EngineError, EngineId};

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

impl Error {
    /// Whether this is a write to a pipe whose reader has gone away, which a
    /// command-line tool should treat as a quiet end rather than an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Ways in which bytes fail to be a valid `.h4` stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The input is empty.
    Empty,
    /// The input does not start with the `.h4` magic; `other` names a
    /// well-known format it looks like instead.
    NotH4 {
        /// A recognised foreign format, such as "gzip".
        other: Option<&'static str>,
    },
    /// The frame uses a format version this build does not read.
    UnsupportedVersion(u8),
    /// The frame header's checksum does not match.
    HeaderChecksum,
    /// A frame header field is out of range.
    BadHeader(&'static str),
    /// The stream ended early.
    Truncated {
        /// Where it ended, e.g. "in the frame header".
        at: String,
    },
    /// A block's lengths are impossible.
    BadBlock {
        /// Zero-based block number.
        block: u64,
        /// What is wrong.
        why: &'static str,
    },
    /// A block's header or payload does not match its checksum.
    BlockChecksum {
        /// Zero-based block number.
        block: u64,
    },
    /// A block decoded to bytes that do not match its content checksum.
    ContentChecksum {
        /// Zero-based block number.
        block: u64,
    },
    /// The trailer's own checksum does not match.
    TrailerChecksum,
    /// The trailer disagrees with the blocks before it.
    TrailerMismatch(&'static str),
    /// Bytes follow the last frame that are not another frame.
    TrailingData,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Empty => f.write_str("not an h4 file (empty input)"),
            FormatError::NotH4 { other: Some(kind) } => {
                write!(f, "not an h4 file (it looks like {kind} data)")
            }
            FormatError::NotH4 { other: None } => f.write_str("not an h4 file (bad magic number)"),
            FormatError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "unsupported h4 format version {v} (this h4 reads version 1)"
                )
            }
            FormatError::HeaderChecksum => {
                f.write_str("corrupted frame header (checksum mismatch)")
            }
            FormatError::BadHeader(why) => write!(f, "corrupted frame header ({why})"),
            FormatError::Truncated { at } => write!(f, "truncated file (ends {at})"),
            FormatError::BadBlock { block, why } => write!(f, "corrupted block {block} ({why})"),
            FormatError::BlockChecksum { block } => {
                write!(f, "corrupted block {block} (checksum mismatch)")
            }
            FormatError::ContentChecksum { block } => write!(
                f,
                "block {block} decodes to the wrong bytes (content checksum mismatch)"
            ),
            FormatError::TrailerChecksum => f.write_str("corrupted trailer (checksum mismatch)"),
            FormatError::TrailerMismatch(what) => {
                write!(f, "corrupted trailer ({what} does not match the blocks)")
            }
            FormatError::TrailingData => f.write_str("unexpected data after the last frame"),
        }
    }
}

impl std::error::Error for FormatError {}
