//! The `tickflow` binary: a thin shell over the tickflow crates.
//!
//! Each subcommand lives in its own module under `commands/` and returns an [`Outcome`];
//! this file turns outcomes and errors into exit codes in one place:
//!
//! * 0: success;
//! * 1: the command ran and found a problem (a script that does not parse, a file that
//!   is not formatted, a task the engine cannot run or that failed);
//! * 2: the command could not run (bad usage, a file that cannot be read or written).
//!
//! Kapacitor's client verbs (`define`, `list`, `show TASK_ID`…) are tried first, by
//! `commands::client::dispatch`, and exit with Kapacitor's codes (3 when the server
//! refuses or cannot be reached).

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: the replay parses points on one thread and
/// the nodes free them on another, which glibc's per-thread arenas handle poorly
/// (docs/BENCHMARKS.md has the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs Kapacitor TICKscripts over InfluxDB line protocol.
#[derive(Debug, Parser)]
#[command(name = "tickflow", version, about, long_about = None, after_help = commands::client::help())]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(commands::check::Args),
    Config(commands::config::Args),
    Conformance(commands::conformance::Args),
    Fmt(commands::fmt::Args),
    Plot(commands::plot::Args),
    Replay(commands::replay::Args),
    Run(commands::run::Args),
    Score(commands::score::Args),
    Serve(commands::serve::Args),
    Show(commands::show::Args),
    Test(commands::test::Args),
}

/// What a command that ran to the end found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was fine.
    Success,
    /// The command reported problems with its input (exit code 1).
    Problems,
}

fn main() -> ExitCode {
    if let Some(code) = commands::client::dispatch(std::env::args_os().collect()) {
        return code;
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args),
        Command::Config(args) => commands::config::run(&args),
        Command::Conformance(args) => commands::conformance::run(&args),
        Command::Fmt(args) => commands::fmt::run(&args),
        Command::Plot(args) => commands::replay::run(&commands::replay::Args::plotting(&args)),
        Command::Replay(args) => commands::replay::run(&args),
        Command::Run(args) => commands::run::run(&args),
        Command::Score(args) => commands::score::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Show(args) => commands::show::run(&args),
        Command::Test(args) => commands::test::run(&args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            eprintln!("tickflow: {err:#}");
            ExitCode::from(2)
        }
    }
}
