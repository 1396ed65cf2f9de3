//! The jobs that call the engine plainly: the ABI's symbols, repeated
//! calls in one process, round trips and corrupted payloads.

use super::{Failure, JobResult, Settings};
use crate::corpus::{self, Input, Rng};
use crate::engine::Engine;
use crate::engine::core::Core;

/// The largest input the robustness and thread-safety checks use: larger
/// ones make each call slow without finding more.
pub(super) const SMALL_INPUT: usize = 300_000;

pub(super) fn compress(engine: &dyn Engine, input: &Input) -> Result<Vec<u8>, Failure> {
    compress_named(engine, &input.name, &input.data)
}

/// Compresses `data` (the input called `name`, perhaps moved elsewhere).
pub(super) fn compress_named(
    engine: &dyn Engine,
    name: &str,
    data: &[u8],
) -> Result<Vec<u8>, Failure> {
    engine.compress_vec(data).map_err(|e| {
        (
            "compression failed".to_string(),
            format!("input {name}: {e}"),
        )
    })
}

/// Describes where two outputs first differ.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(at) => format!("first difference at byte {at}"),
        None => format!("lengths differ ({} vs {} bytes)", a.len(), b.len()),
    }
}

pub fn abi(engine: &dyn Engine, core: Option<&Core>, progress: &mut dyn FnMut(&str)) -> JobResult {
    let Some(core) = core else {
        return Ok(format!("built-in {}: no ABI to check", engine.id()));
    };
    progress("h4_free(NULL)");
    core.free_null();
    progress("h4_compress and h4_free on one byte");
    core.compress_vec(b"h")
        .map_err(|e| ("h4_compress failed on one byte".to_string(), e.to_string()))?;
    let version = core
        .version()
        .map(|v| format!(", version {v}"))
        .unwrap_or_default();
    let block = engine
        .preferred_block_size()
        .map(|b| format!(", asks for {b}-byte blocks"))
        .unwrap_or_default();
    let into = if core.has_decompress_into() {
        "; exports h4_decompress_into_v1"
    } else {
        ""
    };
    Ok(format!(
        "3 symbols, h4_free(NULL) is a no-op; name '{}'{version}{block}{into}",
        engine.id().name
    ))
}

/// Calls per input over [`SMALL_INPUT`] in the repeat job: each is slow,
/// and a core that varies from call to call shows on the small inputs.
const LARGE_ITERATIONS: usize = 5;

pub fn repeat(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    for input in inputs {
        progress(&format!("{}: first call", input.name));
        let base = compress(engine, input)?;
        let iterations = if input.data.len() > SMALL_INPUT {
            settings.iterations.min(LARGE_ITERATIONS)
        } else {
            settings.iterations
        };
        for iteration in 1..iterations {
            progress(&format!("{}: iteration {iteration}", input.name));
            let again = compress(engine, input)?;
            if again != base {
                return Err((
                    "same input, different bytes".to_string(),
                    format!(
                        "input {}, iteration {iteration}: {}",
                        input.name,
                        first_difference(&base, &again)
                    ),
                ));
            }
        }
        // The same bytes at other addresses and alignments.
        for shift in 1..8 {
            progress(&format!("{}: copy at alignment +{shift}", input.name));
            let mut buffer = vec![0u8; input.data.len() + shift];
            buffer[shift..].copy_from_slice(&input.data);
            let moved = compress_named(engine, &input.name, &buffer[shift..])?;
            if moved != base {
                return Err((
                    "output depends on the input's address".to_string(),
                    format!(
                        "input {} copied to alignment +{shift}: {}",
                        input.name,
                        first_difference(&base, &moved)
                    ),
                ));
            }
        }
    }
    Ok(format!(
        "in one process {} calls per input ({} over 300 KB) and 8 alignments",
        settings.iterations,
        settings.iterations.min(LARGE_ITERATIONS),
    ))
}

/// Real English text, for the round trips: the format's and the ABI's
/// specifications.
const REAL_TEXT: &str = concat!(
    include_str!("../../../../../docs/FORMAT.md"),
    include_str!("../../../../../docs/ABI.md")
);

/// How many generated inputs the round trips add to the corpus.
const FUZZED_INPUTS: usize = 300;

/// An input beyond the corpus: its name, and how to make it.
type Extra = (String, Box<dyn Fn() -> Vec<u8>>);

/// Inputs beyond the corpus where faults hide, made one at a time (some
/// are large): sizes at the block size the engine asks for, over 16 MiB
/// and exactly 64 MiB, a real executable (this program) and real text.
fn extra_inputs(engine: &dyn Engine, skip_large: bool) -> Vec<Extra> {
    let mut rng_seed = 0x10_5515u64;
    let mut extras: Vec<Extra> = Vec::new();
    if let Some(block) = engine.preferred_block_size() {
        for delta in [-1i64, 0, 1] {
            let len = (i64::from(block) + delta).max(0) as usize;
            rng_seed += 1;
            let seed = rng_seed;
            extras.push((
                format!("block-size-asked-{len}"),
                Box::new(move || corpus::text_like(&mut Rng::new(seed), len)),
            ));
        }
    }
    if !skip_large {
        extras.push((
            "over-16m".to_string(),
            Box::new(|| corpus::text_like(&mut Rng::new(0x16), (16 << 20) + 4097)),
        ));
        extras.push(("exactly-64m".to_string(), Box::new(sixty_four_mib)));
    }
    extras.push((
        "real-executable".to_string(),
        Box::new(|| {
            std::env::current_exe()
                .and_then(std::fs::read)
                .map(|mut bytes| {
                    bytes.truncate(32 << 20);
                    bytes
                })
                .unwrap_or_default()
        }),
    ));
    extras.push((
        "real-text".to_string(),
        Box::new(|| REAL_TEXT.as_bytes().to_vec()),
    ));
    extras
}

/// Exactly 64 MiB of mixed data: text, code, audio, noise and zeros.
fn sixty_four_mib() -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let mut rng = Rng::new(0x64);
    let mut data = corpus::text_like(&mut rng, 16 * MIB);
    data.extend(corpus::binary_like(&mut rng, 16 * MIB));
    data.extend(corpus::pcm_like(&mut rng, 4 * MIB));
    data.extend(rng.bytes(8 * MIB));
    data.resize(64 * MIB, 0);
    data
}

/// An input of random structure: runs of every length, noise, repeats of
/// earlier bytes, words and magic numbers, 0 to 70 KB.
pub fn fuzzed_input(rng: &mut Rng) -> Vec<u8> {
    let target = rng.below(70_000);
    let mut out: Vec<u8> = Vec::with_capacity(target + 512);
    while out.len() < target {
        match rng.below(6) {
            0 => {
                let len = if rng.below(2) == 0 {
                    rng.below(300) + 1
                } else {
                    (1usize << rng.below(17)) + rng.below(3) - 1
                };
                let byte = rng.next_u64() as u8;
                out.extend(std::iter::repeat_n(byte, len));
            }
            1 => {
                let len = rng.below(200) + 1;
                out.extend(rng.bytes(len));
            }
            2 if out.len() > 16 => {
                let from = rng.below(out.len());
                let len = rng.below((out.len() - from).min(500)) + 1;
                out.extend_from_within(from..from + len);
            }
            3 => {
                let len = rng.below(300) + 1;
                out.extend(corpus::text_like(rng, len));
            }
            4 => {
                let magic: &[u8] = [
                    &[0xef, 0xbe, 0xad, 0xde][..],
                    &[0xde, 0xad, 0xbe, 0xef],
                    &[0x89, b'P', b'N', b'G'],
                    b"\x7fELF",
                    &[0xff; 4],
                    &[0; 4],
                ][rng.below(6)];
                out.extend_from_slice(magic);
            }
            _ => {
                let len = rng.below(300) + 1;
                out.extend(corpus::binary_like(rng, len));
            }
        }
    }
    out.truncate(target);
    out
}

/// Round trips on the corpus, on [`extra_inputs`] and on
/// [`FUZZED_INPUTS`] generated inputs; a core with
/// `h4_decompress_into_v1` must decode each through it too.
pub fn losslessness(
    engine: &dyn Engine,
    core: Option<&Core>,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    let decodes_into = core.is_some_and(Core::has_decompress_into);
    let (mut count, mut bytes) = (0usize, 0usize);
    let mut check = |name: &str, data: &[u8], progress: &mut dyn FnMut(&str)| {
        round_trip(engine, decodes_into, name, data, progress)?;
        count += 1;
        bytes += data.len();
        Ok::<(), Failure>(())
    };
    for input in inputs {
        check(&input.name, &input.data, progress)?;
    }
    let extras = extra_inputs(engine, settings.skip_large);
    for (name, make) in &extras {
        progress(&format!("{name}: making the input"));
        let data = make();
        check(name, &data, progress)?;
    }
    let mut rng = Rng::new(0x00f0_22ed);
    for i in 0..FUZZED_INPUTS {
        let data = fuzzed_input(&mut rng);
        check(&format!("generated-{i}"), &data, progress)?;
    }
    let into = if decodes_into {
        ", h4_decompress_into_v1 agrees"
    } else {
        ""
    };
    let skipped = if settings.skip_large {
        "; inputs over 16 MiB left out (see cost)"
    } else {
        ""
    };
    Ok(format!(
        "{count} inputs ({} corpus, {} large or real, {FUZZED_INPUTS} generated), {} MiB, all exact{into}{skipped}",
        inputs.len(),
        extras.len(),
        bytes >> 20
    ))
}

fn round_trip(
    engine: &dyn Engine,
    decodes_into: bool,
    name: &str,
    data: &[u8],
    progress: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    progress(&format!("{name}: compress"));
    let packed = compress_named(engine, name, data)?;
    progress(&format!("{name}: decompress"));
    let back = engine.decompress_vec(&packed, data.len()).map_err(|e| {
        (
            "a compressed input does not decompress".to_string(),
            format!("input {name} ({} bytes): {e}", data.len()),
        )
    })?;
    if back != data {
        return Err((
            "decompress(compress(x)) != x".to_string(),
            format!(
                "input {name} ({} bytes): {}",
                data.len(),
                first_difference(data, &back)
            ),
        ));
    }
    if decodes_into {
        progress(&format!("{name}: h4_decompress_into_v1"));
        let mut room = vec![0u8; data.len()];
        match engine.decompress_into(&packed, &mut room) {
            Some(Ok(n)) if room[..n] == *data && n == data.len() => {}
            Some(Ok(n)) => {
                return Err((
                    "h4_decompress_into_v1 disagrees with h4_decompress".to_string(),
                    format!("input {name}: {}", first_difference(data, &room[..n])),
                ));
            }
            Some(Err(e)) => {
                return Err((
                    "h4_decompress_into_v1 fails where h4_decompress succeeds".to_string(),
                    format!("input {name}: {e}"),
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// The kinds of corruption the robustness check feeds to the decoder.
const MUTATIONS: [&str; 7] = [
    "bit flips",
    "truncation",
    "extension",
    "random bytes",
    "length field",
    "zeroed range",
    "duplicated range",
];

/// Corrupts `payload` in place with mutation `kind`.
pub fn mutate(payload: &mut Vec<u8>, kind: usize, rng: &mut Rng) {
    let len = payload.len().max(1);
    match kind {
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !payload.is_empty() {
                    let at = rng.below(payload.len());
                    payload[at] ^= 1 << rng.below(8);
                }
            }
        }
        1 => payload.truncate(rng.below(len)),
        2 => {
            let n = 1 + rng.below(64);
            let extra = rng.bytes(n);
            payload.extend_from_slice(&extra);
        }
        3 => *payload = rng.bytes(payload.len()),
        4 => {
            // Headers and length fields sit at the front of most formats:
            // fill a few of the first bytes with extreme values.
            let value = [0x00, 0xff, 0x7f, 0x80][rng.below(4)];
            let start = rng.below(len.min(16));
            let end = (start + 1 + rng.below(8)).min(payload.len());
            payload[start..end].fill(value);
        }
        5 => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(payload.len());
            payload[start..end].fill(0);
        }
        _ => {
            let start = rng.below(len);
            let end = (start + 1 + rng.below(256)).min(payload.len());
            if start < end {
                let chunk = payload[start..end].to_vec();
                payload.splice(start..start, chunk);
            }
        }
    }
}

pub fn robustness(
    engine: &dyn Engine,
    inputs: &[Input],
    settings: &Settings,
    progress: &mut dyn FnMut(&str),
) -> JobResult {
    // Corrupt payloads of the small and medium inputs: large ones make
    // each case slow without finding more.
    let mut bases = Vec::new();
    for input in inputs.iter().filter(|i| i.data.len() <= SMALL_INPUT) {
        progress(&format!("{}: compress", input.name));
        bases.push((input, compress(engine, input)?));
    }
    let mut rng = Rng::new(0x00f0_22ed);
    let (mut rejected, mut decoded) = (0usize, 0usize);
    for case in 0..settings.fuzz {
        let (input, payload) = &bases[case % bases.len()];
        let kind = rng.below(MUTATIONS.len());
        let mut bad = payload.clone();
        mutate(&mut bad, kind, &mut rng);
        progress(&format!(
            "case {case}: {} of the compressed '{}' ({} bytes)",
            MUTATIONS[kind],
            input.name,
            bad.len()
        ));
        // Any answer is acceptable; only a crash or a hang is not. The
        // limit keeps a lying length from costing memory.
        let limit = (input.data.len() * 4).max(1 << 20);
        match engine.decompress_vec(&bad, limit) {
            Ok(out) if !out.is_empty() => decoded += 1,
            _ => rejected += 1,
        }
    }
    Ok(format!(
        "{} corrupted payloads, no crash or hang ({rejected} rejected or empty, {decoded} decoded to something)",
        settings.fuzz
    ))
}

/// For a core with levels (`h4_compress_level_v1`): at its lowest, its
/// default and its highest level, every small corpus input compresses to
/// the same bytes twice and decompresses exactly.
pub fn levels(core: &mut Core, inputs: &[Input], progress: &mut dyn FnMut(&str)) -> JobResult {
    let range = core.levels().expect("a core with levels");
    let mut tried = Vec::new();
    for level in [Some(*range.start()), None, Some(*range.end())] {
        core.set_level(level)
            .map_err(|e| ("a level the core names is refused".to_string(), e))?;
        let label = level.map_or("its default level".to_string(), |l| format!("level {l}"));
        for input in inputs.iter().filter(|i| i.data.len() <= SMALL_INPUT) {
            progress(&format!("{}: compress at {label}", input.name));
            let name = format!("{} at {label}", input.name);
            let packed = compress_named(core, &name, &input.data)?;
            if compress_named(core, &name, &input.data)? != packed {
                return Err((
                    "same input and level, different bytes".to_string(),
                    format!("input {name}"),
                ));
            }
            round_trip(core, false, &name, &input.data, progress)?;
        }
        tried.push(label);
    }
    core.set_level(None)
        .map_err(|e| ("cannot reset the level".to_string(), e))?;
    Ok(format!(
        "levels {} to {}: {} repeatable and exact",
        range.start(),
        range.end(),
        tried.join(", ")
    ))
}
