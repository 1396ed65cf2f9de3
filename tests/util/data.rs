//! Test data from the library's generators (`h4::corpus`), each called
//! with a fixed seed so a test gets the same bytes on every run, and three
//! shapes made of them that only the tests need: PCM with a silence, a mix
//! of every kind, and runs.

pub use h4::corpus::{Rng, raster_like};
use h4::corpus::{binary_like, pcm_like, text_like};

/// `len` bytes of prose-like text.
pub fn text(len: usize) -> Vec<u8> {
    text_like(&mut Rng::new(7), len)
}

/// `len` random bytes: incompressible.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    Rng::new(seed).bytes(len)
}

/// `len` bytes like machine code.
pub fn binary(len: usize) -> Vec<u8> {
    binary_like(&mut Rng::new(99), len)
}

/// `frames` 16-bit stereo samples (4 bytes each) with silence from a
/// third to half-way, as in a recording: noisy samples the reference
/// engine stores around a silence it codes.
pub fn pcm(frames: usize) -> Vec<u8> {
    let mut out = pcm_like(&mut Rng::new(11), frames);
    out[frames / 3 * 4..frames / 2 * 4].fill(0);
    out
}

/// A mix of every kind of data above, `len` bytes long: text, noise,
/// raster, PCM and machine code in turn, so a file of several blocks has
/// some the engine codes and some it stores.
pub fn mixed(len: usize) -> Vec<u8> {
    let parts = [
        text(50_000),
        noise(70_000, 5),
        raster_like(320, 200),
        pcm(30_000),
        binary(60_000),
    ];
    let mut out = Vec::with_capacity(len);
    'fill: loop {
        for part in &parts {
            if out.len() >= len {
                break 'fill;
            }
            out.extend_from_slice(part);
        }
    }
    out.truncate(len);
    out
}

/// `len` bytes of runs, 0 to 39 long, of bytes from a small alphabet:
/// every engine, plain run-length coding included, more than halves it.
pub fn runs(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 40);
    while out.len() < len {
        let byte = b"AAbcdefgh  \n"[rng.below(12)];
        out.extend(std::iter::repeat_n(byte, rng.below(40)));
    }
    out.truncate(len);
    out
}
