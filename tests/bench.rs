//! `h4 bench`: one measurement per engine and input, as a table or JSON,
//! and numbers that agree with what `h4 compress` actually writes.

use serde_json::Value;

use crate::util::data::runs;
use crate::util::{self, h4, project_core};

#[test]
fn json_has_one_record_per_engine_and_input() {
    let dir = util::tempdir();
    let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    std::fs::write(&a, runs(300_000, 1)).unwrap();
    std::fs::write(&b, runs(200_000, 2)).unwrap();
    let zstd = project_core("zstd");
    let out = h4()
        .args([
            "bench",
            "--json",
            "-i",
            "2",
            "-T",
            "2",
            "--engine",
            "reference",
            "--core",
        ])
        .arg(&zstd)
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Value = serde_json::from_slice(&out.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 4);
    let pairs: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r["engine"].as_str().unwrap().to_string(),
                r["input"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for engine in ["reference", "core 'zstd'"] {
        for input in ["a.bin", "b.bin"] {
            assert!(
                pairs.contains(&(engine.to_string(), input.to_string())),
                "{pairs:?}"
            );
        }
    }
    for r in records {
        for key in [
            "engine_compress_mb_s",
            "engine_decompress_mb_s",
            "pipeline_compress_mb_s",
            "pipeline_decompress_mb_s",
        ] {
            let rate = &r[key];
            let (min, median, max) = (
                rate["min"].as_f64().unwrap(),
                rate["median"].as_f64().unwrap(),
                rate["max"].as_f64().unwrap(),
            );
            assert!(0.0 < min && min <= median && median <= max, "{key}: {rate}");
        }
        assert_eq!(r["threads"], 2);
        assert!(r["ratio"].as_f64().unwrap() > 1.0, "{r}");
    }

    // The measured size is what `h4 compress` writes.
    let written = h4()
        .args(["compress", "--engine", "reference", "-c"])
        .arg(&a)
        .output()
        .unwrap()
        .stdout;
    let reference_a = records
        .iter()
        .find(|r| r["engine"] == "reference" && r["input"] == "a.bin")
        .unwrap();
    assert_eq!(reference_a["compressed_bytes"], written.len());
    assert_eq!(reference_a["raw_bytes"], 300_000);
}

#[test]
fn table_names_engines_inputs_and_units() {
    let dir = util::tempdir();
    let file = dir.path().join("data.bin");
    std::fs::write(&file, runs(100_000, 3)).unwrap();
    let out = h4()
        .args(["bench", "-i", "1", "-T", "2", "--engine", "reference"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("h4 -T2 c") && text.contains("engine c"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("reference") && l.contains("data.bin")),
        "{text}"
    );
    assert!(text.contains("MB/s of uncompressed data"), "{text}");
}
