//! Test data that is the same bytes on every run and machine: the edge
//! cases `h4 verify` runs every engine on, the synthetic set `h4 bench`
//! measures when given no files, and the generators both are made of
//! (text-, binary-, PCM- and raster-like data, and a seeded RNG), which the
//! tests use too.

use crate::container::DEFAULT_BLOCK_SIZE;

/// One named input.
pub struct Input {
    /// A short name for reports, e.g. `run-255`.
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Input {
    /// `data`, called `name`.
    pub fn new(name: impl Into<String>, data: Vec<u8>) -> Self {
        Input {
            name: name.into(),
            data,
        }
    }
}

/// A small deterministic generator (xorshift64*), so the corpus is the
/// same bytes on every run and machine.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

/// The version of [`built_in`]: bumped whenever an input is added,
/// removed or changed, so conformance vectors recorded with one corpus
/// (`h4 verify --record`) are never compared with another's.
pub const CORPUS_VERSION: u32 = 2;

/// The edge cases that break codecs, which every `h4 verify` run includes:
/// empty, one byte, runs at every power-of-two length boundary (alone and
/// between literals), alternating bytes, noise, audio- and raster-like
/// data, file signatures and magic numbers, sizes around the block size,
/// a few MiB. The same bytes on every run and machine ([`CORPUS_VERSION`]).
pub fn built_in() -> Vec<Input> {
    let mut rng = Rng::new(0x4834_d804);
    let mut inputs = vec![
        Input::new("empty", Vec::new()),
        Input::new("one-byte", vec![0x5a]),
        Input::new("two-bytes", vec![0x00, 0xff]),
        Input::new("zeros-4k", vec![0; 4096]),
    ];
    for len in run_lengths() {
        inputs.push(Input::new(format!("run-{len}"), vec![0xa7; len]));
        // The same run between literals, where a length field straddles.
        let mut framed = b"head".to_vec();
        framed.extend(std::iter::repeat_n(0x00, len));
        framed.extend_from_slice(b"tail");
        inputs.push(Input::new(format!("literals-run-{len}-literals"), framed));
    }
    inputs.push(Input::new(
        "alternating",
        (0..100_000)
            .map(|i| if i % 2 == 0 { 0x55 } else { 0xaa })
            .collect(),
    ));
    inputs.push(Input::new("random-64k", rng.bytes(64 * 1024)));
    inputs.push(Input::new("text-like", text_like(&mut rng, 200_000)));
    inputs.push(Input::new("pcm-like", pcm_like(&mut rng, 100_000)));
    inputs.push(Input::new("raster-like", raster_like(256, 256)));
    inputs.extend(magic_inputs(&mut rng));
    let block = DEFAULT_BLOCK_SIZE as usize;
    for (name, len) in [
        ("block-size-minus-1", block - 1),
        ("block-size", block),
        ("block-size-plus-1", block + 1),
    ] {
        inputs.push(Input::new(name, text_like(&mut rng, len)));
    }
    let mut mixed = text_like(&mut rng, 1 << 20);
    mixed.extend(raster_like(512, 512));
    mixed.extend(rng.bytes(1 << 20));
    mixed.extend(vec![0u8; 1 << 20]);
    inputs.push(Input::new("mixed-3.8m", mixed));
    inputs
}

/// Run lengths where a length field overflows: one below, at and above
/// every power of two from 16 to 131072 (8- and 16-bit counts, 7-bit
/// varints, nibbles).
fn run_lengths() -> Vec<usize> {
    (4..=17)
        .flat_map(|bits| {
            let at = 1usize << bits;
            [at - 1, at, at + 1]
        })
        .collect()
}

/// File signatures and magic numbers, which codecs special-case (and get
/// wrong): each alone, at the start of noise, and sprinkled through it.
fn magic_inputs(rng: &mut Rng) -> Vec<Input> {
    const MAGICS: [(&str, &[u8]); 12] = [
        ("deadbeef-le", &[0xef, 0xbe, 0xad, 0xde]),
        ("deadbeef-be", &[0xde, 0xad, 0xbe, 0xef]),
        ("cafebabe", &[0xca, 0xfe, 0xba, 0xbe]),
        ("feedface", &[0xce, 0xfa, 0xed, 0xfe]),
        ("elf", b"\x7fELF\x02\x01\x01\x00"),
        ("png", &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]),
        ("gzip", &[0x1f, 0x8b, 0x08, 0x00]),
        ("zstd", &[0x28, 0xb5, 0x2f, 0xfd]),
        ("zip", b"PK\x03\x04"),
        ("pdf", b"%PDF-1.7\n"),
        ("h4", &[0x48, 0x34, 0xd8, 0x04]),
        ("utf8-bom", &[0xef, 0xbb, 0xbf]),
    ];
    let mut inputs = Vec::new();
    let mut sprinkled = rng.bytes(16 * 1024);
    for (i, (name, magic)) in MAGICS.iter().enumerate() {
        inputs.push(Input::new(format!("magic-{name}"), magic.to_vec()));
        let mut headed = magic.to_vec();
        headed.extend(text_like(rng, 4096));
        inputs.push(Input::new(format!("magic-{name}-then-text"), headed));
        let at = 1000 + i * 1200;
        sprinkled[at..at + magic.len()].copy_from_slice(magic);
    }
    let tail = MAGICS[0].1;
    sprinkled.extend_from_slice(tail);
    inputs.push(Input::new("magic-sprinkled-noise", sprinkled));
    inputs.push(Input::new("png-file", png_like(64, 48)));
    inputs.push(Input::new("elf-file", elf_like(rng, 64 * 1024)));
    inputs
}

/// A complete, valid-looking PNG file of a `width` x `height` grey
/// gradient (signature, IHDR, stored-deflate IDAT, IEND; the CRCs are not
/// computed: codecs sniff the signature, not the CRCs).
pub fn png_like(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out.extend_from_slice(&[0; 4]);
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    let mut pixels = Vec::new();
    for y in 0..height {
        pixels.push(0);
        pixels.extend((0..width).map(|x| ((x + y) * 2) as u8));
    }
    chunk(&mut out, b"IDAT", &pixels);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An ELF-64 header followed by machine-code-like bytes with x86 call and
/// jump opcodes (0xE8, 0xE9) and their 32-bit displacements, the pattern
/// executable filters rewrite.
pub fn elf_like(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = b"\x7fELF\x02\x01\x01\x00".to_vec();
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&[0x03, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]);
    out.resize(64, 0);
    while out.len() < len {
        if rng.below(4) == 0 {
            out.push([0xe8, 0xe9][rng.below(2)]);
            out.extend_from_slice(&(rng.below(1 << 20) as i32 - (1 << 19)).to_le_bytes());
        } else {
            let code = binary_like(rng, 16);
            out.extend_from_slice(&code);
        }
    }
    out.truncate(len);
    out
}

/// The built-in synthetic corpus: 8 MiB each of text-like, binary-like,
/// PCM-like, raster-like and random data.
pub fn synthetic() -> Vec<Input> {
    const LEN: usize = 8 << 20;
    let mut rng = Rng::new(0xbe_4c4);
    vec![
        Input::new("text-like", text_like(&mut rng, LEN)),
        Input::new("binary-like", binary_like(&mut rng, LEN)),
        Input::new("pcm-like", pcm_like(&mut rng, LEN / 4)),
        Input::new("raster-like", raster_like(2048, LEN / (2048 * 3))),
        Input::new("random", rng.bytes(LEN)),
    ]
}

/// Words with spaces and newlines, like prose.
pub fn text_like(rng: &mut Rng, len: usize) -> Vec<u8> {
    const WORDS: [&str; 12] = [
        "harmony ",
        "core ",
        "the ",
        "block ",
        "of ",
        "delta ",
        "run ",
        "and ",
        "a ",
        "deterministic ",
        "bytes, ",
        "lossless.\n",
    ];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
    }
    out.truncate(len);
    out
}

/// 16-bit stereo samples of two slow waves with a little noise.
pub fn pcm_like(rng: &mut Rng, frames: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(frames * 4);
    let (mut a, mut b) = (0i32, 0i32);
    for i in 0..frames {
        a += if (i / 300) % 2 == 0 { 37 } else { -37 };
        b += if (i / 170) % 2 == 0 { 53 } else { -53 };
        let noise = (rng.next_u64() % 7) as i32 - 3;
        out.extend_from_slice(&((a + noise) as i16).to_le_bytes());
        out.extend_from_slice(&((b - noise) as i16).to_le_bytes());
    }
    out
}

/// RGB pixels: flat tiles and a gradient.
pub fn raster_like(width: usize, height: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            let tile = ((x / 32) + (y / 32) * 8) as u8;
            if (x / 32 + y / 32) % 3 == 0 {
                out.extend_from_slice(&[(x % 256) as u8, (y % 256) as u8, tile]);
            } else {
                out.extend_from_slice(&[tile.wrapping_mul(29), tile.wrapping_mul(71), 255 - tile]);
            }
        }
    }
    out
}

/// Machine code-like bytes: short opcodes, small immediates, zero padding
/// and address-like words, as in an executable.
pub fn binary_like(rng: &mut Rng, len: usize) -> Vec<u8> {
    const OPCODES: [&[u8]; 8] = [
        &[0x48, 0x89, 0xe5],
        &[0x48, 0x83, 0xec, 0x10],
        &[0xe8],
        &[0x0f, 0x1f, 0x44, 0x00, 0x00],
        &[0x31, 0xc0],
        &[0xc3],
        &[0x48, 0x8b, 0x45],
        &[0x89, 0x7d],
    ];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        match rng.below(10) {
            0 => out.extend(std::iter::repeat_n(0u8, 4 + rng.below(28))),
            1 => {
                out.extend_from_slice(&(0x40_0000 + rng.below(0x1_0000) as u32 * 16).to_le_bytes())
            }
            _ => {
                out.extend_from_slice(OPCODES[rng.below(OPCODES.len())]);
                out.push(rng.below(64) as u8);
            }
        }
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_stable_and_covers_the_edges() {
        let a = built_in();
        let b = built_in();
        assert_eq!(a.len(), b.len());
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.name == y.name && x.data == y.data)
        );
        let sizes: Vec<usize> = a.iter().map(|i| i.data.len()).collect();
        for want in [0, 1, 127, 128, 255, 256, 65_535, 65_536, 1 << 20] {
            assert!(sizes.contains(&want), "no input of {want} bytes");
        }
        let total: usize = sizes.iter().sum();
        assert!(total > 4 << 20 && total < 16 << 20, "{total}");
    }
}
