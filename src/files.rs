//! `h4 compress` and `h4 decompress`: file naming, safety checks and the
//! per-file loop, following gzip and zstd conventions.

use std::ffi::OsStr;
use std::fs::{self, File, Metadata};
use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use h4::engine::Engine;
use h4::pipeline::{self, CompressOptions, DecompressOptions, Progress, Stats};
use h4::source::Source;

use crate::Status;
use crate::args::{CompressArgs, DecompressArgs, FileArgs};
use crate::engine::{block_size_for, decoders_for};
use crate::output::{CopyMeta, Finished, Output, Target};
use crate::report;

/// The suffix of compressed files.
pub const SUFFIX: &str = ".h4";

/// An opened input.
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        file: File,
        meta: Box<Metadata>,
    },
}

impl Input {
    /// Opens `path` ("-" is standard input), refusing directories.
    pub fn open(path: &Path) -> Result<Self> {
        if path == Path::new("-") {
            return Ok(Input::Stdin);
        }
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            bail!("is a directory -- ignored");
        }
        Ok(Input::File {
            path: path.to_path_buf(),
            file,
            meta: Box::new(meta),
        })
    }

    /// The name to use in messages.
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "stdin".to_string(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }

    /// The input as a readable file (standard input is duplicated, so reads
    /// bypass the standard library's extra buffer).
    pub fn into_file(self) -> Result<File> {
        match self {
            Input::Stdin => Ok(File::from(
                io::stdin()
                    .as_fd()
                    .try_clone_to_owned()
                    .context("cannot use standard input")?,
            )),
            Input::File { file, .. } => Ok(file),
        }
    }

    /// Refuses to read compressed data typed at a terminal.
    pub fn refuse_terminal(&self, force: bool) -> Result<()> {
        if matches!(self, Input::Stdin) && !force && io::stdin().is_terminal() {
            bail!("refusing to read compressed data from a terminal; use -f to force");
        }
        Ok(())
    }
}

/// The inputs named on the command line, standard input when none.
pub fn input_paths(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Compress,
    Decompress,
}

/// Everything one run needs besides the file names.
struct Job<'a> {
    direction: Direction,
    args: &'a FileArgs,
    engine: Arc<dyn Engine>,
    compress: CompressOptions,
    decompress: DecompressOptions,
}

pub fn compress(args: &CompressArgs) -> Status {
    let files = &args.files;
    let mut engine = match files.engine.select(files.common.quiet) {
        Ok(engine) => engine,
        Err(e) => return report::fatal(&e),
    };
    if let Some(level) = args.level.and_then(h4::engine::Reference::with_level)
        && engine.id().kind == h4::engine::EngineKind::Reference
    {
        engine = Arc::new(level);
    }
    let block_size = block_size_for(args.block_size, engine.as_ref());
    run(&Job {
        direction: Direction::Compress,
        args: files,
        engine,
        compress: CompressOptions {
            block_size,
            threads: files.common.threads(),
            check_core_output: !args.no_check,
            progress: None,
        },
        decompress: DecompressOptions::default(),
    })
}

pub fn decompress(args: &DecompressArgs) -> Status {
    let files = &args.files;
    let engine = match files.engine.select(files.common.quiet) {
        Ok(engine) => engine,
        Err(e) => return report::fatal(&e),
    };
    let engines = decoders_for(&engine);
    run(&Job {
        direction: Direction::Decompress,
        args: files,
        engine,
        compress: CompressOptions::default(),
        decompress: DecompressOptions {
            threads: files.common.threads(),
            engines,
            progress: None,
        },
    })
}

/// Why one file failed: already reported, or a closed pipe that ends the
/// whole run quietly.
enum Failure {
    Reported,
    BrokenPipe,
}

fn run(job: &Job) -> Status {
    let inputs = input_paths(&job.args.files);
    if job.args.output.is_some() && inputs.len() > 1 {
        eprintln!("h4: -o takes a single input; use -c to concatenate several");
        return Status::Usage;
    }
    let mut status = Status::Ok;
    for path in &inputs {
        match one(job, path) {
            Ok(()) => {}
            Err(Failure::Reported) => status = Status::Failed,
            Err(Failure::BrokenPipe) => return status,
        }
    }
    status
}

/// Reports `err` against `name` and turns it into a [`Failure`].
fn fail(name: &str, err: anyhow::Error) -> Failure {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<h4::Error>()
                .is_some_and(h4::Error::is_broken_pipe)
    });
    if broken_pipe {
        return Failure::BrokenPipe;
    }
    report::error(name, &err);
    Failure::Reported
}

fn one(job: &Job, path: &Path) -> Result<(), Failure> {
    let args = job.args;
    let quiet = args.common.quiet;
    let input = Input::open(path).map_err(|e| fail(&path.display().to_string(), e))?;
    let in_name = input.display();
    let target = target_for(job.direction, &input, args).map_err(|e| fail(&in_name, e))?;
    let out_name = target.display();
    check_target(job.direction, &input, &target, args.force).map_err(|e| fail(&out_name, e))?;
    if job.direction == Direction::Decompress {
        input
            .refuse_terminal(args.force)
            .map_err(|e| fail(&in_name, e))?;
    }

    let copy_meta = match &input {
        Input::File { meta, .. } => Some(CopyMeta {
            permissions: meta.permissions(),
            modified: meta.modified().ok(),
        }),
        Input::Stdin => None,
    };
    let input_path = match &input {
        Input::File { path, .. } => Some(path.clone()),
        Input::Stdin => None,
    };
    let mut output =
        Output::create(&target, args.force, copy_meta.is_some()).map_err(|e| fail(&out_name, e))?;

    let started = Instant::now();
    // Progress on a terminal only: bytes of uncompressed data, against the
    // input's size when compressing a file.
    let total = match (&input, job.direction) {
        (Input::File { meta, .. }, Direction::Compress) => Some(meta.len()),
        _ => None,
    };
    let bar = report::progress_bar(
        !args.common.quiet,
        total.unwrap_or(0),
        if total.is_some() {
            "{spinner} {prefix} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {wide_bar}"
        } else {
            "{spinner} {prefix} {bytes} {bytes_per_sec}"
        },
    );
    bar.set_prefix(in_name.clone());
    let progress = Some(Progress(Arc::new({
        let bar = bar.clone();
        move |done| bar.set_position(done)
    })));
    let file = input.into_file().map_err(|e| fail(&in_name, e))?;
    let result = match job.direction {
        _ if args.raw => raw(job, file, output.writer()),
        Direction::Compress => {
            // Standard input may be a regular file that the shell or an
            // earlier reader left part-way: read it from there.
            let source = if input_path.is_some() {
                Source::from_file(file)
            } else {
                Source::from_file_position(file)
            }
            .map_err(|e| fail(&in_name, anyhow!(e).context("read error")))?;
            let options = CompressOptions {
                progress,
                ..job.compress.clone()
            };
            pipeline::compress(source, job.engine.as_ref(), &options, output.writer())
        }
        Direction::Decompress => pipeline::decompress(
            BufReader::with_capacity(256 * 1024, file),
            &DecompressOptions {
                progress,
                ..job.decompress.clone()
            },
            output.writer(),
        ),
    };
    bar.finish_and_clear();
    let stats = result.map_err(|e| {
        let name = if matches!(e, h4::Error::Write(_)) {
            &out_name
        } else {
            &in_name
        };
        fail(name, anyhow!(e))
    })?;

    let sync = args.rm && input_path.is_some();
    let finished = output
        .finish(sync, copy_meta.as_ref())
        .map_err(|e| fail(&out_name, e))?;

    if args.common.verbose {
        summary(job.direction, &in_name, &out_name, &stats, started, job);
    }
    if let (true, Some(path)) = (args.rm, input_path) {
        if finished == Finished::Regular {
            fs::remove_file(&path)
                .context("cannot remove input")
                .map_err(|e| fail(&in_name, e))?;
        } else {
            report::warn(
                quiet,
                &in_name,
                "kept: --rm removes inputs only when the output is a regular file",
            );
        }
    }
    Ok(())
}

/// The most `--raw` decompression will produce from one input.
const RAW_LIMIT: usize = 1 << 34;

/// `--raw`: one engine call on the whole input, no container.
fn raw(job: &Job, mut file: File, out: &mut impl Write) -> Result<Stats, h4::Error> {
    let mut input = Vec::new();
    file.read_to_end(&mut input).map_err(h4::Error::Read)?;
    let engine = job.engine.as_ref();
    let engine_error = |error| h4::Error::Engine { block: 0, error };
    let mut output = Vec::new();
    let (raw_bytes, compressed_bytes) = match job.direction {
        Direction::Compress => {
            pipeline::compress_raw(engine, &input, job.compress.check_core_output, &mut output)
                .map_err(engine_error)?;
            (input.len(), output.len())
        }
        Direction::Decompress => {
            engine
                .decompress(&input, RAW_LIMIT, &mut output)
                .map_err(engine_error)?;
            (output.len(), input.len())
        }
    };
    out.write_all(&output).map_err(h4::Error::Write)?;
    Ok(Stats {
        raw_bytes: raw_bytes as u64,
        compressed_bytes: compressed_bytes as u64,
        frames: 0,
        blocks: 1,
    })
}

/// Where the output of `input` goes, by the zstd/gzip naming rules.
fn target_for(direction: Direction, input: &Input, args: &FileArgs) -> Result<Target> {
    if args.to_stdout {
        return Ok(Target::Stdout);
    }
    if let Some(out) = &args.output {
        return Ok(if out == Path::new("-") {
            Target::Stdout
        } else {
            Target::Path(out.clone())
        });
    }
    let Input::File { path, .. } = input else {
        return Ok(Target::Stdout);
    };
    if args.raw {
        bail!("--raw output is not an {SUFFIX} file, so it needs -o FILE or -c");
    }
    let name = path.as_os_str().as_bytes();
    match direction {
        Direction::Compress => {
            if name.ends_with(SUFFIX.as_bytes()) && !args.force {
                bail!("already has {SUFFIX} suffix -- ignored (use -f to compress it again)");
            }
            let mut out = path.clone().into_os_string();
            out.push(SUFFIX);
            Ok(Target::Path(out.into()))
        }
        Direction::Decompress => match name.strip_suffix(SUFFIX.as_bytes()) {
            Some(stem) if !stem.is_empty() && !stem.ends_with(b"/") => {
                Ok(Target::Path(PathBuf::from(OsStr::from_bytes(stem))))
            }
            _ => bail!("unknown suffix (expected {SUFFIX}); use -o FILE or -c"),
        },
    }
}

/// Refusals that depend on the output: compressed data to a terminal, and
/// an output that is the input itself.
fn check_target(direction: Direction, input: &Input, target: &Target, force: bool) -> Result<()> {
    if direction == Direction::Compress && !force && target.is_terminal() {
        bail!("refusing to write compressed data to a terminal; use -f to force");
    }
    if let (Input::File { meta, .. }, Target::Path(out)) = (input, target)
        && let Ok(out_meta) = fs::metadata(out)
        && out_meta.is_file()
        && (out_meta.dev(), out_meta.ino()) == (meta.dev(), meta.ino())
    {
        bail!("is the input file itself");
    }
    Ok(())
}

fn summary(
    direction: Direction,
    in_name: &str,
    out_name: &str,
    stats: &Stats,
    started: Instant,
    job: &Job,
) {
    let (from, to) = match direction {
        Direction::Compress => (stats.raw_bytes, stats.compressed_bytes),
        Direction::Decompress => (stats.compressed_bytes, stats.raw_bytes),
    };
    let percent = if stats.raw_bytes == 0 {
        100.0
    } else {
        stats.compressed_bytes as f64 * 100.0 / stats.raw_bytes as f64
    };
    let engine = match direction {
        Direction::Compress => job.engine.id().to_string(),
        Direction::Decompress => format!("{} frame(s)", stats.frames),
    };
    eprintln!(
        "h4: {in_name}: {from} -> {to} bytes ({percent:.2}%), {}, {engine} -> {out_name}",
        report::rate(stats.raw_bytes, started.elapsed()),
    );
}
