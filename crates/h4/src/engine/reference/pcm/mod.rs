//! Prediction plus Rice coding: the body of the 16-bit PCM modes.
//!
//! Two layouts share everything here but where each signal's residuals
//! go: the striped body of modes 14 to 16 (see [`striped`]), which a
//! decoder restores eight values at a time and the encoder writes, and
//! the classic body of modes 11 to 13 (below), which it writes instead
//! only where that is shorter by more than a 32nd: its escape codes a
//! lone large residual that the striped body, without one, pays for
//! across a whole partition.
//!
//! The block is read as little-endian signed 16-bit samples, one channel
//! (mono) or two interleaved (stereo, left first); the `n mod 2` or
//! `n mod 4` bytes after the last whole frame are stored raw, first:
//!
//! ```text
//! tail bytes | bit stream to the end of the body:
//!   per subblock of SUBBLOCK frames (the last may be shorter):
//!     [stereo: channel mode:2]
//!     per channel: [6:3  w:4]  order:3
//!     per channel: [order 5: p:4  shift:4  p coefficients:14]
//!       per partition of PARTITION frames:
//!       k:5  then each residual as a Rice code with parameter k
//!            (k = 31: every residual of the partition is zero)
//! ```
//!
//! Stereo channel modes code two of the signals left `L`, right `R`, side
//! `S = L - R` and mid `M = (L + R) >> 1`: `L R`, `L S`, `S R` or `M S`,
//! as FLAC does. Each signal is predicted by FLAC's fixed polynomial of
//! order 0 to 4 from its previous four values, or (order 5) by a linear
//! predictor of up to eight quantised coefficients that the encoder finds
//! by Levinson-Durbin, as FLAC's LPC subframes; the residual `r` becomes
//! `u = 2r` or `-2r - 1` and is written as `u >> k` zero bits, a one bit,
//! and the low `k` bits of `u`. A quotient of [`ESCAPE`] or more is written
//! as [`ESCAPE`] zero bits and `u` in 24 bits.
//!
//! A signal whose values in a subblock are all multiples of `2^w` (FLAC's
//! "wasted bits": 8-bit audio widened to 16, or a side signal `2L` when
//! `R = -L`) is coded divided by `2^w`, announced by the order field's
//! escape value 6 and `w` in 4 bits before the real order.

use super::EngineError;
use super::bits::{BitReader, BitWriter, FastWriter, REFILLED};
use super::wide::{Kernel, widest};

mod striped;

/// Frames per subblock: each subblock picks its predictors (and, for
/// stereo, its channel mode) afresh.
pub const SUBBLOCK: usize = 4096;
/// Frames per Rice partition: each picks its parameter afresh.
pub const PARTITION: usize = 256;
/// The unary quotient from which a residual is written raw instead.
pub const ESCAPE: u32 = 24;
/// Bits of a raw (escaped) residual.
const RAW_BITS: u32 = 24;
/// The largest Rice parameter.
const MAX_K: u32 = 20;
/// The parameter field of a partition whose residuals are all zero: it
/// has no residual bits (silence, or a side signal of identical channels).
const ZERO_PARTITION: u32 = 31;
const MAX_ORDER: usize = 4;
/// The order field that announces a linear predictor with coefficients.
const LPC: usize = 5;
/// The order field that announces wasted bits: `w` (1 to 15) in
/// [`WASTED_BITS`] bits, then the signal's real order field.
const WASTED: usize = 6;
/// Bits of the wasted-bits count.
const WASTED_BITS: u32 = 4;
/// The most wasted bits a signal may declare.
const MAX_WASTED: u32 = 15;
/// The linear predictor's order (the longest a stream may have, too).
pub const LPC_ORDER: usize = 8;
/// Bits of a coefficient (two's complement) and of its order and shift.
const COEF_BITS: u32 = 14;
/// Frames of history before each subblock the encoder keeps.
const HISTORY: usize = LPC_ORDER;

/// Stereo channel modes: which two signals are coded.
const LEFT_RIGHT: u32 = 0;
const LEFT_SIDE: u32 = 1;
const SIDE_RIGHT: u32 = 2;
const MID_SIDE: u32 = 3;

#[inline(always)]
fn zigzag(r: i32) -> u32 {
    ((r << 1) ^ (r >> 31)) as u32
}

#[inline(always)]
fn unzigzag(u: u32) -> i32 {
    ((u >> 1) as i32) ^ -((u & 1) as i32)
}

/// The signals of frame `(l, r)`: left, right, side, mid.
#[inline(always)]
fn signals(l: i32, r: i32) -> [i32; 4] {
    [l, r, l - r, (l + r) >> 1]
}

/// Which signals (indices into [`signals`]) a stereo channel mode codes.
fn mode_signals(mode: u32) -> [usize; 2] {
    match mode {
        LEFT_RIGHT => [0, 1],
        LEFT_SIDE => [0, 2],
        SIDE_RIGHT => [2, 1],
        _ => [3, 2],
    }
}

/// Reads sample `i` of `channel` (of `channels`) from the frames.
#[inline(always)]
fn sample(x: &[u8], channels: usize, i: usize, channel: usize) -> i32 {
    let at = 2 * (i * channels + channel);
    i32::from(i16::from_le_bytes([x[at], x[at + 1]]))
}

/// One candidate signal of a subblock: `d[k]` is its `k`-th difference,
/// with the [`HISTORY`] frames before the subblock first, so that
/// `d[k][HISTORY + j]` is the residual of frame `j` under the predictor of
/// order `k` (FLAC's fixed predictors are exactly the finite differences).
#[derive(Default)]
struct Signal {
    d: [Vec<i32>; MAX_ORDER + 1],
    /// The wasted bits of the subblock's values: `d[0]` holds them
    /// divided by `2^wasted` (history included, rounded down).
    wasted: u32,
}

impl Signal {
    /// Finds the bits every value of the subblock (`d[0]` after the
    /// history) has zero at the bottom, and divides the signal by them.
    #[inline(always)]
    fn drop_wasted_bits(&mut self) {
        let all = self.d[0][HISTORY..].iter().fold(0, |acc, &v| acc | v);
        self.wasted = if all == 0 {
            0
        } else {
            all.trailing_zeros().min(MAX_WASTED)
        };
        if self.wasted > 0 {
            for v in &mut self.d[0] {
                *v >>= self.wasted;
            }
        }
    }

    /// The best fixed order: the one with the smallest sum of
    /// `|residual|` (the lowest on ties), with that sum. Every order's
    /// residuals are summed in one pass over `d[0]` and not kept: only the
    /// order a signal is coded with needs them, which [`Self::make_residuals`]
    /// makes.
    #[inline(always)]
    fn best_order(&self) -> (u64, usize) {
        // `x[j..j + 5]`: the value `MAX_ORDER` frames after the history
        // starts, and the four before it, oldest first.
        let x = &self.d[0][HISTORY - MAX_ORDER..];
        let values = x.len() - MAX_ORDER;
        let mut sums = [0u64; MAX_ORDER + 1];
        // |residual| < 2^21, so 1024 of them fit a u32: eight lanes to a
        // vector instead of four.
        for start in (0..values).step_by(1024) {
            let mut part = [0u32; MAX_ORDER + 1];
            for j in start..values.min(start + 1024) {
                let w: &[i32; MAX_ORDER + 1] = x[j..j + MAX_ORDER + 1].try_into().unwrap();
                // The k-th differences at this frame and the ones before
                // it, as `d[k][i] = d[k-1][i] - d[k-1][i-1]`.
                let d1 = [w[4] - w[3], w[3] - w[2], w[2] - w[1], w[1] - w[0]];
                let d2 = [d1[0] - d1[1], d1[1] - d1[2], d1[2] - d1[3]];
                let d3 = [d2[0] - d2[1], d2[1] - d2[2]];
                let d4 = d3[0] - d3[1];
                const {
                    assert!(
                        MAX_ORDER == 4,
                        "the differences above are written out to order 4"
                    )
                };
                for (sum, r) in part.iter_mut().zip([w[4], d1[0], d2[0], d3[0], d4]) {
                    *sum += r.unsigned_abs();
                }
            }
            for (sum, p) in sums.iter_mut().zip(part) {
                *sum += u64::from(p);
            }
        }
        let mut best = 0;
        for order in 1..=MAX_ORDER {
            if sums[order] < sums[best] {
                best = order;
            }
        }
        (sums[best], best)
    }

    /// Makes the residuals under the fixed predictor of `order`:
    /// `d[order]` after the history, filling `d[1..=order]` from `d[0]`.
    #[inline(always)]
    fn make_residuals(&mut self, order: usize) {
        let n = self.d[0].len();
        for k in 1..=order {
            let (done, rest) = self.d.split_at_mut(k);
            let (prev, cur) = (&done[k - 1], &mut rest[0]);
            cur.resize(n, 0);
            for ((c, &a), &b) in cur[1..].iter_mut().zip(&prev[1..]).zip(&prev[..n - 1]) {
                *c = a - b;
            }
        }
    }
}

/// The encoder's working memory, kept per thread between blocks.
#[derive(Default)]
pub struct Scratch {
    sig: [Signal; 4],
    /// Each coded signal's linear-predictor residuals, kept for writing.
    residuals: [Vec<i32>; 2],
    fit: Fit,
    /// A signal's residuals as `u`.
    unsigned: Vec<u32>,
    /// The striped residual section's writing memory.
    writing: striped::Writing,
}

/// The linear predictor's working memory.
#[derive(Default)]
struct Fit {
    /// The window's weights for a subblock of this many values.
    weights: Vec<f64>,
    /// One signal as doubles, and its linear predictions.
    values: Vec<f64>,
    predictions: Vec<f64>,
    /// The windowed values of one signal, after `LPC_ORDER` zeros.
    windowed: Vec<f64>,
}

/// Where the encoder puts its bits: a [`BitWriter`], or a [`BitCounter`]
/// when only the body's length is wanted.
trait Sink {
    /// Puts the low `bits` bits of `value` (`bits` at most 32).
    fn put(&mut self, value: u64, bits: u32);
    /// Puts the Rice codes of a partition's `u` with parameter `k`.
    fn put_rice(&mut self, u: &[u32], k: u32);
    /// Puts the residual section's low bits, then its quotients, of the
    /// values `u` of one signal whose partitions have parameters `ks`:
    /// `bits` in all. `work` is working memory.
    fn put_striped(&mut self, u: &[u32], ks: &[u32], bits: u64, work: &mut striped::Writing);
}

/// The Rice code of `u` with parameter `k`, as (value, bits).
#[inline(always)]
fn rice_code(u: u32, k: u32) -> (u64, u32) {
    let q = u >> k;
    if q < ESCAPE {
        // q zeros, a one, then the low k bits: at most 44 bits.
        let low = u64::from(u & ((1u32 << k) - 1));
        ((1u64 << q) | (low << (q + 1)), q + 1 + k)
    } else {
        // ESCAPE zeros, then u.
        (u64::from(u) << ESCAPE, ESCAPE + RAW_BITS)
    }
}

impl Sink for BitWriter<'_> {
    #[inline(always)]
    fn put(&mut self, value: u64, bits: u32) {
        BitWriter::put(self, value, bits);
    }
    #[inline(always)]
    fn put_rice(&mut self, u: &[u32], k: u32) {
        let max_bits = u.len() * (ESCAPE + RAW_BITS) as usize;
        self.fast(max_bits, |w| {
            for &v in u {
                let (code, bits) = rice_code(v, k);
                w.put(code, bits);
            }
        });
    }
    #[inline(always)]
    fn put_striped(&mut self, u: &[u32], ks: &[u32], bits: u64, work: &mut striped::Writing) {
        let low_bits = striped::low_bits(u.len(), ks);
        // The quotients go to a stream of their own, appended after the
        // low bits: each pair of codes then feeds two writers, whose
        // chains (the fill of each from one write to the next) run side
        // by side. A pair of low parts is at most 40 bits, and a pair of
        // quotients almost always within the 56 a write takes.
        let mut quotients = BitWriter::new(&mut work.quotients);
        let (low_len, quotient_len) = (low_bits as usize, (bits - low_bits) as usize);
        if let Some(full) = striped::full_rows(u, ks, &mut work.rows) {
            two_writers(
                self,
                &mut quotients,
                low_len,
                quotient_len,
                #[inline(always)]
                |low, unary| {
                    // Pairs by index: a row is a fixed-size array, and zipped
                    // chunk iterators would not be.
                    let (head, k) = (&full.head, full.by_band[0][0]);
                    for i in (0..striped::ANCHORS).step_by(2) {
                        put_pair(low, unary, (head[i], k), (head[i + 1], k));
                    }
                    for (row_index, row) in full.rows.chunks_exact(striped::LANES).enumerate() {
                        let k = &full.by_band[(row_index + striped::ANCHORS) / PARTITION];
                        // Written out: a loop over the four pairs kept its
                        // counter, and more of the writers' state, on the stack.
                        const { assert!(striped::LANES == 8, "a row is written out for eight lanes") };
                        let row: &[u32; 8] = row.try_into().unwrap();
                        put_pair(low, unary, (row[0], k[0]), (row[1], k[1]));
                        put_pair(low, unary, (row[2], k[2]), (row[3], k[3]));
                        put_pair(low, unary, (row[4], k[4]), (row[5], k[5]));
                        put_pair(low, unary, (row[6], k[6]), (row[7], k[7]));
                    }
                },
            );
        } else {
            striped::order_coded(u, ks, &mut work.ordered);
            let pairs = work.ordered.chunks_exact(2);
            let odd = pairs.remainder();
            two_writers(
                self,
                &mut quotients,
                low_len,
                quotient_len,
                #[inline(always)]
                |low, unary| {
                    for p in pairs {
                        put_pair(low, unary, p[0], p[1]);
                    }
                    for &(v, k) in odd {
                        low.put(u64::from(v & ((1 << k) - 1)), k);
                        put_unary(unary, v >> k);
                    }
                },
            );
        }
        quotients.finish();
        self.append(&work.quotients, bits - low_bits);
        work.quotients.clear();
    }
}

/// Runs `f` with fast writers of `low` (at most `low_len` bits) and of
/// `quotients` (at most `quotient_len`), both inlined into the caller.
#[inline(always)]
fn two_writers(
    low: &mut BitWriter,
    quotients: &mut BitWriter,
    low_len: usize,
    quotient_len: usize,
    f: impl FnOnce(&mut FastWriter, &mut FastWriter),
) {
    low.fast(
        low_len,
        #[inline(always)]
        |low| {
            quotients.fast(
                quotient_len,
                #[inline(always)]
                |unary| f(low, unary),
            )
        },
    );
}

/// Writes the low parts of two codes `(u, k)` to `low` and their
/// quotients to `unary`.
#[inline(always)]
fn put_pair(
    low: &mut FastWriter,
    unary: &mut FastWriter,
    (a, ka): (u32, u32),
    (b, kb): (u32, u32),
) {
    let bits = u64::from(a & ((1 << ka) - 1)) | u64::from(b & ((1 << kb) - 1)) << ka;
    low.put(bits, ka + kb);
    let (qa, qb) = (a >> ka, b >> kb);
    if qa + qb < 55 {
        unary.put(1 << qa | 1 << (qa + 1 + qb), qa + qb + 2);
    } else {
        put_unary(unary, qa);
        put_unary(unary, qb);
    }
}

/// Writes `q` in unary: `q` zero bits, then a one.
#[inline(always)]
fn put_unary(w: &mut FastWriter, mut q: u32) {
    // A write takes at most 56 bits: longer runs of zeros (a lone spike
    // in a quiet partition) go in pieces.
    while q > 55 {
        w.put(0, 56);
        q -= 56;
    }
    w.put(1 << q, q + 1);
}

/// Counts the bits a [`BitWriter`] would write.
#[derive(Default)]
struct BitCounter(u64);

impl Sink for BitCounter {
    #[inline(always)]
    fn put(&mut self, _: u64, bits: u32) {
        self.0 += u64::from(bits);
    }
    #[inline(always)]
    fn put_rice(&mut self, u: &[u32], k: u32) {
        self.0 += u
            .iter()
            .map(|&v| {
                let q = v >> k;
                u64::from(if q < ESCAPE {
                    q + 1 + k
                } else {
                    ESCAPE + RAW_BITS
                })
            })
            .sum::<u64>();
    }
    #[inline(always)]
    fn put_striped(&mut self, _: &[u32], _: &[u32], bits: u64, _: &mut striped::Writing) {
        self.0 += bits;
    }
}

/// Appends the PCM body of `x` with 1 (mono) or 2 (stereo) channels and
/// returns its layout: striped, unless the classic body is shorter by
/// more than [`classic_wins`] allows (`docs/FORMAT.md` 2.10), the two
/// bodies counted with the `lead` bytes the payload's body holds before
/// them. The classic body's length is counted while the striped body is
/// written; only a block it wins is coded a second time.
pub fn encode(
    x: &[u8],
    channels: usize,
    lead: usize,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Layout {
    let start = out.len();
    let classic_bits = encode_as(Layout::Striped, true, x, channels, scratch, out);
    let tail = x.len() % (2 * channels);
    let classic_len = tail + classic_bits.unwrap_or(u64::MAX).div_ceil(8) as usize;
    if !classic_wins(lead + classic_len, lead + out.len() - start) {
        return Layout::Striped;
    }
    out.truncate(start);
    encode_as(Layout::Classic, false, x, channels, scratch, out);
    debug_assert_eq!(out.len() - start, classic_len);
    Layout::Classic
}

/// Whether a classic body of `classic` bytes replaces a striped one of
/// `striped`: when it is shorter by more than a 32nd. Striped decodes
/// several times faster, and its anchors cost 0.2% to 1% of speech and
/// music; where a lone large residual forces a whole partition's Rice
/// parameter up (clicks over quiet noise, square waves), the classic
/// body's escape saves 5% to 10%.
fn classic_wins(classic: usize, striped: usize) -> bool {
    classic + striped / 32 < striped
}

/// Appends the PCM body of `x` in `layout`; with `count_classic` (and
/// the striped layout), returns the classic body's bit count too.
fn encode_as(
    layout: Layout,
    count_classic: bool,
    x: &[u8],
    channels: usize,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Option<u64> {
    let frames = x.len() / (2 * channels);
    out.extend_from_slice(&x[frames * 2 * channels..]);
    let mut w = BitWriter::new(out);
    let classic = widest(Code {
        x,
        channels,
        linear: true,
        layout,
        classic: count_classic.then(BitCounter::default),
        scratch,
        w: &mut w,
    });
    w.finish();
    classic
}

/// Where a PCM body puts each signal's residuals.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    /// Modes 11 to 13: one Rice code after another (`docs/FORMAT.md` 2.8).
    Classic,
    /// Modes 14 to 16: stripes with anchors, and each partition's low bits
    /// apart from its quotients (`docs/FORMAT.md` 2.10).
    Striped,
}

/// The length of the striped PCM body of `x`, counted rather than
/// written: with `linear` false, the linear predictor never tried (what
/// the mode choice measures first); with it, the striped body [`encode`]
/// writes (`docs/FORMAT.md` 2.4).
pub fn trial_len(x: &[u8], channels: usize, linear: bool, scratch: &mut Scratch) -> usize {
    let frames = x.len() / (2 * channels);
    let mut counter = BitCounter::default();
    widest(Code {
        x,
        channels,
        linear,
        layout: Layout::Striped,
        classic: None,
        scratch,
        w: &mut counter,
    });
    x.len() - frames * 2 * channels + counter.0.div_ceil(8) as usize
}

/// [`code`] as a [`Kernel`], to run as wide as the CPU allows. With
/// `classic` set (and the striped layout), the classic body's bit count
/// is measured beside the striped body: the two share every field but the
/// residual sections. Returns that count.
struct Code<'a, S> {
    x: &'a [u8],
    channels: usize,
    linear: bool,
    layout: Layout,
    classic: Option<BitCounter>,
    scratch: &'a mut Scratch,
    w: &'a mut S,
}

impl<S: Sink> Kernel for Code<'_, S> {
    type Output = Option<u64>;

    #[inline(always)]
    fn run(mut self) -> Option<u64> {
        code(
            self.x,
            self.channels,
            self.linear,
            self.layout,
            self.scratch,
            self.w,
            &mut self.classic,
        );
        self.classic.map(|counter| counter.0)
    }
}

/// Puts a field every layout has into `w`, and counts it in `classic`.
#[inline(always)]
fn put_field<S: Sink>(w: &mut S, classic: &mut Option<BitCounter>, value: u64, bits: u32) {
    w.put(value, bits);
    if let Some(classic) = classic {
        classic.0 += u64::from(bits);
    }
}

/// The bit stream of the PCM body of `x` into `w`; with `linear` false,
/// fixed predictors only. Inlined, with all it calls, into [`Code`].
#[inline(always)]
fn code<S: Sink>(
    x: &[u8],
    channels: usize,
    linear: bool,
    layout: Layout,
    scratch: &mut Scratch,
    w: &mut S,
    classic: &mut Option<BitCounter>,
) {
    let frame = 2 * channels;
    let frames = x.len() / frame;
    let Scratch {
        sig,
        residuals,
        fit,
        unsigned,
        writing,
    } = scratch;
    let count = if channels == 1 { 1 } else { 4 };
    let mut start = 0;
    while start < frames {
        let len = SUBBLOCK.min(frames - start);
        // The signals of the subblock's frames, with the HISTORY frames
        // before it first (zero before the block).
        let before = start.min(HISTORY);
        let at = HISTORY - before;
        // Only the zeros before the block are set here: every value from
        // `at` on is written next.
        for s in &mut sig[..count] {
            s.d[0].resize(len + HISTORY, 0);
            s.d[0][..at].fill(0);
        }
        let bytes = &x[frame * (start - before)..frame * (start + len)];
        if channels == 1 {
            for (d, b) in sig[0].d[0][at..].iter_mut().zip(bytes.chunks_exact(2)) {
                *d = i32::from(i16::from_le_bytes([b[0], b[1]]));
            }
        } else {
            let [s0, s1, s2, s3] = sig;
            let frames = bytes.chunks_exact(4);
            let dst = s0.d[0][at..]
                .iter_mut()
                .zip(&mut s1.d[0][at..])
                .zip(&mut s2.d[0][at..])
                .zip(&mut s3.d[0][at..]);
            for ((((l, r), side), mid), f) in dst.zip(frames) {
                let a = i32::from(i16::from_le_bytes([f[0], f[1]]));
                let b = i32::from(i16::from_le_bytes([f[2], f[3]]));
                [*l, *r, *side, *mid] = signals(a, b);
            }
        }
        let mut best = [(0u64, 0usize); 4];
        for (b, s) in best.iter_mut().zip(&mut sig[..count]) {
            s.drop_wasted_bits();
            *b = s.best_order();
        }
        let pair = if channels == 1 {
            [0, 0]
        } else {
            let mut mode = LEFT_RIGHT;
            let cost = |m: u32| mode_signals(m).iter().map(|&s| best[s].0).sum::<u64>();
            for m in [LEFT_SIDE, SIDE_RIGHT, MID_SIDE] {
                if cost(m) < cost(mode) {
                    mode = m;
                }
            }
            put_field(w, classic, u64::from(mode), 2);
            mode_signals(mode)
        };
        // Each coded signal: the best fixed predictor, or the linear
        // predictor when its residuals are smaller.
        let mut plans = [Plan::Fixed(0), Plan::Fixed(0)];
        for ((plan, &s), residual) in plans
            .iter_mut()
            .zip(&pair[..channels])
            .zip(residuals.iter_mut())
        {
            let fitted = if linear {
                lpc(&sig[s].d[0], residual, fit)
            } else {
                None
            };
            *plan = match fitted {
                Some((coefs, shift, sum)) if sum < best[s].0 => Plan::Linear(coefs, shift),
                _ => Plan::Fixed(best[s].1),
            };
            if sig[s].wasted > 0 {
                put_field(w, classic, WASTED as u64, 3);
                put_field(w, classic, u64::from(sig[s].wasted), WASTED_BITS);
            }
            put_field(w, classic, plan.order() as u64, 3);
        }
        for ((plan, &s), residual) in plans.iter().zip(&pair[..channels]).zip(residuals.iter()) {
            if let Plan::Linear(coefs, shift) = *plan {
                put_field(w, classic, LPC_ORDER as u64, 4);
                put_field(w, classic, u64::from(shift), 4);
                for &c in &coefs {
                    let field = u64::from(c as u32 & ((1 << COEF_BITS) - 1));
                    put_field(w, classic, field, COEF_BITS);
                }
            }
            if let Plan::Fixed(order) = *plan {
                sig[s].make_residuals(order);
            }
            let res = match *plan {
                Plan::Fixed(order) => &sig[s].d[order][HISTORY..],
                Plan::Linear(..) => &residual[..],
            };
            match layout {
                Layout::Classic => encode_residuals(res, w),
                Layout::Striped => {
                    let values = &sig[s].d[0][HISTORY..];
                    // Anchors under the signal's best fixed order.
                    let anchor_order = best[s].1;
                    striped::put_anchors(values, anchor_order, unsigned, w);
                    striped::encode_residuals(res, unsigned, writing, w);
                    if let Some(classic) = classic {
                        classic.0 += classic_residual_bits(res);
                    }
                }
            }
        }
        start += len;
    }
}

/// How one signal of a subblock is predicted.
#[derive(Clone, Copy)]
enum Plan {
    /// A fixed polynomial of this order.
    Fixed(usize),
    /// The linear predictor with these coefficients and shift.
    Linear([i32; LPC_ORDER], u32),
}

impl Plan {
    /// The value of the order field.
    fn order(&self) -> usize {
        match *self {
            Plan::Fixed(order) => order,
            Plan::Linear(..) => LPC,
        }
    }
}

/// The linear predictor of the signal `s` (with [`HISTORY`] frames of
/// history first), by the procedure of `docs/FORMAT.md` 2.8: exact
/// autocorrelation of the subblock, Levinson-Durbin in f64, coefficients
/// quantised to [`COEF_BITS`] bits. Returns the coefficients, the shift
/// and the sum of `|residual|`, leaving the residuals in `residual`; `None`
/// when the subblock is silent or the recursion breaks down.
#[inline(always)]
fn lpc(s: &[i32], residual: &mut Vec<i32>, fit: &mut Fit) -> Option<([i32; LPC_ORDER], u32, u64)> {
    // The subblock under an integer window, 256 but for the first and
    // last eighth, where it tapers as a parabola to 0 at the ends: the
    // autocorrelation then describes the subblock, not the cut at its
    // edges. Flat in the middle, the window leaves a DC offset a constant
    // (a window tapering all the way, such as Welch's parabola, turns it
    // into a bump the predictor then fits instead). Exact in i64. The
    // weights depend on the length only: made once for all full
    // subblocks.
    let n = s.len() - HISTORY;
    if fit.weights.len() != n {
        let (n, q) = (n as i64, n as i64 / 8);
        fit.weights.clear();
        fit.weights.extend((0..n).map(|i| {
            let edge = i.min(n - 1 - i);
            if edge >= q {
                256.0
            } else {
                (256 - 256 * (q - edge) * (q - edge) / (q * q)) as f64
            }
        }));
    }
    // The windowed values (below 2^25, exact in a double) after
    // LPC_ORDER zeros, so that every lag multiplies the same positions.
    let y = &mut fit.windowed;
    y.clear();
    y.resize(LPC_ORDER, 0.0);
    y.extend(
        s[HISTORY..]
            .iter()
            .zip(&fit.weights)
            .map(|(&v, &w)| f64::from(v) * w),
    );
    let r = autocorrelation(y);
    if r[0] == 0.0 {
        return None;
    }
    let mut a = [0f64; LPC_ORDER + 1];
    let mut err = r[0];
    for i in 1..=LPC_ORDER {
        let mut acc = r[i];
        for j in 1..i {
            acc -= a[j] * r[i - j];
        }
        let k = acc / err;
        let prev = a;
        a[i] = k;
        for j in 1..i {
            a[j] = prev[j] - k * prev[i - j];
        }
        err *= 1.0 - k * k;
        if err.is_nan() || err <= 0.0 {
            return None;
        }
    }
    let max = a[1..].iter().fold(0f64, |m, &c| m.max(c.abs()));
    let limit = f64::from(1u32 << (COEF_BITS - 1)) - 1.0;
    let mut shift = 15u32;
    while max * f64::from(1u32 << shift) > limit {
        if shift == 0 {
            return None;
        }
        shift -= 1;
    }
    let mut coefs = [0i32; LPC_ORDER];
    for (c, &v) in coefs.iter_mut().zip(&a[1..]) {
        *c = (v * f64::from(1u32 << shift) + 0.5).floor() as i32;
    }
    if !lpc_residuals(s, &coefs, shift, residual, fit) {
        return None;
    }
    let sum = residual.iter().map(|&e| u64::from(e.unsigned_abs())).sum();
    Some((coefs, shift, sum))
}

/// The autocorrelation of the windowed values `y[LPC_ORDER..]` (after
/// `LPC_ORDER` zeros) at lags 0 to `LPC_ORDER`, in doubles, summed in the
/// order of `docs/FORMAT.md` 2.8: eight partial sums, of the positions
/// `i` with `i mod 8 = j`, each in increasing `i`, then added pairwise.
///
/// Three lags share a pass, so that six chains of vector additions (two a
/// lag, with AVX2's four doubles a vector) are in flight at once: the
/// adders are kept busy rather than waiting on the latency of one chain.
/// Each sum takes its terms in the order above.
#[inline(always)]
fn autocorrelation(y: &[f64]) -> [f64; LPC_ORDER + 1] {
    const LANES: usize = 8;
    const GROUP: usize = 3;
    const {
        assert!(
            GROUP == 3 && (LPC_ORDER + 1).is_multiple_of(GROUP),
            "the pass below is written out for three lags"
        )
    };
    let x = &y[LPC_ORDER..];
    let back = |lag: usize| &y[LPC_ORDER - lag..y.len() - lag];
    let mut r = [0f64; LPC_ORDER + 1];
    let whole = x.len() / LANES * LANES;
    // The last `len mod 8` positions (of a subblock whose length is not
    // a multiple of eight), then the pairwise total.
    let finish = |mut sums: [f64; LANES], lag: usize| {
        for (j, (a, b)) in x[whole..].iter().zip(&back(lag)[whole..]).enumerate() {
            sums[j] += a * b;
        }
        ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]))
    };
    for first in (0..=LPC_ORDER).step_by(GROUP) {
        let (mut s0, mut s1, mut s2) = ([0f64; LANES], [0f64; LANES], [0f64; LANES]);
        let chunks = x
            .chunks_exact(LANES)
            .zip(back(first).chunks_exact(LANES))
            .zip(back(first + 1).chunks_exact(LANES))
            .zip(back(first + 2).chunks_exact(LANES));
        for (((a, b0), b1), b2) in chunks {
            for j in 0..LANES {
                s0[j] += a[j] * b0[j];
                s1[j] += a[j] * b1[j];
                s2[j] += a[j] * b2[j];
            }
        }
        r[first] = finish(s0, first);
        r[first + 1] = finish(s1, first + 1);
        r[first + 2] = finish(s2, first + 2);
    }
    r
}

/// The residuals of `s[HISTORY..]` under the linear predictor; false if
/// one is too large for an escaped Rice code (`|r| >= 2^22`).
///
/// Exact integer arithmetic either way, so the way changes no residual:
/// in 32-bit integers, eight to a vector, when no product, sum or residual
/// can leave their range (always for the 16-bit signals, left, right and
/// mid, and for the side signal unless its coefficients are large), else
/// in doubles.
#[inline(always)]
fn lpc_residuals(
    s: &[i32],
    coefs: &[i32; LPC_ORDER],
    shift: u32,
    residual: &mut Vec<i32>,
    fit: &mut Fit,
) -> bool {
    if fits_i32(s, coefs) {
        lpc_residuals_i32(s, coefs, shift, residual)
    } else {
        lpc_residuals_f64(s, coefs, shift, residual, fit)
    }
}

/// Whether every prediction of `s` by `coefs`, and every residual, fits
/// an `i32`: a prediction is at most `sum |c| × max |v|` in size, and a
/// residual `max |v|` more.
#[inline(always)]
fn fits_i32(s: &[i32], coefs: &[i32; LPC_ORDER]) -> bool {
    let most = s.iter().fold(0u32, |m, &v| m.max(v.unsigned_abs()));
    let taps: u64 = coefs.iter().map(|&c| u64::from(c.unsigned_abs())).sum();
    (taps + 1) * u64::from(most) < 1 << 31
}

/// [`lpc_residuals`] in 32-bit integers, where [`fits_i32`] holds (the
/// arithmetic wraps only so that it is the same in every build).
#[inline(always)]
fn lpc_residuals_i32(
    s: &[i32],
    coefs: &[i32; LPC_ORDER],
    shift: u32,
    residual: &mut Vec<i32>,
) -> bool {
    residual.resize(s.len() - HISTORY, 0);
    // Nonzero once some `|e| >= 2^22`.
    let mut out_of_range = 0u32;
    let windows = s.windows(LPC_ORDER).zip(&s[HISTORY..]);
    for (r, (w, &v)) in residual.iter_mut().zip(windows) {
        let w: &[i32; LPC_ORDER] = w.try_into().unwrap();
        let product = |t: usize| coefs[t].wrapping_mul(w[LPC_ORDER - 1 - t]);
        let near = product(0)
            .wrapping_add(product(1))
            .wrapping_add(product(2).wrapping_add(product(3)));
        let far = product(4)
            .wrapping_add(product(5))
            .wrapping_add(product(6).wrapping_add(product(7)));
        let e = v.wrapping_sub(near.wrapping_add(far) >> shift);
        out_of_range |= e.unsigned_abs() >> 22;
        *r = e;
    }
    out_of_range == 0
}

/// [`lpc_residuals`] in doubles, which is exact for any signal and lets
/// the products run four at a time: a coefficient is below 2^13 and a
/// value below 2^17 in size, so every product and partial sum of a
/// prediction is an integer below 2^33.
#[inline(always)]
fn lpc_residuals_f64(
    s: &[i32],
    coefs: &[i32; LPC_ORDER],
    shift: u32,
    residual: &mut Vec<i32>,
    fit: &mut Fit,
) -> bool {
    let c = coefs.map(f64::from);
    let n = s.len() - HISTORY;
    let x = &mut fit.values;
    x.clear();
    x.extend(s.iter().map(|&v| f64::from(v)));
    let pred = &mut fit.predictions;
    // Every prediction and residual is written below: only the lengths
    // are set.
    pred.resize(n, 0.0);
    for (p, w) in pred.iter_mut().zip(x.windows(LPC_ORDER)) {
        let w: &[f64; LPC_ORDER] = w.try_into().unwrap();
        *p = c[0] * w[7]
            + c[1] * w[6]
            + c[2] * w[5]
            + c[3] * w[4]
            + c[4] * w[3]
            + c[5] * w[2]
            + c[6] * w[1]
            + c[7] * w[0];
    }
    residual.resize(n, 0);
    // A prediction is an integer below 2^33 in size: added to 1.5 × 2^52
    // it lands in the low bits of the sum's mantissa, whose bit pattern
    // less the constant's is the integer. That conversion runs in vector
    // registers; `p as i64` is one value at a time below AVX-512.
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let magic = MAGIC.to_bits() as i64;
    // Nonzero once some `|e| >= 2^22` (an OR, which vector units reduce
    // as readily as a sum).
    let mut out_of_range = 0u64;
    for ((r, &p), &v) in residual.iter_mut().zip(pred.iter()).zip(&s[HISTORY..]) {
        let p = (p + MAGIC).to_bits() as i64 - magic;
        let e = i64::from(v) - (p >> shift);
        out_of_range |= e.unsigned_abs() >> 22;
        *r = e as i32;
    }
    out_of_range == 0
}

/// Writes `residuals` in partitions, each with its Rice parameter.
#[inline(always)]
fn encode_residuals<S: Sink>(residuals: &[i32], w: &mut S) {
    let mut u = [0u32; PARTITION];
    for part in residuals.chunks(PARTITION) {
        let u = &mut u[..part.len()];
        for (u, &r) in u.iter_mut().zip(part) {
            *u = zigzag(r);
        }
        if u.iter().all(|&v| v == 0) {
            w.put(u64::from(ZERO_PARTITION), 5);
            continue;
        }
        let k = rice_parameter(u);
        w.put(u64::from(k), 5);
        w.put_rice(u, k);
    }
}

/// The bits [`encode_residuals`] writes for `residuals`, counted in two
/// passes a partition that add in 32 bits (a partition's `u` and bits
/// fit: `u < 2^23`), so they run eight values to a vector.
#[inline(always)]
fn classic_residual_bits(residuals: &[i32]) -> u64 {
    const { assert!((PARTITION as u64) << 23 <= 1 << 32 && PARTITION as u64 * 48 < 1 << 32) };
    let mut bits = 0;
    for part in residuals.chunks(PARTITION) {
        let sum: u32 = part.iter().map(|&r| zigzag(r)).sum();
        bits += 5;
        if sum == 0 {
            continue;
        }
        let k = rice_parameter_of(u64::from(sum), part.len());
        let codes: u32 = part
            .iter()
            .map(|&r| {
                let q = zigzag(r) >> k;
                if q < ESCAPE {
                    q + 1 + k
                } else {
                    ESCAPE + RAW_BITS
                }
            })
            .sum();
        bits += u64::from(codes);
    }
    bits
}

/// The Rice parameter of a partition: the largest `k` up to [`MAX_K`]
/// with `count * 2^k <= sum of u` (0 if there is none).
#[inline(always)]
fn rice_parameter(part: &[u32]) -> u32 {
    let sum: u64 = part.iter().map(|&v| u64::from(v)).sum();
    rice_parameter_of(sum, part.len())
}

/// [`rice_parameter`] of a partition of `count` values whose `u` sum to
/// `sum`.
#[inline(always)]
fn rice_parameter_of(sum: u64, count: usize) -> u32 {
    let count = count as u64;
    let mut k = 0;
    while k < MAX_K && count << (k + 1) <= sum {
        k += 1;
    }
    k
}

fn corrupt(why: &'static str) -> EngineError {
    EngineError::Corrupt(why)
}

/// Decodes a PCM body with `channels` channels into `out`, which it fills
/// exactly.
pub fn decode(
    layout: Layout,
    body: &[u8],
    channels: usize,
    out: &mut [u8],
) -> Result<(), EngineError> {
    widest(Decode {
        layout,
        body,
        channels,
        out,
    })
}

/// [`decode_body`] as a [`Kernel`]: the striped body's lanes want the
/// vector unit's 32-bit multiplies, which baseline x86-64 lacks.
struct Decode<'a> {
    layout: Layout,
    body: &'a [u8],
    channels: usize,
    out: &'a mut [u8],
}

impl Kernel for Decode<'_> {
    type Output = Result<(), EngineError>;

    #[inline(always)]
    fn run(self) -> Self::Output {
        decode_body(self.layout, self.body, self.channels, self.out)
    }
}

#[inline(always)]
fn decode_body(
    layout: Layout,
    body: &[u8],
    channels: usize,
    out: &mut [u8],
) -> Result<(), EngineError> {
    let frame = 2 * channels;
    let frames = out.len() / frame;
    let tail = out.len() - frames * frame;
    let raw = body.get(..tail).ok_or(corrupt("PCM tail missing"))?;
    out[frames * frame..].copy_from_slice(raw);
    let stream = &body[tail..];
    if (stream.len() as u64) * 8 < min_bits(frames, channels) {
        return Err(corrupt("PCM stream length is wrong"));
    }
    let mut r = BitReader::new(stream);
    // Each signal's values with its history first: `chan[c][HISTORY + j]`
    // is frame `j` of the subblock. `res` holds one signal's residuals.
    let mut chan: [Vec<i32>; 2] = Default::default();
    let mut res: Vec<i32> = Vec::new();
    let mut work = striped::Residuals::default();
    let mut lanes = Vec::new();
    let mut start = 0;
    while start < frames {
        if r.overrun() {
            return Err(corrupt("PCM stream length is wrong"));
        }
        let len = SUBBLOCK.min(frames - start);
        r.refill();
        let mode = if channels == 2 { r.get(2) } else { LEFT_RIGHT };
        let mut orders = [0usize; 2];
        let mut wasted = [0u32; 2];
        for (order, wasted) in orders[..channels].iter_mut().zip(&mut wasted) {
            *order = r.get(3) as usize;
            if *order == WASTED {
                *wasted = r.get(WASTED_BITS);
                if *wasted == 0 {
                    return Err(corrupt("wasted bits of 0"));
                }
                *order = r.get(3) as usize;
            }
            if *order > LPC {
                return Err(corrupt("unknown predictor order"));
            }
        }
        let which = mode_signals(mode);
        for c in 0..channels {
            let x = &mut chan[c];
            // Only the length is set: the history is written next, and
            // every value after it by the predictor below.
            x.resize(HISTORY + len, 0);
            // The history: the signal of the frames before the subblock,
            // oldest first, from the output (zero before the block).
            for (back, slot) in x[..HISTORY].iter_mut().rev().enumerate() {
                *slot = match start.checked_sub(back + 1) {
                    Some(i) if channels == 1 => sample(out, 1, i, 0),
                    Some(i) => signals(sample(out, 2, i, 0), sample(out, 2, i, 1))[which[c]],
                    None => 0,
                };
            }
            // With wasted bits, the signal is coded divided by 2^w, and so
            // is its history (rounded down).
            let w = wasted[c];
            if w > 0 {
                for v in &mut x[..HISTORY] {
                    *v >>= w;
                }
            }
            let side = channels == 2 && which[c] == 2;
            // The residuals first, in a loop of their own: the bit
            // reader and the predictor each keep their registers. Every
            // one is written: only the length is set.
            res.resize(len, 0);
            let predictor = if orders[c] == LPC {
                Some(read_linear(&mut r)?)
            } else {
                None
            };
            match layout {
                Layout::Classic => {
                    rice(&mut r, &mut res)?;
                    match predictor {
                        Some(p) => {
                            let coefs = p.taps.map(i64::from);
                            if side {
                                linear::<15>(&coefs, p.shift, &res, x);
                            } else {
                                linear::<16>(&coefs, p.shift, &res, x);
                            }
                        }
                        None => restore_fixed(orders[c], side, &res, x),
                    }
                }
                Layout::Striped => {
                    let taps = predictor.unwrap_or_else(|| Taps::fixed(orders[c]));
                    let anchors = striped::read_anchors(&mut r, len)?;
                    let order = striped::read_residuals(&mut r, stream, &mut res, &mut work)?;
                    let spare = if side { 15 } else { 16 };
                    striped::restore(taps, &anchors, spare, &res, order, &mut lanes, x);
                }
            }
            if w > 0 {
                // Reduced again, as every decoded value is.
                let spare = if side { 15 } else { 16 };
                for v in &mut x[HISTORY..] {
                    *v = (*v << w) << spare >> spare;
                }
            }
        }
        let (a, b) = (&chan[0][HISTORY..], &chan[channels - 1][HISTORY..]);
        if channels == 1 {
            let dst = &mut out[2 * start..2 * (start + len)];
            for (f, &v) in dst.chunks_exact_mut(2).zip(a) {
                f.copy_from_slice(&(v as i16).to_le_bytes());
            }
        } else {
            let dst = &mut out[4 * start..4 * (start + len)];
            match mode {
                LEFT_RIGHT => interleave(dst, a, b, |a, b| (a, b)),
                LEFT_SIDE => interleave(dst, a, b, |a, b| (a, a - b)),
                SIDE_RIGHT => interleave(dst, a, b, |a, b| (a + b, b)),
                _ => interleave(dst, a, b, |a, b| {
                    let sum = 2 * a + (b & 1);
                    ((sum + b) >> 1, (sum - b) >> 1)
                }),
            }
        }
        start += len;
    }
    if !r.finish() {
        return Err(corrupt("PCM stream length is wrong"));
    }
    Ok(())
}

/// Writes the frames whose two coded signals are `a` and `b`, with
/// `lr` turning them into left and right.
#[inline(always)]
fn interleave(dst: &mut [u8], a: &[i32], b: &[i32], lr: impl Fn(i32, i32) -> (i32, i32)) {
    for ((f, &a), &b) in dst.chunks_exact_mut(4).zip(a).zip(b) {
        let (l, r) = lr(a, b);
        f[..2].copy_from_slice(&(l as i16).to_le_bytes());
        f[2..].copy_from_slice(&(r as i16).to_le_bytes());
    }
}

/// The fewest bits a stream of `frames` frames can have: the subblock
/// headers and one parameter per partition (all-zero partitions).
fn min_bits(frames: usize, channels: usize) -> u64 {
    let per_subblock = |len: usize| {
        let stereo = if channels == 2 { 2 } else { 0 };
        (stereo + channels * (3 + 5 * len.div_ceil(PARTITION))) as u64
    };
    let rest = frames % SUBBLOCK;
    let mut bits = (frames / SUBBLOCK) as u64 * per_subblock(SUBBLOCK);
    if rest > 0 {
        bits += per_subblock(rest);
    }
    bits
}

/// Whether a body of `body_len` bytes can hold `n` bytes of PCM: checked
/// before the output is allocated, so a short payload that claims a huge
/// block costs nothing.
pub fn plausible(body_len: usize, n: usize, channels: usize) -> bool {
    let frames = n / (2 * channels);
    let tail = n - frames * 2 * channels;
    body_len >= tail && ((body_len - tail) as u64) * 8 >= min_bits(frames, channels)
}

/// Reads a linear predictor's fields (after order field 5): `p`, the
/// shift and `p` coefficients.
fn read_linear(r: &mut BitReader) -> Result<Taps, EngineError> {
    r.refill();
    let order = r.get(4) as usize;
    if order == 0 || order > LPC_ORDER {
        return Err(corrupt("LPC order not 1 to 8"));
    }
    let shift = r.get(4);
    let mut taps = [0i32; LPC_ORDER];
    for tap in &mut taps[..order] {
        let v = r.get(COEF_BITS) as i32;
        *tap = (v << (32 - COEF_BITS)) >> (32 - COEF_BITS);
    }
    Ok(Taps { taps, shift })
}

/// Turns the residuals `res` of one signal under the fixed predictor of
/// `order` into its values, written to `x[HISTORY..]` after the history,
/// reduced to 16 bits (or 17 with `wide`).
fn restore_fixed(order: usize, wide: bool, res: &[i32], x: &mut [i32]) {
    // One copy of the loop per predictor and range, so neither is a
    // branch (or a call) per sample.
    match (order, wide) {
        (0, false) => fixed::<0, 16>(res, x),
        (1, false) => fixed::<1, 16>(res, x),
        (2, false) => fixed::<2, 16>(res, x),
        (3, false) => fixed::<3, 16>(res, x),
        (4, false) => fixed::<4, 16>(res, x),
        (0, true) => fixed::<0, 15>(res, x),
        (1, true) => fixed::<1, 15>(res, x),
        (2, true) => fixed::<2, 15>(res, x),
        (3, true) => fixed::<3, 15>(res, x),
        _ => fixed::<4, 15>(res, x),
    }
}

/// [`restore_fixed`] for predictor `ORDER`, keeping `32 - SHIFT` bits.
///
/// The fixed predictors have integer coefficients, so reducing modulo
/// `2^(32 - SHIFT)` commutes with them: the history runs in wrapping
/// 32-bit arithmetic and only the stored values are reduced, which keeps
/// the reduction out of the chain from one value to the next.
#[inline(never)]
fn fixed<const ORDER: usize, const SHIFT: u32>(res: &[i32], x: &mut [i32]) {
    let (hist, vals) = x.split_at_mut(HISTORY);
    let mut h = [hist[7], hist[6], hist[5], hist[4]];
    for (v, &e) in vals.iter_mut().zip(res) {
        let raw = fixed_prediction(ORDER, |back| h[back - 1]).wrapping_add(e);
        h = [raw, h[0], h[1], h[2]];
        *v = (raw << SHIFT) >> SHIFT;
    }
}

/// FLAC's fixed polynomials, orders 0 to 4: the weights of the values
/// before, the newest first.
const FIXED_TAPS: [[i32; MAX_ORDER]; MAX_ORDER + 1] = [
    [0, 0, 0, 0],
    [1, 0, 0, 0],
    [2, -1, 0, 0],
    [3, -3, 1, 0],
    [4, -6, 4, -1],
];

/// FLAC's fixed polynomial of `order` (0 to 4) on the values before,
/// `h(1)` the newest, in wrapping arithmetic: the classic body's fixed
/// orders and the striped body's anchors. (With `order` a constant, as in
/// [`fixed`], the weights fold into the code.)
#[inline(always)]
fn fixed_prediction(order: usize, h: impl Fn(usize) -> i32) -> i32 {
    let order = order.min(MAX_ORDER);
    let taps = &FIXED_TAPS[order];
    (0..order).fold(0i32, |acc, k| {
        acc.wrapping_add(taps[k].wrapping_mul(h(k + 1)))
    })
}

/// The predictor of a signal in a subblock, as eight taps on the values
/// before (newest first) and a shift: fixed orders have integer taps and
/// shift 0.
#[derive(Clone, Copy)]
pub struct Taps {
    pub taps: [i32; LPC_ORDER],
    pub shift: u32,
}

impl Taps {
    /// FLAC's fixed polynomial of `order` (0 to 4).
    pub fn fixed(order: usize) -> Taps {
        let mut taps = [0; LPC_ORDER];
        taps[..MAX_ORDER].copy_from_slice(&FIXED_TAPS[order.min(MAX_ORDER)]);
        Taps { taps, shift: 0 }
    }

    /// The prediction from `h`, the eight values before, oldest first, in
    /// wrapping 32-bit arithmetic: the true prediction modulo
    /// `2^(32 - shift)`, which with `shift` at most 15 holds every bit a
    /// 17-bit value needs.
    #[inline(always)]
    fn predict(&self, h: &[i32]) -> i32 {
        let mut acc = 0i32;
        for (&c, &v) in self.taps.iter().zip(h.iter().rev()) {
            acc = acc.wrapping_add(c.wrapping_mul(v));
        }
        acc >> self.shift
    }
}

/// Turns the residuals `res` of one signal under the linear predictor
/// `coefs` (unused ones zero) and `shift` into its values, written to
/// `x[HISTORY..]` after the history, keeping `32 - SHIFT` bits.
#[inline(never)]
fn linear<const SHIFT: u32>(coefs: &[i64; LPC_ORDER], shift: u32, res: &[i32], x: &mut [i32]) {
    let c = *coefs;
    // Only `c[0]` times the newest value is on the chain from one value
    // to the next: the rest of the next prediction, from older values, is
    // summed while the current value is being made.
    let mut prev = i64::from(x[HISTORY - 1]);
    let older = |w: &[i32]| {
        c[1] * i64::from(w[6])
            + c[2] * i64::from(w[5])
            + c[3] * i64::from(w[4])
            + c[4] * i64::from(w[3])
            + c[5] * i64::from(w[2])
            + c[6] * i64::from(w[1])
            + c[7] * i64::from(w[0])
    };
    let mut rest = older(&x[..HISTORY - 1]);
    for (t, &e) in (HISTORY..x.len()).zip(res) {
        let pred = c[0] * prev + rest;
        // `x[t - 7..t]`: the values before this one, newest last.
        rest = older(&x[t + 1 - HISTORY..t]);
        let v = (((pred >> shift) + i64::from(e)) as i32) << SHIFT >> SHIFT;
        x[t] = v;
        prev = i64::from(v);
    }
}

/// Reads the Rice-coded partitions of one signal into `out`, as code for
/// the widest instruction set (BMI2's shifts take any register).
fn rice(reader: &mut BitReader, out: &mut [i32]) -> Result<(), EngineError> {
    widest(RiceKernel { reader, out })
}

/// [`rice`] as a [`Kernel`].
struct RiceKernel<'a, 'b> {
    reader: &'a mut BitReader<'b>,
    out: &'a mut [i32],
}

impl Kernel for RiceKernel<'_, '_> {
    type Output = Result<(), EngineError>;

    #[inline(always)]
    fn run(self) -> Self::Output {
        rice_partitions(self.reader, self.out)
    }
}

#[inline(always)]
fn rice_partitions(reader: &mut BitReader, out: &mut [i32]) -> Result<(), EngineError> {
    let mut r = *reader;
    for part in out.chunks_mut(PARTITION) {
        r.refill();
        let k = r.get(5);
        if k == ZERO_PARTITION {
            part.fill(0);
            continue;
        }
        if k > MAX_K {
            return Err(corrupt("Rice parameter above 20"));
        }
        // As many codes to a refill as fit in the bits it guarantees when
        // their quotients are below 8 (most are: the encoder picks `k`
        // near the log of the mean), each then at most `k + 8` bits.
        match k {
            0..=3 => rice_partition::<5>(&mut r, part, k),
            4..=6 => rice_partition::<4>(&mut r, part, k),
            7..=10 => rice_partition::<3>(&mut r, part, k),
            _ => rice_partition::<2>(&mut r, part, k),
        }
    }
    *reader = r;
    Ok(())
}

/// Reads one partition of Rice codes with parameter `k` (at most
/// [`MAX_K`]), taking up to `N` codes from each refill of the reader.
///
/// The codes of a refill are read from a copy of the buffer, one shift
/// after another, and only then consumed together: the chain from one
/// code to the next is a count of trailing zeros and a shift, with no
/// load in it. A code that does not end within the refilled bits waits for
/// the next refill; an escape is read alone, at the start of one.
#[inline(always)]
fn rice_partition<const N: usize>(r: &mut BitReader, part: &mut [i32], k: u32) {
    let mask = (1u32 << k) - 1;
    let n = part.len();
    let mut i = 0;
    while i < n {
        r.refill();
        let mut acc = r.peek();
        let mut used = 0;
        let mut got = 0;
        let room = N.min(n - i);
        while got < room {
            let zeros = acc.trailing_zeros();
            let bits = zeros + 1 + k;
            if zeros >= ESCAPE || used + bits > REFILLED {
                break;
            }
            part[i + got] = unzigzag((zeros << k) | ((acc >> (zeros + 1)) as u32 & mask));
            acc >>= bits;
            used += bits;
            got += 1;
        }
        r.consume(used);
        if got == 0 {
            // Every code but an escape is at most 23 + 1 + 20 bits, within
            // a refill: this is an escape.
            r.consume(ESCAPE);
            part[i] = unzigzag(r.get(RAW_BITS));
            got = 1;
        }
        i += got;
    }
}

#[cfg(test)]
mod tests {
    use super::super::wide::baseline;
    use super::*;

    /// Codes `x` in both layouts, checks that each decodes to `x` and
    /// that the trial's count is the striped body's length without the
    /// linear predictor; returns the striped body.
    fn round_trip(x: &[u8], channels: usize) -> Vec<u8> {
        let mut scratch = Scratch::default();
        let mut classic_len = 0;
        for layout in [Layout::Classic, Layout::Striped] {
            let mut body = Vec::new();
            let striped = layout == Layout::Striped;
            let counted = encode_as(layout, striped, x, channels, &mut scratch, &mut body);
            let mut out = vec![0xee; x.len()];
            decode(layout, &body, channels, &mut out).unwrap();
            assert!(
                out == x,
                "{layout:?}, channels {channels}, {} bytes",
                x.len()
            );
            // The classic body's length, counted beside the striped one.
            match counted {
                Some(bits) => {
                    let tail = x.len() % (2 * channels);
                    assert_eq!(tail + bits.div_ceil(8) as usize, classic_len);
                }
                None => classic_len = body.len(),
            }
        }
        let mut fixed = Vec::new();
        fixed.extend_from_slice(&x[x.len() / (2 * channels) * 2 * channels..]);
        let mut w = BitWriter::new(&mut fixed);
        code(
            x,
            channels,
            false,
            Layout::Striped,
            &mut scratch,
            &mut w,
            &mut None,
        );
        w.finish();
        assert_eq!(trial_len(x, channels, false, &mut scratch), fixed.len());
        let mut body = Vec::new();
        encode(x, channels, 0, &mut scratch, &mut body);
        body
    }

    fn tone(frames: usize, stereo: bool) -> Vec<u8> {
        (0..frames)
            .flat_map(|i| {
                let t = i as f64;
                let l = (9000.0 * (t / 23.0).sin() + 3000.0 * (t / 5.1).sin()) as i16;
                let r = (7000.0 * (t / 19.0).sin() - 2000.0 * (t / 7.3).cos()) as i16;
                let mut v = l.to_le_bytes().to_vec();
                if stereo {
                    v.extend_from_slice(&r.to_le_bytes());
                }
                v
            })
            .collect()
    }

    #[test]
    fn a_classic_body_replaces_the_striped_one_only_where_it_saves_a_32nd() {
        let mut rng = crate::corpus::Rng::new(3);
        // Clicks over quiet noise: each click's residual forces its whole
        // partition's Rice parameter up in the striped body, which has no
        // escape; the classic body escapes it.
        let clicks: Vec<u8> = (0..40_000)
            .flat_map(|i| {
                let noise = rng.below(5) as i16 - 2;
                let click = if i % 1000 == 0 { 20_000 } else { 0 };
                (click + noise).to_le_bytes()
            })
            .collect();
        // A tone with noise: the striped body, within a 32nd of the
        // classic one.
        let mut tone_with_noise = tone(40_000, true);
        for pair in tone_with_noise.chunks_exact_mut(2) {
            let v = i16::from_le_bytes([pair[0], pair[1]]) + rng.below(64) as i16 - 32;
            pair.copy_from_slice(&v.to_le_bytes());
        }
        for (x, channels, expected) in [
            (&clicks, 1, Layout::Classic),
            (&tone_with_noise, 2, Layout::Striped),
        ] {
            let mut scratch = Scratch::default();
            let (mut classic, mut striped, mut chosen) = (Vec::new(), Vec::new(), Vec::new());
            encode_as(
                Layout::Classic,
                false,
                x,
                channels,
                &mut scratch,
                &mut classic,
            );
            encode_as(
                Layout::Striped,
                false,
                x,
                channels,
                &mut scratch,
                &mut striped,
            );
            let layout = encode(x, channels, 0, &mut scratch, &mut chosen);
            assert_eq!(layout, expected, "{channels} channels");
            assert_eq!(
                classic_wins(classic.len(), striped.len()),
                layout == Layout::Classic
            );
            assert_eq!(
                &chosen,
                if layout == Layout::Classic {
                    &classic
                } else {
                    &striped
                }
            );
            let mut out = vec![0; x.len()];
            decode(layout, &chosen, channels, &mut out).unwrap();
            assert!(&out == x);
        }
    }

    #[test]
    fn smooth_signals_shrink() {
        let mono = tone(20_000, false);
        assert!(round_trip(&mono, 1).len() < mono.len() / 2);
        let stereo = tone(20_000, true);
        assert!(round_trip(&stereo, 2).len() < stereo.len() / 2);
    }

    /// [`code`] into `w` by the widest code this CPU runs, or by baseline
    /// code.
    fn code_with<S: Sink>(
        wide: bool,
        layout: Layout,
        x: &[u8],
        channels: usize,
        linear: bool,
        w: &mut S,
    ) {
        let mut scratch = Scratch::default();
        let kernel = Code {
            x,
            channels,
            linear,
            layout,
            classic: None,
            scratch: &mut scratch,
            w,
        };
        if wide {
            widest(kernel);
        } else {
            baseline(kernel);
        }
    }

    #[test]
    fn the_instruction_set_changes_no_bit() {
        // A tone with noise (so every predictor and the linear one are in
        // play) and a short tail, mono and stereo, coded by the widest
        // code this CPU runs and by baseline code: the same bits, and the
        // same trial counts.
        let mut rng = crate::corpus::Rng::new(7);
        let mut x = tone(3 * SUBBLOCK + 77, true);
        for pair in x.chunks_exact_mut(2).step_by(3) {
            let noise = rng.below(64) as i16 - 32;
            let v = i16::from_le_bytes([pair[0], pair[1]]).wrapping_add(noise);
            pair.copy_from_slice(&v.to_le_bytes());
        }
        x.push(9);
        for (channels, linear, layout) in every_kind() {
            let run = |wide: bool| {
                let mut bytes = Vec::new();
                let mut w = BitWriter::new(&mut bytes);
                code_with(wide, layout, &x, channels, linear, &mut w);
                w.finish();
                let mut counter = BitCounter::default();
                code_with(wide, layout, &x, channels, linear, &mut counter);
                (bytes, counter.0)
            };
            let (wide, base) = (run(true), run(false));
            let what = format!("{channels} channels, linear {linear}, {layout:?}");
            assert_eq!(wide.1, base.1, "{what}");
            assert_eq!(wide.1.div_ceil(8), wide.0.len() as u64, "{what}");
            assert!(wide.0 == base.0, "{what}");
            // And the decoders, wide and baseline, agree.
            let mut body = x[x.len() / (2 * channels) * 2 * channels..].to_vec();
            body.extend_from_slice(&wide.0);
            let decode_with = |wide: bool| {
                let mut out = vec![0; x.len()];
                let kernel = Decode {
                    layout,
                    body: &body,
                    channels,
                    out: &mut out,
                };
                let result = if wide {
                    widest(kernel)
                } else {
                    baseline(kernel)
                };
                result.map(|()| out)
            };
            let decoded = decode_with(true).unwrap();
            assert!(decoded == x, "{what}");
            assert!(decode_with(false).unwrap() == decoded, "{what}");
        }
    }

    /// Every channel count, predictor choice and layout.
    fn every_kind() -> impl Iterator<Item = (usize, bool, Layout)> {
        [1, 2].into_iter().flat_map(|channels| {
            [false, true].into_iter().flat_map(move |linear| {
                [Layout::Classic, Layout::Striped]
                    .into_iter()
                    .map(move |layout| (channels, linear, layout))
            })
        })
    }

    #[test]
    fn silence_costs_no_residual_bits() {
        // 20000 more silent frames cost a few bits a partition (there are
        // 160 of them per channel) and each subblock's anchor section (an
        // order, seven starts, a parameter: 5 subblocks, 2 channels), not
        // a bit per sample.
        let body_len = |silent: usize| {
            let mut x = tone(3000, true);
            x.extend(vec![0; 4 * silent]);
            round_trip(&x, 2).len()
        };
        let (short, long) = (body_len(100), body_len(20_100));
        let anchors = 5 * 2 * (3 + 7 * 17 + 5);
        assert!(
            long - short < (2 * 160 * 5 + anchors) / 8 + 20,
            "{short} {long}"
        );
    }

    #[test]
    fn extremes_and_tails_round_trip() {
        // Full-scale jumps need escaped residuals; odd lengths leave tails.
        let wild: Vec<u8> = (0..9000u32)
            .flat_map(|i| {
                if i % 3 == 0 {
                    [0x00, 0x80]
                } else {
                    [0xff, 0x7f]
                }
            })
            .collect();
        for cut in [0, 1, 2, 3, 5, 4099 * 4 + 3, wild.len()] {
            round_trip(&wild[..cut], 1);
            round_trip(&wild[..cut], 2);
        }
    }

    #[test]
    fn the_linear_predictor_fits_a_tone_on_a_dc_offset() {
        // A 440 Hz tone at 44.1 kHz on a DC offset, with a tone at the
        // Nyquist frequency and the ±1 dither of a 16-bit converter. A
        // window tapering over the whole subblock turns the offset into a
        // bump the fit chases; flat in the middle, it leaves a constant.
        let mut seed = 5u32;
        let x: Vec<u8> = (0..8 * SUBBLOCK)
            .flat_map(|i| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let dither = (seed >> 30) as f64 - 1.5;
                let t = i as f64 * 2.0 * std::f64::consts::PI * 440.0 / 44_100.0;
                let nyquist = if i % 2 == 0 { 200.0 } else { -200.0 };
                ((8000.0 * t.sin() + 5000.0 + nyquist + dither).round() as i16).to_le_bytes()
            })
            .collect();
        let fixed = trial_len(&x, 1, false, &mut Scratch::default());
        let coded = round_trip(&x, 1).len();
        // Under the tapered window a third of the fixed orders' size (14906
        // bytes of 46201); under Welch's parabola 16890.
        assert!(coded * 3 < fixed, "{coded} bytes, fixed orders {fixed}");
    }

    #[test]
    fn picks_side_coding_for_near_identical_channels() {
        // Left and right differ by a little noise: L-R is tiny.
        let x: Vec<u8> = (0..5000)
            .flat_map(|i: i32| {
                let l = ((i * 37) % 20000 - 10000) as i16;
                let r = l.wrapping_add((i % 3 - 1) as i16);
                [l.to_le_bytes(), r.to_le_bytes()].concat()
            })
            .collect();
        let body = round_trip(&x, 2);
        let mut r = BitReader::new(&body);
        assert_ne!(r.get(2), LEFT_RIGHT);
    }

    /// `x` (16-bit samples) with every sample shifted left by `w` bits.
    fn widened(x: &[u8], w: u32) -> Vec<u8> {
        x.chunks_exact(2)
            .flat_map(|b| (i16::from_le_bytes([b[0], b[1]]) << w).to_le_bytes())
            .collect()
    }

    #[test]
    fn wasted_bits_are_coded_once_a_subblock() {
        // 8-bit audio widened to 16 bits codes as the 8-bit audio does,
        // plus 7 bits (order field 6 and w) a subblock.
        let narrow: Vec<u8> = widened(&tone(20_000, false), 0)
            .chunks_exact(2)
            .flat_map(|b| (i16::from_le_bytes([b[0], b[1]]) >> 8).to_le_bytes())
            .collect();
        let subblocks = 20_000usize.div_ceil(SUBBLOCK);
        let (base, wide) = (round_trip(&narrow, 1), round_trip(&widened(&narrow, 8), 1));
        assert!(
            wide.len() <= base.len() + (7 * subblocks).div_ceil(8),
            "{} {}",
            base.len(),
            wide.len()
        );
        // R = -L: M is 0 and S = 2L has one wasted bit, so the pair costs
        // what L alone does, plus its headers (under 100 bits a subblock)
        // and M's anchor section (an order, seven starts, a parameter).
        let left = tone(20_000, false);
        let pair: Vec<u8> = left
            .chunks_exact(2)
            .flat_map(|b| {
                let l = i16::from_le_bytes([b[0], b[1]]);
                [l.to_le_bytes(), (-l).to_le_bytes()].concat()
            })
            .collect();
        let (mono, stereo) = (round_trip(&left, 1), round_trip(&pair, 2));
        assert!(
            stereo.len() <= mono.len() + (100 + 3 + 7 * 17 + 5) * subblocks / 8,
            "{} {}",
            mono.len(),
            stereo.len()
        );
    }

    #[test]
    fn wasted_bits_may_change_from_subblock_to_subblock() {
        // Each subblock has other wasted bits (up to the 15 of a signal of
        // 0 and -32768), so the history a subblock starts from is not
        // always a multiple of its own 2^w.
        for stereo in [false, true] {
            let channels = 1 + usize::from(stereo);
            let x = tone(6 * SUBBLOCK + 77, stereo);
            let frames: Vec<u8> = x
                .chunks_exact(2)
                .enumerate()
                .flat_map(|(i, b)| {
                    let v = i16::from_le_bytes([b[0], b[1]]);
                    let w = [0, 3, 15, 1, 8, 0, 5][i / channels / SUBBLOCK];
                    let v = if w == 15 {
                        if i % 3 == 0 { i16::MIN } else { 0 }
                    } else {
                        v >> w << w
                    };
                    v.to_le_bytes()
                })
                .collect();
            round_trip(&frames, channels);
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        for layout in [Layout::Classic, Layout::Striped] {
            // Fixed predictors only, so that the fields below sit where
            // the test changes them (one stripe: no start fields).
            let x = tone(300, false);
            let mut body = Vec::new();
            let mut w = BitWriter::new(&mut body);
            code(
                &x,
                1,
                false,
                layout,
                &mut Scratch::default(),
                &mut w,
                &mut None,
            );
            w.finish();
            let mut out = vec![0; x.len()];
            let decode = |bad: &[u8], channels, out: &mut [u8]| decode(layout, bad, channels, out);
            // Order 7.
            let mut bad = body.clone();
            bad[0] |= 7;
            assert_eq!(
                decode(&bad, 1, &mut out),
                Err(corrupt("unknown predictor order"))
            );
            // Wasted bits (order field 6) of 0.
            let mut bad = body.clone();
            bad[0] = (bad[0] & !0x7f) | 6;
            assert_eq!(decode(&bad, 1, &mut out), Err(corrupt("wasted bits of 0")));
            // Wasted bits, then order 7.
            let mut bad = body.clone();
            bad[0] = 6 | 1 << 3 | 1 << 7;
            bad[1] |= 3;
            assert_eq!(
                decode(&bad, 1, &mut out),
                Err(corrupt("unknown predictor order"))
            );
            // Rice parameter 30 (bits 3..8 of the stream).
            let mut bad = body.clone();
            bad[0] = (bad[0] & 7) | (30 << 3);
            assert_eq!(
                decode(&bad, 1, &mut out),
                Err(corrupt("Rice parameter above 20"))
            );
            // Every truncation is an error, and no change panics.
            for cut in 0..body.len() {
                assert!(decode(&body[..cut], 1, &mut out).is_err(), "{layout:?}");
            }
            for i in 0..body.len() {
                let mut bad = body.clone();
                bad[i] ^= 0x5a;
                let _ = decode(&bad, 1, &mut out);
                let _ = decode(&bad, 2, &mut out);
            }
        }
    }

    /// Mono PCM of `frames` frames of noise at about ±`loud`.
    fn noise(frames: usize, loud: u32, seed: u64) -> Vec<u8> {
        let mut rng = crate::corpus::Rng::new(seed);
        (0..frames)
            .flat_map(|_| {
                ((rng.below(2 * loud as usize + 1) as i64 - i64::from(loud)) as i16).to_le_bytes()
            })
            .collect()
    }

    #[test]
    fn stripes_decode_alike_in_lanes_and_one_by_one() {
        // A full subblock with every partition coded takes the decoder's
        // lanes; one with a silent partition (here the third) and a
        // shorter one take the path a value at a time. Each stripe's
        // anchors stand in for the history it would have had.
        let mut x = tone(SUBBLOCK, false);
        let mut quiet = tone(SUBBLOCK, false);
        quiet[2 * 2 * PARTITION..2 * 3 * PARTITION].fill(0);
        x.extend_from_slice(&quiet);
        x.extend_from_slice(&tone(SUBBLOCK - 700, false));
        round_trip(&x, 1);
        let stereo: Vec<u8> = x
            .chunks_exact(2)
            .flat_map(|s| [s[0], s[1], s[1], s[0]])
            .collect();
        round_trip(&stereo, 2);
    }

    #[test]
    fn rows_of_every_width_decode_in_lanes() {
        // Each stripe of a full subblock is noise of its own loudness, so
        // the lanes of a row have Rice parameters from 1 to 15: rows
        // of 16 to 120 low bits, read eight, four or two lanes at a time.
        let quiet = 3;
        let loud = 32_000;
        let mixes = [
            [quiet; 8],
            [300; 8],
            [loud; 8],
            [loud, quiet, quiet, quiet, quiet, quiet, quiet, loud],
            [quiet, quiet, quiet, loud, loud, quiet, quiet, quiet],
            [loud, loud, 300, 300, quiet, 2000, loud, 40],
        ];
        let mut rng = crate::corpus::Rng::new(8);
        for mix in mixes {
            let x: Vec<u8> = (0..SUBBLOCK)
                .flat_map(|i| {
                    let level = mix[i / striped::STRIPE];
                    let v = rng.below(2 * level + 1) as i64 - level as i64;
                    (v as i16).to_le_bytes()
                })
                .collect();
            round_trip(&x, 1);
        }
    }

    #[test]
    fn a_lone_spike_in_a_quiet_partition_raises_its_parameter() {
        // Without an escape, a full-scale value among values of ±3 would
        // be a quotient of thousands of bits under the sum rule's k; the
        // encoder raises k while that shrinks the partition.
        let mut x = noise(SUBBLOCK, 3, 1);
        x[2 * 1000..2 * 1001].copy_from_slice(&i16::MAX.to_le_bytes());
        x[2 * 3000..2 * 3001].copy_from_slice(&i16::MIN.to_le_bytes());
        let body = round_trip(&x, 1);
        assert!(body.len() < x.len() / 3, "{} bytes", body.len());
        // A quotient over a write's 56 bits goes in pieces.
        let part = [0u32, 0, 200, 0];
        let (k, bits) = striped::parameter_for_test(&part);
        assert_eq!(
            bits,
            part.iter().map(|&u| u64::from(u >> k)).sum::<u64>() + 4 * (u64::from(k) + 1)
        );
        let mut out = Vec::new();
        let mut w = BitWriter::new(&mut out);
        w.fast(1000, |f| put_unary(f, 130));
        w.finish();
        assert_eq!(out.len(), 131usize.div_ceil(8));
        assert_eq!(out[16], 1 << 2, "the one after 130 zeros");
        assert!(out[..16].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_value_of_2_pow_24_or_more_is_rejected() {
        // One value, order 0, k = 0, a quotient of 2^24 zeros: u = 2^24.
        let mut body = Vec::new();
        let mut w = BitWriter::new(&mut body);
        w.put(0, 3);
        w.put(0, 5);
        w.fast(1 << 24, |f| put_unary(f, 1 << 24));
        w.finish();
        let mut out = [0u8; 2];
        assert_eq!(
            decode(Layout::Striped, &body, 1, &mut out),
            Err(corrupt("PCM residual too large"))
        );
        // One less decodes (and is reduced to 16 bits).
        let mut body = Vec::new();
        let mut w = BitWriter::new(&mut body);
        w.put(0, 3);
        w.put(0, 5);
        w.fast(1 << 24, |f| put_unary(f, (1 << 24) - 2));
        w.finish();
        assert_eq!(decode(Layout::Striped, &body, 1, &mut out), Ok(()));
        assert_eq!(i16::from_le_bytes(out), 0x007f_ffff_i32 as i16);
    }

    /// Both ways of making the linear predictor's residuals, on `s` (with
    /// its history first): they must agree wherever the integer way is
    /// taken.
    fn residuals_both_ways(s: &[i32], coefs: &[i32; LPC_ORDER], shift: u32) {
        let (mut by_int, mut by_double) = (Vec::new(), Vec::new());
        let int_ok = lpc_residuals_i32(s, coefs, shift, &mut by_int);
        let double_ok = lpc_residuals_f64(s, coefs, shift, &mut by_double, &mut Fit::default());
        assert_eq!(
            (int_ok, &by_int),
            (double_ok, &by_double),
            "{coefs:?} >> {shift}"
        );
    }

    #[test]
    fn integer_residuals_are_the_doubles_residuals() {
        let len = HISTORY + 600;
        // 16-bit extremes under the largest coefficients, every sign
        // pattern of them alike or alternating: always taken as integers,
        // and the sums reach close to 2^31.
        let loudest: Vec<i32> = (0..len)
            .map(|i| if (i / 3) % 2 == 0 { -32768 } else { 32767 })
            .collect();
        let largest = (1 << (COEF_BITS - 1)) - 1;
        for signs in [0u32, 0xff, 0x55, 0x0f, 0x81] {
            let coefs: [i32; LPC_ORDER] = std::array::from_fn(|t| {
                if signs >> t & 1 == 1 {
                    -largest
                } else {
                    largest
                }
            });
            assert!(fits_i32(&loudest, &coefs));
            for shift in [0, 7, 15] {
                residuals_both_ways(&loudest, &coefs, shift);
            }
        }
        // A side signal (17 bits): taken as integers with small
        // coefficients only.
        let side: Vec<i32> = (0..len)
            .map(|i| if i % 2 == 0 { -65535 } else { 65535 })
            .collect();
        assert!(fits_i32(
            &side,
            &[4000, -4000, 4000, -4000, 4000, -4000, 4000, 0]
        ));
        assert!(!fits_i32(&side, &[largest; LPC_ORDER]));
        residuals_both_ways(&side, &[4000, -4000, 4000, -4000, 4000, -4000, 4000, 0], 12);
        // Random signals, coefficients and shifts, wherever they fit.
        let mut rng = crate::corpus::Rng::new(0x1d4c);
        let mut taken = 0;
        for _ in 0..400 {
            let loud = 1i64 << rng.below(18);
            let s: Vec<i32> = (0..len)
                .map(|_| (rng.below(2 * loud as usize) as i64 - loud) as i32)
                .collect();
            let size = 1 << rng.below(COEF_BITS as usize);
            let coefs: [i32; LPC_ORDER] =
                std::array::from_fn(|_| rng.below(2 * size) as i32 - size as i32);
            if fits_i32(&s, &coefs) {
                taken += 1;
                residuals_both_ways(&s, &coefs, rng.below(16) as u32);
            }
        }
        assert!(taken > 100, "only {taken} random cases fit");
    }
}
