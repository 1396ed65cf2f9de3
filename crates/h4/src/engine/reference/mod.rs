//! The reference engine: the open HarmonyØ4 codec, in safe Rust.
//!
//! This is the open, auditable engine of HarmonyØ4. A payload is
//!
//! ```text
//! mode (1 byte) | raw length (varint) | body
//! ```
//!
//! where the mode says how the body was made:
//!
//! | mode   | body |
//! |--------|------|
//! | 0      | the raw bytes, stored |
//! | 1      | RLE tokens of the raw bytes |
//! | 2..5   | RLE tokens of the delta of the raw bytes, stride `mode - 1` |
//! | 6      | LZ sequences and Huffman codes of the raw bytes |
//! | 7..10  | the same of the delta of the raw bytes, stride `mode - 6` |
//! | 11, 12 | 16-bit PCM, mono or stereo: prediction and Rice codes (written only where shorter than 14, 15 by a 32nd) |
//! | 13     | 16-bit PCM stereo whose frames start at byte 2 (likewise, against 16) |
//! | 14..16 | modes 11 to 13 in stripes, for decoding eight values at once |
//!
//! The encoder picks the mode by size on a fixed sample of the block (see
//! [`choose_mode`]), so the choice is a pure function of the input and the
//! level. The byte-level specification is in `docs/FORMAT.md`.

mod bits;
mod delta;
mod huffman;
mod lz;
mod pcm;
mod rle;
mod wide;

use std::cell::RefCell;
use std::ops::RangeInclusive;

use super::{Coded, Engine, EngineError};
use crate::container::{EngineId, EngineKind};
use crate::varint;

/// The name the reference engine records in frame headers.
pub const NAME: &str = "reference";

/// Stored: the body is the input.
pub const MODE_STORED: u8 = 0;
/// RLE of the input itself.
pub const MODE_RLE: u8 = 1;
/// The largest delta mode: RLE of the delta with stride 4.
pub const MODE_DELTA_MAX: u8 = 5;
/// LZ matching with Huffman coding of the input itself.
pub const MODE_LZ: u8 = 6;
/// The largest LZ-of-delta mode: LZ of the delta with stride 4
/// (`mode - 6` is the stride, from 1 to 4).
pub const MODE_LZ_DELTA_MAX: u8 = 10;
/// Mono 16-bit PCM: prediction plus Rice coding.
pub const MODE_PCM_MONO: u8 = 11;
/// Stereo 16-bit PCM: channel decorrelation, prediction, Rice coding.
pub const MODE_PCM_STEREO: u8 = 12;
/// Stereo 16-bit PCM whose frames start at byte 2 (the first two bytes
/// are stored): a WAV file whose header is not a multiple of 4 bytes long
/// puts every block's frames there.
pub const MODE_PCM_STEREO_AT_2: u8 = 13;
/// Mode 11 with the striped PCM body: what the encoder writes for mono,
/// unless mode 11 itself is shorter by more than a 32nd.
pub const MODE_STRIPED_MONO: u8 = 14;
/// Mode 12 with the striped PCM body.
pub const MODE_STRIPED_STEREO: u8 = 15;
/// Mode 13 with the striped PCM body.
pub const MODE_STRIPED_STEREO_AT_2: u8 = 16;
/// The largest mode.
pub const MODE_MAX: u8 = MODE_STRIPED_STEREO_AT_2;

/// The body layout of a PCM mode, its channels, and the bytes stored
/// before its first frame (at most the block's length).
fn pcm_layout(mode: u8, len: usize) -> (pcm::Layout, usize, usize) {
    let layout = if mode >= MODE_STRIPED_MONO {
        pcm::Layout::Striped
    } else {
        pcm::Layout::Classic
    };
    match mode {
        MODE_PCM_MONO | MODE_STRIPED_MONO => (layout, 1, 0),
        MODE_PCM_STEREO | MODE_STRIPED_STEREO => (layout, 2, 0),
        _ => (layout, 2, len.min(2)),
    }
}

/// Inputs up to this size are sampled whole when choosing a mode.
pub const SAMPLE_WHOLE_MAX: usize = 32 * 1024;
/// Larger inputs are sampled in this many windows...
pub const SAMPLE_WINDOWS: usize = 8;
/// ...of this many bytes each, spread evenly from the first to the last byte.
pub const SAMPLE_WINDOW_LEN: usize = 4 * 1024;

/// The LZ hash table bits, at most, when trying modes on the sample.
pub const TRIAL_HASH_BITS: u32 = 12;

/// The effort levels, fast to thorough.
pub const LEVELS: RangeInclusive<u32> = 1..=9;
/// The level [`Reference::new`] uses.
pub const DEFAULT_LEVEL: u32 = 2;

/// What a level changes: only how hard the encoder looks, never the
/// format (a level is not recorded; any payload decodes the same way).
#[derive(Clone, Copy, Debug)]
struct Level {
    lz: lz::Params,
}

impl Level {
    fn new(level: u32) -> Level {
        let (hash_bits, skip) = match level {
            1 => (13, 4),
            2 => (14, 5),
            3 => (14, 6),
            4 => (15, 6),
            5 => (16, 6),
            6 => (16, 7),
            7 => (17, 8),
            8 => (17, 10),
            _ => (18, 12),
        };
        Level {
            lz: lz::Params {
                hash_bits,
                hash_len: 5,
                skip,
                find_matches: true,
            },
        }
    }
}

/// Each thread's working memory, kept between blocks so it is allocated
/// (and page-faulted) once per thread, not per block.
#[derive(Default)]
struct Scratch {
    /// The delta of a block, or of a sample window.
    delta: Vec<u8>,
    /// A trial body when choosing a mode.
    body: Vec<u8>,
    /// A trial body of an LZ mode with every byte a literal.
    literal_body: Vec<u8>,
    /// The smallest trial bodies so far of the RLE modes and of the LZ
    /// modes, when the sample is the whole block: the chosen one is then
    /// the payload's body, and the block is not coded twice.
    best_simple: Vec<u8>,
    best_coded: Vec<u8>,
    /// The LZ encoder's tables and lists.
    lz: lz::Scratch,
    /// The PCM encoder's signals.
    pcm: pcm::Scratch,
    /// The decoder's literals.
    lits: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The built-in reference engine.
#[derive(Debug)]
pub struct Reference {
    id: EngineId,
    level: u32,
}

impl Default for Reference {
    fn default() -> Self {
        Reference {
            id: EngineId {
                kind: EngineKind::Reference,
                name: NAME.to_string(),
            },
            level: DEFAULT_LEVEL,
        }
    }
}

impl Reference {
    /// A reference engine at the default level.
    pub fn new() -> Self {
        Self::default()
    }

    /// A reference engine at `level` (see [`LEVELS`]), or `None` outside
    /// that range. Higher levels look harder for matches; every level
    /// writes the same format, and decoding never needs the level.
    pub fn with_level(level: u32) -> Option<Self> {
        LEVELS.contains(&level).then(|| Reference {
            level,
            ..Reference::default()
        })
    }

    /// The level this engine compresses at.
    pub fn level(&self) -> u32 {
        self.level
    }
}

impl Engine for Reference {
    fn id(&self) -> &EngineId {
        &self.id
    }

    fn levels(&self) -> Option<RangeInclusive<i32>> {
        Some(*LEVELS.start() as i32..=*LEVELS.end() as i32)
    }

    fn level(&self) -> Option<i32> {
        Some(self.level as i32)
    }

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), EngineError> {
        out.clear();
        encode_level(input, self.level, out);
        Ok(())
    }

    fn compress_block(&self, input: &[u8], out: &mut Vec<u8>) -> Result<Coded, EngineError> {
        // When the sample says "store", skip copying the block into a
        // stored payload the container would throw away.
        out.clear();
        if !encode_block(input, Level::new(self.level), out) {
            return Ok(Coded::Stored);
        }
        Ok(Coded::judge(out.len(), input.len()))
    }

    fn decompress(
        &self,
        payload: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EngineError> {
        decode(payload, limit, out)
    }
}

/// For tests: the reference engine, calling `hook(compressing, input
/// length)` before each compression and decompression.
#[cfg(test)]
pub(crate) struct Hooked<F> {
    engine: Reference,
    hook: F,
}

#[cfg(test)]
impl<F: Fn(bool, usize) + Send + Sync> Hooked<F> {
    pub(crate) fn new(hook: F) -> Self {
        Hooked {
            engine: Reference::new(),
            hook,
        }
    }
}

#[cfg(test)]
impl<F: Fn(bool, usize) + Send + Sync> Engine for Hooked<F> {
    fn id(&self) -> &EngineId {
        self.engine.id()
    }

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), EngineError> {
        (self.hook)(true, input.len());
        self.engine.compress(input, out)
    }

    fn decompress(
        &self,
        payload: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), EngineError> {
        (self.hook)(false, payload.len());
        self.engine.decompress(payload, limit, out)
    }
}

/// The delta stride of an RLE-of-delta or LZ-of-delta mode.
fn stride(mode: u8) -> usize {
    match mode {
        2..=MODE_DELTA_MAX => usize::from(mode - 1),
        _ => usize::from(mode - MODE_LZ),
    }
}

/// The modes tried for an input of `len` bytes: the LZ and PCM modes
/// count positions in 32 bits, so longer inputs use RLE only.
fn candidates(len: usize) -> RangeInclusive<u8> {
    if u32::try_from(len).is_ok() {
        MODE_RLE..=MODE_MAX
    } else {
        MODE_RLE..=MODE_DELTA_MAX
    }
}

/// Appends the body of `input` under `mode` (1 to [`MODE_MAX`]) to `out`;
/// returns the mode the body has, which for a striped PCM mode may be its
/// classic twin (`docs/FORMAT.md` 2.4, 2.10).
fn encode_body(
    input: &[u8],
    mode: u8,
    level: Level,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> u8 {
    match mode {
        MODE_RLE => rle::encode(input, out),
        2..=MODE_DELTA_MAX => {
            delta::encode(input, stride(mode), &mut scratch.delta);
            rle::encode(&scratch.delta, out);
        }
        MODE_LZ => lz::encode(input, level.lz, &mut scratch.lz, out),
        7..=MODE_LZ_DELTA_MAX => {
            delta::encode(input, stride(mode), &mut scratch.delta);
            lz::encode(&scratch.delta, level.lz, &mut scratch.lz, out);
        }
        _ => {
            let (layout, channels, lead) = pcm_layout(mode, input.len());
            debug_assert_eq!(layout, pcm::Layout::Striped);
            out.extend_from_slice(&input[..lead]);
            return match pcm::encode(&input[lead..], channels, lead, &mut scratch.pcm, out) {
                pcm::Layout::Striped => mode,
                pcm::Layout::Classic => mode - (MODE_STRIPED_MONO - MODE_PCM_MONO),
            };
        }
    }
    mode
}

/// Picks the payload mode for `input` at the default level, by the
/// sample: see [`Reference::with_level`] and `docs/FORMAT.md`. (A striped
/// PCM mode it picks may still give way to its classic twin when the
/// block is coded.)
pub fn choose_mode(input: &[u8]) -> u8 {
    let level = Level::new(DEFAULT_LEVEL).for_len(input.len());
    SCRATCH.with_borrow_mut(|scratch| choose(input, level, scratch).mode)
}

impl Level {
    /// The parameters for a block of `len` bytes: one that is its own
    /// sample (at most [`SAMPLE_WHOLE_MAX`] bytes) is coded with the trial
    /// parameters, so the trial's body is the payload's, and a small
    /// block does not clear a large table.
    fn for_len(self, len: usize) -> Level {
        if len <= SAMPLE_WHOLE_MAX {
            self.trial()
        } else {
            self
        }
    }

    /// The parameters of the trials on the sample: windows are small, so
    /// a small hash table finds their matches as well, and clearing it
    /// costs less.
    fn trial(self) -> Level {
        Level {
            lz: lz::Params {
                hash_bits: self.lz.hash_bits.min(TRIAL_HASH_BITS),
                ..self.lz
            },
        }
    }

    /// These parameters with the LZ match finder off: every byte of an
    /// LZ mode's body is a literal.
    fn literals_only(self) -> Level {
        Level {
            lz: lz::Params {
                find_matches: false,
                ..self.lz
            },
        }
    }
}

/// What [`choose`] decided.
struct Choice {
    mode: u8,
    /// Whether an LZ mode looks for matches (else every byte is a
    /// literal).
    find_matches: bool,
    /// Whether `scratch.best_simple` or `scratch.best_coded` (whichever
    /// group the mode is in) holds the body of the whole input under the
    /// mode, at the level given (which is then the trial's).
    kept: bool,
    /// The body length the sample predicts for the whole input: the
    /// mode's total on the sample, scaled by `input.len() / sample length`.
    estimate: usize,
}

/// A mode's trial in [`choose`]: its total on the sample, whether the
/// body of the whole input is kept (see [`Choice::kept`]), and for an LZ
/// mode whether it finds matches.
#[derive(Clone, Copy)]
struct Candidate {
    total: usize,
    mode: u8,
    kept: bool,
    find_matches: bool,
}

impl Candidate {
    fn new(total: usize, mode: u8) -> Candidate {
        Candidate {
            total,
            mode,
            kept: false,
            find_matches: true,
        }
    }
}

/// Picks the payload mode for `input`: the mode whose body is smallest on
/// the sample (ties go to the lower mode), or stored when no mode makes
/// the sample smaller than it is; an entropy-coded mode (6 and up) must
/// beat the best RLE mode (or storing) by more than `sample / 256 + 8`
/// bytes. Of the LZ-of-delta modes only the stride with the most small
/// deltas is tried, and the PCM modes are tried with fixed predictors
/// only (and once more with linear ones where no mode saved a quarter of
/// the sample): the trials are the dearest part of choosing. The best LZ mode is
/// also tried with every byte a literal, and codes that way when it costs
/// at most the margin more than with matches (see [`literals_win`]).
///
/// The sample is the whole input up to [`SAMPLE_WHOLE_MAX`] bytes; beyond
/// that it is [`SAMPLE_WINDOWS`] windows of [`SAMPLE_WINDOW_LEN`] bytes,
/// window `k` starting at `k * (len - window) / (windows - 1)` rounded down
/// to a multiple of 4. Each window
/// is coded on its own, so a delta restarts at each window.
fn choose(input: &[u8], level: Level, scratch: &mut Scratch) -> Choice {
    let whole = input.len() <= SAMPLE_WHOLE_MAX;
    let windows: Vec<&[u8]> = if whole {
        vec![input]
    } else {
        (0..SAMPLE_WINDOWS)
            .map(|k| {
                let start = sample_start(input.len(), k);
                &input[start..start + SAMPLE_WINDOW_LEN]
            })
            .collect()
    };
    choose_by(input, &windows, whole, level, scratch)
}

/// Where window `k` of the sample of a block of `len` bytes (more than
/// [`SAMPLE_WHOLE_MAX`]) starts, as [`choose`] says.
fn sample_start(len: usize, k: usize) -> usize {
    // Whole 16-bit stereo frames: a window that starts inside a frame
    // would hide PCM structure from the PCM modes.
    k * (len - SAMPLE_WINDOW_LEN) / (SAMPLE_WINDOWS - 1) / 4 * 4
}

/// The total of the striped PCM `mode`'s bodies of the `windows`, counted
/// rather than written: with `linear`, as the encoder writes them; without,
/// with fixed predictors only.
fn pcm_trial(windows: &[&[u8]], mode: u8, linear: bool, scratch: &mut Scratch) -> usize {
    windows
        .iter()
        .map(|window| {
            let (_, channels, lead) = pcm_layout(mode, window.len());
            lead + pcm::trial_len(&window[lead..], channels, linear, &mut scratch.pcm)
        })
        .sum()
}

/// The second sample of a block more than [`SAMPLE_WHOLE_MAX`] bytes
/// long that the first one misled about (`docs/FORMAT.md` 2.4, "Second
/// look"): of the block's whole [`SAMPLE_WINDOW_LEN`]-byte slots, the
/// [`SAMPLE_WINDOWS`] in which most bytes differ from the byte before
/// them (the earlier slot on ties), in the block's order. Evenly spaced
/// windows can all fall on digital silence, or on a raster's flat
/// background, while what the block holds lies between them.
fn busiest_windows(input: &[u8]) -> Vec<&[u8]> {
    let slots: Vec<&[u8]> = input.chunks_exact(SAMPLE_WINDOW_LEN).collect();
    let mut ranked: Vec<(usize, usize)> = slots
        .iter()
        .enumerate()
        .map(|(j, slot)| {
            let changes = slot[1..]
                .iter()
                .zip(&slot[..slot.len() - 1])
                .filter(|(a, b)| a != b)
                .count();
            (changes, j)
        })
        .collect();
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut picked: Vec<usize> = ranked
        .iter()
        .take(SAMPLE_WINDOWS)
        .map(|&(_, j)| j)
        .collect();
    picked.sort_unstable();
    picked.into_iter().map(|j| slots[j]).collect()
}

/// [`choose`] with the sample `windows` (`whole`: the one window is the
/// whole input).
fn choose_by(
    input: &[u8],
    windows: &[&[u8]],
    whole: bool,
    level: Level,
    scratch: &mut Scratch,
) -> Choice {
    let sample_len: usize = windows.iter().map(|w| w.len()).sum();
    let trial = level.trial();
    // The one LZ-of-delta mode worth a trial: the stride whose deltas are
    // most often small (the lowest stride on ties), if they are often
    // enough (see `small_deltas`).
    let mut delta_pick = (0, 1);
    for stride in 1..=4 {
        let count = small_deltas(windows, stride);
        if count > delta_pick.0 {
            delta_pick = (count, stride);
        }
    }
    let lz_delta = MODE_LZ + delta_pick.1 as u8;
    let try_lz_delta = delta_pick.0 * 5 > sample_len * 2;

    // The best RLE mode (or stored), and the best entropy-coded one.
    let mut simple = Candidate::new(sample_len, MODE_STORED);
    let mut coded = Candidate::new(usize::MAX, MODE_STORED);
    let mut body = std::mem::take(&mut scratch.body);
    let mut literal_body = std::mem::take(&mut scratch.literal_body);
    let mut best_simple = std::mem::take(&mut scratch.best_simple);
    let mut best_coded = std::mem::take(&mut scratch.best_coded);
    // The smallest totals of the LZ modes and of modes 14 and 15: mode 16
    // is tried only where PCM came close to LZ (within 3/2), so that data
    // which is no PCM at all (binaries, text) pays for two PCM trials, not
    // three.
    let (mut best_lz, mut best_pcm) = (usize::MAX, usize::MAX);
    // The totals of modes 14 and 15, for the second look at mono below.
    let mut striped = [usize::MAX; 2];
    for mode in candidates(input.len()) {
        if (7..=MODE_LZ_DELTA_MAX).contains(&mode) && !(try_lz_delta && mode == lz_delta) {
            continue;
        }
        // The classic PCM modes are not tried: they only replace a striped
        // mode once it is chosen (see `encode_body`).
        if (MODE_PCM_MONO..=MODE_PCM_STEREO_AT_2).contains(&mode) {
            continue;
        }
        if mode == MODE_STRIPED_STEREO_AT_2
            && best_pcm.saturating_mul(2) >= best_lz.saturating_mul(3)
        {
            continue;
        }
        let size = if mode >= MODE_PCM_MONO {
            // Fixed predictors only, and counted, not written.
            pcm_trial(windows, mode, false, scratch)
        } else {
            let mut size = 0;
            for window in windows {
                body.clear();
                encode_body(window, mode, trial, scratch, &mut body);
                size += body.len();
            }
            size
        };
        if let MODE_STRIPED_MONO | MODE_STRIPED_STEREO = mode {
            striped[usize::from(mode - MODE_STRIPED_MONO)] = size;
        }
        if mode >= MODE_PCM_MONO {
            best_pcm = best_pcm.min(size);
        } else if mode >= MODE_LZ {
            best_lz = best_lz.min(size);
        }
        let (best, kept) = if mode < MODE_LZ {
            (&mut simple, &mut best_simple)
        } else {
            (&mut coded, &mut best_coded)
        };
        if size < best.total {
            // A PCM trial has no linear predictor: not the payload's body.
            let keep = whole && mode < MODE_PCM_MONO;
            *best = Candidate {
                kept: keep,
                ..Candidate::new(size, mode)
            };
            if keep {
                std::mem::swap(&mut body, kept);
            }
        }
    }
    // The winning LZ mode is also tried with every byte a literal, where
    // the bound of that trial leaves it a chance.
    let lz_mode = coded.mode;
    if (MODE_LZ..=MODE_LZ_DELTA_MAX).contains(&lz_mode) {
        let bound: usize = windows
            .iter()
            .map(|window| {
                if lz_mode == MODE_LZ {
                    lz::literals_only_len_bound(window)
                } else {
                    delta::encode(window, stride(lz_mode), &mut scratch.delta);
                    lz::literals_only_len_bound(&scratch.delta)
                }
            })
            .sum();
        if literals_win(bound, coded.total, sample_len) {
            let mut literal_size = 0;
            for window in windows {
                literal_body.clear();
                let literals_only = trial.literals_only();
                encode_body(window, lz_mode, literals_only, scratch, &mut literal_body);
                literal_size += literal_body.len();
            }
            if literals_win(literal_size, coded.total, sample_len) {
                coded = Candidate {
                    kept: whole,
                    find_matches: false,
                    ..Candidate::new(literal_size, lz_mode)
                };
                if whole {
                    std::mem::swap(&mut literal_body, &mut best_coded);
                }
            }
        }
    }
    scratch.body = body;
    scratch.literal_body = literal_body;
    scratch.best_simple = best_simple;
    scratch.best_coded = best_coded;
    // Stereo chosen with mono within an eighth of it: both again with
    // linear predictors. Mono audio with a tone near the top of the band
    // (a 19 kHz pilot) looks like stereo to fixed predictors, each
    // "channel" seeing the tone at a low alias, while a linear predictor
    // codes it as mono a tenth smaller. Stereo music is a third or more
    // smaller as stereo, and never pays for these trials.
    // Modes 14 and 15 with linear predictors, made once for both looks.
    let mut linear = None;
    let mut linear_totals = |scratch: &mut Scratch| -> [usize; 2] {
        *linear.get_or_insert_with(|| {
            [MODE_STRIPED_MONO, MODE_STRIPED_STEREO]
                .map(|mode| pcm_trial(windows, mode, true, scratch))
        })
    };
    let [mono, stereo] = striped;
    if coded.mode == MODE_STRIPED_STEREO && stereo.saturating_mul(8) >= mono.saturating_mul(7) {
        let [mono, stereo] = linear_totals(scratch);
        coded = if mono < stereo {
            Candidate::new(mono, MODE_STRIPED_MONO)
        } else {
            Candidate::new(stereo, MODE_STRIPED_STEREO)
        };
    }
    // Where no mode saved a quarter of the sample, the PCM modes get a
    // second trial with the linear predictor: a tone above a few kHz, or
    // a chirp, defeats every fixed predictor (the sample then looks like
    // noise, and was coded with LZ or stored at half flac's ratio), while
    // a linear predictor codes it in a third of its size. Data that
    // compresses (binaries, text, music) never pays for this trial.
    let pcm_modes = candidates(input.len()).contains(&MODE_STRIPED_STEREO);
    if pcm_modes && simple.total.min(coded.total).saturating_mul(4) >= sample_len.saturating_mul(3)
    {
        let totals = linear_totals(scratch);
        for (mode, size) in [MODE_STRIPED_MONO, MODE_STRIPED_STEREO]
            .into_iter()
            .zip(totals)
        {
            if size < coded.total {
                coded = Candidate::new(size, mode);
            }
        }
    }
    // RLE decodes fastest: an entropy-coded mode must earn its keep.
    let chosen = if coded.total.saturating_add(coded_margin(sample_len)) < simple.total {
        coded
    } else {
        simple
    };
    Choice {
        mode: chosen.mode,
        kept: chosen.kept,
        find_matches: chosen.find_matches,
        estimate: (chosen.total as u128 * input.len() as u128)
            .checked_div(sample_len as u128)
            .map_or(0, |e| e as usize),
    }
}

/// Whether an LZ mode whose body on the sample is `literal_size` bytes
/// with every byte a literal, and `matched_size` with the matches the
/// finder found, should code without matches: when that costs at most
/// the margin an entropy-coded mode must save over RLE. Where matches
/// save less (noise, fine-grained deltas: a photograph, a relief), their
/// few bytes a sequence cost more than they save, and literals alone
/// compress and decompress several times faster.
fn literals_win(literal_size: usize, matched_size: usize, sample_len: usize) -> bool {
    literal_size <= matched_size.saturating_add(coded_margin(sample_len))
}

/// How many bytes of the windows differ by at most 8 (either way, mod
/// 256) from the byte `stride` before them. An LZ-of-delta mode is tried
/// only for the stride where most do, and only when more than 40% do: its
/// delta helps only where neighbours are close (rasters, samples), and
/// the trial is the dearest of all.
fn small_deltas(windows: &[&[u8]], stride: usize) -> usize {
    windows
        .iter()
        .map(|w| {
            let (before, after) = (
                &w[..w.len().saturating_sub(stride)],
                &w[stride.min(w.len())..],
            );
            // Counted in 16-bit lanes, a piece at a time: a loop the
            // compiler turns into wide compares and adds.
            before
                .chunks(u16::MAX as usize)
                .zip(after.chunks(u16::MAX as usize))
                .map(|(a, b)| {
                    let small = a
                        .iter()
                        .zip(b)
                        .map(|(&a, &b)| u16::from(b.wrapping_sub(a).wrapping_add(8) < 17))
                        .fold(0u16, u16::wrapping_add);
                    usize::from(small)
                })
                .sum::<usize>()
        })
        .sum()
}

/// Compresses `input` into a reference payload in `out` (replaced), at
/// the default level.
///
/// The result is never more than `1 + varint(len)` bytes larger than the
/// input: when the chosen mode does not beat storing, the block is stored.
pub fn encode(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    encode_append(input, out);
}

/// [`encode`], appending to what `out` already holds.
pub fn encode_append(input: &[u8], out: &mut Vec<u8>) {
    encode_level(input, DEFAULT_LEVEL, out);
}

/// [`encode_append`] at `level` (clamped to [`LEVELS`]).
pub fn encode_level(input: &[u8], level: u32, out: &mut Vec<u8>) {
    let level = Level::new(level.clamp(*LEVELS.start(), *LEVELS.end()));
    if !encode_block(input, level, out) {
        put_header(out, MODE_STORED, input.len());
        out.extend_from_slice(input);
    }
}

/// Appends the payload of `input` under `mode` (any mode, even one the
/// encoder would not choose) to `out`, at the default level: for tests and
/// measurements of single modes.
#[doc(hidden)]
pub fn encode_mode_for_tests(input: &[u8], mode: u8, out: &mut Vec<u8>) {
    let level = Level::new(DEFAULT_LEVEL).for_len(input.len());
    let coded = mode != MODE_STORED
        && SCRATCH
            .with_borrow_mut(|scratch| encode_coded(input, mode, level, None, scratch, out))
            .is_some();
    if !coded {
        put_header(out, MODE_STORED, input.len());
        out.extend_from_slice(input);
    }
}

/// Chooses the mode of `input` and appends its coded payload to `out`;
/// returns false, leaving `out` as it was, when the block is better
/// stored.
fn encode_block(input: &[u8], level: Level, out: &mut Vec<u8>) -> bool {
    let level = level.for_len(input.len());
    SCRATCH.with_borrow_mut(|scratch| {
        let Choice {
            mode,
            find_matches,
            kept,
            estimate,
        } = choose(input, level, scratch);
        let chosen_level = if find_matches {
            level
        } else {
            level.literals_only()
        };
        if mode == MODE_STORED {
            return stored_by_sample(input, level, scratch, out);
        }
        let start = out.len();
        let body = kept.then(|| {
            if mode < MODE_LZ {
                std::mem::take(&mut scratch.best_simple)
            } else {
                std::mem::take(&mut scratch.best_coded)
            }
        });
        let mut coded = encode_coded(input, mode, chosen_level, body.as_deref(), scratch, out);
        // The buffer goes back for the next block.
        match body {
            Some(body) if mode < MODE_LZ => scratch.best_simple = body,
            Some(body) => scratch.best_coded = body,
            None => {}
        }
        // A second look where the sample may have misled. Under a coded
        // mode: the block as a whole codes much worse than the sample said
        // (a raster whose windows fell on flat background while its detail
        // lies between them). Under RLE: always, since a sample window is
        // shorter than what LZ can reach back in the whole block (a chart
        // whose rows repeat rows a window's length or more above). Plain
        // LZ, the mode that least depends on what the data is, then gets
        // the whole block too, and the smaller wins (over RLE the sample
        // did not mislead about, by the margin an entropy-coded mode must
        // always win by).
        let body_len = coded.unwrap_or(input.len());
        let plain_lz = mode == MODE_LZ && find_matches;
        let sample_misled = !plain_lz && misled(body_len, estimate);
        let margin = if sample_misled {
            0
        } else {
            coded_margin(input.len())
        };
        // (A body within the margin cannot be beaten by it: no trial.)
        if (sample_misled || (mode < MODE_LZ && body_len > margin))
            && input.len() > SAMPLE_WHOLE_MAX
        {
            code_instead(
                input, MODE_LZ, level, margin, &mut coded, scratch, out, start,
            );
        }
        // Where the sample misled, a second sample, of the block's busiest
        // slots, chooses again (digital silence around bursts of music:
        // the first sample heard only silence, and neither RLE nor LZ
        // codes the music as PCM does); its mode's body is kept if it is
        // the smallest yet.
        if sample_misled && input.len() > SAMPLE_WHOLE_MAX {
            let windows = busiest_windows(input);
            let second = choose_by(input, &windows, false, level, scratch);
            let tried = (second.mode == mode && second.find_matches == find_matches)
                || (second.mode == MODE_LZ && second.find_matches);
            if second.mode != MODE_STORED && !tried {
                let second_level = if second.find_matches {
                    level
                } else {
                    level.literals_only()
                };
                code_instead(
                    input,
                    second.mode,
                    second_level,
                    0,
                    &mut coded,
                    scratch,
                    out,
                    start,
                );
            }
        }
        // An LZ mode chosen without matches, or a PCM mode: the windows are
        // too short to show repeats further apart than their length (a
        // raster's rows doubled, tiles, chunks of an array written twice),
        // which a block can be full of. The start of the block says
        // whether it has long ones; if so, the mode with matches (plain
        // LZ after PCM) codes the whole block too.
        let long_repeats_mode = if !find_matches && (MODE_LZ..=MODE_LZ_DELTA_MAX).contains(&mode) {
            Some(mode)
        } else if mode >= MODE_PCM_MONO {
            Some(MODE_LZ)
        } else {
            None
        };
        if let Some(again_mode) = long_repeats_mode
            && input.len() > SAMPLE_WHOLE_MAX
        {
            let head = &input[..input.len().min(LONG_REPEAT_PROBE)];
            let head = if again_mode == MODE_LZ {
                head
            } else {
                delta::encode(head, stride(again_mode), &mut scratch.delta);
                &scratch.delta[..]
            };
            let long =
                lz::bytes_in_long_matches(head, level.trial().lz, &mut scratch.lz, LONG_REPEAT);
            if long > LONG_REPEAT_PROBE / 8 {
                code_instead(input, again_mode, level, 0, &mut coded, scratch, out, start);
            }
        }
        coded.is_some()
    })
}

/// Codes `input` with `mode` at `level` as well, and puts that payload in
/// place of the one `out` holds from `start` (whose body is `coded` bytes
/// long, or `None`: stored) where its body is shorter by more than
/// `margin` bytes (and shorter than `input`): one of the whole-block looks
/// of [`encode_block`].
#[allow(clippy::too_many_arguments)]
fn code_instead(
    input: &[u8],
    mode: u8,
    level: Level,
    margin: usize,
    coded: &mut Option<usize>,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
    start: usize,
) {
    let best = coded.unwrap_or(input.len());
    let mut again = std::mem::take(&mut scratch.body);
    again.clear();
    if let Some(len) = encode_coded(input, mode, level, None, scratch, &mut again)
        && len.saturating_add(margin) < best
    {
        out.truncate(start);
        out.extend_from_slice(&again);
        *coded = Some(len);
    }
    scratch.body = again;
}

/// The bytes at the start of a block that [`encode_block`] parses for
/// long repeats when the sample chose an LZ mode without matches or a PCM
/// mode, and the shortest match (and offset) that counts as one
/// (`docs/FORMAT.md` 2.4).
const LONG_REPEAT_PROBE: usize = 16 * 1024;
const LONG_REPEAT: usize = 32;

/// The look at the whole block that a sample showing nothing to compress
/// gets (`docs/FORMAT.md` 2.4). Eight windows are 3% of a 1 MiB block,
/// and a block that is mostly compressed data (an archive, a document
/// with embedded images) can hold text, names, tables and repeated files
/// between them. So the whole block is parsed for matches, as plain LZ
/// would; where they cover more than a thousandth of it, it is coded with
/// plain LZ and raw literals (the sample showed they do not compress),
/// and the body kept when it saves more than [`STORED_MARGIN`]. On data
/// that does not match the finder's growing steps make the parse a few
/// thousand probes a block. Returns whether `out` got a payload.
fn stored_by_sample(input: &[u8], level: Level, scratch: &mut Scratch, out: &mut Vec<u8>) -> bool {
    let n = input.len();
    // A block of at most SAMPLE_WHOLE_MAX bytes was its own sample.
    if n <= SAMPLE_WHOLE_MAX || lz::parse_matched(input, level.lz, &mut scratch.lz) <= n / 1024 {
        return false;
    }
    let start = out.len();
    put_header(out, MODE_LZ, n);
    let body_start = out.len();
    lz::encode_parsed(input, lz::LiteralCoding::Raw, &mut scratch.lz, out);
    if out.len() - body_start + STORED_MARGIN < n {
        return true;
    }
    out.truncate(start);
    false
}

/// What a body must save over storing its block when the sample chose
/// to store it: more than a coded block's frame costs over a stored one
/// (its raw check and length, and the payload header).
const STORED_MARGIN: usize = 16;

/// How many bytes an entropy-coded mode must save over the best RLE mode
/// (or storing) on `len` bytes to be chosen: about 0.4%, since RLE decodes
/// faster.
fn coded_margin(len: usize) -> usize {
    len / 256 + 8
}

/// Whether a whole block's body of `body_len` bytes is so much longer than
/// the sample's `estimate` that the sample did not show what the block
/// is: by more than a quarter, and 64 bytes.
fn misled(body_len: usize, estimate: usize) -> bool {
    body_len > estimate + estimate / 4 + 64
}

/// Appends the payload of `input` under the coded `mode` to `out` (its
/// body `ready` if the trial made it) and returns the body's length when
/// it is smaller than the input; otherwise leaves `out` as it was and
/// returns `None`.
fn encode_coded(
    input: &[u8],
    mode: u8,
    level: Level,
    ready: Option<&[u8]>,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let start = out.len();
    put_header(out, mode, input.len());
    let body_start = out.len();
    match ready {
        Some(body) => out.extend_from_slice(body),
        None => {
            // Enough for any body that beats storing, so the encoder never
            // reallocates on the way.
            out.reserve(input.len() + 16);
            // A striped PCM body may have given way to its classic twin.
            out[start] = encode_body(input, mode, level, scratch, out);
        }
    }
    let body_len = out.len() - body_start;
    if body_len < input.len() {
        return Some(body_len);
    }
    out.truncate(start);
    None
}

/// Appends a payload header: the mode byte and the raw length.
fn put_header(out: &mut Vec<u8>, mode: u8, len: usize) {
    out.push(mode);
    varint::put(out, len as u64);
}

/// Decodes a reference payload into `out` (replaced), producing at most
/// `limit` bytes.
///
/// `out`'s bytes are written over, not cleared and zeroed first: a
/// decoded-block buffer from a pool is then filled once, by the decoder,
/// rather than zeroed and filled. On error `out` may hold anything.
pub fn decode(payload: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), EngineError> {
    decode_at(payload, limit, out, 0)
}

/// [`decode`], appending to what `out` already holds (`limit` counts only
/// the appended bytes). On error `out` may hold part of the output.
pub fn decode_append(payload: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), EngineError> {
    decode_at(payload, limit, out, out.len())
}

/// Decodes a payload into `out` from `start` on (at most its length):
/// the bytes before stay, those after are written over, and `out` then
/// ends with the block.
fn decode_at(
    payload: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
    start: usize,
) -> Result<(), EngineError> {
    let (&mode, rest) = payload
        .split_first()
        .ok_or(EngineError::Corrupt("empty payload"))?;
    if mode > MODE_MAX {
        return Err(EngineError::Corrupt("unknown mode"));
    }
    let mut pos = 0;
    let raw_len = varint::get(rest, &mut pos).map_err(EngineError::Corrupt)?;
    let raw_len = usize::try_from(raw_len)
        .ok()
        .filter(|&n| n <= limit)
        .ok_or(EngineError::TooLarge { limit })?;
    let body = &rest[pos..];

    if mode == MODE_STORED {
        if body.len() != raw_len {
            return Err(EngineError::Corrupt("stored length differs from header"));
        }
        out.truncate(start);
        out.extend_from_slice(body);
        return Ok(());
    }

    if mode >= MODE_PCM_MONO {
        let (_, channels, lead) = pcm_layout(mode, raw_len);
        if body.len() < lead || !pcm::plausible(body.len() - lead, raw_len - lead, channels) {
            return Err(EngineError::Corrupt("PCM stream length is wrong"));
        }
    }
    if (MODE_LZ..=MODE_LZ_DELTA_MAX).contains(&mode) {
        SCRATCH
            .with_borrow_mut(|scratch| lz::decode(body, raw_len, out, start, &mut scratch.lits))?;
        if mode != MODE_LZ {
            delta::decode_in_place(&mut out[start..], stride(mode));
        }
        return Ok(());
    }
    // Fallible, so a payload that declares more than memory allows is an
    // error, not an abort.
    out.try_reserve_exact((start + raw_len).saturating_sub(out.len()))
        .map_err(|_| EngineError::TooLarge { limit: raw_len })?;
    out.resize(start + raw_len, 0);
    let dst = &mut out[start..];
    match mode {
        MODE_RLE..=MODE_DELTA_MAX => {
            let written = rle::decode_into(body, dst).map_err(|e| match e {
                rle::DecodeError::Corrupt(why) => EngineError::Corrupt(why),
                rle::DecodeError::TooLarge => {
                    EngineError::Corrupt("body decodes past the raw length")
                }
            })?;
            if written != raw_len {
                return Err(EngineError::Corrupt("body decodes short of the raw length"));
            }
        }
        _ => {
            let (layout, channels, lead) = pcm_layout(mode, raw_len);
            dst[..lead].copy_from_slice(&body[..lead]);
            pcm::decode(layout, &body[lead..], channels, &mut dst[lead..])?;
        }
    }
    if (2..=MODE_DELTA_MAX).contains(&mode) {
        delta::decode_in_place(dst, stride(mode));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_a_specialised_parse() {
        for level in LEVELS {
            let level = Level::new(level);
            for params in [level.lz, level.trial().lz] {
                assert!(lz::specialised_parse(params).is_some(), "{params:?}");
            }
        }
    }

    /// The payload of `input` under `mode`, forced.
    fn forced(input: &[u8], mode: u8) -> Vec<u8> {
        let mut payload = Vec::new();
        encode_mode_for_tests(input, mode, &mut payload);
        payload
    }

    /// Asserts `payload` is shorter than `num / den` of `other` (`what`,
    /// for the message).
    fn assert_shorter(payload: &[u8], other: &[u8], (num, den): (usize, usize), what: &str) {
        assert!(
            payload.len() * den < other.len() * num,
            "{} vs {what} {}",
            payload.len(),
            other.len()
        );
    }

    fn round_trip(input: &[u8]) -> Vec<u8> {
        let mut payload = Vec::new();
        encode(input, &mut payload);
        // Into an empty buffer, and over one holding other bytes (shorter
        // and longer than the block): none of them shows.
        for held in [0, 5, input.len() + 100] {
            let mut back = vec![0xa5; held];
            decode(&payload, input.len(), &mut back).unwrap();
            assert_eq!(back, input, "over {held} bytes");
        }
        // Appended after what the buffer holds, which stays.
        let mut after = b"kept".to_vec();
        decode_append(&payload, input.len(), &mut after).unwrap();
        assert_eq!(&after[..4], b"kept");
        assert_eq!(after[4..], *input);
        payload
    }

    #[test]
    fn chooses_stride_3_delta_for_flat_rgb() {
        // Bands of flat colour: the RGB triples have no byte runs, but their
        // stride-3 deltas are zero.
        let raster: Vec<u8> = (0..20_000u32)
            .flat_map(|p| {
                let band = (p / 1000) as u8;
                [band.wrapping_mul(40), 200 - band, 17 + band]
            })
            .collect();
        assert_eq!(choose_mode(&raster), 4);
        let payload = round_trip(&raster);
        assert!(payload.len() < raster.len() / 20, "{}", payload.len());
    }

    /// The literal and sequence counts of an LZ mode's payload.
    fn lz_counts(payload: &[u8]) -> (u64, u64) {
        assert!((MODE_LZ..=MODE_LZ_DELTA_MAX).contains(&payload[0]));
        let mut pos = 1;
        varint::get(payload, &mut pos).unwrap();
        let literals = varint::get(payload, &mut pos).unwrap();
        (literals, varint::get(payload, &mut pos).unwrap())
    }

    #[test]
    fn noisy_rasters_code_their_deltas_without_matches() {
        // A smooth grey relief under sensor noise of +-4: its deltas are
        // small but never repeat for long, so the short matches a greedy
        // parse finds in them cost more than the literals they replace.
        let mut rng = crate::corpus::Rng::new(5);
        for (width, height) in [(160, 120), (400, 300)] {
            let raster: Vec<u8> = (0..width * height)
                .map(|i| {
                    let (x, y) = ((i % width) as f64, (i / width) as f64);
                    let shade = 128.0 + 60.0 * (x / 50.0).sin() * (y / 40.0).cos();
                    (shade as i32 + (rng.below(9) as i32 - 4)) as u8
                })
                .collect();
            let payload = round_trip(&raster);
            assert_eq!(payload[0], MODE_LZ + 1, "{width}x{height}");
            assert_eq!(lz_counts(&payload), (raster.len() as u64, 0));
            // The parse does find matches, which save at most the margin.
            let matched = forced(&raster, MODE_LZ + 1);
            assert!(lz_counts(&matched).1 > 0);
            assert!(
                payload.len() <= matched.len() + coded_margin(raster.len()),
                "{} vs {}",
                payload.len(),
                matched.len()
            );
        }
        // Text keeps its matches.
        let text = b"literals alone do not pay where phrases repeat. ".repeat(2000);
        assert!(lz_counts(&round_trip(&text)).1 > 0);
    }

    #[test]
    fn stores_random_data() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let data: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let payload = round_trip(&data);
        assert_eq!(payload[0], MODE_STORED);
        assert_eq!(payload.len(), data.len() + 1 + 3);
    }

    #[test]
    fn levels_change_the_effort_only() {
        assert!(Reference::with_level(0).is_none());
        assert!(Reference::with_level(10).is_none());
        assert_eq!(Reference::new().level(), DEFAULT_LEVEL);
        // Binary-like data: level 1's small table and quick skipping miss
        // matches that level 9 finds.
        let data = crate::corpus::binary_like(&mut crate::corpus::Rng::new(3), 1 << 20);
        let size = |level| {
            let engine = Reference::with_level(level).unwrap();
            let payload = engine.compress_vec(&data).unwrap();
            // Any level's payload decodes with any engine.
            assert!(
                Reference::new()
                    .decompress_vec(&payload, data.len())
                    .unwrap()
                    == data
            );
            payload.len()
        };
        let (fast, best) = (size(1), size(9));
        assert!(best < fast, "level 9 {best} bytes, level 1 {fast}");
    }

    #[test]
    fn a_second_look_when_the_sample_misled() {
        // The sample's windows fall on flat runs, where RLE does as well
        // as LZ; between them lie phrases that repeat, which only LZ
        // finds. The block as a whole must get plain LZ.
        let len = 200_000;
        let mut seed = 7u32;
        let mut byte = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        };
        let phrases: Vec<Vec<u8>> = (0..6).map(|_| (0..300).map(|_| byte()).collect()).collect();
        let mut x: Vec<u8> = (0..)
            .flat_map(|i| phrases[i * 7 % 6].clone())
            .take(len)
            .collect();
        fill_sample_windows(&mut x, 17);
        assert!(choose_mode(&x) < MODE_LZ, "the sample must prefer RLE");
        let payload = round_trip(&x);
        assert_eq!(payload[0], MODE_LZ);
        assert!(payload.len() < len / 20, "{}", payload.len());
    }

    /// Sets every byte of the sample's windows of `x` to `byte`.
    fn fill_sample_windows(x: &mut [u8], byte: u8) {
        for k in 0..SAMPLE_WINDOWS {
            let start = sample_start(x.len(), k);
            x[start..start + SAMPLE_WINDOW_LEN].fill(byte);
        }
    }

    /// Random bytes whose sample windows (of a block of `len`) hold nothing
    /// that repeats, with `copy` bytes from the middle of the first gap
    /// between windows repeated in the middle of the fourth.
    fn random_with_repeat_between_windows(len: usize, copy: usize) -> Vec<u8> {
        let mut x = crate::corpus::Rng::new(21).bytes(len);
        let window = |k: usize| sample_start(len, k);
        let gap_middle = |k: usize| (window(k) + SAMPLE_WINDOW_LEN + window(k + 1)) / 2;
        let (from, to) = (gap_middle(0) - copy / 2, gap_middle(3) - copy / 2);
        assert!(to + copy < window(4), "the copy must miss the windows");
        x.copy_within(from..from + copy, to);
        x
    }

    #[test]
    fn a_block_the_sample_would_store_codes_repeats_between_its_windows() {
        // Random windows: the sample says store. A whole file of random
        // bytes repeated between them (an archive holding a file twice)
        // must still be found.
        let len = 1 << 20;
        let x = random_with_repeat_between_windows(len, 40_000);
        assert_eq!(choose_mode(&x), MODE_STORED, "the sample must say store");
        let payload = round_trip(&x);
        assert_eq!(payload[0], MODE_LZ);
        assert!(payload.len() < len - 39_000, "{}", payload.len());
        // With matches over less than a thousandth of the block, stored.
        let x = random_with_repeat_between_windows(len, len / 1024 - 8);
        assert_eq!(round_trip(&x)[0], MODE_STORED);
    }

    #[test]
    fn a_second_look_when_rle_was_chosen_on_rows_longer_than_a_window() {
        // A chart: white rows 6000 bytes long (longer than a sample window)
        // with a few coloured dots, each row repeated five times. In a
        // window RLE does as well as LZ, which cannot reach the row above;
        // the whole block codes far smaller with LZ.
        const WIDTH: usize = 6000;
        const { assert!(WIDTH > SAMPLE_WINDOW_LEN) };
        let mut seed = 11u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as usize
        };
        let rows: Vec<Vec<u8>> = (0..20)
            .map(|_| {
                let mut row = vec![255u8; WIDTH];
                for _ in 0..40 {
                    let at = next() % (WIDTH / 3) * 3;
                    row[at..at + 3].copy_from_slice(&[next() as u8, next() as u8, 40]);
                }
                row
            })
            .collect();
        let x: Vec<u8> = (0..100).flat_map(|r| rows[r / 5 % 20].clone()).collect();
        let mode = choose_mode(&x);
        assert!(mode < MODE_LZ, "the sample must prefer RLE, not {mode}");
        let mut scratch = Scratch::default();
        let mut rle = Vec::new();
        encode_body(&x, mode, Level::new(DEFAULT_LEVEL), &mut scratch, &mut rle);
        let payload = round_trip(&x);
        assert_eq!(payload[0], MODE_LZ);
        assert!(
            payload.len() * 4 < rle.len(),
            "{} vs {}",
            payload.len(),
            rle.len()
        );
        // Where LZ does not beat RLE by the margin, RLE stays: runs only.
        let runs: Vec<u8> = (0..200_000u32).map(|i| (i / 5000) as u8).collect();
        assert_eq!(round_trip(&runs)[0], MODE_RLE);
    }

    /// 16-bit mono samples of a tone of `hz` at 44.1 kHz and `amp`, under
    /// noise of up to `hiss` either way.
    fn tone(samples: usize, hz: f64, amp: f64, hiss: i32) -> Vec<u8> {
        let mut rng = crate::corpus::Rng::new(3);
        (0..samples)
            .map(|i| {
                let t = i as f64 * 2.0 * std::f64::consts::PI * hz / 44_100.0;
                let noise = (rng.next_u64() % (2 * hiss as u64 + 1)) as i32 - hiss;
                ((amp * t.sin()) as i32 + noise).clamp(-32768, 32767) as i16
            })
            .flat_map(i16::to_le_bytes)
            .collect()
    }

    #[test]
    fn tones_that_defeat_fixed_predictors_get_a_linear_trial() {
        // A 15 kHz tone: every fixed predictor's residual is larger than
        // the signal, so the sample looks like noise to the first trials;
        // a linear predictor codes it in well under half its size. A 1 kHz
        // tone compresses under fixed predictors and keeps its path.
        for len in [24_000, 400_000] {
            let x = tone(len, 15_000.0, 20_000.0, 3);
            let mode = choose_mode(&x);
            assert!(
                matches!(mode, MODE_STRIPED_MONO | MODE_STRIPED_STEREO),
                "{len} samples: mode {mode}"
            );
            assert_shorter(&round_trip(&x), &x, (2, 5), "input");
        }
        assert_eq!(
            choose_mode(&tone(200_000, 1000.0, 20_000.0, 3)),
            MODE_STRIPED_MONO
        );
    }

    #[test]
    fn long_repeats_bring_back_matches_the_sample_could_not_see() {
        // A noisy grey raster whose rows, longer than a window, are each
        // written twice: in a window its deltas have no match worth a
        // sequence, so the sample codes them without matches; the block's
        // start shows the repeats, and with matches it codes far smaller.
        const WIDTH: usize = 5000;
        const { assert!(WIDTH > SAMPLE_WINDOW_LEN) };
        let mut rng = crate::corpus::Rng::new(4);
        let x: Vec<u8> = (0..40)
            .flat_map(|y| {
                let row: Vec<u8> = (0..WIDTH)
                    .map(|i| {
                        let smooth = 120.0 + 60.0 * (i as f64 / 80.0 + f64::from(y) / 5.0).sin();
                        (smooth as i32 + (rng.next_u64() % 13) as i32 - 6) as u8
                    })
                    .collect();
                [row.clone(), row].concat()
            })
            .collect();
        let level = Level::new(DEFAULT_LEVEL).for_len(x.len());
        let choice = SCRATCH.with_borrow_mut(|scratch| choose(&x, level, scratch));
        assert!(
            choice.mode >= MODE_LZ && !choice.find_matches,
            "the sample must choose an LZ mode without matches, not {}",
            choice.mode
        );
        let payload = round_trip(&x);
        assert_eq!(payload[0], choice.mode);
        let mut literals = Vec::new();
        SCRATCH.with_borrow_mut(|scratch| {
            encode_body(
                &x,
                choice.mode,
                level.literals_only(),
                scratch,
                &mut literals,
            )
        });
        assert_shorter(&payload, &literals, (2, 3), "without matches");
    }

    #[test]
    fn pcm_whose_chunks_repeat_further_apart_than_a_window_gets_plain_lz_too() {
        // Noisy samples whose 8 KiB chunks are each written twice (a log
        // of readings flushed twice): the windows see PCM, the block's
        // start shows the long repeats, and plain LZ codes it smaller.
        let samples = tone(60_000, 440.0, 9000.0, 200);
        let x: Vec<u8> = samples.chunks(8192).flat_map(|c| [c, c].concat()).collect();
        assert!(
            (MODE_STRIPED_MONO..=MODE_STRIPED_STEREO_AT_2).contains(&choose_mode(&x)),
            "the sample must choose PCM"
        );
        let payload = round_trip(&x);
        assert_eq!(payload[0], MODE_LZ);
        assert_shorter(&payload, &forced(&x, choose_mode(&x)), (1, 1), "PCM");
    }

    #[test]
    fn mono_music_under_a_high_pilot_tone_is_coded_as_mono() {
        // A 19 kHz pilot over mono music: fixed predictors prefer stereo
        // (each channel sees the tone's alias at 3 kHz), linear ones code
        // it as mono a tenth smaller.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/vectors/pcm-mono-19khz-pilot.raw"
        );
        let x = std::fs::read(path).unwrap();
        assert_eq!(choose_mode(&x), MODE_STRIPED_MONO);
        let payload = round_trip(&x);
        assert_shorter(
            &payload,
            &forced(&x, MODE_STRIPED_STEREO),
            (19, 20),
            "stereo",
        );
    }

    #[test]
    fn a_second_sample_of_the_busiest_slots_when_the_first_misled() {
        // Music (here a few partials under noise) with digital silence in
        // every window of the sample: the first sample chooses RLE, the
        // block misleads it, and a sample of its busiest slots chooses
        // PCM, which codes the block far smaller than plain LZ.
        let len = 400_000;
        let mut rng = crate::corpus::Rng::new(9);
        let mut x: Vec<u8> = (0..len / 2)
            .map(|i| {
                let t = i as f64 / 44_100.0 * 2.0 * std::f64::consts::PI;
                let v = 6000.0 * (220.0 * t).sin() + 3000.0 * (331.0 * t).sin();
                (v as i32 + (rng.next_u64() % 9) as i32 - 4) as i16
            })
            .flat_map(i16::to_le_bytes)
            .collect();
        fill_sample_windows(&mut x, 0);
        assert!(choose_mode(&x) < MODE_LZ, "the sample must prefer RLE");
        let busiest = busiest_windows(&x);
        assert!(busiest.iter().all(|w| w.iter().any(|&b| b != 0)));
        let payload = round_trip(&x);
        assert!(
            matches!(payload[0], MODE_PCM_MONO | MODE_STRIPED_MONO),
            "mode {}",
            payload[0]
        );
        assert_shorter(&payload, &forced(&x, MODE_LZ), (2, 3), "LZ");
    }

    #[test]
    fn busiest_windows_rank_slots_by_changes_and_keep_their_order() {
        // Twelve slots; slots 9, 2 and 5 change most, in that order, and
        // the rest tie: the lowest of them fill the sample.
        let mut x = vec![0u8; 12 * SAMPLE_WINDOW_LEN];
        for (slot, every) in [(9, 1), (2, 2), (5, 3)] {
            let at = slot * SAMPLE_WINDOW_LEN;
            for (i, b) in x[at..at + SAMPLE_WINDOW_LEN].iter_mut().enumerate() {
                *b = (i / every) as u8;
            }
        }
        let starts: Vec<usize> = busiest_windows(&x)
            .iter()
            .map(|w| (w.as_ptr() as usize - x.as_ptr() as usize) / SAMPLE_WINDOW_LEN)
            .collect();
        assert_eq!(starts, [0, 1, 2, 3, 4, 5, 6, 9]);
    }

    #[test]
    fn stereo_frames_after_a_two_byte_header() {
        // A WAV file whose header is 46 bytes long: every block's frames
        // start at byte 2 (mod 4). Two channels that differ by a little
        // noise code as small a side signal as when aligned.
        let frames: Vec<u8> = (0..60_000i32)
            .flat_map(|i| {
                let l = (8000.0 * (f64::from(i) / 37.0).sin()) as i16;
                let r = l.wrapping_add((i % 3 - 1) as i16);
                [l.to_le_bytes(), r.to_le_bytes()].concat()
            })
            .collect();
        // (So small a body that the striped layout's stripe starts cost
        // more than a 32nd of it: the classic twin is written.)
        let aligned = round_trip(&frames);
        assert_eq!(aligned[0], MODE_PCM_STEREO);
        let mut shifted = b"RI".to_vec();
        shifted.extend_from_slice(&frames);
        let payload = round_trip(&shifted);
        assert_eq!(payload[0], MODE_PCM_STEREO_AT_2);
        assert!(
            payload.len() <= aligned.len() + 8,
            "{} {}",
            payload.len(),
            aligned.len()
        );
        // The two bytes before the frames must be there.
        let mut out = Vec::new();
        for mode in [MODE_PCM_STEREO_AT_2, MODE_STRIPED_STEREO_AT_2] {
            assert!(decode(&[mode, 1], 1, &mut out).is_err());
            assert!(decode(&[mode, 3, b'a'], 3, &mut out).is_err());
        }
    }

    /// Every mode, forced, over inputs large enough that every running
    /// sum and carry of a decoder goes round many times: a smooth raster
    /// under noise, all 0xff, random bytes and a stereo tone. (A word-wise
    /// delta decoder once passed every test on short inputs and broke
    /// RGBA rasters of a few hundred kilobytes.)
    #[test]
    fn every_mode_round_trips_large_inputs() {
        let mut rng = crate::corpus::Rng::new(8);
        let raster: Vec<u8> = (0..1 << 20)
            .map(|i| ((i / 7 % 200) as u64 + rng.next_u64() % 9) as u8)
            .collect();
        let inputs = [
            raster,
            vec![0xff; 300_001],
            crate::corpus::Rng::new(12).bytes(200_003),
            tone(200_000, 440.0, 12_000.0, 30),
        ];
        for x in &inputs {
            // (The classic PCM modes are written only as a striped mode's
            // twin, which the striped modes here may give way to.)
            let modes = (MODE_RLE..=MODE_LZ_DELTA_MAX).chain(MODE_STRIPED_MONO..=MODE_MAX);
            for mode in modes {
                let payload = forced(x, mode);
                let mut back = Vec::new();
                decode(&payload, x.len(), &mut back).unwrap();
                assert!(back == *x, "mode {mode}, {} bytes", x.len());
            }
        }
    }

    #[test]
    fn empty_input() {
        assert_eq!(round_trip(b""), [MODE_STORED, 0]);
    }

    #[test]
    fn decode_enforces_limit_before_allocating() {
        // Claims 2^40 bytes of output from a 9-byte payload.
        let mut payload = vec![MODE_RLE];
        varint::put(&mut payload, 1 << 40);
        payload.extend_from_slice(b"\x0f\x00a");
        let mut out = Vec::new();
        assert_eq!(
            decode(&payload, 1 << 20, &mut out),
            Err(EngineError::TooLarge { limit: 1 << 20 })
        );
        assert_eq!(out.capacity(), 0);
    }

    #[test]
    fn decode_rejects_wrong_lengths() {
        let mut out = Vec::new();
        assert!(decode(&[MODE_STORED, 3, b'a'], 10, &mut out).is_err());
        assert!(decode(&[MODE_RLE, 3, 0x01, b'a'], 10, &mut out).is_err());
        assert!(decode(&[MODE_RLE, 5, 0x01, b'a'], 10, &mut out).is_err());
        assert!(decode(&[9, 0], 10, &mut out).is_err());
        assert!(decode(&[], 10, &mut out).is_err());
    }
}
