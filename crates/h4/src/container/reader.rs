//! A streaming parser of `.h4` frames, of either format, over any [`Read`].
//!
//! It yields the structure of a stream, frame by frame and block by block,
//! checking every header, length, index and payload checksum as it goes,
//! and where each part lies in the stream. It does not decode payloads:
//! that is the engines' job, on other threads.

use std::io::{self, Read};
use std::sync::Arc;

use super::format1::{self, HEADER_FIXED_LEN, le32};
use super::format2::{self, Token};
use super::{
    BlockHeader, FormatError, FrameEnd, FrameHeader, MAGIC, ReadError, Trailer, sniff_foreign,
};
use crate::buffers::BufferPool;
use crate::varint;

type Result<T> = std::result::Result<T, ReadError>;

/// The most a payload's declared length reserves before its bytes arrive.
const UP_FRONT: usize = 1 << 20;

/// One step through a stream.
#[derive(Debug)]
pub enum Event {
    /// A frame starts at `offset`.
    Frame {
        /// Its header.
        header: FrameHeader,
        /// Where it starts in the stream.
        offset: u64,
    },
    /// A block of the current frame, its payload checked.
    Block {
        /// Zero-based block number within the frame.
        index: u64,
        /// The block's header.
        header: BlockHeader,
        /// The block's payload.
        payload: Vec<u8>,
        /// Where the block (its header) starts in the stream.
        offset: u64,
        /// How many bytes the block takes: header and payload.
        len: u64,
    },
    /// The current frame ends; its trailer or footer matches the blocks.
    End {
        /// What the frame's end says.
        end: FrameEnd,
        /// Where the trailer or footer starts.
        offset: u64,
        /// How many bytes it takes.
        len: u64,
    },
}

enum State {
    Start,
    InFrame(Frame),
    BetweenFrames,
    Done,
}

/// What the reader keeps of the frame it is in.
struct Frame {
    version: u8,
    block_size: Option<u32>,
    header_check: u32,
    header_len: u64,
    blocks: u64,
    content_len: u64,
    /// A block shorter than the block size was read: the next must be the end.
    last_was_short: bool,
    /// Format 2: every block's token and raw length, which the footer's
    /// index must repeat.
    index: Vec<u8>,
}

/// Reads frames from `R` as a sequence of [`Event`]s.
pub struct FrameReader<R> {
    inner: R,
    state: State,
    pool: Option<Arc<BufferPool>>,
    check_payloads: bool,
    /// Bytes consumed from `inner`.
    pos: u64,
}

impl<R: Read> FrameReader<R> {
    /// A reader at the start of a stream.
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            state: State::Start,
            pool: None,
            check_payloads: true,
            pos: 0,
        }
    }

    /// A reader for the decoding pipeline: payload buffers come from
    /// `pool`, and payload checksums are left to the caller, which checks
    /// them on its worker threads (see [`BlockHeader::payload_matches`])
    /// before decoding.
    pub(crate) fn for_pipeline(inner: R, pool: Arc<BufferPool>) -> Self {
        FrameReader {
            pool: Some(pool),
            check_payloads: false,
            ..FrameReader::new(inner)
        }
    }

    /// The input, positioned after what has been read.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The next event, or `None` after the last frame's end when the input
    /// ends.
    pub fn next_event(&mut self) -> Result<Option<Event>> {
        match self.state {
            State::Done => Ok(None),
            State::Start | State::BetweenFrames => self.read_frame_header(),
            State::InFrame(_) => self.read_block_or_end().map(Some),
        }
    }

    /// Reads until `buf` is full or the input ends; returns the bytes read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
        self.pos += filled as u64;
        Ok(filled)
    }

    /// Reads exactly `buf.len()` bytes, or fails as truncated `at`.
    fn exact(&mut self, buf: &mut [u8], at: impl FnOnce() -> String) -> Result<()> {
        if self.fill(buf)? < buf.len() {
            return Err(truncated(&at()));
        }
        Ok(())
    }

    /// Reads a varint, appending its bytes to `bytes`; `bad` makes the
    /// error for a malformed one, `at` says where a truncated one ended.
    fn varint(
        &mut self,
        bytes: &mut Vec<u8>,
        bad: impl Fn(&'static str) -> FormatError,
        at: impl Fn() -> String,
    ) -> Result<u64> {
        let start = bytes.len();
        loop {
            let mut byte = [0u8];
            self.exact(&mut byte, &at)?;
            bytes.push(byte[0]);
            if byte[0] & 0x80 == 0 || bytes.len() - start == 10 {
                break;
            }
        }
        let mut pos = start;
        varint::get(bytes, &mut pos).map_err(|why| bad(why).into())
    }

    fn read_frame_header(&mut self) -> Result<Option<Event>> {
        let first = matches!(self.state, State::Start);
        let offset = self.pos;
        let mut start = [0u8; 5];
        let n = self.fill(&mut start)?;
        let got = &start[..n];
        if n == 0 {
            self.state = State::Done;
            return if first {
                Err(FormatError::Empty.into())
            } else {
                Ok(None)
            };
        }
        let magic_ok = got.len() >= 4 && got[..4] == MAGIC || MAGIC.starts_with(got);
        if !magic_ok {
            self.state = State::Done;
            // Enough of the start to name the formats people confuse with h4.
            let mut sniff = [0u8; 8];
            sniff[..n].copy_from_slice(got);
            let more = if n == start.len() {
                self.fill(&mut sniff[n..])?
            } else {
                0
            };
            return Err(if first {
                FormatError::NotH4 {
                    other: sniff_foreign(&sniff[..n + more]),
                }
            } else {
                FormatError::TrailingData
            }
            .into());
        }
        if n < start.len() {
            return Err(truncated("in the frame header"));
        }
        let header = match start[4] {
            format1::VERSION => self.read_format1_header(start)?,
            format2::VERSION => self.read_format2_header(start)?,
            other => return Err(FormatError::UnsupportedVersion(other).into()),
        };
        self.state = State::InFrame(Frame {
            version: header.version,
            block_size: header.block_size,
            header_check: header.check,
            header_len: header.len,
            blocks: 0,
            content_len: 0,
            last_was_short: false,
            index: Vec::new(),
        });
        Ok(Some(Event::Frame { header, offset }))
    }

    fn read_format1_header(&mut self, start: [u8; 5]) -> Result<FrameHeader> {
        let in_header = || "in the frame header".to_string();
        let mut fixed = [0u8; HEADER_FIXED_LEN];
        fixed[..5].copy_from_slice(&start);
        self.exact(&mut fixed[5..], in_header)?;
        let mut rest = vec![0u8; format1::header_rest_len(&fixed)];
        self.exact(&mut rest, in_header)?;
        let (block_size, engine) = format1::parse_header(&fixed, &rest)?;
        Ok(FrameHeader {
            version: format1::VERSION,
            block_size: Some(block_size),
            engine,
            len: (fixed.len() + rest.len()) as u64,
            check: 0,
        })
    }

    fn read_format2_header(&mut self, start: [u8; 5]) -> Result<FrameHeader> {
        let in_header = || "in the frame header".to_string();
        let mut bytes = start.to_vec();
        let mut descriptor = [0u8];
        self.exact(&mut descriptor, in_header)?;
        let descriptor = descriptor[0];
        bytes.push(descriptor);
        format2::check_descriptor(descriptor)?;
        let block_size = if format2::has_block_size(descriptor) {
            Some(self.varint(&mut bytes, FormatError::BadHeader, in_header)?)
        } else {
            None
        };
        let name_start = bytes.len() + 1;
        if format2::has_name(descriptor) {
            let mut len = [0u8];
            self.exact(&mut len, in_header)?;
            let mut name = vec![0u8; usize::from(len[0])];
            self.exact(&mut name, in_header)?;
            bytes.push(len[0]);
            bytes.extend_from_slice(&name);
        }
        let name = format2::has_name(descriptor).then(|| &bytes[name_start..]);
        let mut check = [0u8; 4];
        self.exact(&mut check, in_header)?;
        let header = format2::Header::from_fields(
            descriptor,
            block_size,
            name,
            &bytes,
            u32::from_le_bytes(check),
        )?;
        Ok(FrameHeader {
            version: format2::VERSION,
            block_size: header.block_size,
            engine: header.engine,
            len: bytes.len() as u64 + 4,
            check: header.check,
        })
    }

    fn frame(&mut self) -> &mut Frame {
        match &mut self.state {
            State::InFrame(frame) => frame,
            _ => unreachable!("only called inside a frame"),
        }
    }

    fn read_block_or_end(&mut self) -> Result<Event> {
        match self.frame().version {
            format1::VERSION => self.read_format1_block(),
            _ => self.read_format2_block(),
        }
    }

    fn read_format1_block(&mut self) -> Result<Event> {
        let offset = self.pos;
        let (blocks, block_size, last_was_short) = {
            let f = self.frame();
            (
                f.blocks,
                f.block_size.expect("format 1 has a block size"),
                f.last_was_short,
            )
        };
        let mut head = [0u8; 4];
        self.exact(&mut head, || {
            format!("after block {blocks}, before the trailer")
        })?;
        let raw_len = le32(&head);
        if raw_len == 0 {
            return self.read_format1_trailer(offset);
        }
        let mut rest = [0u8; format1::BLOCK_HEADER_LEN - 4];
        self.exact(&mut rest, || format!("in the header of block {blocks}"))?;
        let fields = format1::BlockFields::parse(raw_len, &rest);
        let bad = |why| Err(FormatError::BadBlock { block: blocks, why }.into());
        if last_was_short {
            return bad("follows a partial block");
        }
        if raw_len > block_size {
            return bad("raw length exceeds the block size");
        }
        if fields.payload_len > raw_len {
            return bad("payload longer than its raw length");
        }
        if fields.payload_len == 0 {
            return bad("empty payload");
        }
        let header = BlockHeader::format1(fields);
        self.finish_block(header, offset, raw_len < block_size)
    }

    fn read_format2_block(&mut self) -> Result<Event> {
        let offset = self.pos;
        let (blocks, block_size, last_was_short) = {
            let f = self.frame();
            (f.blocks, f.block_size, f.last_was_short)
        };
        let in_block = || format!("in the header of block {blocks}");
        let bad_block = |why| FormatError::BadBlock { block: blocks, why };
        let mut fields = Vec::with_capacity(10);
        let token = Token::from_value(self.varint(&mut fields, bad_block, || {
            format!("after block {blocks}, before the footer")
        })?);
        if token.is_end() {
            return self.read_format2_footer(offset);
        }
        if last_was_short {
            return Err(bad_block("follows a partial block").into());
        }
        if block_size.is_none() && blocks > 0 {
            return Err(bad_block("second block in a single-block frame").into());
        }
        let raw_len = match token.has_raw_len() {
            true => Some(self.varint(&mut fields, bad_block, in_block)?),
            false => None,
        };
        let shape = token.shape(raw_len, block_size, blocks)?;
        let mut checks = [0u8; 8];
        let checks = &mut checks[..if shape.stored { 4 } else { 8 }];
        self.exact(checks, in_block)?;
        let header_check = self.frame().header_check;
        self.frame().index.extend_from_slice(&fields);
        let header = format2::block_header(header_check, blocks, shape, fields, checks);
        self.finish_block(BlockHeader::format2(header), offset, shape.sized)
    }

    /// Reads the payload of the block whose header was just read.
    fn finish_block(&mut self, header: BlockHeader, offset: u64, short: bool) -> Result<Event> {
        let blocks = self.frame().blocks;
        // A length is only trusted once the payload check has held, and a
        // single-block frame commits to no block size in its header, so
        // room is reserved up front for at most a typical block; a longer
        // payload grows the buffer as its bytes actually arrive.
        let want = u64::from(header.payload_len);
        let mut payload = self.pool.as_ref().map(|p| p.take()).unwrap_or_default();
        payload.reserve_exact((header.payload_len as usize).min(UP_FRONT));
        (&mut self.inner)
            .take(want)
            .read_to_end(&mut payload)
            .map_err(ReadError::Io)?;
        self.pos += payload.len() as u64;
        if (payload.len() as u64) < want {
            return Err(truncated(&format!("in the payload of block {blocks}")));
        }
        if self.check_payloads && !header.payload_matches(&payload) {
            return Err(FormatError::BlockChecksum { block: blocks }.into());
        }
        let frame = self.frame();
        frame.blocks += 1;
        frame.content_len += u64::from(header.raw_len);
        frame.last_was_short = short;
        Ok(Event::Block {
            index: blocks,
            header,
            payload,
            len: self.pos - offset,
            offset,
        })
    }

    fn read_format1_trailer(&mut self, offset: u64) -> Result<Event> {
        let mut bytes = [0u8; format1::TRAILER_LEN];
        self.exact(&mut bytes[4..], || "in the trailer".to_string())?;
        let trailer = Trailer::parse(&bytes)?;
        let frame = self.frame();
        if trailer.block_count != frame.blocks {
            return Err(FormatError::TrailerMismatch("block count").into());
        }
        if trailer.content_len != frame.content_len {
            return Err(FormatError::TrailerMismatch("content length").into());
        }
        let end = FrameEnd {
            blocks: frame.blocks,
            content_len: frame.content_len,
            content_check: Some(trailer.content_check),
        };
        self.state = State::BetweenFrames;
        Ok(Event::End {
            end,
            offset,
            len: self.pos - offset,
        })
    }

    /// Reads a format 2 footer, whose `End_Token` was just read, and checks
    /// it against the frame: header size, index, check and size.
    fn read_format2_footer(&mut self, offset: u64) -> Result<Event> {
        let in_footer = || "in the footer".to_string();
        let mismatch = |what| ReadError::Format(FormatError::TrailerMismatch(what));
        let mut bytes = vec![0u8];
        let header_len = self.varint(
            &mut bytes,
            |_| FormatError::TrailerMismatch("header size"),
            in_footer,
        )?;
        if header_len != self.frame().header_len {
            return Err(mismatch("header size"));
        }
        let mut index = vec![0u8; self.frame().index.len()];
        self.exact(&mut index, in_footer)?;
        if index != self.frame().index {
            return Err(mismatch("block index"));
        }
        bytes.extend_from_slice(&index);
        let mut check = [0u8; 4];
        self.exact(&mut check, in_footer)?;
        if format2::footer_check(self.frame().header_check, &bytes) != u32::from_le_bytes(check) {
            return Err(FormatError::TrailerChecksum.into());
        }
        let mut size = Vec::new();
        format2::put_reversed_varint(&mut size, bytes.len() as u64 + 4);
        let mut got = vec![0u8; size.len()];
        self.exact(&mut got, in_footer)?;
        if got != size {
            return Err(mismatch("footer size"));
        }
        let frame = self.frame();
        let end = FrameEnd {
            blocks: frame.blocks,
            content_len: frame.content_len,
            content_check: None,
        };
        self.state = State::BetweenFrames;
        Ok(Event::End {
            end,
            offset,
            len: self.pos - offset,
        })
    }
}

fn truncated(at: &str) -> ReadError {
    FormatError::Truncated { at: at.to_string() }.into()
}
