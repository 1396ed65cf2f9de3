//! `h4 test`: decode and check every byte of .h4 files, writing nothing.

use std::io::{self, BufReader};
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use h4::pipeline::{self, DecompressOptions, Stats};

use crate::args::TestArgs;
use crate::engine::decoders_for;
use crate::input::{Input, display_name, input_paths};
use crate::report;
use crate::report::Status;

pub fn run(args: &TestArgs) -> Status {
    let engines =
        match args
            .engine
            .select_for_data(args.common.quiet, &args.host, args.common.threads())
        {
            Ok(engine) => decoders_for(&engine),
            Err(e) => return report::fatal(&e),
        };
    let options = DecompressOptions {
        threads: args.common.threads(),
        engines,
        progress: None,
    };
    let mut status = Status::Ok;
    for path in input_paths(&args.files) {
        let started = Instant::now();
        match test_one(&path, &options) {
            Ok((name, stats)) => {
                if args.common.verbose {
                    eprintln!(
                        "h4: {name}: OK ({} bytes in {} frame(s), {})",
                        stats.raw_bytes,
                        stats.frames,
                        report::rate(stats.raw_bytes, started.elapsed())
                    );
                }
            }
            Err(e) => {
                report::error(&display_name(&path), &e);
                status = Status::Failed;
            }
        }
    }
    status
}

fn test_one(path: &Path, options: &DecompressOptions) -> Result<(String, Stats)> {
    let input = Input::open(path)?;
    input.refuse_terminal(false)?;
    let stats = pipeline::decompress(
        BufReader::with_capacity(256 * 1024, input.file),
        options,
        &mut io::sink(),
    )?;
    Ok((input.name, stats))
}
