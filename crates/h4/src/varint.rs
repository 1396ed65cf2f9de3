//! LEB128 unsigned integers: the length fields of reference payloads and of
//! container format 2.
//!
//! Seven bits a byte, least significant group first, high bit set on every
//! byte but the last. Decoding rejects overlong forms and values above
//! `u64::MAX`, so every value has exactly one encoding.

/// Appends the LEB128 form of `value` to `out`.
#[inline]
pub fn put(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a LEB128 value at `*pos`, advancing `*pos` past it.
#[inline]
pub fn get(buf: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0u64;
    let mut shift = 0u32;
    loop {
        let byte = *buf.get(*pos).ok_or("length field runs past the end")?;
        *pos += 1;
        let group = u64::from(byte & 0x7f);
        if shift == 63 && group > 1 {
            return Err("length field overflows 64 bits");
        }
        value |= group << shift;
        if byte & 0x80 == 0 {
            if byte == 0 && shift > 0 {
                return Err("length field has a redundant zero byte");
            }
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err("length field overflows 64 bits");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        let cases: &[(u64, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x01]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (300, &[0xac, 0x02]),
            (16_384, &[0x80, 0x80, 0x01]),
            (
                u64::MAX,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ];
        for &(value, bytes) in cases {
            let mut out = Vec::new();
            put(&mut out, value);
            assert_eq!(out, bytes, "encoding {value}");
            let mut pos = 0;
            assert_eq!(get(bytes, &mut pos), Ok(value));
            assert_eq!(pos, bytes.len());
        }
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            &[0x80][..],
            &[0x80, 0x00],
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00,
            ],
        ] {
            assert!(get(bad, &mut 0).is_err(), "{bad:x?} accepted");
        }
    }
}
