//! What a stream holds, read from its headers and trailers without decoding
//! a payload: the library side of `h4 info`.
//!
//! Every header and payload checksum is still checked, so a summary is
//! only produced for a stream whose structure is intact.

use std::io::Read;

use serde::Serialize;

use super::{BLOCK_HEADER_LEN, EngineId, Event, FrameReader, ReadError, TRAILER_LEN};

/// One frame of a stream, as `h4 info --json` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameSummary {
    /// The engine that made the frame.
    pub engine: EngineId,
    /// The frame's block size.
    pub block_size: u32,
    /// How many blocks it has.
    pub blocks: u64,
    /// Its size in the stream: header, blocks and trailer.
    pub compressed_bytes: u64,
    /// What it decodes to.
    pub uncompressed_bytes: u64,
}

/// Walks every frame of `input` and sums up each.
pub fn summarize(input: impl Read) -> Result<Vec<FrameSummary>, ReadError> {
    let mut reader = FrameReader::new(input);
    let mut frames: Vec<FrameSummary> = Vec::new();
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Frame(header) => frames.push(FrameSummary {
                compressed_bytes: header.encode().len() as u64,
                engine: header.engine,
                block_size: header.block_size,
                blocks: 0,
                uncompressed_bytes: 0,
            }),
            Event::Block {
                header, payload, ..
            } => {
                let frame = frames.last_mut().expect("blocks follow a frame header");
                frame.blocks += 1;
                frame.uncompressed_bytes += u64::from(header.raw_len);
                frame.compressed_bytes += (BLOCK_HEADER_LEN + payload.len()) as u64;
            }
            Event::End(_) => {
                frames
                    .last_mut()
                    .expect("a trailer ends a frame")
                    .compressed_bytes += TRAILER_LEN as u64;
            }
        }
    }
    Ok(frames)
}
