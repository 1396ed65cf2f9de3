//! Bit streams for the entropy-coded modes: least significant bit first.
//!
//! A value of `k` bits is stored with its bit 0 first; bits fill each byte
//! from its bit 0 up, and the last byte is padded with zeros. This is the
//! order in which a little-endian 64-bit load sees them, so the reader can
//! refill its buffer with one unaligned load instead of a loop over bytes.

/// Appends bits to a byte vector.
pub struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    len: u32,
}

impl<'a> BitWriter<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter {
            out,
            acc: 0,
            len: 0,
        }
    }

    /// Writes the low `bits` bits of `value` (`bits` at most 56; the other
    /// bits of `value` must be zero).
    ///
    /// Fewer than 8 bits are pending between calls: the buffer is stored
    /// whole (eight bytes) and the vector cut back to the whole bytes
    /// filled, so a write is the same few instructions whatever its size,
    /// with no branch on how full the buffer is.
    #[inline(always)]
    pub fn put(&mut self, value: u64, bits: u32) {
        debug_assert!(bits <= 56 && value >> bits == 0 && self.len < 8);
        self.acc |= value << self.len;
        self.len += bits;
        self.out.extend_from_slice(&self.acc.to_le_bytes());
        let whole = self.len / 8;
        let keep = self.out.len() - 8 + whole as usize;
        self.out.truncate(keep);
        // At most 63 bits were pending, so `whole` is at most 7.
        self.acc >>= 8 * whole;
        self.len -= 8 * whole;
    }

    /// Runs `f` with a [`FastWriter`] that continues this stream, for long
    /// runs of writes (at most `max_bits` in all): its buffer and fill live
    /// in registers (not behind `&mut self`), and the bytes go into room
    /// made once, with no capacity check a write.
    #[inline(always)]
    pub fn fast<R>(&mut self, max_bits: usize, f: impl FnOnce(&mut FastWriter) -> R) -> R {
        let start = self.out.len();
        let room = max_bits / 8 + 16;
        self.out.resize(start + room, 0);
        let mut fw = FastWriter {
            rest: &mut self.out[start..],
            acc: self.acc,
            len: self.len,
        };
        let result = f(&mut fw);
        let (pos, acc, len) = (room - fw.rest.len(), fw.acc, fw.len);
        self.out.truncate(start + pos);
        self.acc = acc;
        self.len = len;
        result
    }

    /// Writes the first `bits` bits of `bytes` (a stream of this order).
    pub fn append(&mut self, bytes: &[u8], bits: u64) {
        let whole = (bits / 56) as usize;
        self.fast(bits as usize, |w| {
            for chunk in bytes.chunks_exact(7).take(whole) {
                let mut word = [0u8; 8];
                word[..7].copy_from_slice(chunk);
                w.put(u64::from_le_bytes(word), 56);
            }
            let rest = (bits % 56) as u32;
            if rest > 0 {
                let mut word = [0u8; 8];
                let tail = &bytes[7 * whole..];
                let tail = &tail[..tail.len().min(8)];
                word[..tail.len()].copy_from_slice(tail);
                w.put(u64::from_le_bytes(word) & ((1u64 << rest) - 1), rest);
            }
        });
    }

    /// Writes the pending bits, the last byte padded with zeros.
    pub fn finish(self) {
        let bytes = self.len.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
    }
}

/// A [`BitWriter`] lent for a run of writes: see [`BitWriter::fast`].
pub struct FastWriter<'b> {
    /// The room from the byte being filled on: a slice that moves on
    /// rather than a slice and a position, one register fewer where two
    /// writers share a loop.
    rest: &'b mut [u8],
    acc: u64,
    len: u32,
}

impl FastWriter<'_> {
    /// Writes the low `bits` bits of `value` (`bits` at most 56; the other
    /// bits of `value` must be zero), as [`BitWriter::put`].
    #[inline(always)]
    pub fn put(&mut self, value: u64, bits: u32) {
        debug_assert!(bits <= 56 && value >> bits == 0 && self.len < 8);
        self.acc |= value << self.len;
        self.len += bits;
        let rest = std::mem::take(&mut self.rest);
        rest[..8].copy_from_slice(&self.acc.to_le_bytes());
        let whole = self.len / 8;
        self.rest = &mut rest[whole as usize..];
        self.acc >>= 8 * whole;
        self.len -= 8 * whole;
    }
}

/// The fewest bits [`BitReader::refill`] leaves in the buffer: what may be
/// read after one refill without checking [`BitReader::available`].
pub const REFILLED: u32 = 56;

/// Reads bits from a byte slice.
///
/// Past the end of the slice it reads zeros, so the hot loops need no
/// bounds checks of their own; [`BitReader::finish`] then rejects a stream
/// that was read past its end (or not to its last byte).
///
/// A hot loop works on a copy of the reader in a local variable and writes
/// it back after: the state then stays in registers instead of being
/// stored through the reference at every step.
#[derive(Clone, Copy)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The next byte to load into `acc`; may run past `data.len()`.
    pos: usize,
    acc: u64,
    /// Valid bits in `acc`.
    len: u32,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self::starting_at(data, 0)
    }

    /// A reader at bit `bit` of `data` (which may be past its end: the
    /// reader then reads zeros, and [`finish`](Self::finish) fails).
    pub fn starting_at(data: &'a [u8], bit: usize) -> Self {
        let pos = bit / 8;
        let mut reader = BitReader {
            data,
            pos,
            acc: 0,
            len: 0,
        };
        reader.refill();
        reader.consume((bit % 8) as u32);
        reader
    }

    /// Tops the buffer up to at least [`REFILLED`] bits (up to 64).
    #[inline(always)]
    pub fn refill(&mut self) {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let word = u64::from_le_bytes(chunk.try_into().unwrap());
            self.acc |= word << self.len;
            self.pos += ((63 - self.len) >> 3) as usize;
            self.len |= REFILLED;
        } else {
            self.refill_slow();
        }
    }

    #[cold]
    fn refill_slow(&mut self) {
        while self.len <= REFILLED {
            let byte = self.data.get(self.pos).copied().unwrap_or(0);
            self.acc |= u64::from(byte) << self.len;
            self.pos += 1;
            self.len += 8;
        }
    }

    /// Bits in the buffer.
    #[inline(always)]
    pub fn available(&self) -> u32 {
        self.len
    }

    /// The next 64 bits of the buffer, of which [`available`](Self::available)
    /// are valid.
    #[inline(always)]
    pub fn peek(&self) -> u64 {
        self.acc
    }

    /// Drops `bits` bits (at most [`available`](Self::available)).
    #[inline(always)]
    pub fn consume(&mut self, bits: u32) {
        debug_assert!(bits <= self.len);
        self.acc >>= bits;
        self.len -= bits;
    }

    /// Reads `bits` bits (at most 32), refilling first when needed.
    #[inline(always)]
    pub fn get(&mut self, bits: u32) -> u32 {
        if self.len < bits {
            self.refill();
        }
        let value = (self.acc & ((1u64 << bits) - 1)) as u32;
        self.consume(bits);
        value
    }

    /// Whether the reader has gone more than 64 bits past the end: the
    /// stream is then certainly invalid, and a decoder can stop early
    /// instead of decoding zeros to the end of a long output.
    #[inline]
    pub fn overrun(&self) -> bool {
        self.pos > self.data.len() + 8
    }

    /// Bits read so far.
    pub fn consumed(&self) -> u64 {
        self.pos as u64 * 8 - u64::from(self.len)
    }

    /// Whether the stream ended in its last byte: read no further than the
    /// end, and into the last byte (trailing bits of that byte are padding).
    pub fn finish(&self) -> bool {
        self.consumed().div_ceil(8) == self.data.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_order_is_lsb_first() {
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        w.put(1, 1);
        w.put(0b10, 2);
        w.put(0x1ff, 9);
        w.finish();
        // bits: 1, 0 1, then nine ones: 1 + (2 << 1) + (0x1ff << 3)
        assert_eq!(out, (1u32 + (2 << 1) + (0x1ff << 3)).to_le_bytes()[..2]);
        let mut r = BitReader::new(&out);
        assert_eq!(r.get(1), 1);
        assert_eq!(r.get(2), 2);
        assert_eq!(r.get(9), 0x1ff);
        assert!(r.finish());
        assert_eq!(r.get(8), 0);
        assert!(!r.finish());
    }

    #[test]
    fn long_streams_round_trip() {
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        let values: Vec<(u64, u32)> = (0..5000u64)
            .map(|i| {
                let bits = (i * 7 % 33) as u32;
                ((i * 0x9e37_79b9) & ((1u64 << bits) - 1), bits)
            })
            .collect();
        for &(v, b) in &values {
            w.put(v, b);
        }
        w.finish();
        let mut r = BitReader::new(&out);
        for &(v, b) in &values {
            assert_eq!(u64::from(r.get(b)), v);
        }
        assert!(r.finish());
    }
}
