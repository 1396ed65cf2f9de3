//! Hostile files, corruption and faults: every one ends in a clear error,
//! with bounded memory, no partial output and the input untouched.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use h4::container::format2::{self, BlockShape};
use h4::container::{EngineId, EngineKind};
use h4::engine::Reference;
use h4::pipeline::{CompressOptions, DecompressOptions};

use crate::util::data::{self, Rng};
use crate::util::{self, H4, h4_process};

/// A frame of ~50 blocks of 4 KiB, stored and coded mixed.
fn multi_block_frame() -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(0x9e37_79b9);
    let data: Vec<u8> = (0..200_000usize)
        .map(|i| {
            let noise = rng.next_u64() as u8;
            match (i / 4096) % 3 {
                0 => (i / 97) as u8,
                1 => noise,
                _ => b"abc "[i % 4],
            }
        })
        .collect();
    let options = CompressOptions {
        block_size: 4096,
        threads: 1,
        ..CompressOptions::default()
    };
    let frame = h4::compress_to_vec(&data, &Reference::new(), &options).unwrap();
    (data, frame)
}

#[test]
fn thousands_of_single_byte_corruptions_are_all_rejected() {
    let (_, frame) = multi_block_frame();
    let mut rng = Rng::new(0x1234_5678_9abc_def1);
    let tries = 5000;
    for i in 0..tries {
        let mut bad = frame.clone();
        let at = rng.below(bad.len());
        let flip = (rng.below(255) + 1) as u8;
        bad[at] ^= flip;
        let options = DecompressOptions {
            threads: 1 + i % 2,
            ..DecompressOptions::default()
        };
        assert!(
            h4::decompress_to_vec(&bad, &options).is_err(),
            "changing byte {at} by {flip:#x} went unnoticed"
        );
    }
}

/// Peak resident memory of a command in KiB, when GNU time is installed.
fn peak_kib(args: &[&str], stdin: &Path) -> Option<(i32, u64)> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "PEAK %M"])
        .arg(H4)
        .args(args)
        .stdin(std::fs::File::open(stdin).unwrap())
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kib = text
        .lines()
        .find_map(|l| l.strip_prefix("PEAK "))?
        .trim()
        .parse()
        .ok()?;
    Some((out.status.code()?, kib))
}

/// A format 2 file of `block_size` (`None`: single-block) whose one block
/// claims `shape`, followed by zeroed checks and a few bytes of payload;
/// it must be rejected as truncated.
fn claiming(block_size: Option<u32>, shape: BlockShape) -> (tempfile::TempDir, PathBuf) {
    let engine = EngineId {
        kind: EngineKind::Reference,
        name: "reference".to_string(),
    };
    let mut file = format2::encode_header(block_size, &engine);
    shape.encode(&mut file);
    file.extend_from_slice(&[0; 8][..if shape.stored { 4 } else { 8 }]);
    file.extend_from_slice(b"only a few bytes of payload");
    let err = h4::decompress_to_vec(&file, &DecompressOptions::default()).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    let dir = util::tempdir();
    let path = dir.path().join("hostile.h4");
    std::fs::write(&path, &file).unwrap();
    (dir, path)
}

#[test]
fn hostile_lengths_cost_no_memory_in_format_2() {
    // A 64 MiB block size and a coded block that claims a payload one byte
    // short of it, in a file of a few dozen bytes.
    let (_dir, path) = claiming(
        Some(64 << 20),
        BlockShape {
            payload_len: (64 << 20) - 1,
            raw_len: 64 << 20,
            stored: false,
            sized: false,
        },
    );
    if let Some((code, kib)) = peak_kib(&["decompress", "-c"], &path) {
        assert_eq!(code, 1);
        assert!(kib < 32 * 1024, "peak {kib} KiB");
    }
}

#[test]
fn a_single_block_frame_claiming_a_huge_payload_costs_no_memory() {
    // Format 2 frames of at most one block carry no block size, so their
    // header bounds nothing; a token claiming 60 MiB of payload after a
    // valid header must not make the reader allocate it (a fuzzer found
    // this one).
    let (_dir, path) = claiming(
        None,
        BlockShape {
            payload_len: 60 << 20,
            raw_len: 60 << 20,
            stored: true,
            sized: true,
        },
    );
    // Untouched reserved pages cost no resident memory, so the allocation
    // itself is what must stay small: under a 40 MiB address-space limit
    // a 60 MiB reservation would abort h4.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 40960 && exec {H4} decompress -T1 -c \"$0\""
        ))
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn hostile_lengths_cost_no_memory() {
    // A 64 MiB block size and a block that claims 64 MiB of payload, in a
    // file of a few dozen bytes.
    let mut header = vec![0x48, 0x34, 0xD8, 0x04, 1];
    header.extend_from_slice(&(64u32 << 20).to_le_bytes());
    header.extend_from_slice(&[0, 9]);
    header.extend_from_slice(b"reference");
    let check = xxhash_low32(&header);
    header.extend_from_slice(&check.to_le_bytes());
    let mut file = header.clone();
    file.extend_from_slice(&(64u32 << 20).to_le_bytes());
    file.extend_from_slice(&(64u32 << 20).to_le_bytes());
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(b"only a few bytes of payload");

    let dir = util::tempdir();
    let path = dir.path().join("hostile.h4");
    std::fs::write(&path, &file).unwrap();
    let err = h4::decompress_to_vec(&file, &DecompressOptions::default()).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    match peak_kib(&["decompress", "-c"], &path) {
        Some((code, kib)) => {
            assert_eq!(code, 1);
            assert!(
                kib < 32 * 1024,
                "peak {kib} KiB for a {}-byte file",
                file.len()
            );
        }
        None => eprintln!("skipped the memory figure: GNU time is not installed"),
    }
}

/// The header check, computed the way docs/FORMAT.md says (via a frame h4
/// made, so the test needs no hash implementation of its own).
fn xxhash_low32(header_without_check: &[u8]) -> u32 {
    // Build a real frame with the same block size and take its check.
    let options = CompressOptions {
        block_size: u32::from_le_bytes(header_without_check[5..9].try_into().unwrap()),
        threads: 1,
        format: 1,
        ..CompressOptions::default()
    };
    let frame = h4::compress_to_vec(b"", &Reference::new(), &options).unwrap();
    assert_eq!(&frame[..header_without_check.len()], header_without_check);
    u32::from_le_bytes(frame[header_without_check.len()..][..4].try_into().unwrap())
}

#[test]
fn output_directory_that_disappears_is_a_clean_error() {
    let dir = util::tempdir();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut child = h4_process()
        .args(["compress", "-o"])
        .arg(out_dir.join("data.h4"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&[5u8; 1 << 20]).unwrap();
    util::wait_for_output(child.id(), &out_dir);
    std::fs::remove_dir_all(&out_dir).unwrap();
    stdin.write_all(&[6u8; 1 << 20]).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("data.h4") && err.contains("No such file"),
        "{err}"
    );
    assert!(!out_dir.exists());
}

#[test]
fn unreadable_input_is_a_clean_error_and_writes_nothing() {
    let dir = util::tempdir();
    let out = h4_process()
        .args(["compress", "-o"])
        .arg(dir.path().join("mem.h4"))
        .arg("/proc/self/mem")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("h4: /proc/self/mem: read error"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// 5 GiB through stdin and a sparse 5 GiB file, both ways, in bounded
/// memory. Slow (a minute or two): run with `cargo test --release --test
/// integration -- --ignored five_gib` or `scripts/bigdata`.
#[test]
#[ignore]
fn five_gib_round_trips_in_bounded_memory() {
    let status = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bigdata"))
        .arg(H4)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Whether this machine lets an unprivileged user mount a tmpfs in a
/// private user and mount namespace (`unshare -rm`).
fn private_mounts_work() -> bool {
    Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A real full filesystem, not `/dev/full`: a 256 KiB tmpfs mounted in a
/// private namespace. Compressing 1 MiB of incompressible data into it (with
/// `--rm`, and from standard input), and decompressing 4 MiB into it, run out of space part-way
/// through writing: each must end in one line naming the output, exit 1,
/// nothing left on the full filesystem, and the input kept intact.
#[test]
fn full_filesystem_is_a_clean_error_and_keeps_the_input() {
    if !private_mounts_work() {
        eprintln!("skipped: unshare -rm (user namespaces) is not allowed here");
        return;
    }
    let dir = util::tempdir();
    let noise = data::noise(1 << 20, 0x2545_f491_4f6c_dd1d);
    std::fs::write(dir.path().join("noise.bin"), &noise).unwrap();
    let big = h4::compress_to_vec(&[7u8; 4 << 20], &Reference::new(), &Default::default()).unwrap();
    std::fs::write(dir.path().join("big.h4"), &big).unwrap();

    // Each case prints its exit code, its stderr and what is left on the
    // full filesystem; the mount disappears with the namespace.
    let script = r#"
        mkdir full && mount -t tmpfs -o size=256k h4test full || exit 99
        try() {
            "$H4" "$@" 2>err
            echo "exit=$?"
            cat err
            echo "left=$(ls -A full | tr '\n' ' ')"
        }
        try compress --rm -o full/noise.bin.h4 noise.bin
        try decompress -T2 -o full/big big.h4
        try compress -o full/stdin.h4 < noise.bin
    "#;
    let out = Command::new("unshare")
        .args(["-rm", "bash", "-c", script])
        .current_dir(dir.path())
        .env("H4", H4)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<&str> = report.split("exit=").skip(1).collect();
    assert_eq!(cases.len(), 3, "{report}");
    for (case, output) in cases.iter().zip(["noise.bin.h4", "big", "stdin.h4"]) {
        let lines: Vec<&str> = case.lines().collect();
        assert_eq!(lines.len(), 3, "not exactly one error line: {case}");
        assert_eq!(lines[0], "1", "{case}");
        assert!(
            lines[1].starts_with("h4: ")
                && lines[1].contains(&format!("full/{output}"))
                && lines[1].contains("No space left on device"),
            "{case}"
        );
        assert_eq!(
            lines[2].trim(),
            "left=",
            "partial output left behind: {case}"
        );
    }
    assert_eq!(std::fs::read(dir.path().join("noise.bin")).unwrap(), noise);
}
