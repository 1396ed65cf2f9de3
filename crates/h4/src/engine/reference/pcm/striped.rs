//! The striped PCM body (modes 14 to 16): the classic body's signals,
//! predictors and Rice parameters, laid out so that a decoder runs wide.
//!
//! Decoding the classic body is two chains a sample: a Rice code's length
//! is known only once the code before it is read, and a prediction needs
//! the value just made. Here each signal of a subblock is cut into
//! **stripes** of [`STRIPE`] values that depend on no other stripe (the
//! first [`ANCHORS`] values of each stripe after the first, its anchors,
//! start from a value in the header and are predicted within the stripe
//! by a fixed polynomial, with a Rice parameter of their own), so eight
//! stripes are restored side by side in vector lanes; and each partition's low
//! bits are written apart from its unary quotients, so that the low bits
//! are read at known positions and the quotients are counted from the set
//! bits of whole words.
//!
//! ```text
//! per signal, after its predictor fields:
//!   if more than one stripe:
//!     anchor order: 3 bits (0 to 4)
//!     start of each stripe but the first: 17 bits each (two's complement)
//!     if any stripe after the first has two values or more:
//!       k of the anchors: 5 bits (31: every anchor residual zero)
//!       each anchor's Rice code: u >> k zero bits, a one, the low k bits of u
//!   k of each partition: 5 bits each (31: every residual zero)
//!   low k bits of each u but the anchors', in row order (none for k = 31)
//!   u >> k of each u but the anchors' in unary, in row order (none for k = 31)
//! ```

use super::super::EngineError;
use super::super::bits::BitReader;
use super::{
    HISTORY, LPC_ORDER, MAX_K, MAX_ORDER, PARTITION, SUBBLOCK, Sink, Taps, ZERO_PARTITION, corrupt,
    fixed_prediction,
};
use super::{unzigzag, zigzag};

/// Values per stripe.
pub const STRIPE: usize = 512;
/// The first values of a stripe after the first, predicted within it.
pub const ANCHORS: usize = 8;
/// Bits of a stripe's start value.
pub const START_BITS: u32 = 17;
/// A `u` must be below `2^U_BITS`: the largest residual an encoder
/// writes is below `2^22`, so this leaves room and keeps `u` in 32 bits.
const U_BITS: u32 = 24;
/// Stripes in a full subblock: the lanes of the wide restore.
pub const LANES: usize = SUBBLOCK / STRIPE;
/// The most partitions a signal of a subblock has.
const MAX_PARTITIONS: usize = SUBBLOCK / PARTITION;
/// Partitions in a stripe.
const BANDS: usize = STRIPE / PARTITION;

/// Whether value `i` of a signal's subblock is an anchor: one of the
/// first [`ANCHORS`] of a stripe after the first.
#[inline(always)]
fn is_anchor(i: usize) -> bool {
    i >= STRIPE && i % STRIPE < ANCHORS
}

/// The anchors of a partition: at its start if it starts a stripe after
/// the first.
#[inline(always)]
fn anchors_at_start(p: usize, len: usize) -> usize {
    if p >= BANDS && p.is_multiple_of(BANDS) {
        ANCHORS.min(len)
    } else {
        0
    }
}

/// Writes the anchor section of `values` (one signal of a subblock)
/// when it has more than one stripe: the anchor order, each later
/// stripe's start, and the residuals of the other anchors under the
/// fixed polynomial of `anchor_order` (of as many values as the stripe
/// has before, if fewer) with a parameter of their own. `unsigned` is
/// working memory.
#[inline(always)]
pub fn put_anchors<S: Sink>(
    values: &[i32],
    anchor_order: usize,
    unsigned: &mut Vec<u32>,
    w: &mut S,
) {
    if values.len() <= STRIPE {
        return;
    }
    w.put(anchor_order as u64, 3);
    for &v in values.iter().step_by(STRIPE).skip(1) {
        w.put(u64::from(v as u32 & ((1 << START_BITS) - 1)), START_BITS);
    }
    unsigned.clear();
    for start in (STRIPE..values.len()).step_by(STRIPE) {
        let end = values.len().min(start + ANCHORS);
        for i in start + 1..end {
            let order = anchor_order.min(i - start);
            let prediction = fixed_prediction(order, |back| values[i - back]);
            unsigned.push(zigzag(values[i].wrapping_sub(prediction)));
        }
    }
    if unsigned.is_empty() {
        return;
    }
    let (k, _) = parameter(unsigned);
    w.put(u64::from(k), 5);
    if k != ZERO_PARTITION {
        for &u in unsigned.iter() {
            let mut q = u >> k;
            while q > 55 {
                w.put(0, 56);
                q -= 56;
            }
            w.put(1 << q, q + 1);
            w.put(u64::from(u & ((1 << k) - 1)), k);
        }
    }
}

/// Writes the residual section of one signal: the parameters, then the
/// low bits and then the quotients of the coded partitions' values but
/// the anchors', in row order ([`order_coded`]). `res` are the residuals
/// of 2.8 (the anchors' are not used); `unsigned` and `work` are working
/// memory.
#[inline(always)]
pub fn encode_residuals<S: Sink>(
    res: &[i32],
    unsigned: &mut Vec<u32>,
    work: &mut Writing,
    w: &mut S,
) {
    unsigned.clear();
    unsigned.extend(res.iter().map(|&r| zigzag(r)));
    // The anchors are coded apart.
    for start in (STRIPE..res.len()).step_by(STRIPE) {
        let end = res.len().min(start + ANCHORS);
        unsigned[start..end].fill(0);
    }
    let mut ks = [0u32; MAX_PARTITIONS];
    let parts = res.len().div_ceil(PARTITION);
    let mut bits = 0;
    for (p, (k, part)) in ks.iter_mut().zip(unsigned.chunks(PARTITION)).enumerate() {
        let (chosen, cost) = parameter(&part[anchors_at_start(p, part.len())..]);
        *k = chosen;
        bits += cost;
        w.put(u64::from(*k), 5);
    }
    w.put_striped(unsigned, &ks[..parts], bits, work);
}

/// The bits of the low parts of a section of `n` values with parameters
/// `ks`.
#[inline(always)]
pub fn low_bits(n: usize, ks: &[u32]) -> u64 {
    ks.iter()
        .enumerate()
        .filter(|&(_, &k)| k != ZERO_PARTITION)
        .map(|(p, &k)| {
            let len = PARTITION.min(n - p * PARTITION);
            (len - anchors_at_start(p, len)) as u64 * u64::from(k)
        })
        .sum()
}

/// A full subblock's coded values in row order, when its partitions are
/// all coded: the first stripe's first [`ANCHORS`] values (the other
/// stripes' are anchors), then the rows of every stripe, with each band's
/// parameters by lane.
pub struct FullRows<'a> {
    pub head: [u32; ANCHORS],
    pub rows: &'a [u32],
    pub by_band: [[u32; LANES]; BANDS],
}

/// [`FullRows`] of `u` with parameters `ks`, the rows written to `rows`;
/// `None` for a shorter subblock or one with a partition of zeros.
#[inline(always)]
pub fn full_rows<'a>(u: &[u32], ks: &[u32], rows: &'a mut Vec<u32>) -> Option<FullRows<'a>> {
    if u.len() != SUBBLOCK || ks.contains(&ZERO_PARTITION) {
        return None;
    }
    let by_band = std::array::from_fn(|band| std::array::from_fn(|lane| ks[BANDS * lane + band]));
    let stripes: [&[u32; STRIPE]; LANES] =
        std::array::from_fn(|lane| u[lane * STRIPE..][..STRIPE].try_into().unwrap());
    rows.resize((STRIPE - ANCHORS) * LANES, 0);
    for (row_index, row) in rows.chunks_exact_mut(LANES).enumerate() {
        for (slot, stripe) in row.iter_mut().zip(&stripes) {
            *slot = stripe[row_index + ANCHORS];
        }
    }
    Some(FullRows {
        head: u[..ANCHORS].try_into().unwrap(),
        rows,
        by_band,
    })
}

/// The `(u, k)` of each value of a coded partition, in row order: the
/// values at one index within their stripes, stripe after stripe, then
/// the next index. In that order a decoder reads each row of the lanes of
/// a full subblock in turn.
#[inline(always)]
pub fn order_coded(u: &[u32], ks: &[u32], ordered: &mut Vec<(u32, u32)>) {
    ordered.clear();
    ordered.extend(coded_positions(u.len(), ks).map(|i| (u[i], ks[i / PARTITION])));
}

/// The positions of the coded values of `n` with parameters `ks`, in
/// row order.
#[inline(always)]
fn coded_positions(n: usize, ks: &[u32]) -> impl Iterator<Item = usize> + '_ {
    rows(n).filter(move |&i| !is_anchor(i) && ks[i / PARTITION] != ZERO_PARTITION)
}

/// The positions of `n` values in row order (see [`order_coded`]).
fn rows(n: usize) -> impl Iterator<Item = usize> {
    (0..STRIPE.min(n)).flat_map(move |j| (j..n).step_by(STRIPE))
}

/// The encoder's working memory for a residual section.
#[derive(Default)]
pub struct Writing {
    /// The `(u, k)` of the coded values, in the order written.
    pub ordered: Vec<(u32, u32)>,
    /// The values of a full subblock in row order.
    pub rows: Vec<u32>,
    /// The quotients' stream, before it is appended to the body.
    pub quotients: Vec<u8>,
}

/// The parameter of a partition and the bits it then takes: 31 (and no
/// bits) when every `u` is 0; otherwise the
/// classic body's `k` (the largest up to [`MAX_K`] with
/// `count * 2^k <= sum`), raised while one more makes the partition
/// smaller (a few large values in a quiet partition, which the classic
/// body escapes and this one cannot).
#[inline(always)]
fn parameter(part: &[u32]) -> (u32, u64) {
    // Every u is below 2^23 and a partition has at most 256: the sums
    // fit 32 bits, eight to a vector.
    let sum: u32 = part.iter().sum();
    if sum == 0 {
        return (ZERO_PARTITION, 0);
    }
    let count = part.len() as u64;
    let mut k = 0;
    while k < MAX_K && count << (k + 1) <= u64::from(sum) {
        k += 1;
    }
    // The partition's bits: the low parts, and the quotients with their
    // stop bits.
    let cost =
        |k: u32| u64::from(part.iter().map(|&v| v >> k).sum::<u32>()) + count * (u64::from(k) + 1);
    let mut here = cost(k);
    while k < MAX_K {
        let next = cost(k + 1);
        if next >= here {
            break;
        }
        (k, here) = (k + 1, next);
    }
    (k, here)
}

/// [`parameter`], for the tests of the encoder.
#[cfg(test)]
pub fn parameter_for_test(part: &[u32]) -> (u32, u64) {
    parameter(part)
}

/// 64 bits of `data` from bit `bit` on (zeros past its end), of which at
/// least 57 are valid.
#[inline(always)]
fn bits_at(data: &[u8], bit: usize) -> u64 {
    let byte = bit / 8;
    let word = match data.get(byte..byte + 8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().unwrap()),
        None => {
            let mut chunk = [0u8; 8];
            let have = data.get(byte..).unwrap_or(&[]);
            chunk[..have.len()].copy_from_slice(have);
            u64::from_le_bytes(chunk)
        }
    };
    word >> (bit % 8)
}

/// Reads the low bits of one row at bit `at` of `data` into `row`,
/// `GROUP` lanes a read: `fields` holds each lane's place in the row, `k`
/// and mask, and a group's bits must fit in the 57 bits of a read.
#[inline(always)]
fn read_row<const GROUP: usize>(
    data: &[u8],
    at: usize,
    fields: &[(usize, u32, u32); LANES],
    row: &mut [u32],
) {
    for (lanes, group) in row.chunks_exact_mut(GROUP).zip(fields.chunks_exact(GROUP)) {
        let base = group[0].0;
        let word = bits_at(data, at + base);
        for (v, &(place, _, mask)) in lanes.iter_mut().zip(group) {
            *v = (word >> (place - base)) as u32 & mask;
        }
    }
}

/// The decoder's working memory for one signal's residuals.
#[derive(Default)]
pub struct Residuals {
    low: Vec<u32>,
    quotients: Vec<u32>,
    positions: Vec<u32>,
}

/// Where [`read_residuals`] put the residuals.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    /// In the order of the values.
    Plain,
    /// A full subblock with every partition coded, in row order: the
    /// residual of value `i` at `(i % STRIPE) * LANES + i / STRIPE`, for
    /// [`restore`]'s wide path.
    Lanes,
}

/// The anchors of a signal's stripes after the first: their starts,
/// the order of the fixed polynomial that predicts the rest, and the
/// residuals of the rest, `ANCHORS - 1` a stripe.
#[derive(Clone, Copy, Default)]
pub struct Anchors {
    starts: [i32; LANES - 1],
    order: usize,
    residuals: [[i32; ANCHORS - 1]; LANES - 1],
}

/// Reads the anchor section of a signal of `n` values.
#[inline(always)]
pub fn read_anchors(r: &mut BitReader, n: usize) -> Result<Anchors, EngineError> {
    let mut anchors = Anchors::default();
    if n <= STRIPE {
        return Ok(anchors);
    }
    anchors.order = r.get(3) as usize;
    if anchors.order > MAX_ORDER {
        return Err(corrupt("anchor order above 4"));
    }
    let stripes = n.div_ceil(STRIPE);
    for v in &mut anchors.starts[..stripes - 1] {
        *v = ((r.get(START_BITS) << (32 - START_BITS)) as i32) >> (32 - START_BITS);
    }
    // The last stripe may hold fewer than ANCHORS values.
    let last = (n - (stripes - 1) * STRIPE).min(ANCHORS);
    if (stripes - 1) * (ANCHORS - 1) - (ANCHORS - last) == 0 {
        return Ok(anchors);
    }
    let k = r.get(5);
    if k == ZERO_PARTITION {
        return Ok(anchors);
    }
    if k > MAX_K {
        return Err(corrupt("Rice parameter above 20"));
    }
    for (stripe, residuals) in anchors.residuals[..stripes - 1].iter_mut().enumerate() {
        let count = if stripe + 2 == stripes {
            last - 1
        } else {
            ANCHORS - 1
        };
        for v in &mut residuals[..count] {
            let mut q = 0u32;
            loop {
                r.refill();
                // At most 63 bits at once: a shift takes no more.
                let zeros = r.peek().trailing_zeros();
                if zeros < r.available().min(63) {
                    q += zeros;
                    r.consume(zeros + 1);
                    break;
                }
                // No one among the bits in the buffer: count some.
                let some = r.available().min(32);
                q += some;
                r.consume(some);
                if r.overrun() || q >> U_BITS != 0 {
                    return Err(corrupt("PCM stream length is wrong"));
                }
            }
            if q >> (U_BITS - k) != 0 {
                return Err(corrupt("PCM residual too large"));
            }
            *v = unzigzag((q << k) | r.get(k));
        }
    }
    Ok(anchors)
}

/// Reads the residual section of one signal of `out.len()` values from
/// `data`, whose reader `r` is at its first parameter, into `out` (0 at
/// the anchors); leaves `r` after the section. Returns the order of `out`.
#[inline(always)]
pub fn read_residuals<'a>(
    r: &mut BitReader<'a>,
    data: &'a [u8],
    out: &mut [i32],
    work: &mut Residuals,
) -> Result<Order, EngineError> {
    let n = out.len();
    let parts = n.div_ceil(PARTITION);
    let mut ks = [0u32; MAX_PARTITIONS];
    let mut low_bits = 0usize;
    let mut coded = 0usize;
    for (p, k) in ks[..parts].iter_mut().enumerate() {
        *k = r.get(5);
        if *k == ZERO_PARTITION {
            continue;
        }
        if *k > MAX_K {
            return Err(corrupt("Rice parameter above 20"));
        }
        let len = PARTITION.min(n - p * PARTITION);
        let len = len - anchors_at_start(p, len);
        low_bits += len * *k as usize;
        coded += len;
    }
    let start = r.consumed() as usize;
    work.low.resize(coded, 0);
    work.quotients.resize(coded + QUOTIENT_SLACK, 0);
    let order = if n == SUBBLOCK && !ks.contains(&ZERO_PARTITION) {
        // The first stripe's first ANCHORS values (the other stripes'
        // are anchors), then rows of a value of each lane, coded with
        // the parameter of the partition of its stripe the row is in: the
        // rows of one band have one width, and each lane's bits one place
        // in a row.
        let k_head = ks[0];
        let mut places = [[(0usize, 0u32, 0u32); LANES]; BANDS];
        let mut band_start = [0usize; BANDS];
        let mut widths = [0usize; BANDS];
        let mut at = start + ANCHORS * k_head as usize;
        for (band, place) in places.iter_mut().enumerate() {
            for (lane, slot) in place.iter_mut().enumerate() {
                let k = ks[BANDS * lane + band];
                *slot = (widths[band], k, (1u32 << k) - 1);
                widths[band] += k as usize;
            }
            band_start[band] = at;
            let first = if band == 0 { ANCHORS } else { 0 };
            at += (PARTITION - first) * widths[band];
        }
        let (head, rows) = work.low.split_at_mut(ANCHORS);
        for (j, v) in head.iter_mut().enumerate() {
            *v = bits_at(data, start + j * k_head as usize) as u32 & ((1u32 << k_head) - 1);
        }
        // A band's rows, after the head in band 0, each read a group of
        // lanes at a time: as many lanes as fit the 57 bits one read
        // gives (two always do: k is at most 20).
        let mut rows = rows.chunks_exact_mut(LANES);
        for (band, fields) in places.iter().enumerate() {
            let first = if band == 0 { ANCHORS } else { 0 };
            let fits = |group: usize| {
                (0..LANES).step_by(group).all(|g| {
                    let end = fields.get(g + group).map_or(widths[band], |f| f.0);
                    end - fields[g].0 <= 57
                })
            };
            let group = [8, 4].into_iter().find(|&g| fits(g)).unwrap_or(2);
            for into in 0..PARTITION - first {
                let row = rows.next().unwrap();
                let at = band_start[band] + into * widths[band];
                match group {
                    8 => read_row::<8>(data, at, fields, row),
                    4 => read_row::<4>(data, at, fields, row),
                    _ => read_row::<2>(data, at, fields, row),
                }
            }
        }
        let end = read_quotients(data, start + low_bits, &mut work.quotients)?;
        let mut above = [0u32; LANES];
        for (j, (&q, &low)) in work.quotients[..ANCHORS]
            .iter()
            .zip(&work.low[..ANCHORS])
            .enumerate()
        {
            above[0] |= q >> (U_BITS - k_head);
            out[j * LANES] = unzigzag((q << k_head) | low);
            out[j * LANES + 1..(j + 1) * LANES].fill(0);
        }
        // Band 0 after the head, then the other bands.
        let mut from = ANCHORS;
        for (band, place) in places.iter().enumerate() {
            let first = if band == 0 { ANCHORS } else { 0 };
            let rows = PARTITION - first;
            let k: [u32; LANES] = std::array::from_fn(|lane| place[lane].1);
            let values = (band * PARTITION + first) * LANES;
            let out = &mut out[values..values + rows * LANES];
            let quotients = &work.quotients[from..from + rows * LANES];
            let lows = &work.low[from..from + rows * LANES];
            from += rows * LANES;
            let rows = out
                .chunks_exact_mut(LANES)
                .zip(quotients.chunks_exact(LANES))
                .zip(lows.chunks_exact(LANES));
            for ((slot, q), low) in rows {
                for l in 0..LANES {
                    above[l] |= q[l] >> (U_BITS - k[l]);
                    slot[l] = unzigzag((q[l] << k[l]) | low[l]);
                }
            }
        }
        let above = above.iter().fold(0, |a, &b| a | b);
        if above != 0 {
            return Err(corrupt("PCM residual too large"));
        }
        *r = BitReader::starting_at(data, end);
        Order::Lanes
    } else {
        work.positions.clear();
        work.positions
            .extend(coded_positions(n, &ks[..parts]).map(|i| i as u32));
        let mut bits = BitReader::starting_at(data, start);
        for (v, &i) in work.low.iter_mut().zip(&work.positions) {
            *v = bits.get(ks[i as usize / PARTITION]);
        }
        let end = read_quotients(data, start + low_bits, &mut work.quotients)?;
        out.fill(0);
        for ((&i, &q), &low) in work.positions.iter().zip(&work.quotients).zip(&work.low) {
            let k = ks[i as usize / PARTITION];
            if q >> (U_BITS - k) != 0 {
                return Err(corrupt("PCM residual too large"));
            }
            out[i as usize] = unzigzag((q << k) | low);
        }
        *r = BitReader::starting_at(data, end);
        Order::Plain
    };
    Ok(order)
}

/// Where value `i` of a full subblock sits in lane order.
#[cfg(test)]
fn lane_index(i: usize) -> usize {
    (i % STRIPE) * LANES + i / STRIPE
}

/// Room [`read_quotients`] needs after the quotients it reads: it
/// writes a word's codes in whole groups of eight.
pub const QUOTIENT_SLACK: usize = 65;

/// Reads `out.len() - QUOTIENT_SLACK` unary quotients from bit `start` of
/// `data` into the front of `out`; returns the bit after the last one.
///
/// Two passes. The first notes where each one bit is, a word at a time: a
/// count of trailing zeros and a clear of the lowest set bit per code,
/// eight codes to a group whatever the word holds (the extra places are
/// overwritten, or fall in the slack), so the only branch is per word,
/// not per code. The second turns the places into quotients, the zeros
/// between one one and the next, eight at a time. Places are bits after
/// `start`, modulo 2^32: a quotient is a difference of two, which is
/// right while the two are less than 2^32 apart, and a longer run of zeros
/// than a `u` can hold is rejected where it is read.
#[inline(always)]
fn read_quotients(data: &[u8], start: usize, out: &mut [u32]) -> Result<usize, EngineError> {
    let n = out.len() - QUOTIENT_SLACK;
    if n == 0 {
        return Ok(start);
    }
    let limit = data.len() * 8;
    // out[0] is the place "before" the first bit; the one ending code `i`
    // goes to out[i + 1].
    out[0] = u32::MAX;
    let mut found = 0usize;
    let mut at = start;
    // The bit after the last one found.
    let mut after_last = start;
    let last_word = loop {
        let word = bits_at(data, at);
        let valid = 64 - at % 8;
        let base = (at - start) as u32;
        let places: &mut [u32; 64] = (&mut out[found + 1..found + 65]).try_into().unwrap();
        let count = word.count_ones() as usize;
        let mut rest = word;
        for group in places.chunks_exact_mut(8).take(count.div_ceil(8)) {
            for slot in group {
                *slot = base.wrapping_add(rest.trailing_zeros());
                rest &= rest.wrapping_sub(1);
            }
        }
        if word != 0 {
            after_last = at + 64 - word.leading_zeros() as usize;
        } else if at + valid - after_last > 1 << U_BITS {
            return Err(corrupt("PCM stream length is wrong"));
        }
        found += count;
        if found >= n {
            break at;
        }
        at += valid;
        if at > limit {
            return Err(corrupt("PCM stream length is wrong"));
        }
    };
    // The place of the last code's one bit, as an offset into its word.
    let last = out[n].wrapping_sub((last_word - start) as u32) as usize;
    let whole = n / 8 * 8;
    for i in (0..whole).step_by(8) {
        let p: [u32; 9] = out[i..i + 9].try_into().unwrap();
        for t in 0..8 {
            out[i + t] = p[t + 1].wrapping_sub(p[t]).wrapping_sub(1);
        }
    }
    for i in whole..n {
        out[i] = out[i + 1].wrapping_sub(out[i]).wrapping_sub(1);
    }
    Ok(last_word + last + 1)
}

impl Anchors {
    /// Value `j` of `stripe` if it is an anchor: `h` holds the values
    /// before it in the stripe (at least `min(j, order)`), oldest first.
    /// The prediction plus the residual, not yet reduced.
    #[inline(always)]
    fn value(&self, stripe: usize, j: usize, h: &[i32]) -> Option<i32> {
        if stripe == 0 || j >= ANCHORS {
            return None;
        }
        if j == 0 {
            return Some(self.starts[stripe - 1]);
        }
        let order = self.order.min(j);
        let prediction = fixed_prediction(order, |back| h[h.len() - back]);
        Some(prediction.wrapping_add(self.residuals[stripe - 1][j - 1]))
    }
}

/// `a + b`, lane by lane.
#[inline(always)]
fn add(a: [i32; LANES], b: [i32; LANES]) -> [i32; LANES] {
    std::array::from_fn(|l| a[l].wrapping_add(b[l]))
}

/// `tap × row`, lane by lane.
#[inline(always)]
fn times(tap: i32, row: [i32; LANES]) -> [i32; LANES] {
    std::array::from_fn(|l| tap.wrapping_mul(row[l]))
}

/// The products of taps 1 to 7 with `rows`, summed: for row `r`, `rows`
/// are rows `r - 2` to `r - 8`, newest first (`rows[t - 1]` goes with tap
/// `t`).
#[inline(always)]
fn older(taps: &[i32; LPC_ORDER], rows: [[i32; LANES]; LPC_ORDER - 1]) -> [i32; LANES] {
    const {
        assert!(
            LPC_ORDER == 8,
            "the sum below is written out for eight taps"
        )
    };
    let product = |t: usize| times(taps[t], rows[t - 1]);
    let near = add(add(product(1), product(2)), add(product(3), product(4)));
    add(near, add(add(product(5), product(6)), product(7)))
}

/// Turns the residuals `res` of one signal into its values in
/// `x[HISTORY..]` (after the subblock's history), kept to `32 - spare`
/// bits, `res` being in `order`.
#[inline(always)]
pub fn restore(
    p: Taps,
    anchors: &Anchors,
    spare: u32,
    res: &[i32],
    order: Order,
    lanes: &mut Vec<[i32; LANES]>,
    x: &mut [i32],
) {
    let reduce = |v: i32| (v << spare) >> spare;
    if order == Order::Plain {
        for (i, &r) in res.iter().enumerate() {
            let (stripe, j) = (i / STRIPE, i % STRIPE);
            let at = HISTORY + i;
            let value = anchors
                .value(stripe, j, &x[at - j.min(MAX_ORDER)..at])
                .unwrap_or_else(|| p.predict(&x[at - HISTORY..at]).wrapping_add(r));
            x[at] = reduce(value);
        }
        return;
    }
    // A full subblock: the first ANCHORS rows one value at a time (the
    // first stripe from the history, the others from their anchors), then
    // every stripe a lane.
    lanes.resize(STRIPE, [0; LANES]);
    let mut first = [0i32; HISTORY + ANCHORS];
    first[..HISTORY].copy_from_slice(&x[..HISTORY]);
    for j in 0..ANCHORS {
        let at = HISTORY + j;
        first[at] = reduce(p.predict(&first[j..at]).wrapping_add(res[j * LANES]));
        lanes[j][0] = first[at];
    }
    for stripe in 1..LANES {
        let mut own = [0i32; ANCHORS];
        for (j, row) in lanes[..ANCHORS].iter_mut().enumerate() {
            own[j] = reduce(anchors.value(stripe, j, &own[..j]).unwrap());
            row[stripe] = own[j];
        }
    }
    let (taps, shift) = (p.taps, p.shift);
    // The eight rows before, newest first, passed from one row to the
    // next by value so that they stay in registers (a row stored and
    // loaded again would put a store-to-load forwarding on the chain from
    // one row to the next).
    let mut h: [[i32; LANES]; LPC_ORDER] = std::array::from_fn(|t| lanes[ANCHORS - 1 - t]);
    // Only the newest row's product waits on the chain from one row to
    // the next: the older products of the next row are summed while this
    // one is made, and carried over (from one iteration to the next, where
    // the compiler cannot fold them into one longer chain of additions).
    let mut next_older = older(&taps, [h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    for row in ANCHORS..STRIPE {
        let sum = add(next_older, times(taps[0], h[0]));
        next_older = older(&taps, [h[0], h[1], h[2], h[3], h[4], h[5], h[6]]);
        let r: &[i32; LANES] = res[row * LANES..row * LANES + LANES].try_into().unwrap();
        let v: [i32; LANES] = std::array::from_fn(|l| reduce((sum[l] >> shift).wrapping_add(r[l])));
        lanes[row] = v;
        h = [v, h[0], h[1], h[2], h[3], h[4], h[5], h[6]];
    }
    for (l, chunk) in x[HISTORY..].chunks_exact_mut(STRIPE).enumerate() {
        for (slot, row) in chunk.iter_mut().zip(lanes.iter()) {
            *slot = row[l];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Restores `res` (plain order, or lane order for a full subblock)
    /// under order-2 taps and the same anchors.
    fn restored(res: &[i32], order: Order) -> Vec<i32> {
        let mut anchors = Anchors {
            order: 3,
            ..Anchors::default()
        };
        for (stripe, start) in anchors.starts.iter_mut().enumerate() {
            *start = 1000 * stripe as i32 - 3000;
            anchors.residuals[stripe] = std::array::from_fn(|j| (j as i32 * 7) % 5 - 2);
        }
        let mut x = vec![0; HISTORY + res.len()];
        x[..HISTORY].copy_from_slice(&[5, -5, 9, 12, 30, 31, 40, 44]);
        restore(
            Taps::fixed(2),
            &anchors,
            16,
            res,
            order,
            &mut Vec::new(),
            &mut x,
        );
        x.split_off(HISTORY)
    }

    /// `quotients` in unary from bit `start` (a `start` of junk ones
    /// before), then `after` ones.
    fn unary(start: usize, quotients: &[u32], after: usize) -> Vec<u8> {
        let mut bits: Vec<bool> = vec![true; start];
        for &q in quotients {
            bits.extend(std::iter::repeat_n(false, q as usize));
            bits.push(true);
        }
        bits.extend(std::iter::repeat_n(true, after));
        let mut data = vec![0u8; bits.len().div_ceil(8)];
        for (i, _) in bits.iter().enumerate().filter(|(_, b)| **b) {
            data[i / 8] |= 1 << (i % 8);
        }
        data
    }

    fn quotients_at(data: &[u8], start: usize, n: usize) -> Result<(Vec<u32>, usize), EngineError> {
        let mut out = vec![7; n + QUOTIENT_SLACK];
        let end = read_quotients(data, start, &mut out)?;
        out.truncate(n);
        Ok((out, end))
    }

    #[test]
    fn quotients_are_read_whatever_their_lengths_and_start() {
        let mut rng = crate::corpus::Rng::new(5);
        for round in 0..300 {
            let n = rng.below(200);
            // Mostly short codes, some long, some words with no one at all.
            let q: Vec<u32> = (0..n)
                .map(|_| match rng.below(10) {
                    0 => rng.below(300) as u32,
                    1 => rng.below(70) as u32,
                    _ => rng.below(4) as u32,
                })
                .collect();
            let start = round % 19;
            let data = unary(start, &q, rng.below(3) * 40);
            let (read, end) = quotients_at(&data, start, n).unwrap();
            assert_eq!(read, q, "round {round}");
            let bits: usize = q.iter().map(|&v| v as usize + 1).sum();
            assert_eq!(end, start + bits, "round {round}");
        }
    }

    #[test]
    fn quotients_past_the_data_or_too_long_are_errors() {
        // One code short of the count.
        let data = unary(3, &[1, 0, 5], 0);
        assert!(quotients_at(&data, 3, 4).is_err());
        assert!(quotients_at(&data, 3, 3).is_ok());
        // A run of zeros longer than any `u` holds, within the data: an
        // error, not a quotient taken modulo 2^32.
        let mut data = vec![0u8; (1 << 29) + 64];
        data[(1 << 29) + 10] = 1;
        assert!(quotients_at(&data, 0, 1).is_err());
        // One just short of 2^24 is read (the residual check rejects it
        // later if its `k` makes `u` too large).
        let data = unary(0, &[(1 << U_BITS) - 1, 2], 0);
        assert_eq!(quotients_at(&data, 0, 2).unwrap().0, [(1 << U_BITS) - 1, 2]);
    }

    #[test]
    fn each_stripe_depends_on_its_own_residuals_and_anchors_only() {
        let mut rng = crate::corpus::Rng::new(11);
        for n in [SUBBLOCK, 3 * STRIPE + 100] {
            let a: Vec<i32> = (0..n).map(|_| rng.below(41) as i32 - 20).collect();
            // Stripe 1's residuals changed: stripes 0 and 2 on are not.
            let mut b = a.clone();
            for v in &mut b[STRIPE + ANCHORS..2 * STRIPE] {
                *v += 3;
            }
            let (xa, xb) = (restored(&a, Order::Plain), restored(&b, Order::Plain));
            assert_eq!(xa[..STRIPE], xb[..STRIPE]);
            assert_ne!(xa[STRIPE..2 * STRIPE], xb[STRIPE..2 * STRIPE]);
            assert_eq!(xa[2 * STRIPE..], xb[2 * STRIPE..]);
            if n == SUBBLOCK {
                // The lanes give the values one at a time does.
                let mut lanes = vec![0; n];
                for (i, &v) in a.iter().enumerate() {
                    lanes[lane_index(i)] = v;
                }
                assert_eq!(restored(&lanes, Order::Lanes), xa);
            }
        }
    }
}
