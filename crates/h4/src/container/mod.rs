//! The `.h4` container: how compressed blocks are framed on disk.
//!
//! A stream is one or more frames. A frame is a header, any number of
//! independent blocks, and an end (format 1's trailer, format 2's footer
//! with its block index); every field is little-endian and every byte is
//! covered by a checksum (XXH3-64, see [`checksum`]). h4 writes format 2
//! (compact, indexed: [`format2`]) unless asked for format 1
//! ([`format1`]), and reads both; [`FrameReader`] parses either into the
//! same [`Event`]s.
//!
//! The writer needs no length up front, so stdin can be compressed as it
//! arrives; the reader validates every length against the header's block
//! size before allocating, so a hostile file cannot make it allocate more
//! than one block. The byte-level specification is `docs/FORMAT.md`.

pub mod checksum;
mod descriptor;
mod encoder;
mod error;
pub mod format1;
pub mod format2;
mod frame;
mod index;
mod reader;
mod summary;

pub use descriptor::{EngineId, EngineKind};
pub use encoder::{FrameEncoder, SealedBlock};
pub use error::{FormatError, ReadError};
pub use format1::Trailer;
pub use frame::{BlockHeader, FrameEnd, FrameHeader, RawMismatch};
pub use index::{BlockLocation, FrameIndex, StreamIndex, read_block};
pub use reader::{Event, FrameReader};
pub use summary::{BlockSummary, FrameSummary, summarize};

/// The four bytes every frame starts with: "H4", then Ø in Latin-1, then 4.
pub const MAGIC: [u8; 4] = [0x48, 0x34, 0xD8, 0x04];

/// The container format version h4 writes unless asked for another.
pub const FORMAT_VERSION: u8 = format2::VERSION;

/// Every container format version this build reads and writes.
pub const FORMAT_VERSIONS: [u8; 2] = [format1::VERSION, format2::VERSION];

/// The smallest block size a frame may declare.
pub const MIN_BLOCK_SIZE: u32 = 1024;

/// The largest block size a frame may declare: the most memory one block
/// can make a reader allocate.
pub const MAX_BLOCK_SIZE: u32 = 64 * 1024 * 1024;

/// Every block size a frame may declare.
pub const BLOCK_SIZES: std::ops::RangeInclusive<u32> = MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE;

/// The block size used when none is given.
pub const DEFAULT_BLOCK_SIZE: u32 = 1024 * 1024;

/// Names a well-known compressed format that `start` begins like, so a user
/// who gives h4 the wrong file hears what it is.
pub fn sniff_foreign(start: &[u8]) -> Option<&'static str> {
    const KNOWN: &[(&[u8], &str)] = &[
        (&[0x1f, 0x8b], "gzip"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz"),
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (b"BZh", "bzip2"),
        (b"PK\x03\x04", "zip"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| start.starts_with(magic))
        .map(|&(_, name)| name)
}
