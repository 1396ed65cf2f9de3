//! End-to-end tests of the `h4` command line: naming rules, safety checks,
//! determinism, corruption handling and exit codes, run against the built
//! binary.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The length of a frame header written by the reference engine:
/// 11 fixed bytes, the name "reference" and a 4-byte check.
const HEADER_LEN: usize = 11 + 9 + 4;
const BLOCK_HEADER_LEN: usize = 16;
const TRAILER_LEN: usize = 32;

/// `assert_eq!` for byte strings: reports the lengths and the first
/// difference instead of printing every byte.
macro_rules! assert_bytes_eq {
    ($left:expr, $right:expr $(,)?) => {
        assert_bytes_eq!($left, $right, "bytes differ")
    };
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (l, r): (&[u8], &[u8]) = (&$left[..], &$right[..]);
        if l != r {
            let at = l
                .iter()
                .zip(r)
                .position(|(a, b)| a != b)
                .unwrap_or(l.len().min(r.len()));
            panic!(
                "{}: {} bytes vs {} bytes, first difference at byte {at}",
                format!($($msg)+),
                l.len(),
                r.len()
            );
        }
    }};
}

/// `h4` run in `dir`, with nothing on stdin.
fn h4(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("h4").unwrap();
    cmd.current_dir(dir);
    cmd
}

fn h4_path() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("h4")
}

/// Runs `h4 ARGS` in `dir` and returns its output, whatever the status.
fn run(dir: &Path, args: &[&str]) -> Output {
    h4(dir).args(args).output().unwrap()
}

/// Runs `h4 ARGS` in `dir`, requires success and returns its stdout.
#[track_caller]
fn run_ok(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "h4 {args:?} failed: {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `h4 ARGS` with `input` on stdin, requires success, returns stdout.
#[track_caller]
fn pipe_ok(args: &[&str], input: &[u8]) -> Vec<u8> {
    let dir = std::env::temp_dir();
    let out = h4(&dir).args(args).write_stdin(input).output().unwrap();
    assert!(
        out.status.success(),
        "h4 {args:?} < stdin failed: {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Requires exit status 1 with exactly one line on stderr, starting "h4: ",
/// and no panic. Returns the message.
#[track_caller]
fn assert_clean_error(out: &Output, what: &str) -> String {
    let err = stderr_of(out);
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: wrong exit status {:?}, stderr: {err}",
        out.status
    );
    assert!(err.starts_with("h4: "), "{what}: stderr {err:?}");
    assert!(err.ends_with('\n'), "{what}: stderr {err:?}");
    assert_eq!(
        err.lines().count(),
        1,
        "{what}: stderr not one line: {err:?}"
    );
    err
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A xorshift64 generator: deterministic test data without a rand crate.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = XorShift::new(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

fn text(len: usize) -> Vec<u8> {
    let words = [
        "harmony",
        "block",
        "frame",
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "and",
        "compression",
        "of",
        "text",
        "is",
        "fun",
    ];
    let mut rng = XorShift::new(7);
    let mut out = String::new();
    let mut line = 0;
    while out.len() < len {
        line += 1;
        out.push_str(&format!("{line:5}: "));
        for _ in 0..(5 + rng.below(8)) {
            out.push_str(words[rng.below(words.len())]);
            out.push(' ');
        }
        out.push_str(".\n");
    }
    let mut out = out.into_bytes();
    out.truncate(len);
    out
}

/// Something like an executable: fixed-size records of small integers,
/// pointers and padding, a string table and zero-filled alignment.
fn binary_like(len: usize) -> Vec<u8> {
    let mut rng = XorShift::new(99);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\0");
    out.resize(64, 0);
    let mut i = 0u32;
    while out.len() < len {
        out.extend_from_slice(&i.to_le_bytes());
        out.extend_from_slice(&((i % 7) as u16).to_le_bytes());
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&(0x5555_0000_1000u64 + u64::from(i) * 24).to_le_bytes());
        out.extend_from_slice(&(rng.next() as u32).to_le_bytes());
        if i % 500 == 499 {
            out.extend_from_slice(b"main\0_start\0memcpy\0h4_compress\0.text\0.data\0");
            let pad = (4096 - out.len() % 4096) % 4096;
            out.resize(out.len() + pad, 0);
        }
        i += 1;
    }
    out.truncate(len);
    out
}

/// An RGB image with flat regions, gradients and a noisy patch.
fn raster(width: usize, height: usize) -> Vec<u8> {
    let mut rng = XorShift::new(3);
    let mut out = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            let px: [u8; 3] = if (40..120).contains(&y) && (30..200).contains(&x) {
                [200, 30, 30]
            } else if (150..230).contains(&y) && (250..400).contains(&x) {
                [10, 10, 250]
            } else if y >= height - 16 {
                [(x % 256) as u8, (x / 2 % 256) as u8, 128]
            } else if (60..90).contains(&y) && (300..340).contains(&x) {
                let v = rng.next();
                [v as u8, (v >> 8) as u8, (v >> 16) as u8]
            } else {
                [240, 240, 235]
            };
            out.extend_from_slice(&px);
        }
    }
    out
}

/// 16-bit little-endian stereo PCM: a tone, a sweep, silence and dither.
fn pcm(frames: usize) -> Vec<u8> {
    let mut rng = XorShift::new(11);
    let mut out = Vec::with_capacity(frames * 4);
    for n in 0..frames {
        let t = n as f64 / 44_100.0;
        let silent = (frames / 3..frames / 2).contains(&n);
        let (l, r) = if silent {
            (0i16, 0i16)
        } else {
            let dither = (rng.next() % 5) as i16 - 2;
            let l = (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
            let r = (6000.0 * (2.0 * std::f64::consts::PI * (200.0 + 800.0 * t) * t).sin()) as i16;
            (l.wrapping_add(dither), r)
        };
        out.extend_from_slice(&l.to_le_bytes());
        out.extend_from_slice(&r.to_le_bytes());
    }
    out
}

/// A mix of every kind of data, `len` bytes long.
fn mixed(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let parts = [
        text(50_000),
        random_bytes(70_000, 5),
        raster(320, 200),
        pcm(30_000),
        binary_like(60_000),
    ];
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

/// Compresses `data` through files and pipes, and checks that every way
/// gives back exactly `data` and that files and pipes agree byte for byte.
fn check_roundtrip(name: &str, data: &[u8]) {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let h4_name = format!("{name}.h4");
    fs::write(d.join(name), data).unwrap();

    for block in ["4K", "1M"] {
        // FILE -> FILE.h4, FILE kept, nothing on stdout.
        let stdout = run_ok(d, &["compress", "-f", "-B", block, name]);
        assert!(stdout.is_empty(), "compress to a file wrote to stdout");
        assert_bytes_eq!(fs::read(d.join(name)).unwrap(), data, "input changed");
        let compressed = fs::read(d.join(&h4_name)).unwrap();
        assert!(compressed.starts_with(b"H4\xD8\x04"));

        // FILE.h4 -> FILE after removing FILE; FILE.h4 kept.
        fs::remove_file(d.join(name)).unwrap();
        let stdout = run_ok(d, &["decompress", &h4_name]);
        assert!(stdout.is_empty(), "decompress to a file wrote to stdout");
        assert_bytes_eq!(fs::read(d.join(name)).unwrap(), data, "file round trip");
        assert_bytes_eq!(fs::read(d.join(&h4_name)).unwrap(), compressed);

        // -o
        run_ok(d, &["decompress", "-f", "-o", "via_o.out", &h4_name]);
        assert_bytes_eq!(
            fs::read(d.join("via_o.out")).unwrap(),
            data,
            "-o round trip"
        );

        // stdin -> stdout, both ways; pipes make the same bytes as files.
        let piped = pipe_ok(&["compress", "-B", block], data);
        assert_bytes_eq!(piped, compressed, "pipe and file compression differ");
        assert_eq!(pipe_ok(&["decompress"], &piped), data, "pipe round trip");
        // '-' is standard input too.
        assert_eq!(pipe_ok(&["decompress", "-"], &piped), data);
        // -c on a file.
        assert_bytes_eq!(
            run_ok(d, &["decompress", "-c", &h4_name]),
            data,
            "-c round trip"
        );
    }
}

// ---------------------------------------------------------------------------
// 1. Round trips
// ---------------------------------------------------------------------------

#[test]
fn roundtrip_empty() {
    check_roundtrip("empty", b"");
    // An empty input still makes a complete frame: header and trailer.
    let out = pipe_ok(&["compress"], b"");
    assert_eq!(out.len(), HEADER_LEN + TRAILER_LEN);
}

#[test]
fn roundtrip_one_byte() {
    check_roundtrip("one", b"x");
    check_roundtrip("zero", b"\0");
}

#[test]
fn roundtrip_text() {
    check_roundtrip("notes.txt", &text(40_000));
}

#[test]
fn roundtrip_binary_like() {
    check_roundtrip("prog.bin", &binary_like(100_000));
}

#[test]
fn roundtrip_random_never_grows_more_than_block_headers() {
    let data = random_bytes(150_001, 42);
    check_roundtrip("noise", &data);
    // Incompressible blocks are stored: at most 16 bytes of growth each.
    let out = pipe_ok(&["compress", "-B", "4K"], &data);
    let blocks = data.len().div_ceil(4096);
    assert!(out.len() <= data.len() + blocks * BLOCK_HEADER_LEN + HEADER_LEN + TRAILER_LEN);
}

#[test]
fn roundtrip_raster_with_flat_regions() {
    let data = raster(512, 256);
    check_roundtrip("image.rgb", &data);
    let out = pipe_ok(&["compress", "-B", "64K"], &data);
    assert!(
        out.len() < data.len() / 2,
        "flat raster data should compress well: {} -> {}",
        data.len(),
        out.len()
    );
}

#[test]
fn roundtrip_pcm() {
    check_roundtrip("sound.pcm", &pcm(50_000));
}

#[test]
fn roundtrip_odd_sizes_around_block_boundaries() {
    for len in [1023, 1024, 1025, 4095, 4096, 4097, 8192] {
        let data = mixed(len);
        let c = pipe_ok(&["compress", "-B", "1K"], &data);
        assert_eq!(pipe_ok(&["decompress"], &c), data, "length {len}");
    }
}

/// Standard input redirected from a regular file (`h4 compress < FILE`)
/// must be read from its current offset, as `cat` or `gzip` would, so that
/// `{ head -c 100 >hdr; h4 compress >rest.h4; } <FILE` compresses the rest.
#[test]
fn stdin_regular_file_is_read_from_its_offset() {
    use std::io::{Seek, SeekFrom};
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = text(20_000);
    fs::write(d.join("plain"), &data).unwrap();
    let mut framed = b"SKIPME".to_vec();
    framed.extend_from_slice(&pipe_ok(&["compress"], &data));
    fs::write(d.join("framed"), &framed).unwrap();

    let from_offset = |name: &str, skip: u64, args: &[&str]| -> Vec<u8> {
        let mut file = File::open(d.join(name)).unwrap();
        file.seek(SeekFrom::Start(skip)).unwrap();
        let out = StdCommand::new(h4_path())
            .args(args)
            .stdin(file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        out.stdout
    };

    // Decompress honours the offset...
    assert_eq!(from_offset("framed", 6, &["decompress", "-c"]), data);
    // ...and so must compress.
    let c = from_offset("plain", 1000, &["compress", "-c"]);
    assert_bytes_eq!(
        pipe_ok(&["decompress"], &c),
        &data[1000..],
        "compress read stdin from the start of the file, not its offset"
    );
}

// ---------------------------------------------------------------------------
// 2. Thread count never changes the output
// ---------------------------------------------------------------------------

#[test]
fn thread_count_does_not_change_output() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let small = mixed(300_000);
    // Larger than the default 1 MiB block, so the default gives 2 blocks.
    let large = mixed(1_100_000);
    fs::write(d.join("small"), &small).unwrap();
    fs::write(d.join("large"), &large).unwrap();

    for (block, name, data) in [
        ("4K", "small", &small),
        ("64K", "small", &small),
        ("", "large", &large),
    ] {
        let mut first: Option<Vec<u8>> = None;
        for threads in ["1", "2", "4"] {
            let mut args = vec!["compress", "-T", threads];
            if !block.is_empty() {
                args.extend(["-B", block]);
            }
            let piped = pipe_ok(&args, data);
            args.extend(["-c", name]);
            let filed = run_ok(d, &args);
            assert_bytes_eq!(
                piped,
                filed,
                "-B {block:?} -T{threads}: stdin and file differ"
            );
            match &first {
                None => first = Some(filed),
                Some(f) => {
                    assert_bytes_eq!(*f, filed, "-B {block:?}: -T{threads} differs from -T1")
                }
            }
        }
        let compressed = first.unwrap();
        for threads in ["1", "4"] {
            assert_bytes_eq!(
                pipe_ok(&["decompress", "-T", threads], &compressed),
                data,
                "-B {block:?}: decompress -T{threads}"
            );
        }
    }

    // The same through FILE -> FILE.h4.
    run_ok(d, &["compress", "-T1", "-B", "4K", "small"]);
    let one = fs::read(d.join("small.h4")).unwrap();
    run_ok(d, &["compress", "-T4", "-B", "4K", "-f", "small"]);
    assert_bytes_eq!(fs::read(d.join("small.h4")).unwrap(), one);
}

// ---------------------------------------------------------------------------
// 3. Identity safety
// ---------------------------------------------------------------------------

#[test]
fn output_depends_only_on_content() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = mixed(200_000);

    let a = d.join("first_dir_qzx");
    let b = d.join("second_dir_wvy").join("nested");
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    let pa = a.join("alpha_unique_name_qq.bin");
    let pb = b.join("beta_other_name.dat");
    fs::write(&pa, &data).unwrap();
    fs::write(&pb, &data).unwrap();
    File::options()
        .write(true)
        .open(&pa)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(946_684_800))
        .unwrap();
    File::options()
        .write(true)
        .open(&pb)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        .unwrap();
    fs::set_permissions(&pb, fs::Permissions::from_mode(0o600)).unwrap();

    run_ok(&a, &["compress", "-B", "4K", "alpha_unique_name_qq.bin"]);
    run_ok(d, &["compress", "-B", "4K", pb.to_str().unwrap()]);
    let ca = fs::read(a.join("alpha_unique_name_qq.bin.h4")).unwrap();
    let cb = fs::read(b.join("beta_other_name.dat.h4")).unwrap();
    assert_bytes_eq!(ca, cb, "same content, different name/dir/mtime/mode");
    assert_eq!(pipe_ok(&["compress", "-B", "4K"], &data), ca);

    for needle in [
        &b"alpha_unique_name_qq"[..],
        b"beta_other_name",
        b"first_dir_qzx",
        b"second_dir_wvy",
        d.as_os_str().as_encoded_bytes(),
    ] {
        assert!(
            !ca.windows(needle.len()).any(|w| w == needle),
            "output contains {:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

// ---------------------------------------------------------------------------
// 4. Overwrite refusal
// ---------------------------------------------------------------------------

#[test]
fn existing_output_is_refused_without_force() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = text(5000);
    fs::write(d.join("doc.txt"), &data).unwrap();
    fs::write(d.join("doc.txt.h4"), b"precious").unwrap();

    let out = run(d, &["compress", "doc.txt"]);
    let err = assert_clean_error(&out, "compress onto an existing file");
    assert!(
        err.starts_with("h4: doc.txt.h4: ") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(fs::read(d.join("doc.txt.h4")).unwrap(), b"precious");
    assert_eq!(listing(d), names(&["doc.txt", "doc.txt.h4"]));

    // With -f it is replaced by a valid compressed file.
    run_ok(d, &["compress", "-f", "doc.txt"]);
    let c = fs::read(d.join("doc.txt.h4")).unwrap();
    assert_eq!(pipe_ok(&["decompress"], &c), data);

    // Decompress refuses the same way.
    fs::write(d.join("doc.txt"), b"keep me").unwrap();
    let out = run(d, &["decompress", "doc.txt.h4"]);
    let err = assert_clean_error(&out, "decompress onto an existing file");
    assert!(
        err.starts_with("h4: doc.txt: ") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(fs::read(d.join("doc.txt")).unwrap(), b"keep me");
    run_ok(d, &["decompress", "-f", "doc.txt.h4"]);
    assert_bytes_eq!(fs::read(d.join("doc.txt")).unwrap(), data);

    // -o onto an existing file too.
    fs::write(d.join("other"), b"other").unwrap();
    let out = run(d, &["compress", "-o", "other", "doc.txt"]);
    assert_clean_error(&out, "-o onto an existing file");
    assert_eq!(fs::read(d.join("other")).unwrap(), b"other");
    assert_eq!(
        listing(d),
        names(&["doc.txt", "doc.txt.h4", "other"]),
        "no temporary file left behind"
    );
}

// ---------------------------------------------------------------------------
// 5. --rm and -k
// ---------------------------------------------------------------------------

#[test]
fn rm_removes_input_only_after_success() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = pcm(20_000);
    fs::write(d.join("a.pcm"), &data).unwrap();

    run_ok(d, &["compress", "--rm", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm.h4"]));
    run_ok(d, &["decompress", "--rm", "a.pcm.h4"]);
    assert_eq!(listing(d), names(&["a.pcm"]));
    assert_bytes_eq!(fs::read(d.join("a.pcm")).unwrap(), data);

    // Default and -k keep; a later -k overrides --rm.
    run_ok(d, &["compress", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));
    run_ok(d, &["compress", "-f", "-k", "a.pcm"]);
    run_ok(d, &["compress", "-f", "--rm", "-k", "a.pcm"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));
    fs::remove_file(d.join("a.pcm")).unwrap();
    run_ok(d, &["decompress", "-k", "a.pcm.h4"]);
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));

    // Output exists, no -f: fails, input kept, existing output untouched.
    fs::write(d.join("a.pcm.h4"), b"old").unwrap();
    let out = run(d, &["compress", "--rm", "a.pcm"]);
    assert_clean_error(&out, "--rm onto an existing output");
    assert_bytes_eq!(fs::read(d.join("a.pcm")).unwrap(), data);
    assert_eq!(fs::read(d.join("a.pcm.h4")).unwrap(), b"old");
    assert_eq!(listing(d), names(&["a.pcm", "a.pcm.h4"]));

    // --rm with -c (or -o to a non-regular file) keeps the input.
    let c = run_ok(d, &["compress", "--rm", "-c", "a.pcm"]);
    assert_eq!(pipe_ok(&["decompress"], &c), data);
    assert!(d.join("a.pcm").exists(), "--rm -c removed the input");
    run_ok(d, &["compress", "--rm", "-o", "/dev/null", "a.pcm"]);
    assert!(
        d.join("a.pcm").exists(),
        "--rm -o /dev/null removed the input"
    );
}

#[test]
fn rm_keeps_corrupt_input_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = mixed(30_000);
    let mut c = pipe_ok(&["compress", "-B", "4K"], &data);
    let mid = c.len() / 2;
    c[mid] ^= 0x40;
    fs::write(d.join("bad.h4"), &c).unwrap();

    let out = run(d, &["decompress", "--rm", "bad.h4"]);
    assert_clean_error(&out, "decompress --rm of a corrupt file");
    assert_eq!(
        listing(d),
        names(&["bad.h4"]),
        "input removed or output left"
    );
    assert_bytes_eq!(fs::read(d.join("bad.h4")).unwrap(), c);

    // Truncated, too.
    fs::write(d.join("short.h4"), &c[..c.len() - 5]).unwrap();
    let out = run(d, &["decompress", "--rm", "short.h4"]);
    assert_clean_error(&out, "decompress --rm of a truncated file");
    assert_eq!(listing(d), names(&["bad.h4", "short.h4"]));
}

// ---------------------------------------------------------------------------
// 6. Decompress needs the .h4 suffix unless -o or -c
// ---------------------------------------------------------------------------

#[test]
fn decompress_refuses_unknown_suffix() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = text(3000);
    let c = pipe_ok(&["compress"], &data);
    fs::write(d.join("archive.bin"), &c).unwrap();
    fs::write(d.join(".h4"), &c).unwrap();

    for name in ["archive.bin", ".h4"] {
        let out = run(d, &["decompress", name]);
        let err = assert_clean_error(&out, name);
        assert!(err.contains("suffix"), "{err}");
        assert!(err.starts_with(&format!("h4: {name}: ")), "{err}");
    }
    assert_eq!(listing(d), names(&["archive.bin", ".h4"]));

    run_ok(d, &["decompress", "-o", "restored", "archive.bin"]);
    assert_bytes_eq!(fs::read(d.join("restored")).unwrap(), data);
    assert_eq!(run_ok(d, &["decompress", "-c", "archive.bin"]), data);
    assert_eq!(run_ok(d, &["decompress", "-o", "-", ".h4"]), data);
}

// ---------------------------------------------------------------------------
// 7. Compressing a .h4 file again needs -f
// ---------------------------------------------------------------------------

#[test]
fn compress_refuses_h4_suffix_without_force() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("x.h4"), b"some bytes").unwrap();

    let out = run(d, &["compress", "x.h4"]);
    let err = assert_clean_error(&out, "compress x.h4");
    assert!(
        err.starts_with("h4: x.h4: ") && err.contains(".h4 suffix"),
        "{err}"
    );
    assert_eq!(listing(d), names(&["x.h4"]));

    run_ok(d, &["compress", "-f", "x.h4"]);
    let c = fs::read(d.join("x.h4.h4")).unwrap();
    assert_eq!(pipe_ok(&["decompress"], &c), b"some bytes");
}

// ---------------------------------------------------------------------------
// 8. -o and -c
// ---------------------------------------------------------------------------

#[test]
fn output_option() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let one = text(9000);
    let two = random_bytes(7000, 2);
    fs::write(d.join("one"), &one).unwrap();
    fs::write(d.join("two"), &two).unwrap();

    run_ok(d, &["compress", "-B", "1K", "-o", "custom.name", "one"]);
    assert_eq!(listing(d), names(&["one", "two", "custom.name"]));
    run_ok(d, &["decompress", "-o", "back", "custom.name"]);
    assert_bytes_eq!(fs::read(d.join("back")).unwrap(), one);

    // -o with two inputs is a usage error.
    for cmd in ["compress", "decompress"] {
        h4(d)
            .args([cmd, "-o", "both", "one", "two"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("-o"));
    }
    assert!(!d.join("both").exists());

    // /dev/null needs no -f and stays a character device.
    run_ok(d, &["compress", "-o", "/dev/null", "one"]);
    run_ok(d, &["decompress", "-o", "/dev/null", "custom.name"]);
    let meta = fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");

    // -c with two inputs: two frames back to back, decoding to both.
    let both = run_ok(d, &["compress", "-c", "-B", "1K", "one", "two"]);
    let mut expected = one.clone();
    expected.extend_from_slice(&two);
    assert_eq!(pipe_ok(&["decompress"], &both), expected);
    fs::write(d.join("cat.h4"), &both).unwrap();
    assert_eq!(run_ok(d, &["decompress", "-c", "cat.h4"]), expected);
    run_ok(d, &["test", "cat.h4"]);

    // Decompressing several files with -c concatenates their contents.
    run_ok(d, &["compress", "two"]);
    assert_bytes_eq!(
        run_ok(d, &["decompress", "-c", "custom.name", "two.h4"]),
        expected
    );
}

// ---------------------------------------------------------------------------
// 9. Write errors
// ---------------------------------------------------------------------------

#[test]
fn write_error_on_full_device() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("in"), mixed(100_000)).unwrap();
    let c = pipe_ok(&["compress"], &mixed(100_000));
    fs::write(d.join("in2.h4"), c).unwrap();

    for args in [
        &["compress", "-c", "in"][..],
        &["decompress", "-c", "in2.h4"],
    ] {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let out = StdCommand::new(h4_path())
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = assert_clean_error(&out, &format!("{args:?} > /dev/full"));
        assert!(
            err.contains("write error") && err.contains("No space"),
            "{err}"
        );
    }

    // -o /dev/full: a special file written in place.
    let out = run(d, &["compress", "-o", "/dev/full", "in"]);
    let err = assert_clean_error(&out, "-o /dev/full");
    assert!(err.contains("No space"), "{err}");
    assert_eq!(listing(d), names(&["in", "in2.h4"]));
}

// ---------------------------------------------------------------------------
// 10. Corruption: truncation and bit flips
// ---------------------------------------------------------------------------

/// Writes `bytes` as `dir/c.h4` and requires `h4 decompress c.h4` and
/// `h4 test c.h4` to fail cleanly, leaving nothing but c.h4 behind.
#[track_caller]
fn assert_rejected(dir: &Path, bytes: &[u8], what: &str, threads: &str) {
    fs::write(dir.join("c.h4"), bytes).unwrap();
    let out = run(dir, &["decompress", "-T", threads, "c.h4"]);
    assert_clean_error(&out, &format!("decompress {what}"));
    assert!(out.stdout.is_empty(), "decompress {what}: wrote to stdout");
    assert_eq!(
        listing(dir),
        names(&["c.h4"]),
        "decompress {what}: left files behind"
    );
    let out = run(dir, &["test", "-T", threads, "c.h4"]);
    assert_clean_error(&out, &format!("test {what}"));
    assert!(out.stdout.is_empty(), "test {what}: wrote to stdout");
}

/// A small file of several compressible blocks (the last one partial).
fn small_multiblock() -> (Vec<u8>, Vec<u8>) {
    let data: Vec<u8> = (0..3 * 1024 + 100).map(|i| (i / 97) as u8).collect();
    let c = pipe_ok(&["compress", "-B", "1K"], &data);
    (data, c)
}

#[test]
fn truncation_at_every_point_is_rejected() {
    let dir = TempDir::new().unwrap();
    let (data, c) = small_multiblock();
    assert_eq!(pipe_ok(&["decompress"], &c), data);
    assert!(c.len() > HEADER_LEN + 4 * BLOCK_HEADER_LEN + TRAILER_LEN);
    let threads = ["1", "2", "4"];
    for cut in 0..c.len() {
        assert_rejected(
            dir.path(),
            &c[..cut],
            &format!("cut at {cut} of {}", c.len()),
            threads[cut % 3],
        );
    }
}

#[test]
fn truncation_of_larger_file_is_rejected() {
    let dir = TempDir::new().unwrap();
    let data = mixed(120_000);
    let c = pipe_ok(&["compress", "-B", "4K"], &data);
    let mut cuts: BTreeSet<usize> = [
        1,
        3,
        4,
        10,
        11,
        HEADER_LEN - 1,
        HEADER_LEN,
        HEADER_LEN + 1,
        HEADER_LEN + 8,
        HEADER_LEN + BLOCK_HEADER_LEN,
        HEADER_LEN + BLOCK_HEADER_LEN + 1,
    ]
    .into();
    // The whole trailer region and the last block's end.
    cuts.extend(c.len() - TRAILER_LEN - 2..c.len());
    let mut rng = XorShift::new(1234);
    while cuts.len() < 120 {
        cuts.insert(rng.below(c.len()));
    }
    for (i, &cut) in cuts.iter().enumerate() {
        assert_rejected(
            dir.path(),
            &c[..cut],
            &format!("cut at {cut} of {}", c.len()),
            ["1", "2", "4"][i % 3],
        );
    }
}

#[test]
fn bit_flip_at_every_byte_is_rejected() {
    let dir = TempDir::new().unwrap();
    let (_, c) = small_multiblock();
    for pos in 0..c.len() {
        let mut bad = c.clone();
        bad[pos] ^= 1 << (pos % 8);
        assert_rejected(
            dir.path(),
            &bad,
            &format!("bit {} flipped at byte {pos} of {}", pos % 8, c.len()),
            ["1", "2", "4"][pos % 3],
        );
    }
}

#[test]
fn bit_flips_in_larger_file_are_rejected() {
    let dir = TempDir::new().unwrap();
    let data = mixed(100_000);
    let c = pipe_ok(&["compress", "-B", "4K"], &data);
    let mut rng = XorShift::new(777);
    for i in 0..150 {
        let pos = rng.below(c.len());
        let bit = rng.below(8);
        let mut bad = c.clone();
        bad[pos] ^= 1 << bit;
        assert_rejected(
            dir.path(),
            &bad,
            &format!("bit {bit} flipped at byte {pos} of {}", c.len()),
            ["1", "2", "4"][i % 3],
        );
    }
}

#[test]
fn corrupt_stdin_fails_cleanly() {
    let (_, mut c) = small_multiblock();
    let mid = c.len() / 2;
    c[mid] ^= 0x10;
    for cmd in ["decompress", "test", "info"] {
        let out = h4(&std::env::temp_dir())
            .arg(cmd)
            .write_stdin(c.clone())
            .output()
            .unwrap();
        let err = assert_clean_error(&out, cmd);
        assert!(err.starts_with("h4: stdin: "), "{err}");
    }
}

// ---------------------------------------------------------------------------
// 11. Foreign files and trailing data
// ---------------------------------------------------------------------------

#[test]
fn foreign_formats_are_named() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let gzip = [
        0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xc2, 0x41,
        0x24, 0x35, 0x03, 0, 0, 0,
    ];
    let zstd = [
        0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x03, 0x19, 0, 0, b'a', b'b', b'c', 0, 0,
    ];
    let cases: [(&str, &[u8], &str); 6] = [
        ("f.gz.h4", &gzip, "looks like gzip"),
        ("f.zst.h4", &zstd, "looks like zstd"),
        (
            "f.xz.h4",
            b"\xfd7zXZ\0\0\x04\xe6\xd6\xb4\x46",
            "looks like xz",
        ),
        (
            "f.txt.h4",
            b"just some plain text, not compressed\n",
            "not an h4 file",
        ),
        ("short.h4", b"H", "truncated"),
        ("empty.h4", b"", "not an h4 file"),
    ];
    for (name, bytes, expect) in cases {
        fs::write(d.join(name), bytes).unwrap();
        for cmd in ["decompress", "test", "info"] {
            let out = run(d, &[cmd, name]);
            let err = assert_clean_error(&out, &format!("{cmd} {name}"));
            assert!(err.contains(expect), "{cmd} {name}: {err}");
            assert!(err.starts_with(&format!("h4: {name}: ")), "{err}");
        }
    }
    let stem = |n: &str| n.trim_end_matches(".h4").to_string();
    for (name, _, _) in cases {
        assert!(!d.join(stem(name)).exists(), "{name}: output left");
    }
}

#[test]
fn trailing_garbage_is_an_error() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = text(5000);
    let c = pipe_ok(&["compress", "-B", "1K"], &data);
    for (i, tail) in [
        &b"garbage"[..],
        b"\0",
        b"\0\0\0\0\0\0\0\0\0\0\0\0",
        b"H4\xD8",
    ]
    .iter()
    .enumerate()
    {
        let mut bad = c.clone();
        bad.extend_from_slice(tail);
        assert_rejected(d, &bad, &format!("trailing data #{i}"), "2");
    }
    let mut bad = c.clone();
    bad.extend_from_slice(b"garbage");
    fs::write(d.join("c.h4"), &bad).unwrap();
    let out = run(d, &["decompress", "c.h4"]);
    let err = assert_clean_error(&out, "trailing garbage");
    assert!(err.contains("after the last frame"), "{err}");
    // A valid frame followed by a second valid frame is fine.
    let mut two = c.clone();
    two.extend_from_slice(&c);
    let mut expected = data.clone();
    expected.extend_from_slice(&data);
    assert_eq!(pipe_ok(&["decompress"], &two), expected);
}

// ---------------------------------------------------------------------------
// 12. h4 test
// ---------------------------------------------------------------------------

#[test]
fn test_command() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for (name, data) in [("g1", text(20_000)), ("g2", raster(200, 100))] {
        fs::write(d.join(name), data).unwrap();
        run_ok(d, &["compress", "-B", "4K", name]);
    }
    let (_, mut c) = small_multiblock();
    let last = c.len() - 40;
    c[last] ^= 0x01;
    fs::write(d.join("bad.h4"), &c).unwrap();

    // Good files: exit 0, silent.
    h4(d)
        .args(["test", "g1.h4", "g2.h4"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    let g1 = fs::read(d.join("g1.h4")).unwrap();
    h4(d)
        .arg("test")
        .write_stdin(g1)
        .assert()
        .success()
        .stdout("");

    // A bad one.
    let out = run(d, &["test", "bad.h4"]);
    assert_clean_error(&out, "test bad.h4");

    // One bad among good ones: exit 1, the good ones still checked.
    let out = run(d, &["test", "-v", "g1.h4", "bad.h4", "g2.h4"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr_of(&out);
    assert!(!err.contains("panicked"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("h4: g1.h4: OK"), "{err}");
    assert!(lines[1].starts_with("h4: bad.h4: ") && !lines[1].contains("OK"));
    assert!(lines[2].starts_with("h4: g2.h4: OK"), "{err}");
    assert!(lines[0].contains("20000 bytes"), "{err}");

    // Test writes nothing to the directory.
    assert_eq!(listing(d), names(&["g1", "g1.h4", "g2", "g2.h4", "bad.h4"]));
}

// ---------------------------------------------------------------------------
// 13. h4 info
// ---------------------------------------------------------------------------

#[test]
fn info_table() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("noise"), random_bytes(100 * 1024, 9)).unwrap();
    run_ok(d, &["compress", "-B", "4K", "noise"]);
    let out = String::from_utf8(run_ok(d, &["info", "noise.h4"])).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    for col in [
        "Frames",
        "Blocks",
        "Compressed",
        "Uncompressed",
        "Ratio",
        "Engine",
        "File",
    ] {
        assert!(lines[0].contains(col), "{out}");
    }
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(row[0], "1", "frames: {out}");
    assert_eq!(row[1], "25", "blocks: {out}");
    assert_eq!(row[4..6], ["100", "KiB"], "uncompressed: {out}");
    assert_eq!(row[7..9], ["4.00", "KiB"], "block size: {out}");
    assert_eq!(row[9], "reference", "engine: {out}");
    assert_eq!(row[10], "noise.h4", "file: {out}");
}

#[test]
fn info_json() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let a = random_bytes(50_000, 21);
    let b = raster(300, 100);
    fs::write(d.join("a"), &a).unwrap();
    fs::write(d.join("b"), &b).unwrap();
    run_ok(d, &["compress", "-B", "4K", "a"]);
    let cat = run_ok(d, &["compress", "-c", "-B", "8K", "a", "b"]);
    fs::write(d.join("cat.h4"), &cat).unwrap();

    let out = run_ok(d, &["info", "--json", "a.h4", "cat.h4"]);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let list = json.as_array().expect("an array");
    assert_eq!(list.len(), 2);

    let expect = [
        ("a.h4", a.len(), a.len().div_ceil(4096), 1),
        (
            "cat.h4",
            a.len() + b.len(),
            a.len().div_ceil(8192) + b.len().div_ceil(8192),
            2,
        ),
    ];
    for (obj, (file, raw, blocks, frames)) in list.iter().zip(expect) {
        for field in [
            "file",
            "engine",
            "blocks",
            "compressed_bytes",
            "uncompressed_bytes",
            "ratio",
            "frames",
        ] {
            assert!(obj.get(field).is_some(), "{file}: no {field}: {obj}");
        }
        let len = fs::metadata(d.join(file)).unwrap().len();
        assert_eq!(obj["file"], file);
        assert_eq!(obj["engine"], "reference");
        assert_eq!(obj["blocks"], blocks as u64);
        assert_eq!(obj["compressed_bytes"], len, "{file}");
        assert_eq!(obj["uncompressed_bytes"], raw as u64, "{file}");
        let ratio = obj["ratio"].as_f64().unwrap();
        assert!(
            (ratio - raw as f64 / len as f64).abs() < 1e-9,
            "{file}: {ratio}"
        );
        let fr = obj["frames"].as_array().unwrap();
        assert_eq!(fr.len(), frames, "{file}");
        let sum: u64 = fr
            .iter()
            .map(|f| f["compressed_bytes"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, len, "{file}: frame sizes");
    }
    assert_eq!(list[0]["frames"][0]["block_size"], 4096);
    assert_eq!(list[1]["frames"][1]["uncompressed_bytes"], b.len() as u64);

    // A bad file in JSON mode: still valid JSON, exit 1.
    fs::write(d.join("bad.h4"), b"nope").unwrap();
    let out = run(d, &["info", "--json", "a.h4", "bad.h4"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(json[1]["error"].is_string());
}

// ---------------------------------------------------------------------------
// 14. Usage errors
// ---------------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("f"), b"data").unwrap();
    let cases: [&[&str]; 9] = [
        &["compress", "--no-such-flag", "f"],
        &["compress", "-B", "1G", "f"],
        &["compress", "-B", "100", "f"],
        &["compress", "-B", "65M", "f"],
        &["compress", "-B", "lots", "f"],
        &["compress", "-T", "many", "f"],
        &["compress", "-q", "-v", "f"],
        &["frobnicate", "f"],
        &[],
    ];
    for args in cases {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
        assert!(!stderr_of(&out).contains("panicked"));
    }
    assert_eq!(listing(d), names(&["f"]), "a usage error wrote a file");
}

// ---------------------------------------------------------------------------
// 15. Directories and missing files
// ---------------------------------------------------------------------------

#[test]
fn directory_and_missing_inputs() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("sub")).unwrap();
    fs::create_dir(d.join("sub.h4")).unwrap();

    for args in [
        &["compress", "sub"][..],
        &["decompress", "sub.h4"],
        &["test", "sub.h4"],
        &["info", "sub.h4"],
    ] {
        let out = run(d, args);
        let err = assert_clean_error(&out, &format!("{args:?}"));
        assert!(err.contains("is a directory"), "{args:?}: {err}");
    }

    for args in [
        &["compress", "missing_file_xyz"][..],
        &["decompress", "missing_file_xyz.h4"],
        &["test", "missing_file_xyz.h4"],
        &["info", "missing_file_xyz.h4"],
    ] {
        let out = run(d, args);
        let err = assert_clean_error(&out, &format!("{args:?}"));
        assert!(err.starts_with("h4: missing_file_xyz"), "{args:?}: {err}");
        assert!(err.contains("No such file"), "{args:?}: {err}");
    }

    // An output that is a directory.
    fs::write(d.join("f"), b"data").unwrap();
    let out = run(d, &["compress", "-o", "sub", "f"]);
    let err = assert_clean_error(&out, "-o directory");
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(listing(d), names(&["f", "sub", "sub.h4"]));
    assert_eq!(fs::read_dir(d.join("sub")).unwrap().count(), 0);
}

// ---------------------------------------------------------------------------
// 16. A closed pipe ends the run quietly
// ---------------------------------------------------------------------------

#[test]
fn closed_pipe_is_quiet() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // Far more output than a pipe buffers (64 KiB on Linux): 2 MiB that
    // compresses well, to decompress, and 1 MiB that does not, to compress.
    let mut big = raster(512, 512);
    while big.len() < 2 << 20 {
        big.extend_from_within(..big.len().min((2 << 20) - big.len()));
    }
    fs::write(d.join("big"), &big).unwrap();
    fs::write(d.join("noise"), random_bytes(1 << 20, 17)).unwrap();
    run_ok(d, &["compress", "-B", "64K", "big"]);

    for args in [
        &["decompress", "-c", "big.h4"][..],
        &["decompress", "-T1", "-c", "big.h4"],
        &["compress", "-c", "-B", "4K", "noise"],
        &["compress", "-c", "-T1", "noise"],
    ] {
        let mut child = StdCommand::new(h4_path())
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {:?}: {}",
            out.status,
            stderr_of(&out)
        );
        assert_eq!(stderr_of(&out), "", "{args:?}");
    }
}

// ---------------------------------------------------------------------------
// 17. Permissions and modification time
// ---------------------------------------------------------------------------

#[test]
fn mode_and_mtime_are_kept() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let data = pcm(10_000);
    let path = d.join("track.pcm");
    let when = UNIX_EPOCH + Duration::from_secs(1_234_567_890);

    for mode in [0o640, 0o604, 0o755] {
        let _ = fs::remove_file(d.join("track.pcm.h4"));
        fs::write(&path, &data).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();

        run_ok(d, &["compress", "track.pcm"]);
        let meta = fs::metadata(d.join("track.pcm.h4")).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "compressed file mode");
        assert_eq!(meta.mtime(), 1_234_567_890, "compressed file mtime");

        fs::remove_file(&path).unwrap();
        run_ok(d, &["decompress", "track.pcm.h4"]);
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.mode() & 0o7777, mode, "restored file mode");
        assert_eq!(meta.mtime(), 1_234_567_890, "restored file mtime");
        assert_bytes_eq!(fs::read(&path).unwrap(), data);
    }

    // Output from stdin gets a fresh file with the current time.
    let c = fs::read(d.join("track.pcm.h4")).unwrap();
    h4(d)
        .args(["decompress", "-o", "fresh"])
        .write_stdin(c)
        .assert()
        .success();
    let age = SystemTime::now()
        .duration_since(fs::metadata(d.join("fresh")).unwrap().modified().unwrap())
        .unwrap_or_default();
    assert!(
        age < Duration::from_secs(600),
        "stdin output got an old mtime"
    );
}

// ---------------------------------------------------------------------------
// 18. One missing input among several
// ---------------------------------------------------------------------------

#[test]
fn missing_input_does_not_stop_the_others() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let a = text(8000);
    let b = binary_like(9000);
    fs::write(d.join("a"), &a).unwrap();
    fs::write(d.join("b"), &b).unwrap();

    let out = run(d, &["compress", "a", "nope", "b"]);
    let err = assert_clean_error(&out, "compress a nope b");
    assert!(err.starts_with("h4: nope: "), "{err}");
    assert_eq!(listing(d), names(&["a", "a.h4", "b", "b.h4"]));

    fs::remove_file(d.join("a")).unwrap();
    fs::remove_file(d.join("b")).unwrap();
    let out = run(d, &["decompress", "a.h4", "nope.h4", "b.h4"]);
    let err = assert_clean_error(&out, "decompress a.h4 nope.h4 b.h4");
    assert!(err.starts_with("h4: nope.h4: "), "{err}");
    assert_bytes_eq!(fs::read(d.join("a")).unwrap(), a);
    assert_bytes_eq!(fs::read(d.join("b")).unwrap(), b);

    let out = run(d, &["test", "a.h4", "nope.h4", "b.h4"]);
    assert_clean_error(&out, "test a.h4 nope.h4 b.h4");

    // A corrupt file among good ones with -c: the good ones still come out.
    fs::write(d.join("bad.h4"), b"H4\xD8\x04garbage").unwrap();
    let out = run(d, &["decompress", "-c", "a.h4", "bad.h4", "b.h4"]);
    assert_clean_error(&out, "decompress -c a.h4 bad.h4 b.h4");
    let mut expected = a.clone();
    expected.extend_from_slice(&b);
    assert_bytes_eq!(out.stdout, expected);
}

// ---------------------------------------------------------------------------
// 19. Terminals
// ---------------------------------------------------------------------------

/// Runs `command` (a shell command line) under `script`, on a pseudo
/// terminal; None when `script` is not available.
fn on_terminal(dir: &Path, command: &str) -> Option<Output> {
    // `script` must exist and be able to open a pseudo terminal here.
    let available = StdCommand::new("script")
        .args(["-q", "-e", "-c", "true", "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipped: util-linux `script` cannot run a pseudo terminal here");
        return None;
    }
    Some(
        StdCommand::new("script")
            .args(["-q", "-e", "-c", command, "/dev/null"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    )
}

#[test]
fn compressed_data_and_terminals() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("in"), text(2000)).unwrap();
    let bin = format!("'{}'", h4_path().display());

    let Some(out) = on_terminal(d, &format!("{bin} compress -c in")) else {
        return;
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("refusing to write compressed data to a terminal"),
        "{shown}"
    );
    assert!(
        !shown.contains("H4"),
        "compressed bytes reached the terminal"
    );

    // -f forces it; a file output is fine on a terminal.
    let out = on_terminal(d, &format!("{bin} compress -f -c in")).unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = on_terminal(d, &format!("{bin} compress in")).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(d.join("in.h4").exists());

    // Reading compressed data from a terminal is refused too.
    for cmd in ["decompress", "test"] {
        let out = on_terminal(d, &format!("{bin} {cmd}")).unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {shown}");
        assert!(
            shown.contains("refusing to read compressed data from a terminal"),
            "{cmd}: {shown}"
        );
    }
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

#[test]
fn quiet_by_default_and_verbose_on_request() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("f"), text(10_000)).unwrap();
    h4(d)
        .args(["compress", "f"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    h4(d)
        .args(["decompress", "-v", "-o", "g", "f.h4"])
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::starts_with("h4: f.h4: ")
                .and(predicate::str::contains("-> g"))
                .and(predicate::str::contains("10000")),
        );
}

#[test]
fn forced_output_through_a_symlink_keeps_the_link() {
    // `-f -o LINK` must write the file the link points to, not replace the
    // link (think of `-f -o /dev/stdout` with stdout redirected to a file).
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("in"), b"payload payload payload").unwrap();
    fs::write(d.join("real.h4"), b"old").unwrap();
    std::os::unix::fs::symlink("real.h4", d.join("link.h4")).unwrap();
    run_ok(d, &["compress", "-f", "-o", "link.h4", "in"]);
    assert!(
        fs::symlink_metadata(d.join("link.h4"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let back = run_ok(d, &["decompress", "-c", "real.h4"]);
    assert_eq!(back, b"payload payload payload");
}

#[test]
fn error_messages_say_things_once() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    fs::write(d.join("bad.h4"), b"garbage garbage garbage").unwrap();
    for args in [
        &["decompress", "-c", "bad.h4"][..],
        &["compress", "-c", "/proc/self/mem"],
    ] {
        let out = run(d, args);
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(out.status.code(), Some(1), "{err}");
        let (_, message) = err.rsplit_once(": ").unwrap();
        assert_eq!(err.matches(message).count(), 1, "repeated: {err}");
    }
}

#[test]
fn compress_level_changes_effort_not_format() {
    let data = text(300_000);
    let fast = pipe_ok(&["compress", "-c", "--level", "1"], &data);
    let best = pipe_ok(&["compress", "-c", "--level", "9"], &data);
    assert_ne!(fast, best, "levels 1 and 9 made the same bytes");
    for frame in [&fast, &best] {
        assert_bytes_eq!(pipe_ok(&["decompress", "-c"], frame), data);
    }
    let out = StdCommand::new(h4_path())
        .args(["compress", "-c", "--level", "10"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
}
