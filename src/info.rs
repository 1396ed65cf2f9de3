//! `h4 info`: what a .h4 file holds, as a table or JSON, from the
//! library's summary of its frames (every header and payload checksum is
//! checked; payloads are not decoded).

use std::io::BufReader;
use std::path::Path;

use anyhow::Result;
use h4::container::{FrameSummary, summarize};
use serde::Serialize;

use crate::args::InfoArgs;
use crate::input::{Input, display_name, input_paths};
use crate::report::Status;
use crate::report::human_bytes;

/// One file, as the table shows it and `--json` prints it (in this field
/// order).
#[derive(Serialize)]
struct FileInfo {
    file: String,
    /// The engine, or "mixed" when frames differ.
    engine: String,
    blocks: u64,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    /// Uncompressed over compressed size, as `zstd -l` reports it.
    ratio: f64,
    frames: Vec<FrameSummary>,
    #[serde(skip)]
    block_size: String,
}

/// A file that could not be described, in `--json` output.
#[derive(Serialize)]
struct FileError {
    file: String,
    error: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    Info(FileInfo),
    Error(FileError),
}

impl FileInfo {
    fn new(file: String, frames: Vec<FrameSummary>) -> Self {
        let compressed_bytes = frames.iter().map(|f| f.compressed_bytes).sum();
        let uncompressed_bytes = frames.iter().map(|f| f.uncompressed_bytes).sum();
        let first = &frames[0];
        let engine = if frames.iter().all(|f| f.engine == first.engine) {
            first.engine.to_string()
        } else {
            "mixed".to_string()
        };
        let block_size = if frames.iter().all(|f| f.block_size == first.block_size) {
            first
                .block_size
                .map_or_else(|| "-".to_string(), |size| human_bytes(u64::from(size)))
        } else {
            "mixed".to_string()
        };
        FileInfo {
            file,
            engine,
            blocks: frames.iter().map(|f| f.blocks).sum(),
            compressed_bytes,
            uncompressed_bytes,
            ratio: uncompressed_bytes as f64 / compressed_bytes.max(1) as f64,
            frames,
            block_size,
        }
    }
}

fn describe(path: &Path, blocks: bool) -> Result<FileInfo> {
    let input = Input::open(path)?;
    input.refuse_terminal(false)?;
    let frames = summarize(BufReader::with_capacity(256 * 1024, input.file), blocks)?;
    Ok(FileInfo::new(input.name, frames))
}

pub fn run(args: &InfoArgs) -> Status {
    let mut status = Status::Ok;
    let mut entries = Vec::new();
    for path in input_paths(&args.files) {
        match describe(&path, args.blocks) {
            Ok(info) => entries.push(Entry::Info(info)),
            Err(e) => {
                let name = display_name(&path);
                crate::report::error(&name, &e);
                entries.push(Entry::Error(FileError {
                    file: name,
                    error: format!("{e:#}"),
                }));
                status = Status::Failed;
            }
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&entries).expect("plain data serializes")
        );
    } else {
        let infos: Vec<&FileInfo> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Info(info) => Some(info),
                Entry::Error(_) => None,
            })
            .collect();
        if !infos.is_empty() {
            print_table(&infos);
        }
        if args.blocks {
            print_blocks(&infos);
        }
    }
    status
}

fn print_table(infos: &[&FileInfo]) {
    println!(
        "{:>6} {:>7} {:>12} {:>12} {:>7} {:>9}  {:<12} File",
        "Frames", "Blocks", "Compressed", "Uncompressed", "Ratio", "Block", "Engine"
    );
    for info in infos {
        println!(
            "{:>6} {:>7} {:>12} {:>12} {:>7.3} {:>9}  {:<12} {}",
            info.frames.len(),
            info.blocks,
            human_bytes(info.compressed_bytes),
            human_bytes(info.uncompressed_bytes),
            info.ratio,
            info.block_size,
            info.engine,
            info.file
        );
    }
}

/// The `--blocks` listing: one line per block, with where it lies in the
/// file and in the content.
fn print_blocks(infos: &[&FileInfo]) {
    for info in infos {
        println!();
        println!(
            "{}:\n{:>6} {:>6} {:>14} {:>12} {:>14} {:>12}  Kind",
            info.file, "Frame", "Block", "Offset", "Compressed", "Content at", "Uncompressed"
        );
        for (f, frame) in info.frames.iter().enumerate() {
            for (b, block) in frame.block_list.iter().flatten().enumerate() {
                println!(
                    "{f:>6} {b:>6} {:>14} {:>12} {:>14} {:>12}  {}",
                    block.offset,
                    block.compressed_bytes,
                    block.uncompressed_offset,
                    block.uncompressed_bytes,
                    if block.stored { "stored" } else { "coded" }
                );
            }
        }
    }
}
