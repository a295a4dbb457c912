//! `tickflow check`: validate TICKscripts as Kapacitor does when a task is defined.

use std::path::PathBuf;

use crate::commands::script::Script;
use crate::Outcome;

/// Checks that TICKscripts parse and make a valid pipeline.
///
/// Prints one line per valid file; for an invalid one, the error with the source line
/// and a caret under the column. Exit code 1 when any file is invalid.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Checks every file.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    for path in &args.files {
        let script = Script::read(path)?;
        match script.pipeline() {
            Ok(pipeline) => println!("{}: ok ({} nodes)", script.path, pipeline.nodes.len()),
            Err(diagnostic) => {
                eprint!("{diagnostic}");
                outcome = Outcome::Problems;
            }
        }
    }
    Ok(outcome)
}
