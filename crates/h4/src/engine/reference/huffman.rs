//! Canonical Huffman codes, limited to [`MAX_BITS`] bits.
//!
//! Code lengths come from the symbol counts by one exact procedure (so
//! that another implementation finds the same lengths), codes from the
//! lengths as in Deflate, and a table describes the lengths:
//!
//! ```text
//! count:varint  lengths: ceil(count / 2) bytes, two 4-bit lengths a byte
//!               (symbol 2i in the low nibble, 2i + 1 in the high one)
//! ```
//!
//! Symbols from `count` on have no code. A decoder accepts a table only if
//! its code is complete (the lengths fill the code space exactly) or it has
//! exactly one symbol, of length 1; every bit string then decodes.

use super::EngineError;
use super::bits::BitReader;
use crate::varint;

/// The longest code, so one 2^11-entry table lookup decodes any symbol.
pub const MAX_BITS: u32 = 11;
const TABLE_SIZE: usize = 1 << MAX_BITS;

/// Code lengths (0 = unused) for symbols with counts `freq`, at most
/// [`MAX_BITS`] long. Every symbol with a nonzero count gets a code.
///
/// One used symbol gets length 1. Otherwise lengths are the depths of a
/// Huffman tree built with two queues: the leaves sorted by (count,
/// symbol), and the merged nodes in the order they were made; each step
/// merges the two lightest heads, taking the leaf when a leaf and a merged
/// node weigh the same. If the longest code exceeds `MAX_BITS`, every count
/// becomes `(count + 1) / 2` (rounded down) and the tree is built again.
pub fn code_lengths(freq: &[u32], lens: &mut Vec<u8>) {
    assert!(freq.len() <= MAX_SYMBOLS, "alphabet too large");
    lens.clear();
    lens.resize(freq.len(), 0);
    // The used symbols' counts, each with its symbol in the low bits: one
    // integer sorts as (count, symbol), and nothing is allocated (the
    // sample trials build several codes a window).
    let mut keys = [0u64; MAX_SYMBOLS];
    let mut used = 0;
    for (s, &f) in freq.iter().enumerate() {
        if f > 0 {
            keys[used] = u64::from(f) << SYMBOL_BITS | s as u64;
            used += 1;
        }
    }
    let keys = &mut keys[..used];
    match used {
        0 => return,
        1 => {
            lens[(keys[0] & SYMBOL_MASK) as usize] = 1;
            return;
        }
        _ => {}
    }
    loop {
        let max = tree_depths(keys, lens);
        if max <= MAX_BITS {
            return;
        }
        for key in keys.iter_mut() {
            let count = (*key >> SYMBOL_BITS).div_ceil(2);
            *key = count << SYMBOL_BITS | (*key & SYMBOL_MASK);
        }
    }
}

/// The largest alphabet a code is built for (the literals').
const MAX_SYMBOLS: usize = 256;
/// Bits of a sort key that hold the symbol, below its count.
const SYMBOL_BITS: u32 = 16;
const SYMBOL_MASK: u64 = (1 << SYMBOL_BITS) - 1;

/// The two-queue Huffman construction over the used symbols' `keys` (at
/// least two: count and symbol, see [`code_lengths`]), which it sorts;
/// writes each symbol's depth into `lens` and returns the largest.
fn tree_depths(keys: &mut [u64], lens: &mut [u8]) -> u32 {
    keys.sort_unstable();
    let n = keys.len();
    // Nodes 0..n are the leaves in sorted order, n.. the merged ones.
    let mut weight = [0u64; 2 * MAX_SYMBOLS - 1];
    let mut parent = [0u16; 2 * MAX_SYMBOLS - 1];
    for (w, &key) in weight.iter_mut().zip(keys.iter()) {
        *w = key >> SYMBOL_BITS;
    }
    let (mut next_leaf, mut next_node, mut made) = (0, n, n);
    for _ in 0..n - 1 {
        let mut pick = || {
            let take_leaf =
                next_leaf < n && (next_node >= made || weight[next_leaf] <= weight[next_node]);
            if take_leaf {
                next_leaf += 1;
                next_leaf - 1
            } else {
                next_node += 1;
                next_node - 1
            }
        };
        let (a, b) = (pick(), pick());
        weight[made] = weight[a] + weight[b];
        parent[a] = made as u16;
        parent[b] = made as u16;
        made += 1;
    }
    // Merged nodes are made after their children, so walking down from
    // the root gives each node its depth from its parent's.
    let root = 2 * n - 2;
    let mut depth = [0u8; 2 * MAX_SYMBOLS - 1];
    for node in (0..root).rev() {
        depth[node] = depth[usize::from(parent[node])] + 1;
    }
    let mut max = 0;
    for (&d, &key) in depth.iter().zip(keys.iter()) {
        lens[(key & SYMBOL_MASK) as usize] = d;
        max = max.max(u32::from(d));
    }
    max
}

/// The canonical codes for `lens`, bit-reversed so that writing them least
/// significant bit first puts the code's first bit first.
pub fn codes(lens: &[u8]) -> Vec<u16> {
    let mut count = [0u16; MAX_BITS as usize + 1];
    for &l in lens {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; MAX_BITS as usize + 2];
    let mut code = 0u16;
    for bits in 1..=MAX_BITS as usize {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

/// Appends the table describing `lens` (at least one nonzero).
pub fn write_table(lens: &[u8], out: &mut Vec<u8>) {
    let count = lens.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    varint::put(out, count as u64);
    for pair in lens[..count].chunks(2) {
        out.push(pair[0] | pair.get(1).map_or(0, |&h| h << 4));
    }
}

/// Reads a table for an alphabet of `alphabet` symbols at `*pos`.
pub fn read_table(body: &[u8], pos: &mut usize, alphabet: usize) -> Result<Vec<u8>, EngineError> {
    let count = varint::get(body, pos).map_err(EngineError::Corrupt)?;
    if count == 0 || count > alphabet as u64 {
        return Err(EngineError::Corrupt("bad Huffman table"));
    }
    let count = count as usize;
    let bytes = body
        .get(*pos..*pos + count.div_ceil(2))
        .ok_or(EngineError::Corrupt("Huffman table runs past the end"))?;
    *pos += bytes.len();
    let mut lens = vec![0u8; alphabet];
    for (s, len) in lens[..count].iter_mut().enumerate() {
        *len = (bytes[s / 2] >> (4 * (s % 2))) & 15;
    }
    Ok(lens)
}

/// A decoding table: entry `i` holds the symbol whose code is a prefix of
/// the next [`MAX_BITS`] bits `i` and the code's length, as
/// `symbol << 8 | length` (every alphabet has at most 256 symbols). The
/// length in the low byte lets a decoder shift by the entry itself: a
/// 64-bit shift counts modulo 64, and the length's byte is below 64.
pub struct Decoder {
    table: Box<[u16; TABLE_SIZE]>,
}

impl Decoder {
    /// The decoder for `lens`, or an error if they are not a complete code
    /// (or a single code of length 1).
    pub fn new(lens: &[u8]) -> Result<Self, EngineError> {
        let bad = EngineError::Corrupt("bad Huffman table");
        debug_assert!(lens.len() <= MAX_SYMBOLS, "a symbol needs more than a byte");
        let mut table = Box::new([0u16; TABLE_SIZE]);
        let used: Vec<usize> = (0..lens.len()).filter(|&s| lens[s] != 0).collect();
        if lens.iter().any(|&l| u32::from(l) > MAX_BITS) {
            return Err(bad);
        }
        if let [only] = used[..] {
            if lens[only] != 1 {
                return Err(bad);
            }
            // Both one-bit strings decode to the one symbol.
            table.fill(((only as u16) << 8) | 1);
            return Ok(Decoder { table });
        }
        let space: u32 = used
            .iter()
            .map(|&s| 1u32 << (MAX_BITS - u32::from(lens[s])))
            .sum();
        if space != TABLE_SIZE as u32 {
            return Err(bad);
        }
        for (s, (&len, &code)) in lens.iter().zip(&codes(lens)).enumerate() {
            if len == 0 {
                continue;
            }
            let entry = ((s as u16) << 8) | u16::from(len);
            let mut i = usize::from(code);
            while i < TABLE_SIZE {
                table[i] = entry;
                i += 1 << len;
            }
        }
        Ok(Decoder { table })
    }

    /// The entry for the code at the low bits of `bits`: `symbol << 8 |
    /// length`.
    #[inline(always)]
    pub fn entry(&self, bits: u64) -> u16 {
        self.table[(bits as usize) & (TABLE_SIZE - 1)]
    }

    /// Decodes one symbol; the reader must hold at least [`MAX_BITS`] bits.
    #[inline(always)]
    pub fn decode(&self, reader: &mut BitReader) -> usize {
        let entry = self.table[(reader.peek() as usize) & (TABLE_SIZE - 1)];
        reader.consume(u32::from(entry & 0xff));
        usize::from(entry >> 8)
    }
}

/// Two codes in a row read with one lookup: entry `i` holds the symbols
/// of a code of `first` and of the code of `second` that follows it when
/// both lie in the next [`MAX_BITS`] bits `i`, as `first | second << 8 |
/// (their lengths summed) << 16`, else 0 (then each is read on its own).
/// Both alphabets have at most 256 symbols.
///
/// Derived from the two single tables, so it decodes exactly what two
/// reads would; it halves the chain of dependent lookups where two codes
/// are always read together (an LZ sequence's literal and match lengths),
/// which is what bounds decoding speed.
pub struct PairDecoder {
    table: Box<[u32; TABLE_SIZE]>,
}

impl PairDecoder {
    pub fn new(first: &Decoder, second: &Decoder) -> Self {
        let mut table = Box::new([0u32; TABLE_SIZE]);
        for (i, entry) in table.iter_mut().enumerate() {
            let a = first.entry(i as u64);
            let a_len = u32::from(a & 0xff);
            // The bits after the first code: only the low `MAX_BITS -
            // a_len` of them are known, enough for a code that short.
            let b = second.entry((i >> a_len) as u64);
            let b_len = u32::from(b & 0xff);
            if a_len + b_len <= MAX_BITS {
                *entry = u32::from(a >> 8) | u32::from(b >> 8) << 8 | (a_len + b_len) << 16;
            }
        }
        PairDecoder { table }
    }

    /// The two symbols, if both codes lie in the next [`MAX_BITS`] bits
    /// (the reader must hold that many), consumed.
    #[inline(always)]
    pub fn decode(&self, reader: &mut BitReader) -> Option<(usize, usize)> {
        let entry = self.table[(reader.peek() as usize) & (TABLE_SIZE - 1)];
        // A valid entry has a length of two bits at least.
        if entry == 0 {
            return None;
        }
        reader.consume(entry >> 16);
        Some(((entry & 0xff) as usize, (entry >> 8 & 0xff) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_reads_as_two_single_codes() {
        let mut lens_a = Vec::new();
        let mut lens_b = Vec::new();
        // Skewed counts (short and long codes), and one symbol alone.
        code_lengths(&[900, 300, 90, 30, 9, 3, 1, 1, 0, 40], &mut lens_a);
        for counts in [
            vec![1u32, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1],
            vec![0, 5],
        ] {
            code_lengths(&counts, &mut lens_b);
            let (a, b) = (
                Decoder::new(&lens_a).unwrap(),
                Decoder::new(&lens_b).unwrap(),
            );
            let pair = PairDecoder::new(&a, &b);
            let mut paired = 0;
            for bits in 0..1u64 << 16 {
                let bytes = (bits | bits << 16 | bits << 32).to_le_bytes();
                let (mut one, mut two) = (BitReader::new(&bytes), BitReader::new(&bytes));
                let want = (a.decode(&mut one), b.decode(&mut one));
                if let Some(got) = pair.decode(&mut two) {
                    assert_eq!(got, want, "{bits:#x}");
                    assert_eq!(two.consumed(), one.consumed());
                    paired += 1;
                } else {
                    assert_eq!(two.consumed(), 0);
                }
            }
            assert!(paired > 1 << 15, "most pairs fit: {paired}");
        }
    }

    #[test]
    fn lengths_are_a_complete_limited_code() {
        // Fibonacci counts make the deepest possible tree: unlimited it
        // would be 29 deep.
        let mut fib = vec![1u32, 1];
        while fib.len() < 30 {
            let n = fib.len();
            fib.push(fib[n - 1] + fib[n - 2]);
        }
        let mut lens = Vec::new();
        code_lengths(&fib, &mut lens);
        assert!(lens.iter().all(|&l| (1..=MAX_BITS as u8).contains(&l)));
        assert!(Decoder::new(&lens).is_ok());
        code_lengths(&[5, 0, 3, 3], &mut lens);
        assert_eq!(lens, [1, 0, 2, 2]);
        code_lengths(&[0, 7, 0], &mut lens);
        assert_eq!(lens, [0, 1, 0]);
    }

    #[test]
    fn ties_prefer_leaves_and_low_symbols() {
        // Four equal counts: a balanced tree. Counts 1,1,2: the two 1s
        // merge first; then the leaf of 2 is taken before the merged 2.
        let mut lens = Vec::new();
        code_lengths(&[4, 4, 4, 4], &mut lens);
        assert_eq!(lens, [2, 2, 2, 2]);
        code_lengths(&[2, 1, 1], &mut lens);
        assert_eq!(lens, [1, 2, 2]);
    }

    #[test]
    fn codes_are_canonical() {
        // Deflate's example: lengths 3,3,3,3,3,2,4,4.
        let lens = [3, 3, 3, 3, 3, 2, 4, 4];
        let want = [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111];
        for ((&l, &c), &w) in lens.iter().zip(&codes(&lens)).zip(&want) {
            assert_eq!(c, (w as u16).reverse_bits() >> (16 - l));
        }
    }

    #[test]
    fn rejects_bad_tables() {
        assert!(Decoder::new(&[1, 1, 1]).is_err()); // over-subscribed
        assert!(Decoder::new(&[1, 2]).is_err()); // incomplete
        assert!(Decoder::new(&[0, 2]).is_err()); // one symbol, not length 1
        assert!(Decoder::new(&[12, 1]).is_err()); // too long
        assert!(Decoder::new(&[0, 0]).is_err()); // no symbol
        let mut pos = 0;
        assert!(read_table(&[3, 0x11, 0x01], &mut pos, 2).is_err());
        assert!(read_table(&[2], &mut 0, 2).is_err());
    }
}
