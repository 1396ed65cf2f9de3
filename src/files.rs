//! `h4 compress` and `h4 decompress`: the per-file path, following gzip and
//! zstd conventions.
//!
//! Each file goes the same straight line in both directions: open the
//! input, open the output, run the bytes through, finish (publish the
//! output, copy metadata, report, `--rm`). What differs between the
//! directions (how outputs are named, which terminal is refused, which
//! pipeline runs) is the [`Transform`] each builds once per run.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use h4::Reader;
use h4::engine::Engine;
use h4::pipeline::{self, CompressOptions, DecompressOptions, Progress, Stats};
use h4::source::Source;

use crate::args::{CompressArgs, ContentRange, DecompressArgs, FileArgs};
use crate::engine::{block_size_for, decoders_for};
use crate::input::{Input, Origin, SUFFIX, Wanted, display_name, expand_inputs};
use crate::output::{CopyMeta, Finished, Output, Target};
use crate::report::Status;
use crate::{report, shield};

/// The most `--raw` decompression will produce from one input.
const RAW_LIMIT: usize = 1 << 34;

pub fn compress(args: &CompressArgs) -> Status {
    compress_at(args, args.level.map(|level| level as i32))
}

/// `compress` at `level` (on the command line's scale, see
/// [`crate::engine::Leveled`]); `None`: the engine's default.
pub fn compress_at(args: &CompressArgs, level: Option<i32>) -> Status {
    let files = &args.files;
    let (engine, leveled) = match files.engine.select_at_level(
        files.common.quiet,
        &files.host,
        files.common.threads(),
        level,
    ) {
        Ok(selected) => selected,
        Err(e) => return report::fatal(&e),
    };
    if files.common.verbose
        && let Some(note) = leveled.note(engine.as_ref())
    {
        eprintln!("h4: note: {note}");
    }
    let options = CompressOptions {
        block_size: block_size_for(args.block_size, engine.as_ref()),
        threads: files.common.threads(),
        check_core_output: !args.no_check,
        progress: None,
        format: args.format_version,
    };
    run(
        &Compression {
            engine,
            options,
            raw: files.raw,
        },
        files,
    )
}

pub fn decompress(args: &DecompressArgs) -> Status {
    let files = &args.files;
    let engine =
        match files
            .engine
            .select_for_data(files.common.quiet, &files.host, files.common.threads())
        {
            Ok(engine) => engine,
            Err(e) => return report::fatal(&e),
        };
    let options = DecompressOptions {
        threads: files.common.threads(),
        engines: decoders_for(&engine),
        progress: None,
    };
    let names_a_file = files.files.iter().any(|f| f.as_os_str() != "-");
    if args.range.is_some() && names_a_file && !files.to_stdout && files.output.is_none() {
        eprintln!("h4: --range needs -c or -o FILE: part of the content is not FILE");
        return Status::Usage;
    }
    if args.range.is_some() && files.raw {
        eprintln!("h4: --range reads .h4 frames, not --raw payloads");
        return Status::Usage;
    }
    run(
        &Decompression {
            engine,
            options,
            raw: files.raw,
            range: args.range,
        },
        files,
    )
}

/// What happens to the bytes of each file: the one place where compress
/// and decompress differ.
trait Transform {
    /// Where the output of the file at `path` goes when neither `-c` nor
    /// `-o` says.
    fn output_for(&self, path: &Path, force: bool) -> Result<PathBuf>;

    /// Refuses compressed data on a terminal: compression writes it,
    /// decompression reads it. A refusal names the input (`Err(true)`) or
    /// the output (`Err(false)`).
    fn refuse_terminals(&self, input: &Input, target: &Target, force: bool) -> Result<(), Refusal>;

    /// How many uncompressed bytes the progress bar counts to, if known.
    fn progress_total(&self, origin: &Origin) -> Option<u64>;

    /// Runs the bytes of `input` into `out`.
    fn run(
        &self,
        input: File,
        out: &mut BufWriter<File>,
        progress: Progress,
    ) -> Result<Stats, h4::Error>;

    /// The `-v` line for a file called `name` written to `out_name`,
    /// after "h4: ".
    fn summary(&self, name: &str, stats: &Stats, out_name: &str) -> String;

    /// Whether outputs are `.h4` files (for the `--raw` naming rule).
    fn raw(&self) -> bool;

    /// Whether this reads `.h4` files (decompression).
    fn decompresses(&self) -> bool;

    /// The engine doing the work.
    fn engine(&self) -> &dyn Engine;
}

/// A refusal of [`Transform::refuse_terminals`], naming which side it is
/// about.
enum Refusal {
    Input(anyhow::Error),
    Output(anyhow::Error),
}

struct Compression {
    engine: Arc<dyn Engine>,
    options: CompressOptions,
    raw: bool,
}

struct Decompression {
    engine: Arc<dyn Engine>,
    options: DecompressOptions,
    raw: bool,
    range: Option<ContentRange>,
}

impl Transform for Compression {
    fn output_for(&self, path: &Path, force: bool) -> Result<PathBuf> {
        if path.as_os_str().as_bytes().ends_with(SUFFIX.as_bytes()) && !force {
            bail!("already has {SUFFIX} suffix -- ignored (use -f to compress it again)");
        }
        let mut out = path.as_os_str().to_owned();
        out.push(SUFFIX);
        Ok(out.into())
    }

    fn refuse_terminals(&self, input: &Input, target: &Target, force: bool) -> Result<(), Refusal> {
        if !force && matches!(input.origin, Origin::Stdin) && shield::data_stdin_is_terminal() {
            return Err(Refusal::Input(anyhow!(
                "is a terminal, aborting: name a file or pipe data in (-f reads the terminal)"
            )));
        }
        if !force && target.is_terminal() {
            return Err(Refusal::Output(anyhow!(
                "refusing to write compressed data to a terminal; use -f to force"
            )));
        }
        Ok(())
    }

    fn progress_total(&self, origin: &Origin) -> Option<u64> {
        origin.metadata().map(|m| m.len())
    }

    fn run(
        &self,
        mut input: File,
        out: &mut BufWriter<File>,
        progress: Progress,
    ) -> Result<Stats, h4::Error> {
        if self.raw {
            let input = read_all(&mut input)?;
            let mut output = Vec::new();
            pipeline::compress_raw(
                self.engine.as_ref(),
                &input,
                self.options.check_core_output,
                &mut output,
            )
            .map_err(|error| h4::Error::Engine { block: 0, error })?;
            out.write_all(&output).map_err(h4::Error::Write)?;
            return Ok(raw_stats(input.len(), output.len()));
        }
        // Read, not mapped: a file that another process truncates while
        // h4 maps it would kill h4 with SIGBUS, and one it rewrites would
        // change bytes between the encoder's passes; read, either is an
        // error naming the file. The workers read their own blocks (see
        // `h4::pipeline`), which leaves mapping 5-10% ahead (the copy).
        // Standard input may be a regular file that the shell or an
        // earlier reader left part-way: it is read from there.
        let source = Source::from_file(input).map_err(h4::Error::Read)?;
        let options = CompressOptions {
            progress: Some(progress),
            ..self.options.clone()
        };
        pipeline::compress(source, self.engine.as_ref(), &options, out)
    }

    fn summary(&self, name: &str, stats: &Stats, out_name: &str) -> String {
        // zstd's form: the output as a share of the input, then both sizes.
        let percent = if stats.raw_bytes == 0 {
            100.0
        } else {
            stats.compressed_bytes as f64 * 100.0 / stats.raw_bytes as f64
        };
        let engine = self.engine.as_ref();
        let level = engine
            .level()
            .map_or_else(String::new, |level| format!(", level {level}"));
        format!(
            "{name}: {percent:.2}% ({} => {}) -> {out_name} ({}{level})",
            report::human_bytes(stats.raw_bytes),
            report::human_bytes(stats.compressed_bytes),
            engine.id(),
        )
    }

    fn raw(&self) -> bool {
        self.raw
    }

    fn decompresses(&self) -> bool {
        false
    }

    fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }
}

impl Transform for Decompression {
    fn output_for(&self, path: &Path, _force: bool) -> Result<PathBuf> {
        match path.as_os_str().as_bytes().strip_suffix(SUFFIX.as_bytes()) {
            Some(stem) if !stem.is_empty() && !stem.ends_with(b"/") => {
                Ok(PathBuf::from(OsStr::from_bytes(stem)))
            }
            _ => bail!("unknown suffix (expected {SUFFIX}); use -o FILE or -c"),
        }
    }

    fn refuse_terminals(&self, input: &Input, _: &Target, force: bool) -> Result<(), Refusal> {
        input.refuse_terminal(force).map_err(Refusal::Input)
    }

    fn progress_total(&self, _: &Origin) -> Option<u64> {
        None
    }

    fn run(
        &self,
        mut input: File,
        out: &mut BufWriter<File>,
        progress: Progress,
    ) -> Result<Stats, h4::Error> {
        if self.raw {
            let input = read_all(&mut input)?;
            let mut output = Vec::new();
            self.engine
                .decompress(&input, RAW_LIMIT, &mut output)
                .map_err(|error| h4::Error::Engine { block: 0, error })?;
            out.write_all(&output).map_err(h4::Error::Write)?;
            return Ok(raw_stats(output.len(), input.len()));
        }
        if let Some(range) = self.range {
            return self.decompress_range(input, range, out);
        }
        let options = DecompressOptions {
            progress: Some(progress),
            ..self.options.clone()
        };
        pipeline::decompress(BufReader::with_capacity(256 * 1024, input), &options, out)
    }

    fn summary(&self, name: &str, stats: &Stats, out_name: &str) -> String {
        // zstd's form: the size decoded, then both sizes.
        let sizes = if stats.compressed_bytes > 0 {
            format!(
                " ({} => {})",
                report::human_bytes(stats.compressed_bytes),
                report::human_bytes(stats.raw_bytes)
            )
        } else {
            String::new() // --range reads part of the file
        };
        format!("{name}: {} bytes{sizes} -> {out_name}", stats.raw_bytes)
    }

    fn raw(&self) -> bool {
        self.raw
    }

    fn decompresses(&self) -> bool {
        true
    }

    fn engine(&self) -> &dyn Engine {
        self.engine.as_ref()
    }
}

impl Decompression {
    /// `--range`: the blocks that hold the range, found through the
    /// stream's index in a regular file; from a pipe, the stream decoded
    /// from its start and the bytes before the range dropped.
    fn decompress_range(
        &self,
        mut input: File,
        range: ContentRange,
        out: &mut BufWriter<File>,
    ) -> Result<Stats, h4::Error> {
        let seekable = input.metadata().is_ok_and(|m| m.is_file())
            && input.stream_position().is_ok_and(|p| p == 0);
        let mut reader = Reader::with_engines(input, self.options.engines.clone());
        if seekable {
            reader
                .seek(SeekFrom::Start(range.start))
                .map_err(h4::Error::from_reader)?;
        } else {
            io::copy(&mut reader.by_ref().take(range.start), &mut io::sink())
                .map_err(h4::Error::from_reader)?;
        }
        let len = range.end.map_or(u64::MAX, |end| end - range.start);
        let mut part = reader.take(len);
        let mut written = 0u64;
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let n = part.read(&mut buffer).map_err(h4::Error::from_reader)?;
            if n == 0 {
                break;
            }
            out.write_all(&buffer[..n]).map_err(h4::Error::Write)?;
            written += n as u64;
        }
        Ok(Stats {
            raw_bytes: written,
            ..Stats::default()
        })
    }
}

fn read_all(file: &mut File) -> Result<Vec<u8>, h4::Error> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(h4::Error::Read)?;
    Ok(bytes)
}

/// The statistics of a `--raw` run: one engine call, no container.
fn raw_stats(raw_bytes: usize, compressed_bytes: usize) -> Stats {
    Stats {
        raw_bytes: raw_bytes as u64,
        compressed_bytes: compressed_bytes as u64,
        frames: 0,
        blocks: 1,
    }
}

/// Why one file failed: already reported, or a closed pipe that ends the
/// whole run quietly.
enum Failure {
    Reported,
    BrokenPipe,
}

fn run(transform: &dyn Transform, args: &FileArgs) -> Status {
    let wanted = if transform.decompresses() {
        Wanted::Compressed
    } else {
        Wanted::Uncompressed
    };
    let Some(inputs) = expand_inputs(args, wanted) else {
        return Status::Failed;
    };
    if let Some(dir) = &args.output_dir_flat
        && let Err(e) = fs::create_dir_all(dir)
    {
        report::error(
            &dir.display().to_string(),
            &anyhow!(e).context("cannot make the output directory"),
        );
        return Status::Failed;
    }
    if args.output.is_some() && inputs.len() > 1 {
        eprintln!("h4: -o takes a single input; use -c to concatenate several");
        return Status::Usage;
    }
    let run = Run { transform, args };
    let core = args.engine.core_path(transform.engine());
    let mut status = Status::Ok;
    for path in &inputs {
        let result = run.one(path);
        if let Some(core) = &core {
            shield::restore_after_calls(core, args.common.quiet);
        }
        match result {
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

/// What every file of one command shares.
struct Run<'a> {
    transform: &'a dyn Transform,
    args: &'a FileArgs,
}

/// One file once its input and output are open: what the later steps need
/// to know of it.
struct FileJob {
    name: String,
    origin: Origin,
    target: Target,
    started: Instant,
}

impl Run<'_> {
    /// One file, start to finish.
    fn one(&self, path: &Path) -> Result<(), Failure> {
        let input = Input::open(path).map_err(|e| fail(&display_name(path), e))?;
        let (target, mut output) = self.open_output(&input)?;
        let Input { name, origin, file } = input;
        let job = FileJob {
            name,
            origin,
            target,
            started: Instant::now(),
        };
        let stats = self.transform_file(&job, file, &mut output)?;
        self.finish(&job, output, &stats)
    }

    /// Decides where `input`'s output goes, refuses what must not happen,
    /// and opens it.
    fn open_output(&self, input: &Input) -> Result<(Target, Output), Failure> {
        let args = self.args;
        let target =
            target_for(self.transform, args, &input.origin).map_err(|e| fail(&input.name, e))?;
        let out_name = target.display();
        self.transform
            .refuse_terminals(input, &target, args.force)
            .map_err(|refusal| match refusal {
                Refusal::Input(e) => fail(&input.name, e),
                Refusal::Output(e) => fail(&out_name, e),
            })?;
        refuse_self(&input.origin, &target).map_err(|e| fail(&out_name, e))?;
        let output = Output::create(&target, args.force, input.origin.metadata().is_some())
            .map_err(|e| fail(&out_name, e))?;
        Ok((target, output))
    }

    /// Runs the bytes through the transform with a progress bar (on a
    /// terminal only); an error names the output when writing failed, else
    /// the input.
    fn transform_file(
        &self,
        job: &FileJob,
        file: File,
        output: &mut Output,
    ) -> Result<Stats, Failure> {
        let total = self.transform.progress_total(&job.origin);
        let bar = report::progress_bar(
            !self.args.common.quiet,
            total.unwrap_or(0),
            if total.is_some() {
                "{spinner} {prefix} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {wide_bar}"
            } else {
                "{spinner} {prefix} {bytes} {bytes_per_sec}"
            },
        );
        bar.set_prefix(job.name.clone());
        let progress = Progress(Arc::new({
            let bar = bar.clone();
            move |done| bar.set_position(done)
        }));
        let result = self.transform.run(file, output.writer(), progress);
        bar.finish_and_clear();
        result.map_err(|e| match e {
            h4::Error::Write(_) => fail(&job.target.display(), anyhow!(e)),
            e => fail(&job.name, anyhow!(e)),
        })
    }

    /// Publishes the output, reports, and removes the input for `--rm`.
    fn finish(&self, job: &FileJob, output: Output, stats: &Stats) -> Result<(), Failure> {
        let args = self.args;
        let out_name = job.target.display();
        let copy_meta = job.origin.metadata().map(|meta| CopyMeta {
            permissions: meta.permissions(),
            modified: meta.modified().ok(),
        });
        let remove = args.rm.then(|| job.origin.path()).flatten();
        let finished = output
            .finish(remove.is_some(), copy_meta.as_ref())
            .map_err(|e| fail(&out_name, e))?;
        if args.common.verbose {
            eprintln!(
                "h4: {}, {}",
                self.transform.summary(&job.name, stats, &out_name),
                report::rate(stats.raw_bytes, job.started.elapsed()),
            );
        }
        if let Some(path) = remove {
            if finished == Finished::Regular {
                fs::remove_file(path)
                    .context("cannot remove input")
                    .map_err(|e| fail(&job.name, e))?;
            } else {
                report::warn(
                    args.common.quiet,
                    &job.name,
                    "kept: --rm removes inputs only when the output is a regular file",
                );
            }
        }
        Ok(())
    }
}

/// Where the output of an input goes, by the zstd/gzip naming rules.
fn target_for(transform: &dyn Transform, args: &FileArgs, origin: &Origin) -> Result<Target> {
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
    let Some(path) = origin.path() else {
        return Ok(Target::Stdout);
    };
    if transform.raw() {
        bail!("--raw output is not an {SUFFIX} file, so it needs -o FILE or -c");
    }
    let out = transform.output_for(path, args.force)?;
    Ok(Target::Path(match &args.output_dir_flat {
        Some(dir) => dir.join(out.file_name().context("not a file name")?),
        None => out,
    }))
}

/// Refuses an output that is the input file itself.
fn refuse_self(origin: &Origin, target: &Target) -> Result<()> {
    if let (Some(meta), Target::Path(out)) = (origin.metadata(), target)
        && let Ok(out_meta) = fs::metadata(out)
        && out_meta.is_file()
        && (out_meta.dev(), out_meta.ino()) == (meta.dev(), meta.ino())
    {
        bail!("is the input file itself");
    }
    Ok(())
}
