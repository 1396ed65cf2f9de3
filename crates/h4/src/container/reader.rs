//! A streaming parser of `.h4` frames over any [`Read`].
//!
//! It yields the structure of a stream, frame by frame and block by block,
//! checking every header, length and payload checksum as it goes. It does
//! not decode payloads: that is the engines' job, on other threads.

use std::io::{self, Read};
use std::sync::Arc;

use super::frame::{HEADER_FIXED_LEN, le32};
use super::{
    BLOCK_HEADER_LEN, BlockHeader, FormatError, FrameHeader, MAGIC, ReadError, TRAILER_LEN, Trailer,
};
use crate::buffers::BufferPool;

type Result<T> = std::result::Result<T, ReadError>;

/// One step through a stream.
#[derive(Debug)]
pub enum Event {
    /// A frame starts.
    Frame(FrameHeader),
    /// A block of the current frame, its payload checked.
    Block {
        /// Zero-based block number within the frame.
        index: u64,
        /// The block's header.
        header: BlockHeader,
        /// The block's payload.
        payload: Vec<u8>,
    },
    /// The current frame ends; its counts match the blocks read.
    End(Trailer),
}

enum State {
    Start,
    InFrame {
        block_size: u32,
        blocks: u64,
        content_len: u64,
        last_was_short: bool,
    },
    BetweenFrames,
    Done,
}

/// Reads frames from `R` as a sequence of [`Event`]s.
pub struct FrameReader<R> {
    inner: R,
    state: State,
    pool: Option<Arc<BufferPool>>,
    check_payloads: bool,
}

impl<R: Read> FrameReader<R> {
    /// A reader at the start of a stream.
    pub fn new(inner: R) -> Self {
        FrameReader {
            inner,
            state: State::Start,
            pool: None,
            check_payloads: true,
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

    /// The next event, or `None` after the last frame's trailer when the
    /// input ends.
    pub fn next_event(&mut self) -> Result<Option<Event>> {
        match self.state {
            State::Done => Ok(None),
            State::Start | State::BetweenFrames => self.read_frame_header(),
            State::InFrame { .. } => self.read_block_or_trailer().map(Some),
        }
    }

    fn read_frame_header(&mut self) -> Result<Option<Event>> {
        let first = matches!(self.state, State::Start);
        let mut fixed = [0u8; HEADER_FIXED_LEN];
        let n = read_full(&mut self.inner, &mut fixed)?;
        let got = &fixed[..n];
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
            return Err(if first {
                FormatError::NotH4 {
                    other: super::sniff_foreign(got),
                }
            } else {
                FormatError::TrailingData
            }
            .into());
        }
        if n < HEADER_FIXED_LEN {
            return Err(truncated("in the frame header"));
        }
        let rest_len = FrameHeader::rest_len(&fixed)?;
        let mut rest = vec![0u8; rest_len];
        if read_full(&mut self.inner, &mut rest)? < rest_len {
            return Err(truncated("in the frame header"));
        }
        let header = FrameHeader::parse(&fixed, &rest)?;
        self.state = State::InFrame {
            block_size: header.block_size,
            blocks: 0,
            content_len: 0,
            last_was_short: false,
        };
        Ok(Some(Event::Frame(header)))
    }

    fn read_block_or_trailer(&mut self) -> Result<Event> {
        let State::InFrame {
            block_size,
            blocks,
            content_len,
            last_was_short,
        } = self.state
        else {
            unreachable!("only called inside a frame")
        };
        let mut head = [0u8; 4];
        if read_full(&mut self.inner, &mut head)? < 4 {
            return Err(truncated(&format!(
                "after block {blocks}, before the trailer"
            )));
        }
        let raw_len = le32(&head);
        if raw_len == 0 {
            return self.read_trailer(blocks, content_len);
        }

        let mut rest = [0u8; BLOCK_HEADER_LEN - 4];
        if read_full(&mut self.inner, &mut rest)? < rest.len() {
            return Err(truncated(&format!("in the header of block {blocks}")));
        }
        let header = BlockHeader::parse(raw_len, &rest);
        let bad = |why| Err(FormatError::BadBlock { block: blocks, why }.into());
        if last_was_short {
            return bad("follows a partial block");
        }
        if raw_len > block_size {
            return bad("raw length exceeds the block size");
        }
        if header.payload_len > raw_len {
            return bad("payload longer than its raw length");
        }
        if header.payload_len == 0 {
            return bad("empty payload");
        }

        // At most one block size (checked above), so a hostile length costs
        // no more than one block; reserving it up front saves regrowing.
        let want = u64::from(header.payload_len);
        let mut payload = self.pool.as_ref().map(|p| p.take()).unwrap_or_default();
        payload.reserve_exact(header.payload_len as usize);
        (&mut self.inner)
            .take(want)
            .read_to_end(&mut payload)
            .map_err(ReadError::Io)?;
        if (payload.len() as u64) < want {
            return Err(truncated(&format!("in the payload of block {blocks}")));
        }
        if self.check_payloads && !header.payload_matches(&payload) {
            return Err(FormatError::BlockChecksum { block: blocks }.into());
        }

        self.state = State::InFrame {
            block_size,
            blocks: blocks + 1,
            content_len: content_len + u64::from(raw_len),
            last_was_short: raw_len < block_size,
        };
        Ok(Event::Block {
            index: blocks,
            header,
            payload,
        })
    }

    fn read_trailer(&mut self, blocks: u64, content_len: u64) -> Result<Event> {
        let mut bytes = [0u8; TRAILER_LEN];
        if read_full(&mut self.inner, &mut bytes[4..])? < TRAILER_LEN - 4 {
            return Err(truncated("in the trailer"));
        }
        let trailer = Trailer::parse(&bytes)?;
        if trailer.block_count != blocks {
            return Err(FormatError::TrailerMismatch("block count").into());
        }
        if trailer.content_len != content_len {
            return Err(FormatError::TrailerMismatch("content length").into());
        }
        self.state = State::BetweenFrames;
        Ok(Event::End(trailer))
    }
}

fn truncated(at: &str) -> ReadError {
    FormatError::Truncated { at: at.to_string() }.into()
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    Ok(filled)
}
