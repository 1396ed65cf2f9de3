//! Container format 2: compact framing, and a block index at the end of
//! every frame for random access. Pure byte work; no I/O.
//!
//! Small inputs cost little (17 bytes for the empty input, 24 for one
//! byte) because lengths are varints, the reference engine is one flag bit
//! instead of a name, a frame of at most one block omits its block size,
//! and a stored block carries one check instead of two. Large inputs can be
//! read from any block: the footer lists every block's header fields, so a
//! reader that can seek finds each block's offset without reading the
//! blocks before it, while a streaming writer still never seeks back.
//!
//! ```text
//! Frame_Header  Magic_Number(4) Format_Version(1)=2 Frame_Descriptor(1)
//!               [Block_Size:varint]  [Engine_Name_Length(1) Engine_Name]
//!               Header_Check(4)
//! Block         Block_Token:varint [Raw_Length:varint] Payload_Check(4)
//!               [Raw_Check(4)] Payload
//! Frame_Footer  End_Token(1)=0 Header_Size:varint Block_Index
//!               Footer_Check(4) Footer_Size:reversed varint
//! ```
//!
//! The byte-level specification is section 3 of `docs/FORMAT.md`.

use super::checksum::{check32, seeded_digest};
use super::{EngineId, EngineKind, FormatError, MAGIC, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
use crate::varint;

/// The format version this module reads and writes.
pub const VERSION: u8 = 2;

/// `Frame_Descriptor` bit: the frame has at most one block, and no
/// `Block_Size` field.
pub const SINGLE_BLOCK: u8 = 1 << 0;
/// `Frame_Descriptor` bit: an external core made the frame.
pub const CORE_MADE: u8 = 1 << 1;
/// `Frame_Descriptor` bit: an `Engine_Name` follows; without it, the blocks
/// hold reference payloads.
pub const NAMED: u8 = 1 << 2;
/// `Frame_Descriptor` bits that must be zero.
const RESERVED: u8 = !(SINGLE_BLOCK | CORE_MADE | NAMED);

/// `Block_Token` bit: the payload is the raw bytes.
const STORED: u64 = 1 << 0;
/// `Block_Token` bit: the block's raw length is given (by `Raw_Length`, or
/// by the payload length when stored) instead of being the block size.
const SIZED: u64 = 1 << 1;

/// The engine name that the missing `NAMED` bit stands for.
const REFERENCE_NAME: &str = "reference";

/// The longest block header: a token and a raw length of at most five
/// bytes each (payloads and blocks are at most 64 MiB) and two checks.
pub const MAX_BLOCK_HEADER_LEN: usize = 5 + 5 + 4 + 4;

/// A parsed `Frame_Header`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `None` for a single-block frame.
    pub block_size: Option<u32>,
    /// The engine whose payloads the blocks hold.
    pub engine: EngineId,
    /// The header's own check, which seeds every other check of the frame.
    pub check: u32,
}

/// Encodes a `Frame_Header`.
///
/// # Panics
/// If the block size or engine name is out of range; callers validate
/// user input before building a header.
pub fn encode_header(block_size: Option<u32>, engine: &EngineId) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    let named = engine.name != REFERENCE_NAME;
    let mut descriptor = 0;
    if block_size.is_none() {
        descriptor |= SINGLE_BLOCK;
    }
    if engine.kind == EngineKind::Core {
        descriptor |= CORE_MADE;
    }
    if named {
        descriptor |= NAMED;
    }
    out.push(descriptor);
    if let Some(size) = block_size {
        assert!((MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&size));
        varint::put(&mut out, u64::from(size));
    }
    if named {
        assert!(EngineId::is_valid_name(engine.name.as_bytes()));
        out.push(engine.name.len() as u8);
        out.extend_from_slice(engine.name.as_bytes());
    }
    let check = check32(&out);
    out.extend_from_slice(&check.to_le_bytes());
    out
}

/// Checks a `Frame_Descriptor` byte.
pub fn check_descriptor(descriptor: u8) -> Result<(), FormatError> {
    if descriptor & RESERVED != 0 {
        return Err(FormatError::BadHeader("reserved descriptor bits are set"));
    }
    Ok(())
}

impl Header {
    /// The header whose fields were read as `descriptor`, `block_size`
    /// (when the descriptor has one) and `name` (when it has one), `bytes`
    /// being all of its bytes before `Header_Check`, which is `check`.
    pub fn from_fields(
        descriptor: u8,
        block_size: Option<u64>,
        name: Option<&[u8]>,
        bytes: &[u8],
        check: u32,
    ) -> Result<Header, FormatError> {
        if check32(bytes) != check {
            return Err(FormatError::HeaderChecksum);
        }
        check_descriptor(descriptor)?;
        let block_size = match block_size {
            Some(size)
                if (u64::from(MIN_BLOCK_SIZE)..=u64::from(MAX_BLOCK_SIZE)).contains(&size) =>
            {
                Some(size as u32)
            }
            Some(_) => return Err(FormatError::BadHeader("block size out of range")),
            None => None,
        };
        let kind = if descriptor & CORE_MADE != 0 {
            EngineKind::Core
        } else {
            EngineKind::Reference
        };
        let name = match name {
            Some(name) if !EngineId::is_valid_name(name) => {
                return Err(FormatError::BadHeader("engine name is not printable ASCII"));
            }
            Some(name) if name == REFERENCE_NAME.as_bytes() => {
                return Err(FormatError::BadHeader("the reference engine is named"));
            }
            Some(name) => String::from_utf8(name.to_vec()).expect("ASCII is UTF-8"),
            None => REFERENCE_NAME.to_string(),
        };
        Ok(Header {
            block_size,
            engine: EngineId { kind, name },
            check,
        })
    }
}

/// Whether a descriptor says a `Block_Size` follows.
pub fn has_block_size(descriptor: u8) -> bool {
    descriptor & SINGLE_BLOCK == 0
}

/// Whether a descriptor says an `Engine_Name` follows.
pub fn has_name(descriptor: u8) -> bool {
    descriptor & NAMED != 0
}

/// The seed of block `index`'s checks: the frame's `Header_Check` in the
/// high half, the block number in the low half.
fn block_seed(header_check: u32, index: u64) -> u64 {
    (u64::from(header_check) << 32) | (index & 0xffff_ffff)
}

/// What a block's token and raw length say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockShape {
    /// `Payload_Length`.
    pub payload_len: u32,
    /// The raw length: `Block_Size`, or the length the block gives.
    pub raw_len: u32,
    /// The payload is the raw bytes.
    pub stored: bool,
    /// The block gives its raw length (it is the last, and short, or the
    /// only one of a single-block frame).
    pub sized: bool,
}

impl BlockShape {
    /// The shape of a block of `raw_len` bytes with a payload of
    /// `payload_len` (equal when stored), in a frame whose non-last blocks
    /// hold `block_size` bytes (`None`: a single-block frame).
    pub fn new(raw_len: u32, payload_len: u32, block_size: Option<u32>) -> Self {
        BlockShape {
            payload_len,
            raw_len,
            stored: payload_len == raw_len,
            sized: block_size != Some(raw_len),
        }
    }

    /// The `Block_Token` and, when the block has one, its `Raw_Length`: the
    /// bytes the block index repeats.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut token = u64::from(self.payload_len) << 2;
        if self.stored {
            token |= STORED;
        }
        if self.sized {
            token |= SIZED;
        }
        varint::put(out, token);
        if self.sized && !self.stored {
            varint::put(out, u64::from(self.raw_len));
        }
    }

    /// How many bytes the whole block takes: its header and its payload.
    pub fn block_len(&self) -> u64 {
        let mut fields = Vec::with_capacity(10);
        self.encode(&mut fields);
        let checks = if self.stored { 4 } else { 8 };
        (fields.len() + checks) as u64 + u64::from(self.payload_len)
    }
}

/// The digest of block `index`'s raw bytes that its `Raw_Check` is the low
/// half of: taken before an engine sees the block, it also shows whether
/// the block changed during the engine's calls.
pub fn raw_digest(header_check: u32, index: u64, raw: &[u8]) -> u64 {
    seeded_digest(raw, block_seed(header_check, index))
}

/// Encodes the header of block `index` of the frame whose header check is
/// `header_check`; returns the header bytes (write the payload after them).
/// `raw_digest` is [`raw_digest`] of the block's content, and `payload`
/// either the engine's smaller output or the content itself (a stored
/// block).
pub fn encode_block_header(
    header_check: u32,
    index: u64,
    shape: &BlockShape,
    raw_digest: u64,
    payload: &[u8],
) -> Vec<u8> {
    let seed = block_seed(header_check, index);
    let mut out = Vec::with_capacity(MAX_BLOCK_HEADER_LEN);
    shape.encode(&mut out);
    let payload_check = payload_check(seed, &out, payload);
    out.extend_from_slice(&payload_check.to_le_bytes());
    if !shape.stored {
        out.extend_from_slice(&(raw_digest as u32).to_le_bytes());
    }
    out
}

/// `Payload_Check`: the payload hashed with a seed that is itself the hash
/// of the token and raw length, seeded by the block's position, so the
/// check covers the lengths and the block's place in its frame.
fn payload_check(seed: u64, fields: &[u8], payload: &[u8]) -> u32 {
    let fields_hash = seeded_digest(fields, seed);
    seeded_digest(payload, fields_hash) as u32
}

/// `Raw_Check`: the raw bytes hashed with the block's seed.
fn raw_check(seed: u64, raw: &[u8]) -> u32 {
    seeded_digest(raw, seed) as u32
}

/// A block header as read: its shape and checks, with what is needed to
/// verify them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Lengths and flags.
    pub shape: BlockShape,
    /// `Payload_Check`.
    pub payload_check: u32,
    /// `Raw_Check`, for coded blocks.
    pub raw_check: Option<u32>,
    /// The token and raw length as they were read: the block's index entry.
    pub fields: Vec<u8>,
    seed: u64,
}

impl BlockHeader {
    /// Whether `payload` matches `Payload_Check`.
    pub fn payload_matches(&self, payload: &[u8]) -> bool {
        payload_check(self.seed, &self.fields, payload) == self.payload_check
    }

    /// Whether decoded `raw` bytes match `Raw_Check` (a stored block's raw
    /// bytes are its payload, already checked).
    pub fn raw_matches(&self, raw: &[u8]) -> bool {
        self.raw_check
            .is_none_or(|check| raw_check(self.seed, raw) == check)
    }
}

/// A `Block_Token` split into its fields, before its lengths are checked
/// against the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// `Payload_Length`; 0 with no flags is `End_Token`.
    pub payload_len: u64,
    /// The `STORED` bit.
    pub stored: bool,
    /// The `SIZED` bit.
    pub sized: bool,
}

impl Token {
    /// Splits a token value.
    pub fn from_value(value: u64) -> Self {
        Token {
            payload_len: value >> 2,
            stored: value & STORED != 0,
            sized: value & SIZED != 0,
        }
    }

    /// Whether this is `End_Token`.
    pub fn is_end(&self) -> bool {
        self.payload_len == 0 && !self.stored && !self.sized
    }

    /// Whether a `Raw_Length` follows the token.
    pub fn has_raw_len(&self) -> bool {
        self.sized && !self.stored
    }

    /// The block this token (and `raw_len`, when it has one) describes, in
    /// a frame of `block_size` (`None`: single-block, bounded by the
    /// largest block size); block number `block` names it in errors.
    pub fn shape(
        &self,
        raw_len: Option<u64>,
        block_size: Option<u32>,
        block: u64,
    ) -> Result<BlockShape, FormatError> {
        let bad = |why| FormatError::BadBlock { block, why };
        let limit = u64::from(block_size.unwrap_or(MAX_BLOCK_SIZE));
        if self.payload_len == 0 {
            return Err(bad("empty payload"));
        }
        if self.payload_len > limit {
            return Err(bad("payload longer than the block size"));
        }
        if block_size.is_none() && !self.sized {
            return Err(bad("the block of a single-block frame gives no length"));
        }
        let raw_len = match (self.sized, self.stored) {
            (false, _) => limit,
            (true, true) => self.payload_len,
            (true, false) => raw_len.ok_or(bad("raw length missing"))?,
        };
        if raw_len > limit {
            return Err(bad("raw length exceeds the block size"));
        }
        if self.sized && Some(raw_len) == block_size.map(u64::from) {
            return Err(bad("a full block gives its length"));
        }
        if !self.stored && self.payload_len >= raw_len {
            return Err(bad("coded payload not smaller than its raw length"));
        }
        Ok(BlockShape {
            payload_len: self.payload_len as u32,
            raw_len: raw_len as u32,
            stored: self.stored,
            sized: self.sized,
        })
    }
}

/// Completes a block header whose token and raw length were read from
/// `fields`, given the check bytes that follow them (4 for a stored block,
/// 8 for a coded one).
pub fn block_header(
    header_check: u32,
    index: u64,
    shape: BlockShape,
    fields: Vec<u8>,
    checks: &[u8],
) -> BlockHeader {
    let word = |at: usize| u32::from_le_bytes(checks[at..at + 4].try_into().expect("4 bytes"));
    BlockHeader {
        shape,
        payload_check: word(0),
        raw_check: (!shape.stored).then(|| word(4)),
        fields,
        seed: block_seed(header_check, index),
    }
}

/// Builds a `Frame_Footer` as blocks are written.
#[derive(Clone, Debug)]
pub struct FooterBuilder {
    header_len: usize,
    index: Vec<u8>,
}

impl FooterBuilder {
    /// A footer for a frame whose header took `header_len` bytes.
    pub fn new(header_len: usize) -> Self {
        FooterBuilder {
            header_len,
            index: Vec::new(),
        }
    }

    /// Records the next block.
    pub fn push(&mut self, shape: &BlockShape) {
        shape.encode(&mut self.index);
    }

    /// The footer's bytes.
    pub fn finish(&self, header_check: u32) -> Vec<u8> {
        let mut out = vec![0];
        varint::put(&mut out, self.header_len as u64);
        out.extend_from_slice(&self.index);
        let check = footer_check(header_check, &out);
        out.extend_from_slice(&check.to_le_bytes());
        let size = out.len() as u64;
        put_reversed_varint(&mut out, size);
        out
    }
}

/// `Footer_Check`: the footer's bytes up to it, seeded by the frame's
/// `Header_Check` so a footer belongs to its header.
pub fn footer_check(header_check: u32, footer: &[u8]) -> u32 {
    seeded_digest(footer, u64::from(header_check)) as u32
}

/// Appends `value` as a varint whose bytes are in reverse order, so a
/// reader at the end of a frame reads its least significant group first.
pub fn put_reversed_varint(out: &mut Vec<u8>, value: u64) {
    let start = out.len();
    varint::put(out, value);
    out[start..].reverse();
}

/// Reads a reversed varint that ends at `end` in `bytes`; returns the value
/// and where its first byte is. `None` when it is malformed or runs past
/// the start.
pub fn get_reversed_varint(bytes: &[u8], end: usize) -> Option<(u64, usize)> {
    let mut forward = Vec::with_capacity(10);
    let mut at = end;
    loop {
        if at == 0 || forward.len() == 10 {
            return None;
        }
        at -= 1;
        let byte = bytes[at];
        forward.push(byte);
        if byte & 0x80 == 0 {
            break;
        }
    }
    let mut pos = 0;
    let value = varint::get(&forward, &mut pos).ok()?;
    Some((value, at))
}

/// A frame footer read from the end of a frame, before the frame's header
/// is known: its fields parsed, its check not yet verified (that needs the
/// header's check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Footer {
    /// How many bytes the footer takes, `Footer_Size` included.
    pub len: usize,
    /// `Header_Size`.
    pub header_len: u64,
    /// Each block's token and raw length (when it has one), in order.
    pub blocks: Vec<(Token, Option<u64>)>,
    /// The bytes `Footer_Check` covers.
    pub checked: Vec<u8>,
    /// `Footer_Check`.
    pub check: u32,
}

impl Footer {
    /// Parses the footer that ends at the end of `tail` (the last bytes of a
    /// frame). `None` when those bytes do not hold a well-formed footer, or
    /// when `tail` is too short to hold all of it.
    pub fn parse_tail(tail: &[u8]) -> Option<Footer> {
        let (size, size_start) = get_reversed_varint(tail, tail.len())?;
        let size = usize::try_from(size).ok()?;
        let start = size_start.checked_sub(size)?;
        let body = &tail[start..size_start];
        let (checked, check) = body.split_at(body.len().checked_sub(4)?);
        if checked.first() != Some(&0) {
            return None;
        }
        let mut pos = 1;
        let header_len = varint::get(checked, &mut pos).ok()?;
        let mut blocks = Vec::new();
        while pos < checked.len() {
            let token = Token::from_value(varint::get(checked, &mut pos).ok()?);
            if token.payload_len == 0 {
                return None;
            }
            let raw_len = match token.has_raw_len() {
                true => Some(varint::get(checked, &mut pos).ok()?),
                false => None,
            };
            blocks.push((token, raw_len));
        }
        Some(Footer {
            len: tail.len() - start,
            header_len,
            blocks,
            checked: checked.to_vec(),
            check: u32::from_le_bytes(check.try_into().ok()?),
        })
    }

    /// Whether `Footer_Check` holds for a frame whose header check is
    /// `header_check`.
    pub fn check_matches(&self, header_check: u32) -> bool {
        footer_check(header_check, &self.checked) == self.check
    }
}
