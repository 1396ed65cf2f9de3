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
    work.quotients.resize(coded, 0);
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
        for (row_index, row) in rows.chunks_exact_mut(LANES).enumerate() {
            let j = row_index + ANCHORS;
            let (band, into) = (j / PARTITION, j % PARTITION);
            let into = if band == 0 { into - ANCHORS } else { into };
            let at = band_start[band] + into * widths[band];
            for (v, &(place, _, mask)) in row.iter_mut().zip(&places[band]) {
                *v = bits_at(data, at + place) as u32 & mask;
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

/// Reads `out.len()` unary quotients from bit `start` of `data`; returns
/// the bit after the last one.
///
/// Each word's set bits end one quotient each: the quotient is the count
/// of zero bits since the one before, so a word with many short codes is
/// read with one count of trailing zeros and one clear of the lowest set
/// bit a code, neither waiting for the code before to be measured.
#[inline(always)]
fn read_quotients(data: &[u8], start: usize, out: &mut [u32]) -> Result<usize, EngineError> {
    let limit = data.len() * 8;
    let mut at = start;
    // Zero bits since the last one, from words before this one.
    let mut zeros = 0usize;
    let mut i = 0;
    let n = out.len();
    while i < n {
        let valid = 64 - (at % 8);
        let mut word = bits_at(data, at);
        // The bit after the last one read in this word.
        let mut next = 0u32;
        while word != 0 && i < n {
            let t = word.trailing_zeros();
            out[i] = (zeros + (t - next) as usize) as u32;
            zeros = 0;
            next = t + 1;
            word &= word - 1;
            i += 1;
        }
        if i == n {
            return Ok(at + next as usize);
        }
        zeros += valid - next as usize;
        at += valid;
        if at > limit || zeros >> U_BITS != 0 {
            return Err(corrupt("PCM stream length is wrong"));
        }
    }
    Ok(at)
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
    // The eight rows before, newest first, kept in registers: a row
    // stored and loaded again would put a store-to-load forwarding on
    // the chain from one row to the next. The newest row's product is
    // added last, so that only it waits on that chain.
    let mut h: [[i32; LANES]; LPC_ORDER] = std::array::from_fn(|t| lanes[ANCHORS - 1 - t]);
    for row in ANCHORS..STRIPE {
        let mut acc = [0i32; LANES];
        for t in (1..LPC_ORDER).rev() {
            for l in 0..LANES {
                acc[l] = acc[l].wrapping_add(taps[t].wrapping_mul(h[t][l]));
            }
        }
        let r = &res[row * LANES..row * LANES + LANES];
        let mut v = [0i32; LANES];
        for l in 0..LANES {
            let sum = acc[l].wrapping_add(taps[0].wrapping_mul(h[0][l]));
            v[l] = reduce((sum >> shift).wrapping_add(r[l]));
        }
        lanes[row] = v;
        h.copy_within(0..LPC_ORDER - 1, 1);
        h[0] = v;
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
