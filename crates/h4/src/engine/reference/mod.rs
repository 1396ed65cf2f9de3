//! The reference engine: run-length plus delta coding, in safe Rust.
//!
//! This is the open, auditable engine of HarmonyØ4. A payload is
//!
//! ```text
//! mode (1 byte) | raw length (varint) | body
//! ```
//!
//! where the mode says how the body was made:
//!
//! | mode | body |
//! |------|------|
//! | 0    | the raw bytes, stored |
//! | 1    | RLE tokens of the raw bytes |
//! | 2..5 | RLE tokens of the delta of the raw bytes, stride `mode - 1` |
//!
//! The encoder picks the mode by size on a fixed sample of the block (see
//! [`choose_mode`]), so the choice is a pure function of the input. The
//! byte-level specification is in `docs/FORMAT.md`.

mod delta;
mod rle;

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

/// Inputs up to this size are sampled whole when choosing a mode.
pub const SAMPLE_WHOLE_MAX: usize = 32 * 1024;
/// Larger inputs are sampled in this many windows...
pub const SAMPLE_WINDOWS: usize = 8;
/// ...of this many bytes each, spread evenly from the first to the last byte.
pub const SAMPLE_WINDOW_LEN: usize = 4 * 1024;

thread_local! {
    /// Each thread's buffer for the delta of a block (or of the sample a
    /// mode is chosen on), kept between blocks so it is allocated (and
    /// page-faulted) once per thread, not per block.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The built-in reference engine.
#[derive(Debug)]
pub struct Reference {
    id: EngineId,
}

impl Default for Reference {
    fn default() -> Self {
        Reference {
            id: EngineId {
                kind: EngineKind::Reference,
                name: NAME.to_string(),
            },
        }
    }
}

impl Reference {
    /// A reference engine.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Engine for Reference {
    fn id(&self) -> &EngineId {
        &self.id
    }

    fn compress(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), EngineError> {
        encode(input, out);
        Ok(())
    }

    fn compress_block(&self, input: &[u8], out: &mut Vec<u8>) -> Result<Coded, EngineError> {
        // When the sample says "store", skip copying the block into a
        // stored payload the container would throw away.
        out.clear();
        let mode = choose_mode(input);
        if mode == MODE_STORED {
            return Ok(Coded::Stored);
        }
        if !encode_coded(input, mode, out) {
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

fn stride(mode: u8) -> usize {
    usize::from(mode - 1)
}

/// Appends the RLE body of `input` under `mode` (1 to 5) to `out`, using
/// `scratch` for the delta.
fn encode_body(input: &[u8], mode: u8, scratch: &mut Vec<u8>, out: &mut Vec<u8>) {
    if mode == MODE_RLE {
        rle::encode(input, out);
    } else {
        delta::encode(input, stride(mode), scratch);
        rle::encode(scratch, out);
    }
}

/// Picks the payload mode for `input`: the RLE mode whose body is smallest
/// on the sample (ties go to the lower mode), or stored when no RLE mode
/// makes the sample smaller than it is.
///
/// The sample is the whole input up to [`SAMPLE_WHOLE_MAX`] bytes; beyond
/// that it is [`SAMPLE_WINDOWS`] windows of [`SAMPLE_WINDOW_LEN`] bytes,
/// window `k` starting at `k * (len - window) / (windows - 1)`. Each window
/// is coded on its own, so a delta restarts at each window.
pub fn choose_mode(input: &[u8]) -> u8 {
    let windows: Vec<&[u8]> = if input.len() <= SAMPLE_WHOLE_MAX {
        vec![input]
    } else {
        let span = input.len() - SAMPLE_WINDOW_LEN;
        (0..SAMPLE_WINDOWS)
            .map(|k| {
                let start = k * span / (SAMPLE_WINDOWS - 1);
                &input[start..start + SAMPLE_WINDOW_LEN]
            })
            .collect()
    };
    let sample_len: usize = windows.iter().map(|w| w.len()).sum();

    let mut body = Vec::new();
    let mut best = (sample_len, MODE_STORED);
    SCRATCH.with_borrow_mut(|scratch| {
        for mode in MODE_RLE..=MODE_DELTA_MAX {
            let mut size = 0;
            for window in &windows {
                body.clear();
                encode_body(window, mode, scratch, &mut body);
                size += body.len();
            }
            if size < best.0 {
                best = (size, mode);
            }
        }
    });
    best.1
}

/// Compresses `input` into a reference payload in `out` (replaced).
///
/// The result is never more than `1 + varint(len)` bytes larger than the
/// input: when the chosen RLE mode does not beat storing, the block is
/// stored.
pub fn encode(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    encode_append(input, out);
}

/// [`encode`], appending to what `out` already holds.
pub fn encode_append(input: &[u8], out: &mut Vec<u8>) {
    encode_with(input, choose_mode(input), out);
}

/// Appends the payload of `input` under `mode` to `out`: stored when `mode`
/// is, or when the RLE body would not be smaller than the input.
fn encode_with(input: &[u8], mode: u8, out: &mut Vec<u8>) {
    if mode != MODE_STORED && encode_coded(input, mode, out) {
        return;
    }
    put_header(out, MODE_STORED, input.len());
    out.extend_from_slice(input);
}

/// Appends the payload of `input` under the RLE `mode` (1 to 5) to `out`
/// and returns true when its body is smaller than the input; otherwise
/// leaves `out` as it was and returns false, having copied nothing.
fn encode_coded(input: &[u8], mode: u8, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    put_header(out, mode, input.len());
    let body_start = out.len();
    // Enough for any body that beats storing, so the encoder never
    // reallocates on the way.
    out.reserve(input.len() + 16);
    SCRATCH.with_borrow_mut(|scratch| encode_body(input, mode, scratch, out));
    if out.len() - body_start < input.len() {
        return true;
    }
    out.truncate(start);
    false
}

/// Appends a payload header: the mode byte and the raw length.
fn put_header(out: &mut Vec<u8>, mode: u8, len: usize) {
    out.push(mode);
    varint::put(out, len as u64);
}

/// Decodes a reference payload into `out` (replaced), producing at most
/// `limit` bytes.
pub fn decode(payload: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), EngineError> {
    out.clear();
    decode_append(payload, limit, out)
}

/// [`decode`], appending to what `out` already holds (`limit` counts only
/// the appended bytes). On error `out` may hold part of the output.
pub fn decode_append(payload: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), EngineError> {
    let start = out.len();
    let (&mode, rest) = payload
        .split_first()
        .ok_or(EngineError::Corrupt("empty payload"))?;
    if mode > MODE_DELTA_MAX {
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
        out.extend_from_slice(body);
        return Ok(());
    }

    // Fallible, so a payload that declares more than memory allows is an
    // error, not an abort.
    out.try_reserve_exact(raw_len)
        .map_err(|_| EngineError::TooLarge { limit: raw_len })?;
    out.resize(start + raw_len, 0);
    let written = rle::decode_into(body, &mut out[start..]).map_err(|e| match e {
        rle::DecodeError::Corrupt(why) => EngineError::Corrupt(why),
        rle::DecodeError::TooLarge => EngineError::Corrupt("body decodes past the raw length"),
    })?;
    if written != raw_len {
        return Err(EngineError::Corrupt("body decodes short of the raw length"));
    }
    if mode != MODE_RLE {
        delta::decode_in_place(&mut out[start..], stride(mode));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &[u8]) -> Vec<u8> {
        let mut payload = Vec::new();
        encode(input, &mut payload);
        let mut back = Vec::new();
        decode(&payload, input.len(), &mut back).unwrap();
        assert_eq!(back, input);
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
