//! Every way in and out gives back the input byte for byte: files, `-o`,
//! `-c`, pipes and `-` for standard input, at two block sizes, for every
//! kind of data; pipes and files make the same bytes.

use std::fs::{self, File};

use crate::util::data::{binary, mixed, noise, pcm, raster_like, text};
use crate::util::{
    self, BLOCK_HEADER_LEN, HEADER_LEN, TRAILER_LEN, h4_process, pipe_ok, run_ok, stderr_of,
};

/// Compresses `data` through files and pipes, and checks that every way
/// gives back exactly `data` and that files and pipes agree byte for byte.
fn check_roundtrip(name: &str, data: &[u8]) {
    let dir = util::tempdir();
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

#[test]
fn roundtrip_empty() {
    check_roundtrip("empty", b"");
    // An empty input still makes a complete frame: header and end.
    let out = pipe_ok(&["compress", "--format-version", "1"], b"");
    assert_eq!(out.len(), HEADER_LEN + TRAILER_LEN);
}

#[test]
fn tiny_inputs_cost_little_in_format_2() {
    // Small messages compressed one at a time: the frame around them must
    // not dwarf them (zstd: 13 and 14 bytes with its checksum off).
    let empty = pipe_ok(&["compress"], b"");
    assert!(empty.len() <= 20, "empty input: {} bytes", empty.len());
    let one = pipe_ok(&["compress"], b"x");
    assert!(one.len() <= 24, "one byte: {} bytes", one.len());
    for input in [&b""[..], b"x"] {
        assert_eq!(
            pipe_ok(&["decompress"], &pipe_ok(&["compress"], input)),
            input
        );
    }
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
    check_roundtrip("prog.bin", &binary(100_000));
}

#[test]
fn roundtrip_random_never_grows_more_than_block_headers() {
    let data = noise(150_001, 42);
    check_roundtrip("noise", &data);
    // Incompressible blocks are stored: at most format 1's 16 bytes of
    // growth each (format 2 costs less: a token, one check, an index entry).
    let blocks = data.len().div_ceil(4096);
    for format in ["1", "2"] {
        let out = pipe_ok(&["compress", "-B", "4K", "--format-version", format], &data);
        assert!(
            out.len() <= data.len() + blocks * BLOCK_HEADER_LEN + HEADER_LEN + TRAILER_LEN,
            "format {format}: {} bytes",
            out.len()
        );
    }
}

#[test]
fn roundtrip_raster_with_flat_regions() {
    let data = raster_like(512, 256);
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
    let dir = util::tempdir();
    let d = dir.path();
    let data = text(20_000);
    fs::write(d.join("plain"), &data).unwrap();
    let mut framed = b"SKIPME".to_vec();
    framed.extend_from_slice(&pipe_ok(&["compress"], &data));
    fs::write(d.join("framed"), &framed).unwrap();

    let from_offset = |name: &str, skip: u64, args: &[&str]| -> Vec<u8> {
        let mut file = File::open(d.join(name)).unwrap();
        file.seek(SeekFrom::Start(skip)).unwrap();
        let out = h4_process().args(args).stdin(file).output().unwrap();
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

#[test]
fn compress_level_changes_effort_not_format() {
    let data = text(300_000);
    let fast = pipe_ok(&["compress", "-c", "--level", "1"], &data);
    let best = pipe_ok(&["compress", "-c", "--level", "9"], &data);
    assert_ne!(fast, best, "levels 1 and 9 made the same bytes");
    for frame in [&fast, &best] {
        assert_bytes_eq!(pipe_ok(&["decompress", "-c"], frame), data);
    }
    let out = h4_process()
        .args(["compress", "-c", "--level", "10"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
}
