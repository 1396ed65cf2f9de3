//! The command line, declared with clap's derive API: every flag of every
//! subcommand is here, and nothing else is. The commands receive these
//! structures and build what they need from them once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use h4::container::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};
use h4::verify::Check;
use h4::verify::jobs::{Factor, Job};

/// HarmonyØ4 compression: deterministic, lossless, block-parallel.
///
/// Without a command, h4 takes zstd's and gzip's command line: `h4 FILE`
/// compresses, `-d` decompresses, `-t` tests, `-l` lists (see `direct`).
#[derive(Parser, Debug)]
#[command(name = "h4", version = VERSION, about, long_about = None, max_term_width = 100,
          args_conflicts_with_subcommands = true, args_override_self = true,
          override_usage = USAGE)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub direct: DirectArgs,
}

/// The synopsis: the zstd-style command line first, then the commands.
const USAGE: &str = "h4 [OPTIONS] [FILE]...\n       h4 [-z|-d|-t|-l] [OPTIONS] [FILE]... [-o FILE]\n       h4 COMMAND [OPTIONS] [FILE]...";

// The command line without a command, as zstd and gzip read theirs: an
// operation (compress unless `-d`, `-t` or `-l` says otherwise), the
// options of `compress` and `decompress`, and levels as `-#`.
#[derive(Args, Debug)]
pub struct DirectArgs {
    /// Compress (the default)
    #[arg(short = 'z', long = "compress", overrides_with_all = ["decompress", "test", "list"],
          help_heading = "Operation")]
    pub compress: bool,

    /// Decompress FILE.h4 to FILE (as `unh4` does)
    #[arg(short = 'd', long = "decompress", visible_alias = "uncompress",
          overrides_with_all = ["compress", "test", "list"], help_heading = "Operation")]
    pub decompress: bool,

    /// Check the integrity of .h4 files, writing nothing
    #[arg(short = 't', long = "test", overrides_with_all = ["compress", "decompress", "list"],
          help_heading = "Operation")]
    pub test: bool,

    /// List what .h4 files hold, as `h4 info` does (with -v, every block)
    #[arg(short = 'l', long = "list", overrides_with_all = ["compress", "decompress", "test"],
          help_heading = "Operation")]
    pub list: bool,

    #[command(flatten)]
    pub files: FileArgs,

    #[command(flatten)]
    pub level: LevelArgs,

    /// Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M
    /// [default: the engine's preference, else 1M]
    #[arg(short = 'B', long, value_name = "SIZE", value_parser = parse_block_size)]
    pub block_size: Option<u32>,

    /// Do not decode each block a core made to check it before writing
    /// (for trusted cores; the reference engine is never checked)
    #[arg(long)]
    pub no_check: bool,
}

// Effort levels in zstd's terms: `-#` (1 to 19; the command line turns
// `-19` into `--level=19`), `--fast[=N]` and `--best`; the last one given
// wins. A level is never needed to decompress.
#[derive(Args, Debug, Clone, Default)]
pub struct LevelArgs {
    /// Compression level, 1 (fastest) to 19 (smallest), also written -#
    /// (-1 ... -19); an engine with fewer levels uses its nearest one.
    /// Levels 20 to 22 need --ultra, as in zstd (without it they are 19)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=MAX_LEVEL as i64),
          overrides_with_all = ["fast", "best"], help_heading = "Levels")]
    pub level: Option<i32>,

    /// Allow levels 20 to 22 (zstd's ultra levels, for cores that have
    /// them: more memory and time)
    #[arg(long, help_heading = "Levels")]
    pub ultra: bool,

    /// Faster than level 1: level -N, for engines that have such levels
    /// (others use their fastest) [default N: 1]
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true,
          default_missing_value = "1", value_parser = clap::value_parser!(i32).range(1..=131072),
          overrides_with_all = ["level", "best"], help_heading = "Levels")]
    pub fast: Option<i32>,

    /// The smallest output: level 19
    #[arg(long, overrides_with_all = ["level", "fast"], help_heading = "Levels")]
    pub best: bool,
}

impl LevelArgs {
    /// The level asked for, if any, and whether it was above 19 without
    /// --ultra (and so lowered to 19, as zstd does, with a warning).
    pub fn requested(&self) -> (Option<i32>, bool) {
        if self.best {
            (Some(BEST_LEVEL), false)
        } else if let Some(n) = self.fast {
            (Some(-n), false)
        } else {
            match self.level {
                Some(level) if level > BEST_LEVEL && !self.ultra => (Some(BEST_LEVEL), true),
                level => (level, false),
            }
        }
    }
}

/// The level `--best` means, and the highest without `--ultra`.
pub const BEST_LEVEL: i32 = 19;

/// The highest level, with `--ultra`.
pub const MAX_LEVEL: i32 = 22;

#[derive(Subcommand, Debug)]
// Each subcommand's arguments are built only when it runs (or for help,
// man pages and completions): building all of them on every start cost a
// tenth of a millisecond and 25 page faults, a few percent of a small
// file's whole run. Because the arguments then come last, a flattened
// struct's doc comment would become the subcommand's about text: the
// argument structs below carry `//` comments instead.
#[command(defer = true)]
pub enum Command {
    /// Compress FILEs to FILE.h4 (or stdin to stdout)
    Compress(CompressArgs),
    /// Decompress FILE.h4 to FILE (or stdin to stdout)
    Decompress(DecompressArgs),
    /// Check the integrity of .h4 files without writing anything
    Test(TestArgs),
    /// Show how .h4 files were made: engine, block size, blocks, sizes, ratio
    Info(InfoArgs),
    /// Check that an engine or core is safe to deploy: deterministic on
    /// every machine, lossless, identity-safe, robust, memory-clean,
    /// well-behaved in its host, leak-free, linear and thread-safe
    Verify(VerifyArgs),
    /// Measure compression ratio and speed of engines and cores
    Bench(BenchArgs),
    /// List the cores `--core NAME` finds: name, version, levels, path
    Cores(CoresArgs),
    /// Write the man pages and shell completions into DIR/man and
    /// DIR/completions (for packagers; the repository has them committed)
    #[command(hide = true)]
    Generate(GenerateArgs),
    /// (internal) Run one verify check; used by `h4 verify`
    #[command(name = "__verify-check", hide = true)]
    VerifyCheck(CheckArgs),
    /// (internal) Serve calls of a core in a sandbox; used by --isolate
    #[command(name = "__core-helper", hide = true)]
    CoreHelper(CoreHelperArgs),
}

// The arguments of the hidden core helper subcommand.
#[derive(Args, Debug)]
pub struct CoreHelperArgs {
    /// The core library to load.
    pub core: PathBuf,
    /// The h4 process to serve.
    pub parent: u32,
}

// Where a core's code runs; shared by the commands that move data.
#[derive(Args, Debug, Clone, Default)]
pub struct HostArgs {
    /// Run the core in sandboxed helper processes, so a core that crashes,
    /// aborts, exits or hangs is an error, not a dead h4 (also
    /// HARMONY4_ISOLATE=1)
    #[arg(long)]
    pub isolate: bool,
}

// Where data comes from and goes to; shared by compress and decompress.
#[derive(Args, Debug)]
pub struct FileArgs {
    /// Input files; none or '-' reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the output to FILE ('-' for standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write to standard output, keeping the input files
    #[arg(short = 'c', long = "stdout", conflicts_with_all = ["output", "output_dir_flat"])]
    pub to_stdout: bool,

    /// Write each output into DIR (made if missing), named after its input
    /// without the input's directories
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    pub output_dir_flat: Option<PathBuf>,

    /// Compress or decompress every file under the directories named,
    /// recursively (decompressing, only the .h4 files)
    #[arg(short, long)]
    pub recursive: bool,

    /// Overwrite existing outputs; allow compressed data on a terminal and
    /// a terminal on stdin; follow symbolic links named as inputs
    #[arg(short, long)]
    pub force: bool,

    /// Follow symbolic links without -f (`h4cat` does, as `zstdcat` does)
    #[arg(skip)]
    pub follow_links: bool,

    /// Keep input files (the default)
    #[arg(short, long, overrides_with = "rm")]
    pub keep: bool,

    /// Remove each input file once its output is completely written and synced
    #[arg(long, overrides_with = "keep")]
    pub rm: bool,

    /// No container: write or read exactly what the engine makes of the
    /// whole input (for other hosts of the core ABI; needs -o, -c or stdin)
    #[arg(long)]
    pub raw: bool,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub host: HostArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

// Options every data-processing subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Worker threads (0: one per CPU)
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Print errors only
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print a summary line per file
    #[arg(short, long)]
    pub verbose: bool,
}

impl CommonArgs {
    /// The thread count with 0 resolved to the number of CPUs.
    pub fn threads(&self) -> usize {
        resolve_threads(self.threads)
    }
}

/// A `-T` value with 0 resolved to the number of CPUs.
pub fn resolve_threads(threads: usize) -> usize {
    match threads {
        0 => h4::pipeline::default_threads(),
        n => n,
    }
}

#[derive(Args, Debug)]
pub struct CompressArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// Block size: bytes, or with a K/M suffix (KiB/MiB), 1K to 64M
    /// [default: the engine's preference, else 1M]
    #[arg(short = 'B', long, value_name = "SIZE", value_parser = parse_block_size)]
    pub block_size: Option<u32>,

    /// Do not decode each block a core made to check it before writing
    /// (for trusted cores; the reference engine is never checked)
    #[arg(long)]
    pub no_check: bool,

    /// Container format to write: 2 (compact, indexed for random access)
    /// or 1 (readable by h4 0.1)
    #[arg(long, value_name = "N", default_value_t = h4::container::FORMAT_VERSION,
          value_parser = clap::value_parser!(u8).range(1..=2))]
    pub format_version: u8,

    /// Reference engine effort, 1 (fastest) to 9 (smallest) [default: 2];
    /// never needed to decompress
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    pub level: Option<u32>,
}

#[derive(Args, Debug)]
pub struct DecompressArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// Write only content bytes START to END-1 (END omitted: to the end),
    /// decoding only the blocks that hold them; needs -c or -o
    #[arg(long, value_name = "START:END", value_parser = parse_range)]
    pub range: Option<ContentRange>,
}

/// A range of content bytes, `START:END` or `START:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentRange {
    /// The first byte.
    pub start: u64,
    /// One past the last byte; `None`: the end of the content.
    pub end: Option<u64>,
}

/// Parses `START:END` or `START:`, each a byte count.
pub fn parse_range(text: &str) -> Result<ContentRange, String> {
    let bad = || format!("'{text}' is not a range (try 1000:2000 or 1000:)");
    let (start, end) = text.split_once(':').ok_or_else(bad)?;
    let start: u64 = start.trim().parse().map_err(|_| bad())?;
    let end = match end.trim() {
        "" => None,
        end => Some(end.parse::<u64>().map_err(|_| bad())?),
    };
    if end.is_some_and(|end| end < start) {
        return Err(format!("range '{text}' ends before it starts"));
    }
    Ok(ContentRange { start, end })
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Files to check; none or '-' reads standard input
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub host: HostArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Files to describe; none or '-' reads standard input
    pub files: Vec<PathBuf>,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    /// Also list every block: where it lies in the file and in the content
    #[arg(long)]
    pub blocks: bool,
}

// How to choose the engine; shared by every subcommand that uses one.
#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// Use the core at PATH, or named NAME (no slash: libh4_core_NAME.so
    /// on the core search path, see `h4 cores`); a failure to load it is
    /// an error
    #[arg(long, value_name = "NAME|PATH", conflicts_with = "engine",
          value_parser = crate::core_search::parse_core)]
    pub core: Option<PathBuf>,

    /// Use a built-in engine, ignoring HARMONY4_CORE_PATH (a core such as
    /// zstd: --core zstd)
    #[arg(long, value_enum, value_name = "NAME")]
    pub engine: Option<BuiltIn>,

    /// Fail when the core of HARMONY4_CORE_PATH does not load instead of
    /// falling back to the reference engine (also HARMONY4_CORE_REQUIRED=1)
    #[arg(long, conflicts_with = "engine")]
    pub require_core: bool,
}

/// The engines built into h4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BuiltIn {
    /// The open reference engine: LZ with Huffman coding, PCM prediction, RLE, delta
    Reference,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Extra inputs to check besides the built-in corpus
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub engine: EngineArgs,

    /// Calls per input in the determinism check
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub iterations: usize,

    /// Corrupted payloads to feed the decoder in the robustness check
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub fuzz: usize,

    /// Threads for the concurrency checks
    #[arg(short = 'T', long, value_name = "N", default_value_t = 4)]
    pub threads: usize,

    /// Also run every check under valgrind (when installed)
    #[arg(long)]
    pub memcheck: bool,

    /// Seconds a check may go without progress before it counts as hung
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,

    /// Write the SHA-256 of the engine's output for every corpus input to
    /// FILE (conformance vectors; refused when outputs differ between
    /// processes)
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Compare the engine's outputs with the conformance vectors in FILE
    /// (written by --record, on this or another machine)
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,

    /// Run only these rows (comma-separated, e.g. determinism,memory;
    /// abi always runs)
    #[arg(long, value_name = "ROWS", value_delimiter = ',')]
    pub only: Vec<Check>,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    /// Print only failures
    #[arg(short, long)]
    pub quiet: bool,
}

// The arguments of the hidden child subcommand.
#[derive(Args, Debug)]
pub struct CheckArgs {
    pub job: Job,
    pub files: Vec<PathBuf>,
    #[arg(long)]
    pub factor: Option<Factor>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[arg(long)]
    pub iterations: usize,
    #[arg(long)]
    pub fuzz: usize,
    #[arg(long)]
    pub threads: usize,
    #[arg(long)]
    pub under_valgrind: bool,
    #[arg(long)]
    pub skip_large: bool,
    #[arg(long, default_value_t = 0)]
    pub stagger_ns: u64,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Inputs to measure; none: the built-in synthetic corpus
    pub files: Vec<PathBuf>,

    /// Measure the core at PATH or named NAME (repeatable)
    #[arg(long, value_name = "NAME|PATH", value_parser = crate::core_search::parse_core)]
    pub core: Vec<PathBuf>,

    /// Measure a built-in engine (repeatable)
    #[arg(long, value_enum, value_name = "NAME")]
    pub engine: Vec<BuiltIn>,

    /// Threads for the whole-pipeline runs (0: one per CPU)
    #[arg(short = 'T', long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Runs of each measurement (the median is reported)
    #[arg(short = 'i', long, value_name = "N", default_value_t = 5)]
    pub iterations: usize,

    /// Block size [default: each engine's preference, else 1M]
    #[arg(short = 'B', long, value_name = "SIZE", value_parser = parse_block_size)]
    pub block_size: Option<u32>,

    /// Measure cores without the compress-time round-trip check
    #[arg(long)]
    pub no_check: bool,

    /// Print JSON: one record per engine and input
    #[arg(long)]
    pub json: bool,

    /// No progress bar
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct CoresArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The directory to write man/ and completions/ into
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// What `h4 --version` prints after the name: the program version, the
/// `.h4` container format it writes and the core ABI it hosts.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (container format 2, reads 1 and 2; core ABI 1)"
);

/// Parses "65536", "64K", "1M", "1MiB" (binary units) within the allowed
/// block sizes.
pub fn parse_block_size(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size (try 64K or 1M)"))?;
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        _ => return Err(format!("unknown unit in '{text}' (use K or M)")),
    };
    number
        .checked_mul(scale)
        .filter(|n| (u64::from(MIN_BLOCK_SIZE)..=u64::from(MAX_BLOCK_SIZE)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| format!("block size must be from 1K to 64M, not '{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn version_names_the_format_and_abi_this_build_implements() {
        let versions = h4::container::FORMAT_VERSIONS.map(|v| v.to_string());
        let want = format!(
            "(container format {}, reads {}; core ABI {})",
            h4::container::FORMAT_VERSION,
            versions.join(" and "),
            h4::engine::core::ABI_VERSION
        );
        assert!(VERSION.ends_with(&want), "{VERSION}");
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn ranges() {
        let range = |start, end| Ok(ContentRange { start, end });
        assert_eq!(parse_range("10:20"), range(10, Some(20)));
        assert_eq!(parse_range("0:"), range(0, None));
        assert_eq!(parse_range("5:5"), range(5, Some(5)));
        assert!(parse_range("20:10").is_err());
        assert!(parse_range("10").is_err());
        assert!(parse_range("a:b").is_err());
        assert!(parse_range("-1:2").is_err());
    }

    #[test]
    fn block_sizes() {
        assert_eq!(parse_block_size("1M"), Ok(1 << 20));
        assert_eq!(parse_block_size("64k"), Ok(65536));
        assert_eq!(parse_block_size("4096"), Ok(4096));
        assert_eq!(parse_block_size("2MiB"), Ok(2 << 20));
        assert!(parse_block_size("512").is_err());
        assert!(parse_block_size("65M").is_err());
        assert!(parse_block_size("1G").is_err());
        assert!(parse_block_size("x").is_err());
        assert!(parse_block_size("99999999999999999999").is_err());
    }
}
