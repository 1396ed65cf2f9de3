//! `h4 info`: what a .h4 file holds, read from its headers and trailers
//! (every header and payload checksum is checked; payloads are not decoded).

use std::io::{BufReader, Read};
use std::path::Path;

use anyhow::{Result, anyhow};
use h4::container::{BLOCK_HEADER_LEN, Event, FrameHeader, FrameReader, TRAILER_LEN};

use crate::Status;
use crate::args::InfoArgs;
use crate::files::{Input, input_paths};
use crate::json::Value;
use crate::report::human_bytes;

/// The description of one file.
struct FileInfo {
    name: String,
    frames: Vec<FrameInfo>,
}

struct FrameInfo {
    header: FrameHeader,
    blocks: u64,
    compressed: u64,
    raw: u64,
}

impl FileInfo {
    fn compressed(&self) -> u64 {
        self.frames.iter().map(|f| f.compressed).sum()
    }

    fn raw(&self) -> u64 {
        self.frames.iter().map(|f| f.raw).sum()
    }

    fn blocks(&self) -> u64 {
        self.frames.iter().map(|f| f.blocks).sum()
    }

    /// Uncompressed over compressed size, as `zstd -l` reports it.
    fn ratio(&self) -> f64 {
        self.raw() as f64 / self.compressed().max(1) as f64
    }

    /// The engine, or "mixed" when frames differ.
    fn engine(&self) -> String {
        let first = &self.frames[0].header.engine;
        if self.frames.iter().all(|f| f.header.engine == *first) {
            first.to_string()
        } else {
            "mixed".to_string()
        }
    }

    fn block_size(&self) -> String {
        let first = self.frames[0].header.block_size;
        if self.frames.iter().all(|f| f.header.block_size == first) {
            human_bytes(u64::from(first))
        } else {
            "mixed".to_string()
        }
    }
}

fn describe(path: &Path) -> Result<FileInfo> {
    let input = Input::open(path)?;
    let name = input.display();
    input.refuse_terminal(false)?;
    let reader = BufReader::with_capacity(256 * 1024, input.into_file()?);
    Ok(FileInfo {
        name,
        frames: read_frames(reader)?,
    })
}

fn read_frames(input: impl Read) -> Result<Vec<FrameInfo>> {
    let mut reader = FrameReader::new(input);
    let mut frames: Vec<FrameInfo> = Vec::new();
    while let Some(event) = reader.next_event().map_err(|e| anyhow!(e))? {
        match event {
            Event::Frame(header) => frames.push(FrameInfo {
                compressed: header.encode().len() as u64,
                header,
                blocks: 0,
                raw: 0,
            }),
            Event::Block {
                header, payload, ..
            } => {
                let frame = frames.last_mut().expect("blocks follow a frame header");
                frame.blocks += 1;
                frame.raw += u64::from(header.raw_len);
                frame.compressed += (BLOCK_HEADER_LEN + payload.len()) as u64;
            }
            Event::End(_) => {
                frames
                    .last_mut()
                    .expect("a trailer ends a frame")
                    .compressed += TRAILER_LEN as u64;
            }
        }
    }
    Ok(frames)
}

pub fn run(args: &InfoArgs) -> Status {
    let mut status = Status::Ok;
    let mut infos = Vec::new();
    let mut json = Vec::new();
    for path in input_paths(&args.files) {
        match describe(&path) {
            Ok(info) => {
                if args.json {
                    json.push(to_json(&info));
                }
                infos.push(info);
            }
            Err(e) => {
                let name = if path.as_os_str() == "-" {
                    "stdin".to_string()
                } else {
                    path.display().to_string()
                };
                crate::report::error(&name, &e);
                if args.json {
                    json.push(Value::Object(vec![
                        ("file", Value::Str(name)),
                        ("error", Value::Str(format!("{e:#}"))),
                    ]));
                }
                status = Status::Failed;
            }
        }
    }
    if args.json {
        println!("{}", Value::Array(json).render());
    } else if !infos.is_empty() {
        print_table(&infos);
    }
    status
}

fn print_table(infos: &[FileInfo]) {
    println!(
        "{:>6} {:>7} {:>12} {:>12} {:>7} {:>9}  {:<12} File",
        "Frames", "Blocks", "Compressed", "Uncompressed", "Ratio", "Block", "Engine"
    );
    for info in infos {
        println!(
            "{:>6} {:>7} {:>12} {:>12} {:>7.3} {:>9}  {:<12} {}",
            info.frames.len(),
            info.blocks(),
            human_bytes(info.compressed()),
            human_bytes(info.raw()),
            info.ratio(),
            info.block_size(),
            info.engine(),
            info.name
        );
    }
}

fn to_json(info: &FileInfo) -> Value {
    let frames = info
        .frames
        .iter()
        .map(|f| {
            Value::Object(vec![
                (
                    "engine",
                    Value::Object(vec![
                        (
                            "kind",
                            Value::Str(format!("{:?}", f.header.engine.kind).to_lowercase()),
                        ),
                        ("name", Value::Str(f.header.engine.name.clone())),
                    ]),
                ),
                ("block_size", Value::Int(u64::from(f.header.block_size))),
                ("blocks", Value::Int(f.blocks)),
                ("compressed_bytes", Value::Int(f.compressed)),
                ("uncompressed_bytes", Value::Int(f.raw)),
            ])
        })
        .collect();
    Value::Object(vec![
        ("file", Value::Str(info.name.clone())),
        ("engine", Value::Str(info.engine())),
        ("blocks", Value::Int(info.blocks())),
        ("compressed_bytes", Value::Int(info.compressed())),
        ("uncompressed_bytes", Value::Int(info.raw())),
        ("ratio", Value::Float(info.ratio())),
        ("frames", Value::Array(frames)),
    ])
}
