//! Byte-wise delta coding with a stride, under RLE (modes 2 to 5) or LZ (7 to 10).
//!
//! `d[i] = x[i] - x[i - s]` (wrapping) for `i >= s`, and `d[i] = x[i]` for
//! the first `s` bytes. A stride of 2 or 4 lines up with the samples of
//! 16-bit mono or stereo PCM, a stride of 3 with the pixels of an RGB
//! raster: flat areas and straight ramps become runs that RLE then removes.

/// Writes the delta of `input` with stride `stride` into `out` (replaced).
pub fn encode(input: &[u8], stride: usize, out: &mut Vec<u8>) {
    out.clear();
    out.reserve(input.len());
    let head = stride.min(input.len());
    out.extend_from_slice(&input[..head]);
    // Zipping the shifted slices lets the compiler vectorise this, and
    // extending (rather than zero-filling, then overwriting) writes each
    // byte once.
    out.extend(
        input[head..]
            .iter()
            .zip(&input[..input.len() - head])
            .map(|(&cur, &prev)| cur.wrapping_sub(prev)),
    );
}

/// Undoes [`encode`] in place.
pub fn decode_in_place(data: &mut [u8], stride: usize) {
    match stride {
        1 => undo_words::<1>(data),
        2 => undo_words::<2>(data),
        3 => undo::<3>(data),
        4 => undo_words::<4>(data),
        _ => {
            for i in stride..data.len() {
                data[i] = data[i].wrapping_add(data[i - stride]);
            }
        }
    }
}

/// The inverse delta for a fixed stride `S`. The `S` running sums live in
/// registers: reading each back from the byte just stored would chain
/// every byte through a store-to-load forward, several times slower.
fn undo<const S: usize>(data: &mut [u8]) {
    if data.len() <= S {
        return;
    }
    let mut acc = [0u8; S];
    acc.copy_from_slice(&data[..S]);
    undo_from(&mut acc, &mut data[S..]);
}

/// Continues the running sums `acc` (the last `S` bytes restored) over
/// `data`.
fn undo_from<const S: usize>(acc: &mut [u8; S], data: &mut [u8]) {
    let mut chunks = data.chunks_exact_mut(S);
    for chunk in &mut chunks {
        for (a, b) in acc.iter_mut().zip(chunk.iter_mut()) {
            *a = a.wrapping_add(*b);
            *b = *a;
        }
    }
    for (a, b) in acc.iter_mut().zip(chunks.into_remainder()) {
        *a = a.wrapping_add(*b);
        *b = *a;
    }
}

/// The low byte of each 16-bit slot of a word.
const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;

/// [`undo`] for a stride of 1, 2 or 4, eight bytes a word: a byte a
/// cycle is all the loop above does (one store a byte), and a grey
/// raster's decode spent a sixth of its time there.
///
/// A word's bytes, little-endian, are split into its even bytes and its
/// odd bytes, each in a 16-bit slot (`LOW_BYTES`). Multiplying by a
/// constant with a 1 in slots 0 and every `S/2`-th (or every slot for a
/// stride of 1 or 2) adds each slot to those above it that are a stride
/// away: the running sums within the word, which stay below 2^16, so no
/// slot carries into the next. For a stride of 1, an odd byte's sum
/// takes the even sums too, and an even byte's the odd sums below it.
/// The carry from the words before, each stride position's running sum,
/// is added to its slots, and the low byte of each slot is the restored
/// byte. Only the carries chain from word to word (an addition each),
/// so the words' work overlaps.
fn undo_words<const S: usize>(data: &mut [u8]) {
    const { assert!(S == 1 || S == 2 || S == 4) };
    // Slots 0 to 3 each take the slots `S/2` apart below them (`S` 1 and
    // 2: every slot below; 4: the one two below).
    let spread: u64 = if S == 4 {
        0x0000_0001_0000_0001
    } else {
        0x0001_0001_0001_0001
    };
    // The carry of each stride position, in the slot layout of the even
    // (`even`) and odd (`odd`) bytes: for a stride of 1, the one running
    // sum in slot 0 of `even`; for 2, slot 0 of each; for 4, slots 0 and
    // 1 of each.
    let (mut even, mut odd) = (0u64, 0u64);
    let carry_slots: u64 = if S == 4 { 0x00ff_00ff } else { 0xff };
    let mut words = data.chunks_exact_mut(8);
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap());
        let e = (x & LOW_BYTES).wrapping_mul(spread);
        let o = ((x >> 8) & LOW_BYTES).wrapping_mul(spread);
        let (lo, hi) = if S == 1 {
            let carry = even.wrapping_mul(spread);
            (
                e.wrapping_add(o << 16).wrapping_add(carry),
                e.wrapping_add(o).wrapping_add(carry),
            )
        } else {
            (
                e.wrapping_add(even.wrapping_mul(spread)),
                o.wrapping_add(odd.wrapping_mul(spread)),
            )
        };
        let restored = (lo & LOW_BYTES) | (hi & LOW_BYTES) << 8;
        word.copy_from_slice(&restored.to_le_bytes());
        // The word's own sums at its last position of each stride: the
        // top slot (1 and 2: the whole word), or the top two (4).
        let top = if S == 4 { 32 } else { 48 };
        // Masked to the low byte of each slot: a slot left to grow would
        // carry into the next one's after a few hundred words.
        if S == 1 {
            even = (even + (e.wrapping_add(o) >> top)) & carry_slots;
        } else {
            even = (even + (e >> top)) & carry_slots;
            odd = (odd + (o >> top)) & carry_slots;
        }
    }
    let mut acc = [0u8; S];
    for (i, a) in acc.iter_mut().enumerate() {
        // Position `i` of the stride: even positions live in `even`, odd
        // in `odd`; with a stride of 4, positions 2 and 3 in slot 1.
        let slots = if i % 2 == 0 { even } else { odd };
        *a = (slots >> (16 * (i / 2))) as u8;
    }
    undo_from(&mut acc, words.into_remainder());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let mut out = Vec::new();
        encode(&[10, 12, 15, 15, 5], 1, &mut out);
        assert_eq!(out, [10, 2, 3, 0, 246]);
        encode(&[1, 2, 3, 4, 6, 8], 3, &mut out);
        assert_eq!(out, [1, 2, 3, 3, 4, 5]);
        encode(&[7], 4, &mut out);
        assert_eq!(out, [7]);
    }

    /// Undoes the delta of `data` with the byte loop and with
    /// [`decode_in_place`] (eight bytes a word for these strides).
    fn bytes_and_words(data: &[u8], stride: usize) -> (Vec<u8>, Vec<u8>) {
        let mut by_bytes = data.to_vec();
        match stride {
            1 => undo::<1>(&mut by_bytes),
            2 => undo::<2>(&mut by_bytes),
            _ => undo::<4>(&mut by_bytes),
        }
        let mut by_words = data.to_vec();
        decode_in_place(&mut by_words, stride);
        (by_bytes, by_words)
    }

    /// Every length around the eight-byte words, every stride, and bytes
    /// whose sums wrap: the word-wise undo gives what the byte loop does.
    #[test]
    fn words_restore_what_bytes_do() {
        let noise = crate::corpus::Rng::new(5).bytes(300);
        for stride in [1, 2, 4] {
            for len in 0..noise.len() {
                let (by_bytes, by_words) = bytes_and_words(&noise[..len], stride);
                assert_eq!(by_words, by_bytes, "stride {stride}, {len} bytes");
            }
        }
        // Long inputs, where carries run through thousands of words: noise,
        // and all 0xff (every slot's sum at its largest, every word).
        let long = crate::corpus::Rng::new(6).bytes(100_003);
        for data in [long, vec![0xff; 100_003]] {
            for stride in [1, 2, 4] {
                let (by_bytes, by_words) = bytes_and_words(&data, stride);
                assert!(
                    by_words == by_bytes,
                    "stride {stride}, {} bytes",
                    data.len()
                );
            }
        }
    }

    #[test]
    fn round_trips_every_stride() {
        let input: Vec<u8> = (0..1000u32).map(|i| (i * i / 7) as u8).collect();
        for stride in 1..=4 {
            let mut d = Vec::new();
            encode(&input, stride, &mut d);
            decode_in_place(&mut d, stride);
            assert_eq!(d, input, "stride {stride}");
        }
    }
}
