//! What a reader learns of a frame, whichever format it is in: its header,
//! each block's header, and its end. The two formats check blocks
//! differently; these types hide that behind `payload_matches` and
//! `check_raw`, so the decoder treats every frame alike.

use serde::Serialize;

use super::{EngineId, format1, format2};

/// A frame's header, as read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameHeader {
    /// The container format version: 1 or 2.
    pub version: u8,
    /// The raw size of every block but the last; `None` for a format 2
    /// frame of at most one block, which does not record it.
    pub block_size: Option<u32>,
    /// The engine whose payloads the blocks hold.
    pub engine: EngineId,
    /// How many bytes the header takes.
    pub len: u64,
    /// Format 2: the header's check, which seeds the frame's other checks.
    #[serde(skip)]
    pub(crate) check: u32,
}

/// A block's header, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Bytes the block decodes to.
    pub raw_len: u32,
    /// Bytes of payload that follow the header; equal to `raw_len` when the
    /// block is stored.
    pub payload_len: u32,
    checks: BlockChecks,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum BlockChecks {
    Format1(format1::BlockFields),
    Format2(format2::BlockHeader),
}

/// A block whose decoded bytes do not match its check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawMismatch;

impl BlockHeader {
    pub(crate) fn format1(fields: format1::BlockFields) -> Self {
        BlockHeader {
            raw_len: fields.raw_len,
            payload_len: fields.payload_len,
            checks: BlockChecks::Format1(fields),
        }
    }

    pub(crate) fn format2(header: format2::BlockHeader) -> Self {
        BlockHeader {
            raw_len: header.shape.raw_len,
            payload_len: header.shape.payload_len,
            checks: BlockChecks::Format2(header),
        }
    }

    /// Whether the payload is the raw bytes themselves.
    pub fn is_stored(&self) -> bool {
        self.payload_len == self.raw_len
    }

    /// Whether `payload` matches the block's payload check (which also
    /// covers its lengths).
    pub fn payload_matches(&self, payload: &[u8]) -> bool {
        match &self.checks {
            BlockChecks::Format1(fields) => fields.payload_matches(payload),
            BlockChecks::Format2(header) => header.payload_matches(payload),
        }
    }

    /// Checks the block's decoded bytes. For a format 1 block, returns the
    /// digest the frame's content check is made of.
    pub fn check_raw(&self, raw: &[u8]) -> Result<Option<u64>, RawMismatch> {
        match &self.checks {
            BlockChecks::Format1(fields) => fields.raw_digest(raw).map(Some).ok_or(RawMismatch),
            BlockChecks::Format2(header) if header.raw_matches(raw) => Ok(None),
            BlockChecks::Format2(_) => Err(RawMismatch),
        }
    }
}

/// The end of a frame, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameEnd {
    /// How many blocks the frame has.
    pub blocks: u64,
    /// How many bytes it decodes to.
    pub content_len: u64,
    /// Format 1: the content check the decoded blocks' digests must give
    /// (format 2 checks each block against its place instead).
    pub content_check: Option<u64>,
}
