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
        1 => undo::<1>(data),
        2 => undo::<2>(data),
        3 => undo::<3>(data),
        4 => undo::<4>(data),
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
    let mut chunks = data[S..].chunks_exact_mut(S);
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
