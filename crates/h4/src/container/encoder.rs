//! Writing a frame, in either format: its header, each block's header, and
//! its end. The pipeline seals blocks on worker threads and records them
//! in order on one thread, so sealing takes `&self` and recording `&mut
//! self`.

use super::checksum::{self, ContentCheck};
use super::format2::{BlockShape, FooterBuilder};
use super::{EngineId, Trailer, format1, format2};

/// The framing of one frame being written.
#[derive(Clone)]
pub struct FrameEncoder {
    header: Vec<u8>,
    blocks: u64,
    content_len: u64,
    format: Format,
}

#[derive(Clone)]
enum Format {
    One {
        content: Box<ContentCheck>,
    },
    Two {
        header_check: u32,
        block_size: Option<u32>,
        footer: FooterBuilder,
    },
}

/// A block's header, ready to write before its payload, and what the
/// frame's end must record of it.
#[derive(Clone, Debug)]
pub struct SealedBlock {
    /// The block header's bytes.
    pub header: Vec<u8>,
    raw_len: u32,
    record: Record,
}

#[derive(Clone, Copy, Debug)]
enum Record {
    Digest(u64),
    Shape(BlockShape),
}

impl FrameEncoder {
    /// A frame of container format `version` (1 or 2) whose blocks hold
    /// `block_size` raw bytes each but the last, made by `engine`.
    /// `single_block` says the content fits in one block, which format 2
    /// records instead of the block size.
    ///
    /// # Panics
    /// On an unknown version, or a block size or engine name out of range.
    pub fn new(version: u8, block_size: u32, single_block: bool, engine: &EngineId) -> Self {
        let (header, format) = match version {
            format1::VERSION => (
                format1::encode_header(block_size, engine),
                Format::One {
                    content: Box::default(),
                },
            ),
            format2::VERSION => {
                let block_size = (!single_block).then_some(block_size);
                let header = format2::encode_header(block_size, engine);
                let check = header[header.len() - 4..].try_into().expect("4 bytes");
                let header_check = u32::from_le_bytes(check);
                (
                    header.clone(),
                    Format::Two {
                        header_check,
                        block_size,
                        footer: FooterBuilder::new(header.len()),
                    },
                )
            }
            other => panic!("unknown container format {other}"),
        };
        FrameEncoder {
            header,
            blocks: 0,
            content_len: 0,
            format,
        }
    }

    /// The frame header's bytes.
    pub fn header(&self) -> &[u8] {
        &self.header
    }

    /// The digest of block `index`'s content that its header will carry:
    /// taken before an engine sees the block, and again after, it shows
    /// whether an engine changed the bytes it was lent.
    pub fn digest(&self, index: u64, raw: &[u8]) -> u64 {
        match &self.format {
            Format::One { .. } => checksum::digest(raw),
            Format::Two { header_check, .. } => format2::raw_digest(*header_check, index, raw),
        }
    }

    /// The header of block number `index`, whose content is `raw` and whose
    /// payload is `payload`: the engine's output when smaller, else `raw`
    /// itself (a stored block). The payload is not copied.
    ///
    /// # Panics
    /// If `raw` is empty or over the block size, or `payload` is longer.
    pub fn seal(&self, index: u64, raw: &[u8], payload: &[u8]) -> SealedBlock {
        self.seal_digested(index, raw.len(), self.digest(index, raw), payload)
    }

    /// [`seal`](Self::seal) for a block of `raw_len` bytes whose
    /// [`digest`](Self::digest) was taken already.
    ///
    /// # Panics
    /// If `raw_len` is 0 or over the block size, or `payload` is longer.
    pub fn seal_digested(
        &self,
        index: u64,
        raw_len: usize,
        digest: u64,
        payload: &[u8],
    ) -> SealedBlock {
        assert!(raw_len != 0 && raw_len <= u32::MAX as usize);
        assert!(payload.len() <= raw_len);
        let raw_len = raw_len as u32;
        match &self.format {
            Format::One { .. } => SealedBlock {
                header: format1::block_header_digested(raw_len as usize, digest, payload).to_vec(),
                raw_len,
                record: Record::Digest(digest),
            },
            Format::Two {
                header_check,
                block_size,
                ..
            } => {
                let shape = BlockShape::new(raw_len, payload.len() as u32, *block_size);
                SealedBlock {
                    header: format2::encode_block_header(
                        *header_check,
                        index,
                        &shape,
                        digest,
                        payload,
                    ),
                    raw_len,
                    record: Record::Shape(shape),
                }
            }
        }
    }

    /// Records the next block, in order, for the frame's end.
    pub fn push(&mut self, block: &SealedBlock) {
        self.blocks += 1;
        self.content_len += u64::from(block.raw_len);
        match (&mut self.format, block.record) {
            (Format::One { content }, Record::Digest(digest)) => content.push(digest),
            (Format::Two { footer, .. }, Record::Shape(shape)) => footer.push(&shape),
            _ => unreachable!("a block is sealed by its own frame's encoder"),
        }
    }

    /// The frame's end: format 1's trailer or format 2's footer.
    pub fn finish(&self) -> Vec<u8> {
        match &self.format {
            Format::One { content } => Trailer {
                block_count: self.blocks,
                content_len: self.content_len,
                content_check: content.value(),
            }
            .encode()
            .to_vec(),
            Format::Two {
                header_check,
                footer,
                ..
            } => footer.finish(*header_check),
        }
    }
}
