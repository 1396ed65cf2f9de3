//! The `h4` command-line tool: argument parsing and one module per
//! subcommand, on top of the `h4` library. See `h4 --help`.
//!
//! Nothing here knows the format or the engines' internals; it turns
//! arguments into calls of the library and errors into one-line messages
//! (`h4: NAME: what is wrong`) and exit codes (0 fine, 1 failed, 2 usage).
#![deny(unsafe_code)]

mod args;
mod bench;
mod core_search;
mod cores;
mod direct;
mod engine;
mod files;
mod generate;
mod info;
mod input;
mod output;
mod report;
mod shield;
mod signals;
mod test;
mod verify;

use std::process::ExitCode;

use args::{Cli, Command};
use clap::{CommandFactory, FromArgMatches};
use direct::Personality;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // A core helper starts once per worker of every --isolate run: it is
    // served before the command line is built, which costs more than the
    // helper's own work on small inputs.
    if let [_, command, core, parent] = &argv[..]
        && command == "__core-helper"
        && let Some(parent) = parent.to_str().and_then(|p| p.parse().ok())
    {
        let code = h4::engine::core::isolate::serve(std::path::Path::new(core), parent);
        return ExitCode::from(code as u8);
    }
    let personality = argv.first().map_or(Personality::Plain, Personality::of);
    let argv = direct::normalise(argv, personality);
    // `--version` also says what the sandbox of --isolate can enforce
    // here, which only this system can tell (`-V` stays one line). The
    // probe costs a system call and a read of /proc: only when asked.
    let mut command = Cli::command();
    if argv.iter().skip(1).any(|a| a == "--version") {
        command = command.long_version(long_version());
    }
    let matches = command.get_matches_from(argv);
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => h4::engine::core::exit_process(i32::from(run(cli, personality))),
        Err(e) => e.exit(),
    }
}

/// The program version, then the sandbox line.
fn long_version() -> String {
    format!(
        "{}\nisolation sandbox (--isolate): {}",
        args::VERSION,
        h4::engine::core::isolate::sandbox_probe()
    )
}

/// Runs a parsed command line.
fn run(cli: Cli, personality: Personality) -> u8 {
    // A verify child may move itself into new namespaces, which only a
    // process with one thread can; it writes no files to clean up.
    if let Some(Command::VerifyCheck(a)) = &cli.command {
        return verify::run_child(a) as u8;
    }
    signals::install();
    // From here every exit is h4's own (announced with `exit_expected`):
    // one that is not, once a core is loaded, is a core's thread ending
    // the process, and must not end it with the status the core chose.
    h4::engine::core::guard_every_exit();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        h4::engine::core::exit_expected();
        previous(info);
    }));
    let Some(command) = cli.command else {
        return direct::run(cli.direct, personality) as u8;
    };
    let status = match command {
        Command::Compress(a) => files::compress(&a),
        Command::Decompress(a) => files::decompress(&a),
        Command::Test(a) => test::run(&a),
        Command::Info(a) => info::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Bench(a) => bench::run(&a),
        Command::Cores(a) => cores::run(&a),
        Command::Generate(a) => generate::run(&a),
        Command::VerifyCheck(_) => unreachable!("handled before the signal watcher starts"),
        Command::CoreHelper(a) => {
            return h4::engine::core::isolate::serve(&a.core, a.parent) as u8;
        }
    };
    status as u8
}
