//! Engines: the interchangeable block compressors behind one interface.
//!
//! An engine turns one block of bytes into a payload and back. It is
//! stateless between calls, deterministic (same input, same bytes) and
//! lossless. The container and the pipeline never look inside a payload;
//! they only call this trait, so the built-in [`Reference`] engine and an
//! external core are used the same way.

pub mod core;
pub mod reference;

use std::fmt;
use std::ops::RangeInclusive;

use crate::container::EngineId;
pub use reference::Reference;

/// Why an engine could not produce or decode a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The payload is not valid for this engine.
    Corrupt(&'static str),
    /// Decoding would produce more than the caller's limit.
    TooLarge {
        /// The caller's limit in bytes.
        limit: usize,
    },
    /// The engine itself failed (an external core reporting an error, say).
    Failed(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Corrupt(why) => write!(f, "corrupt payload: {why}"),
            EngineError::TooLarge { limit } => {
                write!(f, "payload decodes to more than {limit} bytes")
            }
            EngineError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for EngineError {}

/// What [`Engine::compress_block`] made of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coded {
    /// `out` holds a payload smaller than the block.
    Payload,
    /// The block does not shrink: store it raw.
    Stored,
}

/// How a decompressed block compares with the bytes it should equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Identical.
    Equal,
    /// Same length; the first differing byte is at this offset.
    DiffersAt(usize),
    /// A different length (this one).
    Length(usize),
}

impl Comparison {
    /// Compares `got` with `expected`.
    pub fn of(expected: &[u8], got: &[u8]) -> Self {
        if got.len() != expected.len() {
            Comparison::Length(got.len())
        } else if got == expected {
            // memcmp: the common case, several times faster than finding
            // the first difference byte by byte.
            Comparison::Equal
        } else {
            match got.iter().zip(expected).position(|(a, b)| a != b) {
                Some(at) => Comparison::DiffersAt(at),
                None => Comparison::Equal,
            }
        }
    }
}

impl Coded {
    /// A payload of `payload_len` bytes is kept only if it is smaller than
    /// the `block_len` bytes it codes.
    pub fn judge(payload_len: usize, block_len: usize) -> Coded {
        if payload_len < block_len {
            Coded::Payload
        } else {
            Coded::Stored
        }
    }
}

/// A block compressor.
///
/// Implementations must be deterministic and lossless:
/// `decompress(compress(x)) == x` for every `x`, and `compress(x)` gives the
/// same bytes on every call, thread and machine. Both methods replace the
/// contents of `out`, so callers can reuse one buffer for many blocks.
pub trait Engine: Send + Sync {
    /// Who this engine is, as recorded in the frames it makes.
    fn id(&self) -> &EngineId;

    /// The block size this engine works best with, used when the user
    /// names none. `None`: the container's default.
    fn preferred_block_size(&self) -> Option<u32> {
        None
    }

    /// The compression levels this engine has, lowest (fastest) to
    /// highest (smallest output); `None`: it has none. A level is never
    /// needed to decompress.
    fn levels(&self) -> Option<RangeInclusive<i32>> {
        None
    }

    /// The level this engine compresses at, when one was set or it has a
    /// default it can name.
    fn level(&self) -> Option<i32> {
        None
    }

    /// Compresses `input` into `out` (cleared first).
    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), EngineError>;

    /// Decompresses `payload` into `out` (cleared first), refusing to
    /// produce more than `limit` bytes.
    fn decompress(
        &self,
        payload: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EngineError>;

    /// Decompresses `payload` straight into `out`, whose length is the
    /// exact size the payload must decode to, and returns how many bytes
    /// it wrote. `None`: this engine has no such path (the caller uses
    /// [`decompress`](Self::decompress)); a core has one when it exports
    /// `h4_decompress_into_v1` (docs/ABI.md), which spares the core's
    /// allocation, the copy out of it and the free.
    fn decompress_into(
        &self,
        payload: &[u8],
        out: &mut [u8],
    ) -> Option<Result<usize, EngineError>> {
        let _ = (payload, out);
        None
    }

    /// Compresses one container block: like [`compress`](Self::compress),
    /// but says whether the payload is worth keeping. [`Coded::Stored`]
    /// means the block is better stored raw; `out` is then unspecified. An
    /// engine that can tell early that a block will not shrink overrides
    /// this to skip the work.
    fn compress_block(&self, input: &[u8], out: &mut Vec<u8>) -> Result<Coded, EngineError> {
        self.compress(input, out)?;
        Ok(Coded::judge(out.len(), input.len()))
    }

    /// Decompresses `payload` and compares the result with `expected`
    /// (the compress-time round-trip check). Engines that can compare
    /// without copying the output override this.
    fn decompress_and_compare(
        &self,
        payload: &[u8],
        expected: &[u8],
    ) -> Result<Comparison, EngineError> {
        let mut back = Vec::new();
        self.decompress(payload, expected.len(), &mut back)?;
        Ok(Comparison::of(expected, &back))
    }

    /// Convenience: compresses into a new vector.
    fn compress_vec(&self, input: &[u8]) -> Result<Vec<u8>, EngineError> {
        let mut out = Vec::new();
        self.compress(input, &mut out)?;
        Ok(out)
    }

    /// Convenience: decompresses into a new vector.
    fn decompress_vec(&self, payload: &[u8], limit: usize) -> Result<Vec<u8>, EngineError> {
        let mut out = Vec::new();
        self.decompress(payload, limit, &mut out)?;
        Ok(out)
    }
}
