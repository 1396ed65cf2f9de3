//! The checksums of the container, all built on XXH3-64.
//!
//! XXH3 was chosen over CRC32C because it runs at tens of GB/s on any CPU
//! with plain SIMD (CRC32C needs the SSE4.2 or ARMv8 CRC instructions to be
//! fast), has a 64-bit output for the whole-content check, and has a
//! frozen, documented algorithm with implementations in most languages.
//! The `twox-hash` crate picks its AVX2 code at run time where the CPU has
//! it (about twice its SSE2 speed: every block is hashed twice, raw and
//! coded, on the way in and on the way out); the container's code calls
//! XXH3 only through this module.

use std::hash::Hasher;

use twox_hash::XxHash3_64;

/// The 64-bit digest of `bytes`.
#[inline]
pub fn digest(bytes: &[u8]) -> u64 {
    XxHash3_64::oneshot(bytes)
}

/// The 64-bit digest of `bytes` under `seed`.
#[inline]
pub fn seeded_digest(bytes: &[u8], seed: u64) -> u64 {
    XxHash3_64::oneshot_with_seed(seed, bytes)
}

/// The low 32 bits of the digest of `bytes`: the check of a header.
#[inline]
pub fn check32(bytes: &[u8]) -> u32 {
    digest(bytes) as u32
}

/// The payload check of a block: the low 32 bits of the digest of the
/// payload seeded with the block's first eight header bytes (its two
/// lengths), so that the lengths are covered too.
#[inline]
pub fn payload_check(lengths: [u8; 8], payload: &[u8]) -> u32 {
    seeded_digest(payload, u64::from_le_bytes(lengths)) as u32
}

/// Accumulates the content check of a frame: the digest of the
/// concatenated 64-bit little-endian digests of its blocks' raw bytes.
///
/// Hashing digests rather than the content itself lets each block's digest
/// be computed on the thread that handles it, in parallel.
#[derive(Clone)]
pub struct ContentCheck {
    hasher: XxHash3_64,
}

impl Default for ContentCheck {
    fn default() -> Self {
        ContentCheck {
            hasher: XxHash3_64::new(),
        }
    }
}

impl ContentCheck {
    /// Adds the raw digest of the next block.
    pub fn push(&mut self, block_digest: u64) {
        self.hasher.write(&block_digest.to_le_bytes());
    }

    /// The content check of the blocks pushed so far.
    pub fn value(&self) -> u64 {
        self.hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_check_is_digest_of_concatenated_digests() {
        let mut check = ContentCheck::default();
        check.push(1);
        check.push(u64::MAX);
        let mut flat = 1u64.to_le_bytes().to_vec();
        flat.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(check.value(), digest(&flat));
        assert_eq!(ContentCheck::default().value(), digest(b""));
    }
}
