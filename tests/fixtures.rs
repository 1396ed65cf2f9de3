//! Files of earlier formats keep decoding to the same bytes forever: every
//! fixture under `tests/fixtures/` is decoded by today's h4 and checked
//! against the content digest recorded when it was written.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::{h4, project_core};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_format_1_file_still_decodes_to_its_content() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format1");
    let manifest = std::fs::read_to_string(dir.join("fixtures.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [file, digest, length, core] = fields[..] else {
            panic!("bad manifest line: {line}")
        };
        let mut cmd = h4();
        cmd.arg("decompress").arg("-c").arg(dir.join(file));
        if core != "-" {
            cmd.arg("--core").arg(project_core(core));
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout.len().to_string(), length, "{file}: length");
        assert_eq!(hex(&Sha256::digest(&out.stdout)), digest, "{file}: content");
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures");
}
