//! Byte-wise delta coding with a stride: the "delta" of RLE+delta.
//!
//! `d[i] = x[i] - x[i - s]` (wrapping) for `i >= s`, and `d[i] = x[i]` for
//! the first `s` bytes. A stride of 2 or 4 lines up with the samples of
//! 16-bit mono or stereo PCM, a stride of 3 with the pixels of an RGB
//! raster: flat areas and straight ramps become runs that RLE then removes.

/// Writes the delta of `input` with stride `stride` into `out` (replaced).
pub fn encode(input: &[u8], stride: usize, out: &mut Vec<u8>) {
    out.clear();
    out.resize(input.len(), 0);
    let head = stride.min(input.len());
    out[..head].copy_from_slice(&input[..head]);
    // Zipping the shifted slices lets the compiler vectorise this loop.
    for ((d, &cur), &prev) in out[head..]
        .iter_mut()
        .zip(&input[head..])
        .zip(&input[..input.len() - head])
    {
        *d = cur.wrapping_sub(prev);
    }
}

/// Undoes [`encode`] in place.
pub fn decode_in_place(data: &mut [u8], stride: usize) {
    match stride {
        1 => {
            let mut acc = 0u8;
            for b in data.iter_mut() {
                acc = acc.wrapping_add(*b);
                *b = acc;
            }
        }
        _ => {
            for i in stride..data.len() {
                data[i] = data[i].wrapping_add(data[i - stride]);
            }
        }
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
