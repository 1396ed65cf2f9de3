//! The `.h4` container: how compressed blocks are framed on disk.
//!
//! A stream is one or more frames. A frame is a header, any number of
//! independent blocks, and a trailer; every field is little-endian and
//! every byte is covered by a checksum (XXH3-64, see [`checksum`]):
//!
//! ```text
//! header   magic "H4\xD8\x04" | version | block size | engine kind | name | check
//! block    raw len | payload len | payload check | raw check | payload
//! ...
//! trailer  0u32 | block count | content len | content check | check
//! ```
//!
//! The writer needs no length up front, so stdin can be compressed as it
//! arrives; the reader validates every length against the header's block
//! size before allocating, so a hostile file cannot make it allocate more
//! than one block. The byte-level specification is `docs/FORMAT.md`.

pub mod checksum;
mod descriptor;
mod error;
mod frame;
mod reader;
mod summary;

pub use descriptor::{EngineId, EngineKind};
pub use error::{FormatError, ReadError};
pub use frame::{
    BLOCK_HEADER_LEN, BlockHeader, FrameHeader, TRAILER_LEN, Trailer, block_header,
    block_header_digested, sniff_foreign,
};
pub use reader::{Event, FrameReader};
pub use summary::{FrameSummary, summarize};

/// The four bytes every frame starts with: "H4", then Ø in Latin-1, then 4.
pub const MAGIC: [u8; 4] = [0x48, 0x34, 0xD8, 0x04];

/// The container format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// The smallest block size a frame may declare.
pub const MIN_BLOCK_SIZE: u32 = 1024;

/// The largest block size a frame may declare: the most memory one block
/// can make a reader allocate.
pub const MAX_BLOCK_SIZE: u32 = 64 * 1024 * 1024;

/// Every block size a frame may declare.
pub const BLOCK_SIZES: std::ops::RangeInclusive<u32> = MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE;

/// The block size used when none is given.
pub const DEFAULT_BLOCK_SIZE: u32 = 1024 * 1024;
