//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use h4::container::{MAX_BLOCK_SIZE, MIN_BLOCK_SIZE};

use crate::bench::BenchArgs;
use crate::engine::EngineArgs;
use crate::generate::GenerateArgs;
use crate::verify::{CheckArgs, VerifyArgs};

/// HarmonyØ4 compression: deterministic, lossless, block-parallel.
#[derive(Parser, Debug)]
#[command(name = "h4", version = VERSION, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compress FILEs to FILE.h4 (or stdin to stdout)
    Compress(CompressArgs),
    /// Decompress FILE.h4 to FILE (or stdin to stdout)
    Decompress(DecompressArgs),
    /// Check the integrity of .h4 files without writing anything
    Test(TestArgs),
    /// Show how .h4 files were made: engine, block size, blocks, sizes, ratio
    Info(InfoArgs),
    /// Check that an engine or core is deterministic, lossless, robust,
    /// leak-free and thread-safe
    Verify(VerifyArgs),
    /// Measure compression ratio and speed of engines and cores
    Bench(BenchArgs),
    /// Write the man pages and shell completions into DIR/man and
    /// DIR/completions (for packagers; the repository has them committed)
    #[command(hide = true)]
    Generate(GenerateArgs),
    /// (internal) Run one verify check; used by `h4 verify`
    #[command(name = "__verify-check", hide = true)]
    VerifyCheck(CheckArgs),
}

/// Where data comes from and goes to; shared by compress and decompress.
#[derive(Args, Debug)]
pub struct FileArgs {
    /// Input files; none or '-' reads standard input
    pub files: Vec<PathBuf>,

    /// Write the output to FILE ('-' for standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write to standard output, keeping the input files
    #[arg(short = 'c', long = "stdout")]
    pub to_stdout: bool,

    /// Overwrite existing outputs; allow compressed data on a terminal
    #[arg(short, long)]
    pub force: bool,

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
    pub common: CommonArgs,
}

/// Options every data-processing subcommand takes.
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

    /// Reference engine effort, 1 (fastest) to 9 (smallest) [default: 2];
    /// never needed to decompress
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=9))]
    pub level: Option<u32>,
}

#[derive(Args, Debug)]
pub struct DecompressArgs {
    #[command(flatten)]
    pub files: FileArgs,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Files to check; none or '-' reads standard input
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub engine: EngineArgs,

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
}

/// What `h4 --version` prints after the name: the program version, the
/// `.h4` container format it writes and the core ABI it hosts.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (container format 1, core ABI 1)"
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
        let want = format!(
            "(container format {}, core ABI {})",
            h4::container::FORMAT_VERSION,
            h4::engine::core::ABI_VERSION
        );
        assert!(VERSION.ends_with(&want), "{VERSION}");
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
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
