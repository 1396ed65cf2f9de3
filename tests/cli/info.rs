//! `h4 info`: the table and the JSON report of frames, blocks, sizes,
//! ratio and engine, and JSON for a bad file too.

use std::fs;

use crate::util::data::{noise, raster_like};
use crate::util::{self, run, run_ok};

#[test]
fn info_table() {
    let dir = util::tempdir();
    let d = dir.path();
    fs::write(d.join("noise"), noise(100 * 1024, 9)).unwrap();
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
    let dir = util::tempdir();
    let d = dir.path();
    let a = noise(50_000, 21);
    let b = raster_like(300, 100);
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
