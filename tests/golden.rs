//! Golden vectors: fixed inputs and the exact bytes h4 must make of them.
//!
//! They pin every byte of the reference payload and of the container as
//! `docs/FORMAT.md` specifies them. A change here is a format change.
//!
//! The structural bytes were written by hand from the specification; the
//! checksums were computed independently with Python's `xxhash` package
//! (`xxh3_64_intdigest`), not copied from h4's output. The payloads of the
//! entropy-coded modes (6 to 16) were made by `scripts/h4_reference.py`,
//! the second implementation written from the specification.

use h4::container::DEFAULT_BLOCK_SIZE;
use h4::engine::{Engine, Reference};
use h4::pipeline::{CompressOptions, DecompressOptions};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).unwrap())
        .collect()
}

/// (name, input, expected reference payload in hex)
fn payload_vectors() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("empty", vec![], "0000"),
        ("one byte", vec![0x41], "000141"),
        ("short text", b"hello".to_vec(), "000568656c6c6f"),
        ("run of 4", vec![7; 4], "01040107"),
        ("run of 18", vec![0; 18], "01120f0000"),
        ("run of 1000", vec![0xaa; 1000], "01e8070fd607aa"),
        (
            "literals, run, literals",
            b"abcdxxxxxxxxxxefgh".to_vec(),
            "01124761626364784065666768",
        ),
        (
            "ramp (delta stride 1)",
            (0..100u8).collect(),
            "02641f005101",
        ),
        (
            "flat RGB (delta stride 3)",
            [10u8, 20, 30].repeat(40),
            "0478 3f 0a141e 63 00",
        ),
        (
            "16-bit constant samples (delta stride 2)",
            0x1234u16.to_le_bytes().repeat(50),
            "0364 2f 3412 50 00",
        ),
    ]
}

fn le16(v: i32) -> [u8; 2] {
    (v as i16).to_le_bytes()
}

/// A damped integer oscillator: the linear predictor (order field 5)
/// beats every fixed polynomial.
fn damped_oscillator() -> Vec<u8> {
    let mut x = vec![0i32, 3000];
    for i in 2..80 {
        x.push((x[i - 1] * 1990 - x[i - 2] * 1020) >> 10);
    }
    x.iter().flat_map(|&v| le16(v)).collect()
}

/// Stereo frames (an integer oscillator, the right channel off by noise)
/// after a 2-byte header: they start at byte 2.
fn stereo_oscillator_after_a_header() -> Vec<u8> {
    let mut x = vec![0i32, 3000];
    for i in 2..40 {
        x.push((x[i - 1] * 2000 - x[i - 2] * 1024) >> 10);
    }
    b"RI"
        .iter()
        .copied()
        .chain(
            x.iter()
                .enumerate()
                .flat_map(|(i, &v)| [le16(v), le16(v + i as i32 % 3 - 1)].concat()),
        )
        .collect()
}

/// A ramp under noise: deltas of 0 to 4 without structure, whose short
/// matches save less than the choice's margin.
fn noisy_ramp() -> Vec<u8> {
    let mut seed = 5u32;
    (0..400u32)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (100 + i / 8 + (seed >> 30)) as u8
        })
        .collect()
}

/// 700 frames of an integer oscillator under a little noise: two
/// stripes of the striped PCM body. (Under less noise, -1 to 1, the
/// residuals of its first values, after a history of zeros, stand out
/// enough that the classic twin wins by more than a 32nd.)
fn two_stripes() -> Vec<u8> {
    let mut x = vec![0i32, 1000];
    for i in 2..700 {
        x.push((x[i - 1] * 2040 - x[i - 2] * 1024) >> 10);
    }
    x.iter()
        .enumerate()
        .flat_map(|(i, &v)| le16(v + (i as i32 * 13) % 9 - 4))
        .collect()
}

/// The oscillator of [`two_stripes`] under noise of -1 to 1 only.
fn quiet_two_stripes() -> Vec<u8> {
    let mut x = vec![0i32, 1000];
    for i in 2..700 {
        x.push((x[i - 1] * 2040 - x[i - 2] * 1024) >> 10);
    }
    x.iter()
        .enumerate()
        .flat_map(|(i, &v)| le16(v + i as i32 % 3 - 1))
        .collect()
}

/// Two ramps 10 apart: the side signal is -10 throughout.
fn stereo_ramps() -> Vec<u8> {
    (0..20i32)
        .flat_map(|i| [le16(100 * i - 3000), le16(100 * i - 2990)].concat())
        .collect()
}

/// (mode, input, expected reference payload in hex): one input that the
/// encoder codes with each entropy-coded mode (and PCM with the linear
/// predictor).
fn entropy_mode_vectors() -> Vec<(u8, Vec<u8>, &'static str)> {
    vec![
        (
            6,
            b"the cat sat on the mat; the cat sat on the hat; the bat sat on the cat.".to_vec(),
            "064719 0500 7468652063617420736174206f6e206d61743b68626361742e 1022000200000000200c
             3300 0200 00220602 0021cfbbd02869",
        ),
        (
            7,
            (0..256u32).map(|i| (i * 7 + (i / 16) * 3) as u8).collect(),
            "07800203030000070a032201140000000000010000001006200012b45f5d00",
        ),
        (
            // Without matches: every byte a literal (N = 400, S = 0).
            7,
            noisy_ramp(),
            "0790039003000180023243060000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000600000000
             0000000000000000000000000000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             000000000000005023262221227f778ab947b293be5b8d5d962e7d3738cd806f
             c65813cc48c38ba161c9bbbc661df72864dc00102923b123f4153c078774f2a1
             d077e3708150c7a7164351c9bde3a5eb6ab2183c183184150c7d34e115cf0c12
             93d99851a10b9d50aba7cd4c227833252b93b3669e9dd444faba636734e535f0
             3e58ec4ba314ab554311ba8231361a76999183d50a18d307",
        ),
        (
            8,
            (0..200u32)
                .flat_map(|i| ((i * 300) as u16).to_le_bytes())
                .collect(),
            "08900305060000002c010205210002140000200003000000302209000302230233811c461ed6a6ad8a00",
        ),
        (
            9,
            (0..100u32)
                .flat_map(|i| [i as u8, (2 * i) as u8, (200 - i) as u8])
                .collect(),
            "09ac020601000000c80102ff07000000011500000000000000000000010300011009",
        ),
        (
            10,
            (0..100u32)
                .flat_map(|i| [i as u8, 9, (255 - 2 * i) as u8, 255])
                .collect(),
            "0a90030801000009ffff0100fe000900000000011500000000000000000000010400102004",
        ),
        (
            // The classic twin of mode 14 (FORMAT 3.7): the residuals of
            // the first values, after a history of zeros, raise the
            // striped partition's `k`, where the classic body escapes
            // them and is shorter by more than a 32nd.
            11,
            (0..100i32)
                .flat_map(|i| le16(3 * i * i - 100 * i))
                .collect(),
            "0bc8010b01000004030000000038030054555555555555555555555555555555555555555555555505",
        ),
        (
            14,
            damped_oscillator(),
            "0ea001c5159c66e18461043804d2fe9ba0e53f00782662718a39240ce25019bd6ebddf6f375b751e00860625d3f9803c1c8c84510c1e9dd4ecb6dbe562a9cfa480c09058341d8f678399380ec0e2326ad572b95b2c159a1c080100000000800000801409feffffffffffffffff03",
        ),
        (
            14,
            // Every sample a multiple of 4: two wasted bits (order field 6,
            // then 2, then the real order).
            (0..60i32)
                .flat_map(|i| le16((3 * i * i - 100 * i) * 4))
                .collect(),
            "0e789609120000000000000000000000000080000000000000010000000000f0ffffffffffff3f",
        ),
        (
            // Two stripes: the second starts from its anchor section.
            14,
            two_stripes(),
            "0ef80a45f6d984f9d1dcaacff7cdfdeae1e89f900a03c8703b8d92c32619e35cb73b0d9a862116fc127c28394ad14f4dd957f0ade0c69736ad4df35a7c51c0dad6ad742f3db048696096fab04e30c0a6b46b5dcb437a698fdc826f0141b57867ef587a902896fc027c283f4a914d5e1956f02cfda60736a94df05e1ac1c8b6d6ad744fae7048696996f8b04e10c0aeb069efc2430a608fde032c0141b4b84568199a9621d6fe0264284f42912dcec157f0adfca4172ea94bf01a1cd1c8d6c6ad3054861a575f293035b9dd5ecfcb53b0b960e044970b0612f0f5b860990293539f655c4c97ca62ba184771c9abae038cc57461ae8b00577dcf8ca7e9d23c1497e62a2c194fe18ceb2e028c4311692c86c8d579963ca6e8d4584c17c6222c3987718dea2c228cc510692c8ac0d7798f0ca229d23c0c91c62a3a1984f7ecab2802cdc3020000000000000000000000000000800000000010000000020000000004000000200080a0abd9d6d56acfdb567bdedbd679dbb6ceb66b53db7b36db9ea766dbebd4bc755dedb9b66dcfdb36ebbc6d5b67dbb5a9ed3d9bda9e4ecdb6aeab79ab75b567dbb63d6fdbacf3b6fbefffdfb77ddbdffb6f55cdaa9a55b5b652cd4cb529d556b3aa6655cdaa9a55556d4a3553aa99b2b65a5535ab6a56d5acaa6a53aa9952cd94b5d5549566559a5535d56acd946a06",
        ),
        (
            15,
            stereo_ramps(),
            "0f5059e288d96459966559966559966559966559060000fcff3f00f0ffff",
        ),
        (
            16,
            stereo_oscillator_after_a_header(),
            "10a201524976c8fceb69a95fbbe6894148301d4c028090fc6432994c2693c9643251805d6344f9f4e8d68c82969fac3b3f8489833e3bac9f1542cd576975f9c4c742c4fd6fe85a070352000040000080fe5ffdbfea1f",
        ),
    ]
}

#[test]
fn entropy_coded_payloads() {
    let engine = Reference::new();
    for (mode, input, want) in entropy_mode_vectors() {
        let got = engine.compress_vec(&input).unwrap();
        assert_eq!(got[0], mode, "the input for mode {mode} chose another");
        assert_eq!(hex(&got), hex(&unhex(want)), "mode {mode}");
        assert_eq!(
            engine.decompress_vec(&got, input.len()).unwrap(),
            input,
            "mode {mode}"
        );
    }
}

/// Payloads that earlier encoders wrote for inputs the encoder now codes
/// otherwise: they decode to the same bytes forever.
#[test]
fn payloads_of_earlier_encoders_still_decode() {
    let cases = [
        (
            // FORMAT 3.1, mode 12: the side signal (always -10) coded
            // without its wasted bit.
            "0c5026000000ffff8f000000b722478e1c3972e4c89123478e1c3972e4c89123478e0c",
            stereo_ramps(),
        ),
        (
            // FORMAT 3.3, mode 7: the noisy ramp with the one match the
            // greedy parse finds (17 bytes more than without it).
            "0790038b03010180023243060000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000600000000
             0000000000000000000000000000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             000000000000005023252121217f778ab947b293be5b8d5d962e7d3738cd806f
             c65813cc48c38ba161c9bbbc661df728641c834819891da1afe03938a4930f85
             c305421d9f5a0c4525f78e97aeabc962f0603184150c7d34e115cf0c1293d998
             51a10b9d50aba7cd4c227833252b93b3669e9d1426d2d71d3ba329af81f7c162
             5f1aa558ad1a8ad0158cb1d1b0cb8c1cac56c0983e1400000000000000000010
             0210080000001068f0",
            noisy_ramp(),
        ),
        (
            // FORMAT 3.2, mode 11: the damped oscillator's linear
            // predictor fitted under Welch's window.
            "0ba001c565a47ee1446025900a947df560db3f01000000701700000000a50e0000c08f5168d10f3437042c5c7c8cacac9c9c8c6c4c3c0424546484a4b4b4b4b484745424041c3c5c7c9c9c9c8c8c7c4c2c0c1434648494a4a4a4a4a4745444140c3c5c6c7c8c9c9c8c6c4c2c1c14344400",
            damped_oscillator(),
        ),
        (
            // FORMAT 3.2, mode 13: the same fit, of stereo frames after a
            // 2-byte header.
            "0da2015249a28065599665599665599625eec6f42bef02964038d0f3eb04563f1a0000006807c019b8b857a4b2144b5423c19555cb261e1d3af6eccc8ff32e8d3951a44fac882983c6ed1ab468c15e9d7a6c00",
            stereo_oscillator_after_a_header(),
        ),
        (
            // FORMAT 3.6, mode 14: two stripes, where the classic twin is
            // now shorter by more than a 32nd.
            "0ef80a4566ec66edad1f39bf07e08056001098900a0328f17c2c328703092188ee6b4e0c2a8215c3926145a1625050a82814140a8a04458622c5a0a05030ac28140c4b0615038b60c9b0245812ac1896042b0615c3924041a1625050a42812140a8a04858241c1a0a05031282854042b8625c18a6149b02458112c19560c2b8215838a41c1a0a0505024281214090a05878242a148466048ca648cc6648cc2284cc2648cc6244886644c86a0088a64244aa0088aa048922449922449922449922449922449922449922449922449922449922449920200000000000000000000000000008000000400080000000000010000040031cf6ce6ed9967cf3cb39967b679c63cdb988d6dccc33ce6318fd96c639b6d6c669b676f9e79f6cc66cfbcd9cc36b699cd1ee6311bf3988d3db6b1c736db6cf3cc66cf6cf6ccb3679ed9e6996df6ffffffffffffffff37594a4a2a2952a4686434325264549494945426a3699a94261315292a2a1919198d468a8a8ac5b2944c6b32992625cb224525234546454646a3a252a94c9369521a4d2a93928a8a8c468a141919192902",
            quiet_two_stripes(),
        ),
        // FORMAT 3.5 and before, modes 11 to 13: the classic PCM body,
        // which the encoder writes for these inputs no longer.
        (
            "0ba001c5159c66e18461043804d2fe9ba0e53f010000007017000000801946b4
             a0936290931413f1b072f4f5b6f7f7777776b5f3119051135556d71798171796
             145371f0b13375f67677373736f573b21011939495569797d716d694d31170f1
             72b4b53637f736363574f29000",
            damped_oscillator(),
        ),
        (
            "0b78968900000004030000000038030024499224499224499224499224499224499224499204",
            (0..60i32)
                .flat_map(|i| le16((3 * i * i - 100 * i) * 4))
                .collect(),
        ),
        (
            "0c5059e288010000dccae572b95c2e97cbe572b95c2e97cbe53200f0ffff",
            stereo_ramps(),
        ),
        (
            "0da201524976c8fceb69a95fbbe6894148301d4c028090fc6432994c2693c96432d1000000403b00
             0080460c0023969f3e7aeb4c855afdca76cf2f84263ad4cf1eb65fab086b7e2d5dbddc093f5c30e2
             fddfa1d776648804",
            stereo_oscillator_after_a_header(),
        ),
    ];
    let engine = Reference::new();
    for (payload, input) in cases {
        let payload = unhex(payload);
        assert_ne!(engine.compress_vec(&input).unwrap(), payload);
        assert_eq!(engine.decompress_vec(&payload, input.len()).unwrap(), input);
    }
}

#[test]
fn reference_payloads() {
    let engine = Reference::new();
    for (name, input, want) in payload_vectors() {
        let got = engine.compress_vec(&input).unwrap();
        assert_eq!(hex(&got), hex(&unhex(want)), "{name}");
        assert_eq!(
            engine.decompress_vec(&got, input.len()).unwrap(),
            input,
            "{name}"
        );
    }
}

fn frame(input: &[u8], block_size: u32, format: u8) -> Vec<u8> {
    let options = CompressOptions {
        block_size,
        threads: 1,
        format,
        ..CompressOptions::default()
    };
    h4::compress_to_vec(input, &Reference::new(), &options).unwrap()
}

/// Format 2's header, block and footer checks all follow from the header
/// check: each block's are seeded with it and the block's number.
#[test]
fn format_2_empty_frame() {
    // Header: magic, version 2, descriptor 01 (single block, reference
    // engine, built in), check. Footer: end token, header size 10, no
    // index entries, check seeded with the header check, footer size 6.
    let want = unhex("4834d804 02 01 60c71b34   00 0a 63a43f54 06");
    assert_eq!(hex(&frame(b"", DEFAULT_BLOCK_SIZE, 2)), hex(&want));
    assert_eq!(want.len(), 17);
}

#[test]
fn format_2_one_byte_frame() {
    // One stored, sized block: token (1 << 2) | stored | sized = 07, its
    // payload check, the byte. The index repeats the token.
    let want = unhex("4834d804 02 01 60c71b34   07 88c8995f 41   00 0a 07 219d78f0 07");
    assert_eq!(hex(&frame(b"A", DEFAULT_BLOCK_SIZE, 2)), hex(&want));
    assert_eq!(want.len(), 24);
}

#[test]
fn format_2_two_block_frame() {
    // Block size 1024 (varint 80 08). Block 0: 1024 zero bytes coded in 7
    // bytes, unsized (token 7 << 2 = 1c), payload and raw checks. Block 1:
    // "h4" stored and sized (token (2 << 2) | 3 = 0b), one check. Footer:
    // header size 12, index 1c 0b, check, size 8.
    let mut input = vec![0u8; 1024];
    input.extend_from_slice(b"h4");
    let want = unhex(
        "4834d804 02 00 8008 e68e32cf
         1c 36352238 22e77786 0180080fee0700
         0b 39ac214b 6834
         00 0c 1c0b 7259eab0 08",
    );
    assert_eq!(hex(&frame(&input, 1024, 2)), hex(&want));
    let back = h4::decompress_to_vec(&want, &DecompressOptions::default()).unwrap();
    assert_eq!(back, input);
}

/// Format 1, which h4 0.1 wrote: fixed-width fields and a trailer.
#[test]
fn format_1_empty_frame() {
    let want = unhex(
        "4834d804 01 00001000 00 09 7265666572656e6365 ecccb181
         00000000 0000000000000000 0000000000000000 c294d3380580062d 9458cd33",
    );
    assert_eq!(hex(&frame(b"", DEFAULT_BLOCK_SIZE, 1)), hex(&want));
}

#[test]
fn format_1_two_block_frame() {
    // 1024-byte blocks: block 0 is 1024 zero bytes (coded as one run),
    // block 1 is "h4" (stored: coding would not make it smaller).
    let mut input = vec![0u8; 1024];
    input.extend_from_slice(b"h4");
    let want = unhex(
        "4834d804 01 00040000 00 09 7265666572656e6365 74181084
         00040000 07000000 2ac37f70 4179af6d 0180080fee0700
         02000000 02000000 23d9f0e8 8bdb2817 6834
         00000000 0200000000000000 0204000000000000 3d36b4281fb6832e 58fbb07b",
    );
    assert_eq!(hex(&frame(&input, 1024, 1)), hex(&want));
    let back = h4::decompress_to_vec(&want, &DecompressOptions::default()).unwrap();
    assert_eq!(back, input);
}

/// A stereo block after a 2-byte header (mode 16) whose classic twin is
/// shorter by exactly a 32nd of the striped body when both count the two
/// lead bytes (FORMAT 3.7, 2.4), and by more than a 32nd without them: it
/// stays striped only if the lead bytes are counted, as the rule says.
#[test]
fn the_classic_twin_rule_counts_the_lead_bytes() {
    let input = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors/pcm-twin-boundary.raw"),
    )
    .unwrap();
    let engine = Reference::new();
    let payload = engine.compress_vec(&input).unwrap();
    assert_eq!(payload[0], 16);
    assert_eq!(engine.decompress_vec(&payload, input.len()).unwrap(), input);
}
