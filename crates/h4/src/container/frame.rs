//! Encoding and parsing of the three fixed parts of a frame: header, block
//! header and trailer. Pure byte work; no I/O.

use super::checksum::{self, check32, payload_check};
use super::{EngineId, EngineKind, FormatError};
use super::{FORMAT_VERSION, MAGIC, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};

/// The bytes of a frame header before the engine name.
pub(crate) const HEADER_FIXED_LEN: usize = 11;

/// The length of a block header.
pub const BLOCK_HEADER_LEN: usize = 16;

/// The length of a trailer, end marker included.
pub const TRAILER_LEN: usize = 32;

/// The start of a frame: which engine made it and how big its blocks are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// The size of every block but the last, in bytes.
    pub block_size: u32,
    /// The engine that made the blocks.
    pub engine: EngineId,
}

impl FrameHeader {
    /// The header's bytes.
    ///
    /// # Panics
    /// If the block size or engine name is out of range; callers validate
    /// user input before building a header.
    pub fn encode(&self) -> Vec<u8> {
        assert!((MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&self.block_size));
        assert!(EngineId::is_valid_name(self.engine.name.as_bytes()));
        let mut out = Vec::with_capacity(HEADER_FIXED_LEN + self.engine.name.len() + 4);
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.block_size.to_le_bytes());
        out.push(self.engine.kind.to_byte());
        out.push(self.engine.name.len() as u8);
        out.extend_from_slice(self.engine.name.as_bytes());
        let check = check32(&out);
        out.extend_from_slice(&check.to_le_bytes());
        out
    }

    /// Checks the fixed part of a header (magic to name length) and returns
    /// how many more bytes (name and check) follow.
    pub(crate) fn rest_len(fixed: &[u8; HEADER_FIXED_LEN]) -> Result<usize, FormatError> {
        if fixed[..4] != MAGIC {
            return Err(FormatError::NotH4 {
                other: sniff_foreign(fixed),
            });
        }
        if fixed[4] != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion(fixed[4]));
        }
        Ok(usize::from(fixed[10]) + 4)
    }

    /// Parses a whole header: the fixed part and the rest that
    /// [`rest_len`](Self::rest_len) asked for.
    pub(crate) fn parse(fixed: &[u8; HEADER_FIXED_LEN], rest: &[u8]) -> Result<Self, FormatError> {
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
        Ok(FrameHeader {
            block_size,
            engine: EngineId { kind, name },
        })
    }
}

/// The fixed fields in front of each block's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
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

impl BlockHeader {
    /// Whether the payload is the raw bytes themselves.
    pub fn is_stored(&self) -> bool {
        self.payload_len == self.raw_len
    }

    /// Parses the 12 bytes that follow a non-zero raw length.
    pub(crate) fn parse(raw_len: u32, rest: &[u8; BLOCK_HEADER_LEN - 4]) -> Self {
        BlockHeader {
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
    let mut header = BlockHeader {
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

/// Names a well-known compressed format that `start` begins like, so a user
/// who gives h4 the wrong file hears what it is.
pub fn sniff_foreign(start: &[u8]) -> Option<&'static str> {
    const KNOWN: &[(&[u8], &str)] = &[
        (&[0x1f, 0x8b], "gzip"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz"),
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (b"BZh", "bzip2"),
        (b"PK\x03\x04", "zip"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| start.starts_with(magic))
        .map(|&(_, name)| name)
}

pub(crate) fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap())
}
