//! `libh4_core_reference.so`: the reference engine exported through the
//! HarmonyØ4 core ABI.
//!
//! Its payloads are byte-identical to those of the engine built into h4, so
//! it proves the ABI path end to end and serves as a template for new cores.
//! It has the reference engine's levels, 1 to 9, through the level
//! extension.

use h4::engine::reference;

/// The most a single `h4_decompress` call will produce: a payload that
/// declares more is refused rather than allocated and filled. The ABI
/// gives a decoder no limit of its own, and one corrupted length field
/// must not cost minutes and gigabytes; h4's blocks are at most 64 MiB,
/// so only a `--raw` payload of a whole input over 1 GiB is out of reach.
const MAX_OUTPUT: usize = 1 << 30;

fn compress(input: &[u8], out: &mut Vec<u8>) -> bool {
    reference::encode_append(input, out);
    true
}

fn compress_level(input: &[u8], out: &mut Vec<u8>, level: i32) -> bool {
    reference::encode_level(input, level as u32, out);
    true
}

fn decompress(payload: &[u8], out: &mut Vec<u8>) -> bool {
    reference::decode_append(payload, MAX_OUTPUT, out).is_ok()
}

h4_core_abi::export_core! {
    name: "reference",
    version: env!("CARGO_PKG_VERSION"),
    compress: compress,
    decompress: decompress,
    levels: *reference::LEVELS.start() as i32..=*reference::LEVELS.end() as i32,
    compress_level: compress_level,
}
