//! `tickflow fmt`: print, rewrite or check the canonical layout of TICKscripts.
//!
//! Formatting only parses; it does not validate nodes or properties, so it works on any
//! script Kapacitor's parser accepts.

use std::fs;
use std::path::PathBuf;

use anyhow::Context;

use crate::commands::script::Script;
use crate::Outcome;

/// Formats TICKscripts in their canonical layout.
///
/// Prints the formatted script on stdout, or rewrites the file with --write, or only
/// checks with --check (exit code 1 when a file is not formatted).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript files to format.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Rewrite each file in place instead of printing it.
    #[arg(long, conflicts_with = "check")]
    write: bool,
    /// Print nothing; exit 1 when any file is not in canonical layout.
    #[arg(long)]
    check: bool,
}

/// Formats every file as the arguments say.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    for path in &args.files {
        let script = Script::read(path)?;
        let program = match script.parse() {
            Ok(program) => program,
            Err(diagnostic) => {
                eprint!("{diagnostic}");
                outcome = Outcome::Problems;
                continue;
            }
        };
        let formatted = tickflow_tickscript::format(&program);
        if args.check {
            if formatted != script.source {
                eprintln!("{}: not formatted", path.display());
                outcome = Outcome::Problems;
            }
        } else if args.write {
            if formatted != script.source {
                fs::write(path, &formatted)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        } else {
            print!("{formatted}");
        }
    }
    Ok(outcome)
}
