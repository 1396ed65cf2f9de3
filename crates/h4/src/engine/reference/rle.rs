//! Run-length coding: the token stream inside a reference payload.
//!
//! The body is a sequence of tokens. Each token byte holds a literal count
//! in its high nibble and a run code in its low nibble:
//!
//! ```text
//! token  [literal-extra]  literals  [run-extra  run-byte]
//! ```
//!
//! * literal count `L` = high nibble; 15 means `15 + varint`.
//! * run code `R` = low nibble: 0 means no run (only the last token); else the
//!   run length is `R + 3` (4 to 17), and 15 means `18 + varint`; the run
//!   byte follows.
//!
//! The encoder is greedy: it emits the bytes up to the next run of at least
//! [`MIN_RUN`] equal bytes as literals, then that whole run. It scans eight
//! positions at a time with word operations so literal-heavy data costs about
//! a cycle a byte, and runs cost a word compare per eight bytes.

use crate::varint;

/// The shortest run the encoder emits as a run.
pub const MIN_RUN: usize = 4;

/// Appends the token stream for `data` to `out`.
pub fn encode(data: &[u8], out: &mut Vec<u8>) {
    let mut literal_start = 0;
    while let Some(run_start) = find_run(data, literal_start) {
        let run_end = run_end(data, run_start);
        emit(
            out,
            &data[literal_start..run_start],
            Some((data[run_start], run_end - run_start)),
        );
        literal_start = run_end;
    }
    if literal_start < data.len() {
        emit(out, &data[literal_start..], None);
    }
}

/// Appends one token: `literals`, then the run (byte, length) if any.
#[inline]
fn emit(out: &mut Vec<u8>, literals: &[u8], run: Option<(u8, usize)>) {
    let lit = literals.len();
    let lit_code = lit.min(15);
    let run_code = match run {
        None => 0,
        Some((_, len)) => (len - 3).min(15),
    };
    out.push(((lit_code << 4) | run_code) as u8);
    if lit_code == 15 {
        varint::put(out, (lit - 15) as u64);
    }
    out.extend_from_slice(literals);
    if let Some((byte, len)) = run {
        if run_code == 15 {
            varint::put(out, (len - 18) as u64);
        }
        out.push(byte);
    }
}

#[inline(always)]
fn load(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(data[at..at + 8].try_into().unwrap())
}

/// Marks the zero bytes of `x`: bit 7 of each byte of the result is set
/// exactly where that byte of `x` is zero (no false positives).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The first position `>= from` that starts [`MIN_RUN`] equal bytes.
#[inline]
fn find_run(data: &[u8], from: usize) -> Option<usize> {
    let n = data.len();
    let mut i = from;
    // Eight candidate positions per step: byte k of (a^b)|(a^c)|(a^d) is zero
    // exactly when data[i+k..i+k+4] are all equal.
    while i + 11 <= n {
        let a = load(data, i);
        let x = (a ^ load(data, i + 1)) | (a ^ load(data, i + 2)) | (a ^ load(data, i + 3));
        let z = zero_bytes(x);
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i + MIN_RUN <= n {
        let b = data[i];
        if data[i + 1] == b && data[i + 2] == b && data[i + 3] == b {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The end of the run of equal bytes that starts at `start` (known to be at
/// least [`MIN_RUN`] long).
#[inline]
fn run_end(data: &[u8], start: usize) -> usize {
    let n = data.len();
    let pattern = u64::from_ne_bytes([data[start]; 8]);
    let mut i = start + MIN_RUN;
    while i + 8 <= n {
        let diff = load(data, i) ^ pattern;
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && data[i] == data[start] {
        i += 1;
    }
    i
}

/// Decodes a token stream into `out`, which must be exactly as long as the
/// output may be; returns how many bytes were written.
///
/// Short literals and runs are copied sixteen bytes at a time when there is
/// room: the bytes past the token's end are overwritten by the tokens that
/// follow, so only the total length needs checking at the end (a stream
/// that stops short has written fewer bytes than `out` holds). This keeps
/// data with many short tokens (raster detail) near memory speed.
pub fn decode_into(body: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    const WIDE: usize = 16;
    let end = out.len();
    let (mut p, mut pos) = (0, 0);
    while p < body.len() {
        let token = body[p];
        p += 1;

        let mut lit = usize::from(token >> 4);
        if lit == 15 {
            lit = extend(body, &mut p, 15)?;
        }
        if lit > body.len() - p {
            return Err(DecodeError::Corrupt("literals run past the end"));
        }
        if lit > end - pos {
            return Err(DecodeError::TooLarge);
        }
        if lit <= WIDE && p + WIDE <= body.len() && pos + WIDE <= end {
            out[pos..pos + WIDE].copy_from_slice(&body[p..p + WIDE]);
        } else {
            out[pos..pos + lit].copy_from_slice(&body[p..p + lit]);
        }
        pos += lit;
        p += lit;

        let run_code = usize::from(token & 15);
        if run_code != 0 {
            let len = if run_code == 15 {
                extend(body, &mut p, 18)?
            } else {
                run_code + 3
            };
            let byte = *body
                .get(p)
                .ok_or(DecodeError::Corrupt("run byte missing"))?;
            p += 1;
            if len > end - pos {
                return Err(DecodeError::TooLarge);
            }
            if len <= WIDE && pos + WIDE <= end {
                out[pos..pos + WIDE].fill(byte);
            } else {
                out[pos..pos + len].fill(byte);
            }
            pos += len;
        }
    }
    Ok(pos)
}

/// Reads a varint extension and adds `base`, refusing sums past `usize`.
#[inline]
fn extend(body: &[u8], pos: &mut usize, base: usize) -> Result<usize, DecodeError> {
    let extra = varint::get(body, pos).map_err(DecodeError::Corrupt)?;
    usize::try_from(extra)
        .ok()
        .and_then(|e| e.checked_add(base))
        .ok_or(DecodeError::TooLarge)
}

/// Why a token stream did not decode.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The stream is malformed.
    Corrupt(&'static str),
    /// The stream decodes to more than the limit.
    TooLarge,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(data, &mut out);
        out
    }

    fn dec(body: &[u8], len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        assert_eq!(decode_into(body, &mut out).unwrap(), len);
        out
    }

    #[test]
    fn token_layout() {
        assert_eq!(enc(b""), b"");
        assert_eq!(enc(b"abc"), b"\x30abc");
        assert_eq!(enc(b"aaaa"), b"\x01a");
        assert_eq!(enc(b"xyaaaaaz"), b"\x22xya\x10z");
        // A run of 18 takes the extension form with a zero extra byte.
        assert_eq!(enc(&[7; 18]), b"\x0f\x00\x07");
        // 15 literals take the extension form too.
        let lits: Vec<u8> = (0..15).collect();
        let mut want = vec![0xf0, 0x00];
        want.extend_from_slice(&lits);
        assert_eq!(enc(&lits), want);
    }

    #[test]
    fn finds_runs_at_every_offset_and_length() {
        for len in 1..40 {
            for at in 0..24 {
                let mut data: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37)).collect();
                for b in &mut data[at..at + len] {
                    *b = 0xee;
                }
                let body = enc(&data);
                assert_eq!(dec(&body, data.len()), data, "run of {len} at {at}");
                // Each run costs about four bytes of tokens, so from eight
                // bytes on, coding it must win.
                if len >= 8 {
                    assert!(body.len() < data.len(), "run of {len} at {at} not coded");
                }
            }
        }
    }

    #[test]
    fn decode_rejects_malformed() {
        let mut out = vec![0u8; 100];
        assert!(decode_into(b"\x30ab", &mut out).is_err());
        assert!(decode_into(b"\x01", &mut out).is_err());
        assert!(decode_into(b"\xf0", &mut out).is_err());
        assert_eq!(
            decode_into(b"\x0f\x80\x01a", &mut out),
            Err(DecodeError::TooLarge)
        );
        // A stream that ends early reports how little it wrote.
        assert_eq!(decode_into(b"\x01a", &mut out), Ok(4));
    }

    #[test]
    fn wide_copies_never_leave_garbage() {
        // Many short tokens back to back, every length 0..=17 of literals
        // and runs, decoded into a buffer prefilled with junk.
        let mut data = Vec::new();
        for i in 0..300usize {
            data.extend((0..i % 18).map(|k| (k * 7 + i) as u8 | 1));
            data.extend(std::iter::repeat_n((i % 251) as u8 & 0xfe, 4 + i % 14));
        }
        let body = enc(&data);
        let mut out = vec![0xee; data.len()];
        assert_eq!(decode_into(&body, &mut out), Ok(data.len()));
        assert!(out == data);
    }
}
