//! The checksums of the container, all built on XXH3-64.
//!
//! XXH3 was chosen over CRC32C because it runs at tens of GB/s on any CPU
//! with plain SIMD (CRC32C needs the SSE4.2 or ARMv8 CRC instructions to be
//! fast), has a 64-bit output for the whole-content check, and has a
//! frozen, documented algorithm with implementations in most languages.
//! The `xxhash-rust` crate is pure Rust with no unsafe code in our build
//! path beyond its own vetted SIMD.

use xxhash_rust::xxh3::{Xxh3, xxh3_64, xxh3_64_with_seed};

/// The 64-bit digest of `bytes`.
#[inline]
pub fn digest(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// The low 32 bits of the digest of `bytes`: the check of a header.
#[inline]
pub fn check32(bytes: &[u8]) -> u32 {
    xxh3_64(bytes) as u32
}

/// The payload check of a block: the low 32 bits of the digest of the
/// payload seeded with the block's first eight header bytes (its two
/// lengths), so that the lengths are covered too.
#[inline]
pub fn payload_check(lengths: [u8; 8], payload: &[u8]) -> u32 {
    xxh3_64_with_seed(payload, u64::from_le_bytes(lengths)) as u32
}

/// Accumulates the content check of a frame: the digest of the
/// concatenated 64-bit little-endian digests of its blocks' raw bytes.
///
/// Hashing digests rather than the content itself lets each block's digest
/// be computed on the thread that handles it, in parallel.
#[derive(Clone, Default)]
pub struct ContentCheck {
    hasher: Xxh3,
}

impl ContentCheck {
    /// Adds the raw digest of the next block.
    pub fn push(&mut self, block_digest: u64) {
        self.hasher.update(&block_digest.to_le_bytes());
    }

    /// The content check of the blocks pushed so far.
    pub fn value(&self) -> u64 {
        self.hasher.digest()
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
        assert_eq!(check.value(), xxh3_64(&flat));
        assert_eq!(ContentCheck::default().value(), xxh3_64(b""));
    }
}
