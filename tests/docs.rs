//! The documents' examples are what the code does: the worked example of
//! `docs/FORMAT.md` is the frame h4 writes, and the C core of `docs/ABI.md`
//! builds and passes `h4 verify`. (The Rust examples run as doc-tests.)

use std::path::Path;
use std::process::Command;

use h4::engine::Reference;
use h4::pipeline::CompressOptions;

use crate::util::{h4, path_arg, tempdir};

fn read_doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body of the first fenced block with `info` that follows `heading`.
fn fenced_block<'a>(doc: &'a str, heading: &str, info: &str) -> &'a str {
    let section = &doc[doc
        .find(heading)
        .unwrap_or_else(|| panic!("no '{heading}'"))..];
    let fence = format!("```{info}\n");
    let start = section.find(&fence).expect("a fenced block") + fence.len();
    let len = section[start..].find("```").expect("a closing fence");
    &section[start..start + len]
}

/// The bytes of a worked-example table: each row an offset, then hex
/// bytes, then the field's name.
fn example_bytes(table: &str) -> Vec<u8> {
    let mut documented = Vec::new();
    for row in table.lines().skip(1) {
        let mut words = row.split_whitespace();
        let offset: usize = words.next().unwrap().parse().unwrap();
        assert_eq!(
            offset,
            documented.len(),
            "row '{row}' is at the wrong offset"
        );
        documented.extend(
            words
                .take_while(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_hexdigit()))
                .map(|w| u8::from_str_radix(w, 16).unwrap()),
        );
    }
    documented
}

fn frame(content: &[u8], block_size: u32, format: u8) -> Vec<u8> {
    let options = CompressOptions {
        block_size,
        threads: 1,
        format,
        ..CompressOptions::default()
    };
    h4::compress_to_vec(content, &Reference::new(), &options).unwrap()
}

#[test]
fn format_worked_examples_are_the_frames_h4_writes() {
    let doc = read_doc("FORMAT.md");
    let mut content = vec![b'a'; 1024];
    content.extend_from_slice(b"hi");
    let table = fenced_block(&doc, "### 1.5 Worked example", "text");
    assert_bytes_eq!(
        frame(&content, 1024, 1),
        example_bytes(table),
        "FORMAT.md's format 1 example"
    );
    let section = &doc[doc.find("### 3.6 Worked example").expect("section 3.6")..];
    let empty = fenced_block(section, "### 3.6", "text");
    assert_bytes_eq!(
        frame(b"", 1 << 20, 2),
        example_bytes(empty),
        "FORMAT.md's format 2 empty example"
    );
    let one = fenced_block(section, "The byte `A`", "text");
    assert_bytes_eq!(
        frame(b"A", 1 << 20, 2),
        example_bytes(one),
        "FORMAT.md's format 2 one-byte example"
    );
}

#[test]
fn abi_c_example_is_a_working_core() {
    let doc = read_doc("ABI.md");
    let source = fenced_block(&doc, "## Writing a core in C", "c");
    let dir = tempdir();
    let c_file = dir.path().join("stored.c");
    std::fs::write(&c_file, source).unwrap();
    let library = dir.path().join("libstored.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(cc)
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o"])
        .arg(&library)
        .arg(&c_file)
        .status()
        .expect("run the C compiler (cc)");
    assert!(status.success(), "ABI.md's C example does not compile");

    let out = h4()
        .args(["verify", "--iterations", "3", "--fuzz", "100", "--core"])
        .arg(&library)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ABI.md's C example fails h4 verify:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let data = crate::util::data::text(300_000);
    let packed = h4()
        .args(["compress", "-c", "--core", path_arg(&library)])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(packed.status.success());
    let back = h4()
        .args(["decompress", "-c", "--core", path_arg(&library)])
        .write_stdin(packed.stdout)
        .output()
        .unwrap();
    assert!(back.status.success());
    assert_bytes_eq!(back.stdout, data, "round trip through ABI.md's C core");
}
