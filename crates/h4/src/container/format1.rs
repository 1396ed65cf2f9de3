//! Container format 1: encoding and parsing of the three fixed parts of a
//! frame (header, block header and trailer). Pure byte work; no I/O.
//!
//! h4 writes format 2 unless asked for format 1, and reads both forever.
//!
//! ```text
//! Frame_Header  Magic_Number(4) Format_Version(1)=1 Block_Size(4)
//!               Engine_Kind(1) Engine_Name_Length(1) Engine_Name Header_Check(4)
//! Block         Raw_Length(4) Payload_Length(4) Payload_Check(4) Raw_Check(4) Payload
//! Trailer       End_Marker(4)=0 Block_Count(8) Content_Length(8)
//!               Content_Check(8) Trailer_Check(4)
//! ```
//!
//! The byte-level specification is section 1 of `docs/FORMAT.md`.

use super::checksum::{self, check32, payload_check};
use super::{EngineId, EngineKind, FormatError};
use super::{MAGIC, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};

/// The format version this module reads and writes.
pub const VERSION: u8 = 1;

/// The bytes of a frame header before the engine name.
pub(crate) const HEADER_FIXED_LEN: usize = 11;

/// The length of a block header.
pub const BLOCK_HEADER_LEN: usize = 16;

/// The length of a trailer, end marker included.
pub const TRAILER_LEN: usize = 32;

/// Encodes a `Frame_Header` of format 1.
///
/// # Panics
/// If the block size or engine name is out of range; callers validate
/// user input before building a header.
pub fn encode_header(block_size: u32, engine: &EngineId) -> Vec<u8> {
    assert!((MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&block_size));
    assert!(EngineId::is_valid_name(engine.name.as_bytes()));
    let mut out = Vec::with_capacity(HEADER_FIXED_LEN + engine.name.len() + 4);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&block_size.to_le_bytes());
    out.push(engine.kind.to_byte());
    out.push(engine.name.len() as u8);
    out.extend_from_slice(engine.name.as_bytes());
    let check = check32(&out);
    out.extend_from_slice(&check.to_le_bytes());
    out
}

/// How many bytes (name and check) follow the fixed part of a header.
pub(crate) fn header_rest_len(fixed: &[u8; HEADER_FIXED_LEN]) -> usize {
    usize::from(fixed[10]) + 4
}

/// Parses a whole header: the fixed part and the rest that
/// [`header_rest_len`] asked for; returns the block size and the engine.
pub(crate) fn parse_header(
    fixed: &[u8; HEADER_FIXED_LEN],
    rest: &[u8],
) -> Result<(u32, EngineId), FormatError> {
    let name_len = rest.len() - 4;
    let mut whole = fixed.to_vec();
    whole.extend_from_slice(&rest[..name_len]);
    if check32(&whole) != le32(&rest[name_len..]) {
        return Err(FormatError::HeaderChecksum);
    }
    let block_size = le32(&fixed[5..9]);
    if !(MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&block_size) {
        return Err(FormatError::BadHeader("block size out of range"));
    }
    let kind =
        EngineKind::from_byte(fixed[9]).ok_or(FormatError::BadHeader("unknown engine kind"))?;
    let name = &rest[..name_len];
    if !EngineId::is_valid_name(name) {
        return Err(FormatError::BadHeader("engine name is not printable ASCII"));
    }
    let name = String::from_utf8(name.to_vec()).expect("ASCII is UTF-8");
    Ok((block_size, EngineId { kind, name }))
}

/// The fixed fields in front of each block's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockFields {
    /// Bytes the block decodes to: 1 to the frame's block size.
    pub raw_len: u32,
    /// Bytes of payload that follow. Equal to `raw_len` means the payload is
    /// the raw bytes (stored); less means the engine coded it.
    pub payload_len: u32,
    /// Check of the two lengths and the payload.
    pub payload_check: u32,
    /// Low 32 bits of the digest of the raw bytes.
    pub raw_check: u32,
}

impl BlockFields {
    /// Parses the 12 bytes that follow a non-zero raw length.
    pub(crate) fn parse(raw_len: u32, rest: &[u8; BLOCK_HEADER_LEN - 4]) -> Self {
        BlockFields {
            raw_len,
            payload_len: le32(&rest[0..4]),
            payload_check: le32(&rest[4..8]),
            raw_check: le32(&rest[8..12]),
        }
    }

    /// Whether `payload` matches this header's payload check.
    pub fn payload_matches(&self, payload: &[u8]) -> bool {
        payload_check(self.lengths(), payload) == self.payload_check
    }

    /// The digest of `raw` for the frame's content check, when `raw`
    /// matches the raw check.
    pub fn raw_digest(&self, raw: &[u8]) -> Option<u64> {
        let digest = checksum::digest(raw);
        (digest as u32 == self.raw_check).then_some(digest)
    }

    fn lengths(&self) -> [u8; 8] {
        let mut l = [0; 8];
        l[..4].copy_from_slice(&self.raw_len.to_le_bytes());
        l[4..].copy_from_slice(&self.payload_len.to_le_bytes());
        l
    }
}

/// The header of the block holding `raw` as `payload`, and the 64-bit
/// digest of `raw` for the frame's content check.
///
/// `payload` is either what the engine made of `raw`, when that is smaller,
/// or `raw` itself (a stored block). Writers store a block whenever the
/// engine's output is not smaller, so no block grows by more than its
/// 16-byte header. The payload is not copied: write it after the header.
///
/// # Panics
/// If `raw` is empty or longer than `u32::MAX`, or `payload` is longer
/// than `raw`.
pub fn block_header(raw: &[u8], payload: &[u8]) -> ([u8; BLOCK_HEADER_LEN], u64) {
    let digest = checksum::digest(raw);
    (block_header_digested(raw.len(), digest, payload), digest)
}

/// [`block_header`] for a block of `raw_len` bytes whose digest
/// ([`checksum::digest`]) was taken already: the pipeline takes it before
/// a core sees the block.
pub fn block_header_digested(
    raw_len: usize,
    digest: u64,
    payload: &[u8],
) -> [u8; BLOCK_HEADER_LEN] {
    assert!(raw_len != 0 && raw_len <= u32::MAX as usize);
    assert!(payload.len() <= raw_len);
    let mut header = BlockFields {
        raw_len: raw_len as u32,
        payload_len: payload.len() as u32,
        payload_check: 0,
        raw_check: digest as u32,
    };
    header.payload_check = payload_check(header.lengths(), payload);
    let mut bytes = [0u8; BLOCK_HEADER_LEN];
    bytes[..8].copy_from_slice(&header.lengths());
    bytes[8..12].copy_from_slice(&header.payload_check.to_le_bytes());
    bytes[12..].copy_from_slice(&header.raw_check.to_le_bytes());
    bytes
}

/// The end of a frame: what the blocks before it add up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trailer {
    /// How many blocks the frame has.
    pub block_count: u64,
    /// How many bytes the frame decodes to.
    pub content_len: u64,
    /// The frame's content check (see [`checksum::ContentCheck`]).
    pub content_check: u64,
}

impl Trailer {
    /// The trailer's bytes, end marker first.
    pub fn encode(&self) -> [u8; TRAILER_LEN] {
        let mut out = [0u8; TRAILER_LEN];
        out[4..12].copy_from_slice(&self.block_count.to_le_bytes());
        out[12..20].copy_from_slice(&self.content_len.to_le_bytes());
        out[20..28].copy_from_slice(&self.content_check.to_le_bytes());
        let check = check32(&out[..28]);
        out[28..].copy_from_slice(&check.to_le_bytes());
        out
    }

    /// Parses a trailer (end marker included) and checks its checksum.
    pub(crate) fn parse(bytes: &[u8; TRAILER_LEN]) -> Result<Self, FormatError> {
        if check32(&bytes[..28]) != le32(&bytes[28..]) {
            return Err(FormatError::TrailerChecksum);
        }
        Ok(Trailer {
            block_count: le64(&bytes[4..12]),
            content_len: le64(&bytes[12..20]),
            content_check: le64(&bytes[20..28]),
        })
    }
}

pub(crate) fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap())
}
