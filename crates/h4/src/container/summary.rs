//! What a stream holds, read from its headers and ends without decoding a
//! payload: the library side of `h4 info`.
//!
//! Every header, index and payload checksum is still checked, so a summary
//! is only produced for a stream whose structure is intact. With the block
//! list, it says where every block lies in the stream and in the content,
//! which is what a tool needs to split a file among workers.

use std::io::Read;

use serde::Serialize;

use super::index::scan;
use super::{EngineId, ReadError};

/// One frame of a stream, as `h4 info --json` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameSummary {
    /// The engine that made the frame.
    pub engine: EngineId,
    /// The frame's block size; `None` for a format 2 frame of at most one
    /// block, which does not record it.
    pub block_size: Option<u32>,
    /// How many blocks it has.
    pub blocks: u64,
    /// Its size in the stream: header, blocks and end.
    pub compressed_bytes: u64,
    /// What it decodes to.
    pub uncompressed_bytes: u64,
    /// The container format version.
    pub format: u8,
    /// Where the frame starts in the stream.
    pub offset: u64,
    /// Where the frame's content starts in the stream's content.
    pub uncompressed_offset: u64,
    /// Every block, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_list: Option<Vec<BlockSummary>>,
}

/// Where one block lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BlockSummary {
    /// Where the block (its header) starts in the stream.
    pub offset: u64,
    /// Its size in the stream: header and payload.
    pub compressed_bytes: u64,
    /// Where its content starts in the stream's content.
    pub uncompressed_offset: u64,
    /// What it decodes to.
    pub uncompressed_bytes: u64,
    /// Whether its payload is its content (no engine needed).
    pub stored: bool,
}

/// Walks every frame of `input` and sums up each; with `blocks`, lists
/// every block too.
pub fn summarize(input: impl Read, blocks: bool) -> Result<Vec<FrameSummary>, ReadError> {
    let index = scan(input)?;
    let mut content = 0u64;
    Ok(index
        .frames
        .into_iter()
        .map(|frame| {
            let uncompressed_bytes = frame.blocks.iter().map(|b| u64::from(b.raw_len)).sum();
            content += uncompressed_bytes;
            (frame, uncompressed_bytes, content - uncompressed_bytes)
        })
        .map(
            |(frame, uncompressed_bytes, uncompressed_offset)| FrameSummary {
                engine: frame.header.engine,
                block_size: frame.header.block_size,
                blocks: frame.blocks.len() as u64,
                compressed_bytes: frame.len,
                uncompressed_bytes,
                format: frame.header.version,
                offset: frame.offset,
                uncompressed_offset,
                block_list: blocks.then(|| {
                    frame
                        .blocks
                        .iter()
                        .map(|b| BlockSummary {
                            offset: b.offset,
                            compressed_bytes: b.len,
                            uncompressed_offset: b.content_offset,
                            uncompressed_bytes: u64::from(b.raw_len),
                            stored: b.stored,
                        })
                        .collect()
                }),
            },
        )
        .collect())
}
