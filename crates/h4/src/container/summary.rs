//! What a stream holds, read from its headers and ends without decoding a
//! payload: the library side of `h4 info`.
//!
//! Every header, index and payload checksum is still checked, so a summary
//! is only produced for a stream whose structure is intact. With the block
//! list, it says where every block lies in the stream and in the content,
//! which is what a tool needs to split a file among workers.

use std::io::Read;

use serde::Serialize;

use super::{EngineId, Event, FrameReader, ReadError};

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
    let mut reader = FrameReader::new(input);
    let mut frames: Vec<FrameSummary> = Vec::new();
    let mut content = 0u64;
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Frame { header, offset } => frames.push(FrameSummary {
                compressed_bytes: header.len,
                engine: header.engine,
                block_size: header.block_size,
                blocks: 0,
                uncompressed_bytes: 0,
                format: header.version,
                offset,
                uncompressed_offset: content,
                block_list: blocks.then(Vec::new),
            }),
            Event::Block {
                header,
                offset,
                len,
                ..
            } => {
                let frame = frames.last_mut().expect("blocks follow a frame header");
                if let Some(list) = &mut frame.block_list {
                    list.push(BlockSummary {
                        offset,
                        compressed_bytes: len,
                        uncompressed_offset: content,
                        uncompressed_bytes: u64::from(header.raw_len),
                        stored: header.is_stored(),
                    });
                }
                frame.blocks += 1;
                frame.uncompressed_bytes += u64::from(header.raw_len);
                frame.compressed_bytes += len;
                content += u64::from(header.raw_len);
            }
            Event::End { len, .. } => {
                frames
                    .last_mut()
                    .expect("an end ends a frame")
                    .compressed_bytes += len;
            }
        }
    }
    Ok(frames)
}
