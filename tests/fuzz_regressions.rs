//! Every input the fuzzers ever flagged (`fuzz/regressions/TARGET/`), run
//! through the very property its fuzz target checks (`fuzz/properties.rs`),
//! so a fixed finding stays fixed. See `scripts/fuzz`.

use std::path::Path;

#[path = "../fuzz/properties.rs"]
mod properties;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn container_decode_findings() {
    for data in inputs("container_decode") {
        properties::container_decode(&data, 1);
        properties::container_decode(&data, 2);
    }
}

#[test]
fn random_access_findings() {
    for data in inputs("random_access") {
        properties::random_access(&data);
    }
}

#[test]
fn reference_decode_findings() {
    for data in inputs("reference_decode") {
        properties::reference_decode(&data);
    }
}

#[test]
fn reference_modes_findings() {
    for data in inputs("reference_modes") {
        properties::reference_modes(&data);
    }
}

#[test]
fn roundtrip_findings() {
    let found = inputs("roundtrip");
    assert!(
        !found.is_empty(),
        "the committed roundtrip finding is missing"
    );
    // Both thread counts for every finding, whichever the fuzzer ran.
    for data in found {
        properties::roundtrip(&data, &[1, 2]);
    }
}
