//! LZ matching with Huffman coding: the body of the general-data modes.
//!
//! The encoder cuts the block into sequences, each some literal bytes
//! followed by a copy of earlier output (a match), like LZ4 and zstd; the
//! literals are Huffman coded in four streams, and the sequences' lengths
//! and offsets as Huffman-coded bucket numbers plus raw extra bits:
//!
//! ```text
//! literal count N:varint  sequence count S:varint
//! [literals, if N > 0]
//!     0x00  N raw bytes
//!   | 0x01  table(256)  len0 len1 len2 len3:varint  stream0 .. stream3
//! [sequences, if S > 0]
//!     table(44: literal lengths)  table(44: match lengths)
//!     table(33: offsets)          bit stream, to the end of the body
//! ```
//!
//! Stream `i` holds literals `i*q .. min((i+1)*q, N)`, `q = ceil(N / 4)`:
//! four independent streams let the decoder work on four symbols at once.
//! Per sequence, the bit stream holds the literal-length, match-length and
//! offset codes, then their extra bits in the same order. A length `v`
//! (match lengths less [`MIN_MATCH`]) is code `v` for `v < 16`, else code
//! `12 + k` with `k = floor(log2 v)` and the `k` bits of `v - 2^k`. Offset
//! code 0 repeats the previous sequence's offset; an offset `o` is code
//! `1 + floor(log2 o)` and that many bits of `o - 2^floor(log2 o)`.

use super::EngineError;
use super::bits::{BitReader, BitWriter};
use super::huffman::{self, Decoder, PairDecoder};
use super::wide::{Kernel, widest};
use crate::varint;

/// The shortest match.
pub const MIN_MATCH: usize = 4;
/// Literal- and match-length codes.
const LEN_CODES: usize = 44;
/// Offset codes.
const OFF_CODES: usize = 33;
/// The multiplier of the match finder's hash.
const HASH_PRIME: u64 = 0x9e37_79b1_85eb_ca87;
/// Literals in one Huffman stream at most: `ceil(N / STREAMS)`.
const STREAMS: usize = 4;

/// How hard the match finder looks: see `docs/FORMAT.md`.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// The hash table has `2^hash_bits` entries.
    pub hash_bits: u32,
    /// The table is indexed by a hash of this many bytes (4 to 8).
    pub hash_len: u32,
    /// After `m` positions without a match the finder steps
    /// `1 + (m >> skip)` bytes: fast over data that does not match.
    pub skip: u32,
    /// Whether the finder looks at all: without it every byte is a
    /// literal, for data (noise, fine-grained deltas) whose short matches
    /// cost more bits than the literals they replace.
    pub find_matches: bool,
}

/// One literal run and the match after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq {
    lits: u32,
    len: u32,
    offset: u32,
}

/// The encoder's working memory, kept per thread between blocks.
#[derive(Default)]
pub struct Scratch {
    table: Vec<u32>,
    seqs: Vec<Seq>,
    /// The literal-length, match-length and offset codes of each sequence.
    codes: Vec<[u8; 3]>,
    /// The literals, in the first `lit_count` bytes; grown as they are
    /// written (never cleared, so data that has few literals touches
    /// little memory), with [`LIT_COPY`] bytes of room past every run
    /// for the wide copies of short runs.
    lits: Vec<u8>,
    lit_count: usize,
    /// Where the bytes after the last match start, until
    /// [`finish_literals`] appends them to the literals.
    tail: usize,
}

/// Literal runs up to this long are copied as this many bytes at once.
const LIT_COPY: usize = 16;

#[cfg(test)]
impl Scratch {
    /// The literals [`parse`] found.
    fn literals(&self) -> &[u8] {
        &self.lits[..self.lit_count]
    }
}

/// Makes `lits` at least `len` bytes long, doubling it at least (so
/// the zeroing is paid once a byte).
#[inline(always)]
fn room(lits: &mut Vec<u8>, len: usize) {
    #[cold]
    fn grow(lits: &mut Vec<u8>, len: usize) {
        let doubled = len.max(2 * lits.len()).max(4096);
        // Within the room reserved, if it is enough: doubling past it
        // would move the literals after all.
        let capacity = lits.capacity();
        lits.resize(
            if len <= capacity {
                doubled.min(capacity)
            } else {
                doubled
            },
            0,
        );
    }
    if len > lits.len() {
        grow(lits, len);
    }
}

/// Copies `x[from..to]` into `lits` at `at`, which has [`LIT_COPY`]
/// bytes of room past the run. A short run (most are) is copied as
/// [`LIT_COPY`] bytes in one move, where a copy of its exact length would
/// be a call to `memcpy`; the bytes past the run are overwritten by the
/// next run, or ignored.
#[inline(always)]
fn copy_run(x: &[u8], from: usize, to: usize, lits: &mut [u8], at: usize) {
    let len = to - from;
    if len <= LIT_COPY && from + LIT_COPY <= x.len() {
        lits[at..at + LIT_COPY].copy_from_slice(&x[from..from + LIT_COPY]);
    } else {
        lits[at..at + len].copy_from_slice(&x[from..to]);
    }
}

#[inline(always)]
fn read_u32(x: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(x[at..at + 4].try_into().unwrap())
}

#[inline(always)]
fn read_u64(x: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(x[at..at + 8].try_into().unwrap())
}

/// How many bytes from `b` on equal those from `a` on (`a < b`), up to the
/// end of `x`.
#[inline(always)]
fn common(x: &[u8], a: usize, b: usize) -> usize {
    let (older, newer) = (&x[a..], &x[b..]);
    // Words from both sides, as many as the shorter (newer) side has:
    // no bounds check a word.
    let mut i = 0;
    for (p, q) in older.chunks_exact(8).zip(newer.chunks_exact(8)) {
        let diff =
            u64::from_le_bytes(p.try_into().unwrap()) ^ u64::from_le_bytes(q.try_into().unwrap());
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + newer[i..]
        .iter()
        .zip(&older[i..])
        .take_while(|(p, q)| p == q)
        .count()
}

/// [`find_sequences`], then [`finish_literals`]: the whole parse.
#[cfg(test)]
fn parse(x: &[u8], params: Params, s: &mut Scratch) {
    find_sequences(x, params, s);
    finish_literals(x, s);
}

/// Cuts `x` into sequences (greedy, see `docs/FORMAT.md` 2.7): fills
/// `s.seqs` and the literals of every sequence; the bytes after the last
/// match start at `s.tail` and join the literals in [`finish_literals`],
/// only when a body is written.
fn find_sequences(x: &[u8], params: Params, s: &mut Scratch) {
    if let Some(specialised) = specialised_parse(params) {
        specialised(x, s);
    } else {
        parse_any(x, params, s);
    }
}

/// Generates [`specialised_parse`] for the listed (hash bits, skip)
/// pairs.
macro_rules! specialised_parses {
    ($(($bits:literal, $skip:literal)),* $(,)?) => {
        /// The parse compiled for `params`, if they are a level's (or its
        /// trials'), with its parameters as constants: the hash's and the
        /// skip's shifts then take no register, and the loop keeps its
        /// state in registers (a tenth less time than [`parse_any`]).
        pub(super) fn specialised_parse(params: Params) -> Option<fn(&[u8], &mut Scratch)> {
            match (params.hash_len, params.hash_bits, params.skip) {
                $((5, $bits, $skip) => Some(parse_fixed::<$bits, $skip>),)*
                _ => None,
            }
        }
    };
}

// Every level's (see `Level::new`), and with 12 bits for its trials.
specialised_parses!(
    (13, 4),
    (14, 5),
    (14, 6),
    (15, 6),
    (16, 6),
    (16, 7),
    (17, 8),
    (17, 10),
    (18, 12),
    (12, 4),
    (12, 5),
    (12, 6),
    (12, 7),
    (12, 8),
    (12, 10),
    (12, 12),
);

#[inline(never)]
fn parse_fixed<const BITS: u32, const SKIP: u32>(x: &[u8], s: &mut Scratch) {
    let params = Params {
        hash_bits: BITS,
        hash_len: 5,
        skip: SKIP,
        find_matches: true,
    };
    parse_with(x, params, s);
}

#[inline(never)]
fn parse_any(x: &[u8], params: Params, s: &mut Scratch) {
    parse_with(x, params, s);
}

#[inline(always)]
fn parse_with(x: &[u8], params: Params, s: &mut Scratch) {
    let n = x.len();
    s.seqs.clear();
    // Room reserved up front (allocated, not yet touched): the literals
    // and sequences then grow within it instead of being moved to a new
    // allocation, and copied, at each doubling on a worker's first block.
    s.lits.reserve((n + LIT_COPY).saturating_sub(s.lits.len()));
    s.seqs.reserve(n / 8);
    let mut lp = 0;
    s.table.clear();
    s.table.resize(1 << params.hash_bits, 0);
    let table = &mut s.table[..];
    let (keep, shift) = (64 - 8 * params.hash_len, 64 - params.hash_bits);
    let hash = |v: u64| ((v << keep).wrapping_mul(HASH_PRIME) >> shift) as usize;
    let (mut anchor, mut pos, mut misses, mut rep) = (0usize, 0usize, 0u32, 0usize);
    // Positions are hashed from an 8-byte load, so the last seven bytes
    // start no match.
    while pos + 8 <= n {
        let word = read_u64(x, pos);
        let cur = word as u32;
        let h = hash(word);
        let cand = table[h] as usize;
        table[h] = pos as u32;
        // The previous offset and the table's candidate: the longer
        // match wins, the previous offset on ties.
        let rep_len = if rep != 0 && pos >= rep && read_u32(x, pos - rep) == cur {
            MIN_MATCH + common(x, pos - rep + MIN_MATCH, pos + MIN_MATCH)
        } else {
            0
        };
        let cand_len = if cand < pos && read_u32(x, cand) == cur {
            MIN_MATCH + common(x, cand + MIN_MATCH, pos + MIN_MATCH)
        } else {
            0
        };
        let (src, mut len) = if rep_len >= cand_len {
            (pos.wrapping_sub(rep), rep_len)
        } else {
            (cand, cand_len)
        };
        if len == 0 {
            pos += 1 + (misses >> params.skip) as usize;
            misses += 1;
            continue;
        }
        let (mut from, mut at) = (src, pos);
        while at > anchor && from > 0 && x[at - 1] == x[from - 1] {
            at -= 1;
            from -= 1;
            len += 1;
        }
        room(&mut s.lits, lp + (at - anchor) + LIT_COPY);
        copy_run(x, anchor, at, &mut s.lits, lp);
        lp += at - anchor;
        rep = at - from;
        s.seqs.push(Seq {
            lits: (at - anchor) as u32,
            len: len as u32,
            offset: rep as u32,
        });
        pos = at + len;
        anchor = pos;
        misses = 0;
        if pos + 6 <= n {
            table[hash(read_u64(x, pos - 2))] = (pos - 2) as u32;
        }
    }
    s.lit_count = lp;
    s.tail = anchor;
}

/// Appends the bytes after the last match to the literals of the parse
/// of `x`.
fn finish_literals(x: &[u8], s: &mut Scratch) {
    let (lp, tail) = (s.lit_count, &x[s.tail..]);
    room(&mut s.lits, lp + tail.len());
    s.lits[lp..lp + tail.len()].copy_from_slice(tail);
    s.lit_count = lp + tail.len();
}

/// The code, extra-bit count and extra bits of a length.
#[inline(always)]
fn len_code(v: u32) -> (usize, u32, u32) {
    if v < 16 {
        (v as usize, 0, 0)
    } else {
        let k = 31 - v.leading_zeros();
        (12 + k as usize, k, v - (1 << k))
    }
}

/// The code, extra-bit count and extra bits of an offset (not repeated).
#[inline(always)]
fn off_code(o: u32) -> (usize, u32, u32) {
    let k = 31 - o.leading_zeros();
    (1 + k as usize, k, o - (1 << k))
}

/// A lower bound of the length of the body [`encode`] makes of `x`
/// without matches: no prefix code spends fewer bits on the literals than
/// their order-0 entropy, or than one a literal, and the two counts and
/// the section's kind byte take three bytes at least. Cheaper than coding
/// them (no code lengths, no streams), so that data whose literals alone
/// are clearly larger than its matched body (text, binaries) skips that
/// trial.
pub fn literals_only_len_bound(x: &[u8]) -> usize {
    if x.is_empty() {
        return 2;
    }
    let mut freq = [0u32; 256];
    for &b in x {
        freq[usize::from(b)] += 1;
    }
    let n = x.len() as f64;
    let bits: f64 = freq
        .iter()
        .filter(|&&f| f > 0)
        .map(|&f| f64::from(f) * (n / f64::from(f)).log2())
        .sum();
    // Every code is a bit long at least; less a millionth, so that
    // rounding never lifts the bound above the true length.
    let entropy_bytes = (bits.max(n) / 8.0 * (1.0 - 1e-6)) as usize;
    3 + entropy_bytes.min(x.len())
}

/// How the literal section of a body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiteralCoding {
    /// Huffman coded where that is smaller, else raw (`docs/FORMAT.md` 2.7).
    Smaller,
    /// Raw: for literals known to be incompressible, which then cost no
    /// byte count and no code lengths.
    Raw,
}

/// Appends the LZ body of `x` (fewer than 2^32 bytes) to `out`.
pub fn encode(x: &[u8], params: Params, s: &mut Scratch, out: &mut Vec<u8>) {
    if params.find_matches {
        find_sequences(x, params, s);
        encode_parsed(x, LiteralCoding::Smaller, s, out);
    } else {
        // Without the finder every byte is a literal: no parse, no copy.
        write_body(x, &[], LiteralCoding::Smaller, &mut s.codes, out);
    }
}

/// Parses `x` as [`encode`] would (with matches) and returns how many of
/// its bytes the matches cover; [`encode_parsed`] then writes the body.
pub fn parse_matched(x: &[u8], params: Params, s: &mut Scratch) -> usize {
    find_sequences(x, params, s);
    s.tail - s.lit_count
}

/// The bytes of `x` in matches of at least `min_len` bytes from at least
/// `min_len` bytes back (a run, such as digital silence, does not count),
/// as the parse of [`encode`] with `params` finds them.
pub fn bytes_in_long_matches(x: &[u8], params: Params, s: &mut Scratch, min_len: usize) -> usize {
    find_sequences(x, params, s);
    s.seqs
        .iter()
        .filter(|seq| seq.offset as usize >= min_len)
        .map(|seq| seq.len as usize)
        .filter(|&len| len >= min_len)
        .sum()
}

/// Appends the LZ body of `x`, last given to [`parse_matched`].
pub fn encode_parsed(x: &[u8], literals: LiteralCoding, s: &mut Scratch, out: &mut Vec<u8>) {
    finish_literals(x, s);
    let Scratch {
        seqs,
        codes,
        lits,
        lit_count,
        ..
    } = s;
    write_body(&lits[..*lit_count], seqs, literals, codes, out);
}

fn write_body(
    lits: &[u8],
    seqs: &[Seq],
    literals: LiteralCoding,
    codes: &mut Vec<[u8; 3]>,
    out: &mut Vec<u8>,
) {
    varint::put(out, lits.len() as u64);
    varint::put(out, seqs.len() as u64);
    if !lits.is_empty() {
        match literals {
            LiteralCoding::Smaller => encode_literals(lits, out),
            LiteralCoding::Raw => put_raw_literals(lits, out),
        }
    }
    if !seqs.is_empty() {
        encode_sequences(seqs, codes, out);
    }
}

/// The kind byte of a literal section: the literals as they are, or
/// Huffman coded in four streams (`docs/FORMAT.md` 2.7).
const LITERALS_RAW: u8 = 0;
const LITERALS_HUFFMAN: u8 = 1;

/// Appends a raw literal section.
fn put_raw_literals(lits: &[u8], out: &mut Vec<u8>) {
    out.push(LITERALS_RAW);
    out.extend_from_slice(lits);
}

#[inline(never)]
fn encode_literals(lits: &[u8], out: &mut Vec<u8>) {
    let n = lits.len();
    let q = n.div_ceil(STREAMS);
    let segments: [&[u8]; STREAMS] =
        std::array::from_fn(|k| &lits[(k * q).min(n)..((k + 1) * q).min(n)]);
    // Counted per stream, the four side by side: a run of one byte then
    // adds to four counters in turn, not to one in a chain of dependent
    // increments, and each stream's exact bit length follows from its
    // counts before a bit is written.
    let mut freq = [[0u32; 256]; STREAMS];
    let common = segments[STREAMS - 1].len();
    let [c0, c1, c2, c3] = &mut freq;
    let [s0, s1, s2, s3] = segments.map(|segment| &segment[..common]);
    for (((&a, &b), &c), &d) in s0.iter().zip(s1).zip(s2).zip(s3) {
        c0[usize::from(a)] += 1;
        c1[usize::from(b)] += 1;
        c2[usize::from(c)] += 1;
        c3[usize::from(d)] += 1;
    }
    for (counts, segment) in freq.iter_mut().zip(&segments) {
        for &b in &segment[common..] {
            counts[usize::from(b)] += 1;
        }
    }
    let total: [u32; 256] = std::array::from_fn(|b| freq.iter().map(|counts| counts[b]).sum());
    let mut lens = Vec::new();
    huffman::code_lengths(&total, &mut lens);
    let sizes: [usize; STREAMS] = std::array::from_fn(|k| {
        let bits: u64 = freq[k]
            .iter()
            .zip(&lens)
            .map(|(&count, &len)| u64::from(count) * u64::from(len))
            .sum();
        bits.div_ceil(8) as usize
    });
    let mut header = Vec::with_capacity(300);
    header.push(LITERALS_HUFFMAN);
    huffman::write_table(&lens, &mut header);
    for &size in &sizes {
        varint::put(&mut header, size as u64);
    }
    // Huffman coded only where that is smaller than the raw section,
    // `1 + n` bytes.
    if header.len() + sizes.iter().sum::<usize>() > n {
        put_raw_literals(lits, out);
        return;
    }
    out.extend_from_slice(&header);
    // Code and length in one entry: one lookup a literal.
    let codes = huffman::codes(&lens);
    let mut table = [0u32; 256];
    for (entry, (&code, &len)) in table.iter_mut().zip(codes.iter().zip(&lens)) {
        *entry = u32::from(code) | u32::from(len) << 16;
    }
    // The streams are written one after the other straight into `out`,
    // each from its exact offset: the eight-byte stores that reach past a
    // stream's end land where the next stream is written afterwards (or
    // past the end of the last, cut off).
    let mut at = out.len();
    out.resize(at + sizes.iter().sum::<usize>() + 8, 0);
    for (segment, &size) in segments.iter().zip(&sizes) {
        let end = encode_stream(segment, &table, out, at);
        debug_assert_eq!(end, at + size);
        at += size;
    }
    out.truncate(at);
}

/// Writes the bit stream of `segment` under `table` (code | length << 16)
/// into `out` from `at`, and returns where it ends; `out` must have eight
/// bytes of room past that.
///
/// Four codes (at most 44 bits) go into the 64-bit buffer between stores,
/// and each store writes all eight bytes, advancing by the whole bytes
/// filled: no branch a literal. The four are joined in pairs first, then
/// the pairs, so that the buffer's bit count, the chain from one group to
/// the next, takes one addition a group rather than four.
fn encode_stream(segment: &[u8], table: &[u32; 256], out: &mut [u8], at: usize) -> usize {
    // Four codes and the fewer than eight bits left from the last store.
    const _: () = assert!(4 * huffman::MAX_BITS + 7 <= 64);
    let (mut acc, mut bits, mut pos) = (0u64, 0u32, at);
    let code = |b: u8| {
        let entry = table[usize::from(b)];
        (u64::from(entry & 0xffff), entry >> 16)
    };
    let groups = segment.chunks_exact(4);
    let rest = groups.remainder();
    for group in groups {
        let (c0, l0) = code(group[0]);
        let (c1, l1) = code(group[1]);
        let (c2, l2) = code(group[2]);
        let (c3, l3) = code(group[3]);
        let (low, low_len) = (c0 | c1 << l0, l0 + l1);
        let (high, high_len) = (c2 | c3 << l2, l2 + l3);
        acc |= (low | high << low_len) << bits;
        bits += low_len + high_len;
        out[pos..pos + 8].copy_from_slice(&acc.to_le_bytes());
        let whole = bits / 8;
        pos += whole as usize;
        acc >>= 8 * whole;
        bits -= 8 * whole;
    }
    for &b in rest {
        let (c, l) = code(b);
        acc |= c << bits;
        bits += l;
    }
    out[pos..pos + 8].copy_from_slice(&acc.to_le_bytes());
    pos + bits.div_ceil(8) as usize
}

#[inline(never)]
fn encode_sequences(seqs: &[Seq], codes: &mut Vec<[u8; 3]>, out: &mut Vec<u8>) {
    // Each sequence's three codes, kept for the writing pass, and counted
    // in two sets of tables (even and odd sequences) summed after: a run
    // of equal codes then adds to two counters in turn, not to one in a
    // chain of dependent increments.
    let mut ll_freq = [[0u32; LEN_CODES]; 2];
    let mut ml_freq = [[0u32; LEN_CODES]; 2];
    let mut of_freq = [[0u32; OFF_CODES]; 2];
    codes.clear();
    codes.reserve(seqs.len());
    let mut prev = 0;
    for (i, seq) in seqs.iter().enumerate() {
        let lc = len_code(seq.lits).0;
        let mc = len_code(seq.len - MIN_MATCH as u32).0;
        // Without a branch: whether an offset repeats is data, and a
        // mispredicted branch a sequence cost more than the rest of this
        // loop.
        let oc = off_code(seq.offset).0 * usize::from(seq.offset != prev);
        prev = seq.offset;
        let set = i & 1;
        ll_freq[set][lc] += 1;
        ml_freq[set][mc] += 1;
        of_freq[set][oc] += 1;
        codes.push([lc as u8, mc as u8, oc as u8]);
    }
    let (ll_freq, ml_freq, of_freq) = (sum_sets(&ll_freq), sum_sets(&ml_freq), sum_sets(&of_freq));
    let (mut ll_lens, mut ml_lens, mut of_lens) = (Vec::new(), Vec::new(), Vec::new());
    huffman::code_lengths(&ll_freq, &mut ll_lens);
    huffman::code_lengths(&ml_freq, &mut ml_lens);
    huffman::code_lengths(&of_freq, &mut of_lens);
    huffman::write_table(&ll_lens, out);
    huffman::write_table(&ml_lens, out);
    huffman::write_table(&of_lens, out);
    let (ll_codes, ml_codes, of_codes) = (
        huffman::codes(&ll_lens),
        huffman::codes(&ml_lens),
        huffman::codes(&of_lens),
    );
    let mut w = BitWriter::new(out);
    // Per sequence at most 33 bits of codes and 3 x 31 extra bits: in
    // runs of 512 sequences, so the room made ahead stays small.
    for (run, run_codes) in seqs.chunks(512).zip(codes.chunks(512)) {
        w.fast(run.len() * 128, |w| {
            for (seq, &[lc, mc, oc]) in run.iter().zip(run_codes) {
                let (lc, mc, oc) = (usize::from(lc), usize::from(mc), usize::from(oc));
                let ((l_base, lb), (m_base, mb), (o_base, ob)) =
                    (LEN_BASES[lc], LEN_BASES[mc], OFF_BASES[oc]);
                let le = seq.lits - l_base;
                let me = seq.len - MIN_MATCH as u32 - m_base;
                // Code 0 (the previous offset) has no extra bits.
                let oe = seq.offset.wrapping_sub(o_base) & low_bits(ob) as u32;
                // The three codes in one write (at most 33 bits), then the
                // extra bits: short ones together.
                let (l1, l2, l3) = (
                    u32::from(ll_lens[lc]),
                    u32::from(ml_lens[mc]),
                    u32::from(of_lens[oc]),
                );
                let codes = u64::from(ll_codes[lc])
                    | u64::from(ml_codes[mc]) << l1
                    | u64::from(of_codes[oc]) << (l1 + l2);
                w.put(codes, l1 + l2 + l3);
                if lb + mb + ob <= 56 {
                    w.put(
                        u64::from(le) | u64::from(me) << lb | u64::from(oe) << (lb + mb),
                        lb + mb + ob,
                    );
                } else {
                    w.put(u64::from(le), lb);
                    w.put(u64::from(me), mb);
                    w.put(u64::from(oe), ob);
                }
            }
        });
    }
    w.finish();
}

/// The counts of two sets of counters added up, code by code.
fn sum_sets<const N: usize>(sets: &[[u32; N]; 2]) -> [u32; N] {
    std::array::from_fn(|c| sets[0][c] + sets[1][c])
}

fn corrupt(why: &'static str) -> EngineError {
    EngineError::Corrupt(why)
}

/// Decodes an LZ body of `n` bytes into `out`, written over from `base`
/// on (`out` then ends with them); `lits` is scratch space for the
/// literals.
///
/// The bytes `out` holds are overwritten, and beyond them it grows as it
/// is written rather than being zeroed first, so a short corrupt body that
/// claims a huge block is rejected before it has cost more memory than it
/// has produced.
pub fn decode(
    body: &[u8],
    n: usize,
    out: &mut Vec<u8>,
    base: usize,
    lits: &mut Vec<u8>,
) -> Result<(), EngineError> {
    let mut pos = 0;
    let n_lit = varint::get(body, &mut pos).map_err(corrupt)?;
    let n_seq = varint::get(body, &mut pos).map_err(corrupt)?;
    if n_lit > n as u64 {
        return Err(corrupt("more literals than the raw length"));
    }
    // Every match is at least MIN_MATCH bytes long.
    if n_seq > (n / MIN_MATCH) as u64 {
        return Err(corrupt("more sequences than the raw length allows"));
    }
    let (n_lit, n_seq) = (n_lit as usize, n_seq as usize);
    if n_seq == 0 {
        // The block is its literals: decoded straight into the output.
        if n_lit != n {
            return Err(corrupt("literals differ from the raw length"));
        }
        // Every literal takes at least one bit: a body too short for
        // them is refused before the output grows for them.
        if n > 0 && (body.len() - pos) as u64 * 8 < n as u64 {
            return Err(corrupt("literals run past the end"));
        }
        out.resize(base + n, 0);
        if n > 0 {
            pos = decode_literals(body, pos, &mut out[base..])?;
        }
        if pos != body.len() {
            return Err(corrupt("data after the literals"));
        }
        return Ok(());
    }
    // Every literal is written next: only the length is set.
    lits.resize(n_lit, 0);
    if n_lit > 0 {
        pos = decode_literals(body, pos, lits)?;
    }
    let ll = Decoder::new(&huffman::read_table(body, &mut pos, LEN_CODES)?)?;
    let ml = Decoder::new(&huffman::read_table(body, &mut pos, LEN_CODES)?)?;
    let of = Decoder::new(&huffman::read_table(body, &mut pos, OFF_CODES)?)?;
    // Its table costs about as much to build as the three single ones:
    // worth it from a few hundred sequences on.
    let lengths = (n_seq >= PAIRED_SEQUENCES).then(|| PairDecoder::new(&ll, &ml));
    let stream = &body[pos..];
    // Each sequence takes at least three bits (three codes).
    if n_seq as u64 > stream.len() as u64 * 8 / 3 {
        return Err(corrupt("sequence stream length is wrong"));
    }
    let mut r = BitReader::new(stream);
    // Past the bytes `out` already holds, the output is zeroed ahead of
    // the writes in steps (all of a block that fits one step at once), so
    // a short corrupt body that claims a huge block is rejected before it
    // has cost much more memory than it has produced; the wide copies may
    // write up to WIDE bytes past `end`.
    let end = base + n;
    let mut op = base;
    let (mut lp, mut prev) = (0usize, 0usize);
    for _ in 0..n_seq {
        if r.overrun() {
            return Err(corrupt("sequence stream length is wrong"));
        }
        r.refill();
        let (lc, mc) = match lengths.as_ref().and_then(|pair| pair.decode(&mut r)) {
            Some(pair) => pair,
            None => (ll.decode(&mut r), ml.decode(&mut r)),
        };
        let oc = of.decode(&mut r);
        let lit_len = len_value(lc, &mut r);
        let len = len_value(mc, &mut r) + MIN_MATCH;
        let offset = if oc == 0 {
            prev
        } else {
            let k = (oc - 1) as u32;
            (1usize << k) + r.get(k) as usize
        };
        prev = offset;
        if lit_len > n_lit - lp {
            return Err(corrupt("sequences use more literals than there are"));
        }
        if lit_len + len > end - op {
            return Err(corrupt("sequences decode past the raw length"));
        }
        if offset == 0 || offset > op + lit_len - base {
            return Err(corrupt("match offset before the block start"));
        }
        let need = op + lit_len + len + WIDE;
        if need > out.len() {
            grow(out, need, end + WIDE)?;
        }
        copy_literals(out, op, lits, lp, lit_len);
        op += lit_len;
        lp += lit_len;
        copy_match(out, op, offset, len);
        op += len;
    }
    if !r.finish() {
        return Err(corrupt("sequence stream length is wrong"));
    }
    if n_lit - lp != end - op {
        return Err(corrupt("literals left over differ from the raw length"));
    }
    out.truncate(op);
    out.extend_from_slice(&lits[lp..]);
    Ok(())
}

/// Bodies with this many sequences or more read each one's two length
/// codes with one lookup ([`PairDecoder`]).
const PAIRED_SEQUENCES: usize = 512;

/// How many bytes the wide copies move at once.
const WIDE: usize = 16;
/// The output is zeroed ahead of the writes by at least this much.
const GROW_STEP: usize = 4 << 20;

/// Zero-extends `out` to at least `need` bytes: by [`GROW_STEP`] or more,
/// never past `max`.
#[cold]
fn grow(out: &mut Vec<u8>, need: usize, max: usize) -> Result<(), EngineError> {
    let len = need.max(out.len() + GROW_STEP).min(max);
    out.try_reserve_exact(len - out.len())
        .map_err(|_| EngineError::TooLarge { limit: max })?;
    out.resize(len, 0);
    Ok(())
}

#[inline(always)]
fn len_value(code: usize, r: &mut BitReader) -> usize {
    if code < 16 {
        code
    } else {
        let k = (code - 12) as u32;
        (1usize << k) + r.get(k) as usize
    }
}

/// The low `bits` bits set (`bits` below 64).
#[inline(always)]
fn low_bits(bits: u32) -> u64 {
    (1u64 << bits) - 1
}

/// Each code's smallest value and extra-bit count, for an alphabet of
/// `codes` codes whose first `direct` codes stand for themselves and whose
/// code `c` after them stands for `2^(c - log)` plus `c - log` extra bits
/// (64 entries: room for every alphabet here, and zero past its end).
const fn code_bases(codes: usize, direct: usize, log: usize) -> [(u32, u32); 64] {
    let mut bases = [(0, 0); 64];
    let mut code = 0;
    while code < codes {
        bases[code] = if code < direct {
            (code as u32, 0)
        } else {
            (1 << (code - log), (code - log) as u32)
        };
        code += 1;
    }
    bases
}

/// Lengths as [`len_code`] codes them.
static LEN_BASES: [(u32, u32); 64] = code_bases(LEN_CODES, 16, 12);
/// Offsets as [`off_code`] codes them; code 0, the previous offset, has
/// neither base nor extra bits.
static OFF_BASES: [(u32, u32); 64] = code_bases(OFF_CODES, 1, 1);

/// Copies `len` literals to `op`: up to sixteen as one sixteen-byte copy
/// when there is room (what lands past the literals is overwritten next).
#[inline(always)]
fn copy_literals(out: &mut [u8], op: usize, lits: &[u8], lp: usize, len: usize) {
    if len <= WIDE && lp + WIDE <= lits.len() {
        let chunk: [u8; WIDE] = lits[lp..lp + WIDE].try_into().unwrap();
        out[op..op + WIDE].copy_from_slice(&chunk);
    } else {
        out[op..op + len].copy_from_slice(&lits[lp..lp + len]);
    }
}

/// Copies the `N` bytes at `src` to `dst` through a register-sized
/// array: a load and a store, not a call to `memmove`.
#[inline(always)]
fn copy_chunk<const N: usize>(out: &mut [u8], src: usize, dst: usize) {
    let chunk: [u8; N] = out[src..src + N].try_into().unwrap();
    out[dst..dst + N].copy_from_slice(&chunk);
}

/// Copies `len` bytes from `offset` back to `op`, overlapping forwards as
/// LZ copies do (offset 1 repeats one byte); `out` has WIDE bytes of room
/// past the copy.
#[inline(always)]
fn copy_match(out: &mut [u8], op: usize, offset: usize, len: usize) {
    let src = op - offset;
    if offset >= WIDE {
        // Sixteen bytes at a time: each chunk reads bytes at least sixteen
        // back, written before it.
        let mut i = 0;
        while i < len {
            copy_chunk::<WIDE>(out, src + i, op + i);
            i += WIDE;
        }
    } else if offset >= 8 {
        let mut i = 0;
        while i < len {
            copy_chunk::<8>(out, src + i, op + i);
            i += 8;
        }
    } else {
        // A short period: copy what exists, doubling the copied span each
        // time; the span from `src` always starts a whole period.
        let end = op + len;
        let mut d = op;
        while d < end {
            let step = (d - src).min(end - d);
            out.copy_within(src..src + step, d);
            d += step;
        }
    }
}

/// Reads the literal section at `pos` into `lits` (sized to its count)
/// and returns where it ends.
fn decode_literals(body: &[u8], mut pos: usize, lits: &mut [u8]) -> Result<usize, EngineError> {
    let n = lits.len();
    let kind = *body.get(pos).ok_or(corrupt("literal section missing"))?;
    pos += 1;
    match kind {
        LITERALS_RAW => {
            let raw = body
                .get(pos..pos + n)
                .ok_or(corrupt("literals run past the end"))?;
            lits.copy_from_slice(raw);
            Ok(pos + n)
        }
        LITERALS_HUFFMAN => {
            let dec = Decoder::new(&huffman::read_table(body, &mut pos, 256)?)?;
            let mut lens = [0usize; STREAMS];
            for len in &mut lens {
                let v = varint::get(body, &mut pos).map_err(corrupt)?;
                *len = usize::try_from(v).map_err(|_| corrupt("literal stream too long"))?;
            }
            // Stream i is body[bounds[i]..bounds[i + 1]].
            let mut bounds = [pos; STREAMS + 1];
            let q = n.div_ceil(STREAMS);
            for (i, &len) in lens.iter().enumerate() {
                if len > body.len() - pos {
                    return Err(corrupt("literal stream runs past the end"));
                }
                // Every code is at least one bit long.
                let symbols = n.min((i + 1) * q).saturating_sub(i * q);
                if symbols as u64 > len as u64 * 8 {
                    return Err(corrupt("literal stream length is wrong"));
                }
                pos += len;
                bounds[i + 1] = pos;
            }
            decode_streams(&dec, body, bounds, lits)?;
            Ok(pos)
        }
        _ => Err(corrupt("unknown literal section kind")),
    }
}

/// Decodes the four literal streams, `body[bounds[i]..bounds[i + 1]]`,
/// into `lits`, five symbols of each stream at a time while all four have
/// symbols left.
///
/// The fast loop keeps each stream as a bit position in `body` (and the
/// bits loaded from there during a batch), where a [`BitReader`] takes
/// five registers, so the four streams stay in registers. A load near a
/// stream's end sees the next stream's bytes rather than zeros; that only
/// matters to a stream read past its end, which is rejected below either
/// way. The last symbols, and those near the end of `body`, go through
/// [`BitReader`]s, which stop at each stream's end.
fn decode_streams(
    dec: &Decoder,
    body: &[u8],
    bounds: [usize; STREAMS + 1],
    lits: &mut [u8],
) -> Result<(), EngineError> {
    let q = lits.len().div_ceil(STREAMS);
    let mut parts: Vec<&mut [u8]> = lits.chunks_mut(q).collect();
    parts.resize_with(STREAMS, Default::default);
    let [d0, d1, d2, d3] = &mut parts[..] else {
        unreachable!()
    };
    let common = d3.len();
    let (i, bit) = widest(FastStreams {
        dec,
        body,
        out: [
            &mut d0[..common],
            &mut d1[..common],
            &mut d2[..common],
            &mut d3[..common],
        ],
        bit: [0, 1, 2, 3].map(|i| bounds[i] * 8),
    });
    for (s, (d, &b)) in [d0, d1, d2, d3].into_iter().zip(&bit).enumerate() {
        let stream = &body[bounds[s]..bounds[s + 1]];
        let mut r = BitReader::starting_at(stream, b - bounds[s] * 8);
        for slot in &mut d[i..] {
            if r.available() < huffman::MAX_BITS {
                r.refill();
            }
            *slot = dec.decode(&mut r) as u8;
        }
        if !r.finish() {
            return Err(corrupt("literal stream length is wrong"));
        }
    }
    Ok(())
}

/// The fast loop of [`decode_streams`]: decodes the first symbols of
/// four streams of equal length (`out`), from bit positions `bit` in
/// `body`, while there are five more for each and eight bytes to load at
/// each position. Returns how many it decoded, and the positions after.
/// A [`Kernel`]: as x86-64-v3 code its shifts take their count from any
/// register (BMI2), not only from `cl`, which the four streams share.
///
/// Each batch of five symbols a stream loads eight bytes at the stream's
/// byte position, sets the top bit as a sentinel (a batch reads at most
/// 7 + 55 bits of the 64, never the top one) and shifts the bits before
/// the position out. A symbol then costs a lookup, a store and a shift:
/// the count of bits consumed is where the sentinel went, its leading
/// zeros, found once a batch.
struct FastStreams<'a, 'b> {
    dec: &'a Decoder,
    body: &'a [u8],
    out: [&'b mut [u8]; STREAMS],
    bit: [usize; STREAMS],
}

impl Kernel for FastStreams<'_, '_> {
    type Output = (usize, [usize; STREAMS]);

    #[inline(always)]
    fn run(self) -> Self::Output {
        // Five 11-bit codes fit the 56 bits a load shifted by up to seven
        // leaves below its sentinel.
        const BATCH: usize = 5;
        const _: () = assert!(7 + BATCH * huffman::MAX_BITS as usize <= 63);
        // The most a batch moves a byte position: 55 bits after up to 7,
        // `floor((7 + 55) / 8)` bytes.
        const STEP: usize = (BATCH * huffman::MAX_BITS as usize).div_ceil(8);
        let FastStreams {
            dec,
            body,
            out,
            bit,
        } = self;
        let [o0, o1, o2, o3] = out;
        let common = o0.len().min(o1.len()).min(o2.len()).min(o3.len());
        let last_load = body.len().saturating_sub(8);
        let [mut b0, mut b1, mut b2, mut b3] = bit;
        let mut i = 0;
        loop {
            // Batches that need no check: each load's position stays
            // within `last_load` and each stream has five symbols left.
            let furthest = b0.max(b1).max(b2).max(b3) >> 3;
            if furthest > last_load {
                break;
            }
            let batches = ((last_load - furthest) / STEP + 1).min((common - i) / BATCH);
            if batches == 0 {
                break;
            }
            for _ in 0..batches {
                // One stream after another: the out-of-order core runs the
                // four chains side by side all the same, and each stream's
                // state is live only for its part.
                batch(dec, body, &mut b0, &mut o0[i..i + BATCH]);
                batch(dec, body, &mut b1, &mut o1[i..i + BATCH]);
                batch(dec, body, &mut b2, &mut o2[i..i + BATCH]);
                batch(dec, body, &mut b3, &mut o3[i..i + BATCH]);
                i += BATCH;
            }
        }
        (i, [b0, b1, b2, b3])
    }
}

/// One batch of [`FastStreams`] for one stream: `out.len()` symbols
/// (five at most) from bit position `*bit`, which must be at most
/// `body.len() - 8` bytes in.
#[inline(always)]
fn batch(dec: &Decoder, body: &[u8], bit: &mut usize, out: &mut [u8]) {
    const SENTINEL: u64 = 1 << 63;
    let mut a = (read_u64(body, *bit >> 3) | SENTINEL) >> (*bit & 7);
    for slot in out {
        let e = dec.entry(a);
        *slot = (e >> 8) as u8;
        // The mask keeps the length (below 64; the symbol starts at bit
        // 8) and costs nothing: the processor's 64-bit shift takes its
        // count modulo 64 anyway.
        a >>= e & 63;
    }
    *bit = (*bit & !7) + a.leading_zeros() as usize;
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: Params = Params {
        hash_bits: 14,
        hash_len: 5,
        skip: 6,
        find_matches: true,
    };

    fn round_trip(x: &[u8]) -> Vec<u8> {
        let mut s = Scratch::default();
        let mut body = Vec::new();
        encode(x, PARAMS, &mut s, &mut body);
        // Decoded over what the buffer held, shorter or longer than the
        // block: none of it shows.
        for held in [3, x.len() + 100] {
            let mut out = vec![0xee; held];
            decode(&body, x.len(), &mut out, 0, &mut Vec::new()).unwrap();
            assert!(out == *x, "over {held} bytes");
        }
        body
    }

    #[test]
    fn codes_and_extra_bits() {
        assert_eq!(len_code(0), (0, 0, 0));
        assert_eq!(len_code(15), (15, 0, 0));
        assert_eq!(len_code(16), (16, 4, 0));
        assert_eq!(len_code(40), (17, 5, 8));
        assert_eq!(len_code(u32::MAX), (43, 31, (1 << 31) - 1));
        assert_eq!(off_code(1), (1, 0, 0));
        assert_eq!(off_code(6), (3, 2, 2));
        assert_eq!(off_code(u32::MAX), (32, 31, (1 << 31) - 1));
        // The encoder's tables give each code's base and extra bits.
        for v in (0..70_000).chain([u32::MAX / 3, u32::MAX]) {
            let (code, bits, extra) = len_code(v);
            assert_eq!(LEN_BASES[code], (v - extra, bits), "length {v}");
            if v > 0 {
                let (code, bits, extra) = off_code(v);
                assert_eq!(OFF_BASES[code], (v - extra, bits), "offset {v}");
            }
        }
        assert_eq!(OFF_BASES[0], (0, 0));
    }

    #[test]
    fn specialised_parses_cut_as_the_general_one() {
        use crate::corpus::{Rng, elf_like, text_like};
        let mut rng = Rng::new(7);
        let inputs = [
            text_like(&mut rng, 300_000),
            elf_like(&mut rng, 300_000),
            rng.bytes(100_000),
            [vec![9; 5000], b"abcabcabd".repeat(999)].concat(),
        ];
        for params in [(14, 5), (12, 5), (13, 4), (18, 12)].map(|(hash_bits, skip)| Params {
            hash_bits,
            skip,
            ..PARAMS
        }) {
            let specialised = specialised_parse(params).expect("specialised");
            for x in &inputs {
                let (mut fast, mut general) = (Scratch::default(), Scratch::default());
                specialised(x, &mut fast);
                parse_any(x, params, &mut general);
                assert!(!fast.seqs.is_empty() || x.len() == 100_000);
                assert_eq!(fast.seqs, general.seqs);
                assert_eq!(fast.literals(), general.literals());
                assert_eq!(fast.tail, general.tail);
            }
        }
    }

    #[test]
    fn parses_repeats_into_matches() {
        let mut s = Scratch::default();
        parse(b"abcdefgh_abcdefgh_abcdefgh", PARAMS, &mut s);
        assert_eq!(s.literals(), b"abcdefgh_");
        assert_eq!(
            s.seqs,
            [Seq {
                lits: 9,
                len: 17,
                offset: 9
            }]
        );
        // A run is a match at offset 1.
        parse(&[5; 100], PARAMS, &mut s);
        assert_eq!(s.literals(), [5]);
        assert_eq!(
            s.seqs,
            [Seq {
                lits: 1,
                len: 99,
                offset: 1
            }]
        );
    }

    #[test]
    fn round_trips() {
        round_trip(b"");
        round_trip(b"abc");
        round_trip(&[0; 1000]);
        let text: Vec<u8> = (0..20_000u32)
            .flat_map(|i| format!("line {} of {}\n", i % 97, i % 13).into_bytes())
            .collect();
        let body = round_trip(&text);
        assert!(body.len() < text.len() / 4, "{}", body.len());
        let mut x = 1u32;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        round_trip(&noise);
        // Short periods of every length overlap their own output.
        for period in 1..40 {
            let data: Vec<u8> = (0..3000).map(|i| ((i % period) * 7) as u8).collect();
            round_trip(&data);
        }
    }

    #[test]
    fn the_literals_only_bound_is_never_above_the_body() {
        let mut rng = crate::corpus::Rng::new(3);
        let text = b"a bound below every body: entropy, then the counts. ".repeat(40);
        let mut inputs = vec![Vec::new(), vec![9], vec![9; 5000], rng.bytes(3000), text];
        // Skewed bytes of every alphabet size, short and long.
        for symbols in [2, 3, 17, 200] {
            for len in [1, 7, 100, 4096] {
                inputs.push(
                    (0..len)
                        .map(|_| rng.below(symbols).min(rng.below(symbols)) as u8)
                        .collect(),
                );
            }
        }
        let literals_only = Params {
            find_matches: false,
            ..PARAMS
        };
        let mut s = Scratch::default();
        for x in inputs {
            let mut body = Vec::new();
            encode(&x, literals_only, &mut s, &mut body);
            let bound = literals_only_len_bound(&x);
            assert!(
                bound <= body.len(),
                "{} bytes: bound {bound} body {}",
                x.len(),
                body.len()
            );
            // And it is close: within the table and stream padding.
            assert!(body.len() <= bound + 300, "{} vs {}", body.len(), bound);
        }
    }

    #[test]
    fn literal_sections_of_every_length_round_trip() {
        // Skewed bytes, so the literals are Huffman coded; a section at
        // the very end of the body makes the fast loop hand over to the
        // careful one near the end of the last stream, at every length.
        let mut rng = crate::corpus::Rng::new(7);
        for n in 1..600 {
            let lits: Vec<u8> = (0..n)
                .map(|_| (rng.next_u64() % 7 * (rng.next_u64() % 5)) as u8)
                .collect();
            let mut body = Vec::new();
            encode_literals(&lits, &mut body);
            if n >= 40 {
                assert_eq!(body[0], 1, "length {n}: not Huffman coded");
            }
            let mut back = vec![0; n];
            assert_eq!(decode_literals(&body, 0, &mut back), Ok(body.len()));
            assert_eq!(back, lits, "length {n}");
        }
    }

    #[test]
    fn literal_sections_with_the_longest_codes_round_trip() {
        // Byte k (times 37) with probability 2^-(k+1): codes from 1 bit
        // to the longest, 11, so a batch of the fast loop can take all
        // of its 55 bits. Bytes after the section (the rest of a body)
        // are not read as literals, and the section's end is found
        // exactly.
        let mut rng = crate::corpus::Rng::new(11);
        let (mut lens, mut longest) = (Vec::new(), 0);
        for n in (1..6000).step_by(13) {
            let lits: Vec<u8> = (0..n)
                .map(|_| (rng.next_u64().trailing_zeros() as u8).wrapping_mul(37))
                .collect();
            let mut freq = [0u32; 256];
            lits.iter().for_each(|&b| freq[usize::from(b)] += 1);
            huffman::code_lengths(&freq, &mut lens);
            longest = longest.max(*lens.iter().max().unwrap());
            // Also with the rarest, longest codes last: five of them in a
            // row make a batch move its position by the most, at the end
            // of the body.
            let mut rare_last = lits.clone();
            rare_last.sort_by_key(|&b| (std::cmp::Reverse(freq[usize::from(b)]), b));
            for (lits, after) in [&lits, &rare_last]
                .into_iter()
                .flat_map(|lits| [0, 3, 8, 17].map(|after| (lits, after)))
            {
                let mut body = Vec::new();
                encode_literals(lits, &mut body);
                let end = body.len();
                body.extend((0..after).map(|i| i as u8 ^ 0x5a));
                let mut back = vec![0; n];
                assert_eq!(decode_literals(&body, 0, &mut back), Ok(end), "{n}+{after}");
                assert_eq!(&back, lits, "length {n}, {after} bytes after");
            }
        }
        assert_eq!(longest, huffman::MAX_BITS as u8);
    }

    #[test]
    fn rejects_hostile_bodies() {
        let text = b"hello hello hello hello hello hello".repeat(20);
        let mut s = Scratch::default();
        let mut body = Vec::new();
        encode(&text, PARAMS, &mut s, &mut body);
        let n = text.len();
        let mut out = Vec::new();
        let mut lits = Vec::new();
        // Every truncation and every single-byte change is an error or a
        // clean decode, never a panic.
        for cut in 0..body.len() {
            out.clear();
            let result = decode(&body[..cut], n, &mut out, 0, &mut lits);
            assert!(result.is_err(), "cut {cut}");
        }
        for i in 0..body.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut bad = body.clone();
                bad[i] ^= flip;
                out.clear();
                let _ = decode(&bad, n, &mut out, 0, &mut lits);
            }
        }
        // One literal, then a match at offset 2: before the block start.
        // With offset 1 instead, the same body is "aaaaa".
        let with_offset_code = |of_lens: &[u8]| {
            let mut body = vec![1, 1, 0, b'a'];
            huffman::write_table(&[0, 1], &mut body); // literal length 1
            huffman::write_table(&[1], &mut body); // match length 4
            huffman::write_table(of_lens, &mut body);
            body.push(0); // three one-bit codes, and for code 2 one extra bit
            body
        };
        let mut out5 = Vec::new();
        assert_eq!(
            decode(&with_offset_code(&[0, 0, 1]), 5, &mut out5, 0, &mut lits),
            Err(corrupt("match offset before the block start"))
        );
        out5.clear();
        decode(&with_offset_code(&[0, 1]), 5, &mut out5, 0, &mut lits).unwrap();
        assert_eq!(out5, b"aaaaa");
    }
}
