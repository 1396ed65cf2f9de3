//! Micro-benchmarks of the hot loops: the reference engine's encoder (at
//! the default level, and at the fastest and the most thorough) and
//! decoder on one block of each kind of data, and the block checksum.
//! Run with `cargo bench`; not part of CI (speed targets are checked by
//! `scripts/compare` against the peer tools, as ratios in one run).

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use h4::container::checksum;
use h4::corpus::{self, Rng};
use h4::engine::reference;

fn main() {
    divan::main();
}

const BLOCK: usize = 1 << 20;

fn block(kind: &str) -> Vec<u8> {
    sized(kind, BLOCK)
}

/// `len` bytes (a multiple of 3072) of one kind of data.
fn sized(kind: &str, len: usize) -> Vec<u8> {
    let mut rng = Rng::new(7);
    match kind {
        "text" => corpus::text_like(&mut rng, len),
        "binary" => corpus::binary_like(&mut rng, len),
        "pcm" => corpus::pcm_like(&mut rng, len / 4),
        "raster" => corpus::raster_like(1024, len.div_ceil(3072)),
        _ => rng.bytes(len),
    }
}

const KINDS: [&str; 5] = ["text", "binary", "pcm", "raster", "random"];

#[divan::bench(args = KINDS)]
fn encode(bencher: Bencher, kind: &str) {
    let data = block(kind);
    let mut out = Vec::new();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| reference::encode(black_box(&data), &mut out));
}

/// Small inputs, whole: where the fixed costs of a call show (choosing
/// the mode, clearing tables), as for a library caller with small records.
#[divan::bench(args = KINDS, consts = [1024, 65536])]
fn encode_small<const LEN: usize>(bencher: Bencher, kind: &str) {
    let mut data = sized(kind, LEN);
    data.truncate(LEN);
    let mut out = Vec::new();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| reference::encode(black_box(&data), &mut out));
}

#[divan::bench(args = ["text", "binary"], consts = [1, 9])]
fn encode_level<const LEVEL: u32>(bencher: Bencher, kind: &str) {
    let data = block(kind);
    let mut out = Vec::new();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| {
            out.clear();
            reference::encode_level(black_box(&data), LEVEL, &mut out)
        });
}

#[divan::bench(args = KINDS)]
fn decode(bencher: Bencher, kind: &str) {
    let data = block(kind);
    let mut payload = Vec::new();
    reference::encode(&data, &mut payload);
    let mut out = Vec::new();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| {
            reference::decode(black_box(&payload), data.len(), &mut out).unwrap();
        });
}

#[divan::bench(args = KINDS)]
fn choose_mode(bencher: Bencher, kind: &str) {
    let data = block(kind);
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| reference::choose_mode(black_box(&data)));
}

#[divan::bench]
fn block_digest(bencher: Bencher) {
    let data = block("random");
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| checksum::digest(black_box(&data)));
}
