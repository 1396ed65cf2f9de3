//! `h4 test`: decode and check every byte of .h4 files, writing nothing.

use std::io::{self, BufReader};
use std::time::Instant;

use anyhow::anyhow;
use h4::pipeline::{self, DecompressOptions};

use crate::Status;
use crate::args::TestArgs;
use crate::files::{Input, input_paths};
use crate::report;

pub fn run(args: &TestArgs) -> Status {
    let engines = match args.engine.decoders(args.common.quiet) {
        Ok(engines) => engines,
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
        let result = Input::open(&path).and_then(|input| {
            let name = input.display();
            input.refuse_terminal(false)?;
            let file = input.into_file()?;
            let stats = pipeline::decompress(
                BufReader::with_capacity(256 * 1024, file),
                &options,
                &mut io::sink(),
            )
            .map_err(|e| anyhow!(e))?;
            Ok((name, stats))
        });
        match result {
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
                let name = if path.as_os_str() == "-" {
                    "stdin".to_string()
                } else {
                    path.display().to_string()
                };
                report::error(&name, &e);
                status = Status::Failed;
            }
        }
    }
    status
}
