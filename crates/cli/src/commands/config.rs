//! `tickflow config`: the effective configuration, as `kapacitord config` prints it.

use std::path::PathBuf;

use anyhow::Context;

use crate::commands::script;
use crate::Outcome;

/// Prints the effective configuration as TOML: the file's sections with Kapacitor's
/// defaults filled in and the environment's `KAPACITOR_*`/`TICKFLOW_*` overrides applied,
/// secrets redacted. Keys no section reads are reported on stderr with their line. Exit
/// code 1 when a section is invalid.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The configuration file (the defaults without one).
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Reads, checks and prints the configuration.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let config = script::config(args.config.as_deref())?;
    let checked = config
        .http()
        .map(|_| ())
        .and_then(|()| config.udfs().map(|_| ()))
        .and_then(|()| config.services().map(|_| ()));
    print!(
        "{}",
        config.to_toml().context("cannot print the configuration")?
    );
    match checked {
        Ok(()) => Ok(Outcome::Success),
        Err(err) => {
            eprintln!("tickflow: {err}");
            Ok(Outcome::Problems)
        }
    }
}
