//! Truncated and bit-flipped `.h4` data, from files and from standard
//! input, is rejected cleanly on any thread count, writing nothing.

use std::collections::BTreeSet;

use crate::util::data::{Rng, mixed};
use crate::util::{
    self, BLOCK_HEADER_LEN, HEADER_LEN, TRAILER_LEN, assert_clean_error, assert_rejected, h4_in,
    pipe_ok, small_multiblock,
};

#[test]
fn truncation_at_every_point_is_rejected() {
    let dir = util::tempdir();
    for format in ["1", "2"] {
        let (data, c) = small_multiblock(format);
        assert_eq!(pipe_ok(&["decompress"], &c), data);
        let threads = ["1", "2", "4"];
        for cut in 0..c.len() {
            assert_rejected(
                dir.path(),
                &c[..cut],
                &format!("format {format}, cut at {cut} of {}", c.len()),
                threads[cut % 3],
            );
        }
    }
}

#[test]
fn truncation_of_larger_file_is_rejected() {
    let dir = util::tempdir();
    let data = mixed(120_000);
    for format in ["1", "2"] {
        truncate_everywhere_that_matters(dir.path(), &data, format);
    }
}

fn truncate_everywhere_that_matters(dir: &std::path::Path, data: &[u8], format: &str) {
    let c = pipe_ok(&["compress", "-B", "4K", "--format-version", format], data);
    // Every cut through the header and the first block's header, and
    // through the end of the frame (the last block, the trailer or footer).
    let head = HEADER_LEN + BLOCK_HEADER_LEN + 2;
    let mut cuts: BTreeSet<usize> = (1..head).collect();
    cuts.extend(c.len() - TRAILER_LEN - 2..c.len());
    let mut rng = Rng::new(1234);
    while cuts.len() < 160 {
        cuts.insert(rng.below(c.len()));
    }
    for (i, &cut) in cuts.iter().enumerate() {
        assert_rejected(
            dir,
            &c[..cut],
            &format!("format {format}, cut at {cut} of {}", c.len()),
            ["1", "2", "4"][i % 3],
        );
    }
}

#[test]
fn bit_flip_at_every_byte_is_rejected() {
    let dir = util::tempdir();
    for format in ["1", "2"] {
        let (_, c) = small_multiblock(format);
        for pos in 0..c.len() {
            let mut bad = c.clone();
            bad[pos] ^= 1 << (pos % 8);
            assert_rejected(
                dir.path(),
                &bad,
                &format!(
                    "format {format}, bit {} flipped at byte {pos} of {}",
                    pos % 8,
                    c.len()
                ),
                ["1", "2", "4"][pos % 3],
            );
        }
    }
}

#[test]
fn bit_flips_in_larger_file_are_rejected() {
    let dir = util::tempdir();
    let data = mixed(100_000);
    for format in ["1", "2"] {
        let c = pipe_ok(&["compress", "-B", "4K", "--format-version", format], &data);
        let mut rng = Rng::new(777);
        for i in 0..150 {
            let pos = rng.below(c.len());
            let bit = rng.below(8);
            let mut bad = c.clone();
            bad[pos] ^= 1 << bit;
            assert_rejected(
                dir.path(),
                &bad,
                &format!(
                    "format {format}, bit {bit} flipped at byte {pos} of {}",
                    c.len()
                ),
                ["1", "2", "4"][i % 3],
            );
        }
    }
}

#[test]
fn corrupt_stdin_fails_cleanly() {
    let (_, mut c) = small_multiblock("2");
    let mid = c.len() / 2;
    c[mid] ^= 0x10;
    for cmd in ["decompress", "test", "info"] {
        let out = h4_in(&std::env::temp_dir())
            .arg(cmd)
            .write_stdin(c.clone())
            .output()
            .unwrap();
        let err = assert_clean_error(&out, cmd);
        assert!(err.starts_with("h4: stdin: "), "{err}");
    }
}
