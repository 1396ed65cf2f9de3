//! The container's errors: what makes bytes fail to be a valid `.h4`
//! stream, and what reading one can run into.

use std::{fmt, io};

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

/// Why [`FrameReader`](super::FrameReader) could not go on.
#[derive(Debug)]
pub enum ReadError {
    /// Reading the underlying input failed.
    Io(io::Error),
    /// The bytes are not a valid `.h4` stream.
    Format(FormatError),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "read error: {e}"),
            ReadError::Format(e) => e.fmt(f),
        }
    }
}

/// No `source()`, as for [`crate::Error`]: the message already includes
/// the cause's text.
impl std::error::Error for ReadError {}

impl From<FormatError> for ReadError {
    fn from(e: FormatError) -> Self {
        ReadError::Format(e)
    }
}
