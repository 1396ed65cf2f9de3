//! Random access: where every block of a stream lies, in the stream and in
//! its content, and reading one block on its own.
//!
//! A stream whose frames are all format 2 is indexed from its end: each
//! frame's footer lists its blocks and says how long the frame's header
//! is, so the frames are found one after another backwards, reading only
//! their headers and footers. Any other stream (format 1 frames, or bytes
//! that do not end in a valid footer) is indexed by one sequential scan of
//! its frame and block headers. Either way a block read on its own is
//! checked exactly as a sequential read would check it.

use std::io::{Read, Seek, SeekFrom};

use super::format1::{self, BLOCK_HEADER_LEN, BlockFields};
use super::format2::{self, Footer, Token};
use super::{BlockHeader, Event, FormatError, FrameHeader, FrameReader, ReadError};
use crate::varint;

type Result<T> = std::result::Result<T, ReadError>;

/// Where one block lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockLocation {
    /// Where the block (its header) starts in the stream.
    pub offset: u64,
    /// Its size in the stream: header and payload.
    pub len: u64,
    /// Where its content starts in the stream's content.
    pub content_offset: u64,
    /// What it decodes to.
    pub raw_len: u32,
    /// Whether its payload is its content (no engine needed).
    pub stored: bool,
}

/// One frame of an indexed stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameIndex {
    /// Where the frame starts in the stream.
    pub offset: u64,
    /// How many bytes it takes: header, blocks and end.
    pub len: u64,
    /// Its header.
    pub header: FrameHeader,
    /// Its blocks, in order.
    pub blocks: Vec<BlockLocation>,
}

/// Where every block of a stream lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamIndex {
    /// The frames, in order.
    pub frames: Vec<FrameIndex>,
    /// Whether it was read from format 2 footers (`false`: built by a
    /// sequential scan).
    pub from_footers: bool,
}

impl StreamIndex {
    /// Indexes the stream `input` holds from its start to its end: from the
    /// frames' footers when every frame has one, else by a scan.
    pub fn read<R: Read + Seek>(input: &mut R) -> Result<StreamIndex> {
        let end = input.seek(SeekFrom::End(0)).map_err(ReadError::Io)?;
        if let Some(index) = from_footers(input, end)? {
            return Ok(index);
        }
        input.seek(SeekFrom::Start(0)).map_err(ReadError::Io)?;
        scan(input)
    }

    /// How many bytes the stream decodes to.
    pub fn content_len(&self) -> u64 {
        self.frames
            .iter()
            .flat_map(|f| f.blocks.last())
            .map(|b| b.content_offset + u64::from(b.raw_len))
            .max()
            .unwrap_or(0)
    }

    /// The frame and block numbers of the block holding content byte `pos`.
    pub fn find(&self, pos: u64) -> Option<(usize, usize)> {
        self.frames.iter().enumerate().find_map(|(f, frame)| {
            let b = frame
                .blocks
                .partition_point(|b| b.content_offset + u64::from(b.raw_len) <= pos);
            (b < frame.blocks.len() && frame.blocks[b].content_offset <= pos).then_some((f, b))
        })
    }
}

/// The frames of a stream of `end` bytes, found backwards from their
/// footers; `None` as soon as one does not end in a valid format 2 footer.
fn from_footers<R: Read + Seek>(input: &mut R, mut end: u64) -> Result<Option<StreamIndex>> {
    let mut frames = Vec::new();
    while end > 0 {
        match frame_before(input, end)? {
            Some(frame) => {
                end = frame.offset;
                frames.push(frame);
            }
            None => return Ok(None),
        }
    }
    frames.reverse();
    let mut content = 0u64;
    for frame in &mut frames {
        for block in &mut frame.blocks {
            block.content_offset += content;
        }
        content += frame
            .blocks
            .last()
            .map_or(0, |b| b.content_offset + u64::from(b.raw_len) - content);
    }
    Ok(Some(StreamIndex {
        frames,
        from_footers: true,
    }))
}

/// The format 2 frame that ends at `end`, from its footer and header;
/// `None` when the bytes there are not such a frame.
fn frame_before<R: Read + Seek>(input: &mut R, end: u64) -> Result<Option<FrameIndex>> {
    // Footer_Size is at most ten bytes, read backwards from the end.
    let size_bytes = read_at(input, end.saturating_sub(10), end.min(10) as usize)?;
    let Some((footer_len, size_start)) =
        format2::get_reversed_varint(&size_bytes, size_bytes.len())
    else {
        return Ok(None);
    };
    let whole = footer_len.saturating_add((size_bytes.len() - size_start) as u64);
    if whole > end {
        return Ok(None);
    }
    let tail = read_at(input, end - whole, whole as usize)?;
    let Some(footer) = Footer::parse_tail(&tail) else {
        return Ok(None);
    };
    let blocks_len: u64 = footer
        .blocks
        .iter()
        .map(|(t, r)| token_block_len(t, *r))
        .sum();
    let Some(start) = (end - whole)
        .checked_sub(blocks_len)
        .and_then(|s| s.checked_sub(footer.header_len))
    else {
        return Ok(None);
    };
    input.seek(SeekFrom::Start(start)).map_err(ReadError::Io)?;
    let header_bytes = read_at(input, start, footer.header_len.min(512) as usize)?;
    let header = match header_at(&header_bytes) {
        Some(header) if header.version == format2::VERSION && header.len == footer.header_len => {
            header
        }
        _ => return Ok(None),
    };
    if !footer.check_matches(header.check) {
        return Ok(None);
    }
    let mut blocks = Vec::with_capacity(footer.blocks.len());
    let (mut offset, mut content) = (start + header.len, 0u64);
    for (k, (token, raw_len)) in footer.blocks.iter().enumerate() {
        let Ok(shape) = token.shape(*raw_len, header.block_size, k as u64) else {
            return Ok(None);
        };
        let len = token_block_len(token, *raw_len);
        blocks.push(BlockLocation {
            offset,
            len,
            content_offset: content,
            raw_len: shape.raw_len,
            stored: shape.stored,
        });
        offset += len;
        content += u64::from(shape.raw_len);
    }
    Ok(Some(FrameIndex {
        offset: start,
        len: end - start,
        header,
        blocks,
    }))
}

/// A format 2 frame header parsed from bytes that start with it.
fn header_at(bytes: &[u8]) -> Option<FrameHeader> {
    let mut reader = FrameReader::new(bytes);
    match reader.next_event() {
        Ok(Some(Event::Frame { header, .. })) => Some(header),
        _ => None,
    }
}

/// How many bytes a format 2 block with this token takes.
fn token_block_len(token: &Token, raw_len: Option<u64>) -> u64 {
    let mut fields = Vec::with_capacity(10);
    varint::put(
        &mut fields,
        (token.payload_len << 2) | u64::from(token.stored) | (u64::from(token.sized) << 1),
    );
    if let Some(raw_len) = raw_len {
        varint::put(&mut fields, raw_len);
    }
    let checks = if token.stored { 4 } else { 8 };
    (fields.len() + checks) as u64 + token.payload_len
}

/// Indexes a stream by reading it from the start: every header and every
/// payload checksum, no decoding.
pub(super) fn scan<R: Read>(input: R) -> Result<StreamIndex> {
    let mut reader = FrameReader::new(input);
    let mut frames: Vec<FrameIndex> = Vec::new();
    let mut content = 0u64;
    while let Some(event) = reader.next_event()? {
        match event {
            Event::Frame { header, offset } => frames.push(FrameIndex {
                offset,
                len: 0,
                header,
                blocks: Vec::new(),
            }),
            Event::Block {
                header,
                offset,
                len,
                ..
            } => {
                let frame = frames.last_mut().expect("blocks follow a frame header");
                frame.blocks.push(BlockLocation {
                    offset,
                    len,
                    content_offset: content,
                    raw_len: header.raw_len,
                    stored: header.is_stored(),
                });
                content += u64::from(header.raw_len);
            }
            Event::End { offset, len, .. } => {
                let frame = frames.last_mut().expect("an end ends a frame");
                frame.len = offset + len - frame.offset;
            }
        }
    }
    Ok(StreamIndex {
        frames,
        from_footers: false,
    })
}

/// Reads `len` bytes at `offset`.
fn read_at<R: Read + Seek>(input: &mut R, offset: u64, len: usize) -> Result<Vec<u8>> {
    input.seek(SeekFrom::Start(offset)).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(len);
    input
        .take(len as u64)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    Ok(bytes)
}

/// Reads block `block` of `frame` on its own: its header and its payload,
/// the payload checked.
pub fn read_block<R: Read + Seek>(
    input: &mut R,
    frame: &FrameIndex,
    block: usize,
) -> Result<(BlockHeader, Vec<u8>)> {
    let location = frame.blocks[block];
    let bytes = read_at(input, location.offset, location.len as usize)?;
    if (bytes.len() as u64) < location.len {
        return Err(FormatError::Truncated {
            at: format!("in block {block}"),
        }
        .into());
    }
    let k = block as u64;
    let bad = |why| ReadError::Format(FormatError::BadBlock { block: k, why });
    let (header, payload_start) = match frame.header.version {
        format1::VERSION => {
            let raw_len = format1::le32(&bytes);
            let rest = bytes[4..BLOCK_HEADER_LEN].try_into().expect("12 bytes");
            let fields = BlockFields::parse(raw_len, rest);
            (BlockHeader::format1(fields), BLOCK_HEADER_LEN)
        }
        _ => {
            let mut pos = 0;
            let token = Token::from_value(varint::get(&bytes, &mut pos).map_err(bad)?);
            let raw_len = match token.has_raw_len() {
                true => Some(varint::get(&bytes, &mut pos).map_err(bad)?),
                false => None,
            };
            let shape = token.shape(raw_len, frame.header.block_size, k)?;
            let fields = bytes[..pos].to_vec();
            let checks_len = if shape.stored { 4 } else { 8 };
            let checks = &bytes[pos..pos + checks_len];
            let header = format2::block_header(frame.header.check, k, shape, fields, checks);
            (BlockHeader::format2(header), pos + checks_len)
        }
    };
    if header.raw_len != location.raw_len
        || payload_start as u64 + u64::from(header.payload_len) != location.len
    {
        return Err(bad("does not match the index"));
    }
    let payload = bytes[payload_start..].to_vec();
    if !header.payload_matches(&payload) {
        return Err(FormatError::BlockChecksum { block: k }.into());
    }
    Ok((header, payload))
}
