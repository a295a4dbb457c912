//! `tickflow show`: the DAG a TICKscript makes, as text or as Graphviz DOT.

use std::path::PathBuf;

use crate::commands::script::Script;
use crate::commands::vars;
use crate::Outcome;

/// Shows the pipeline a TICKscript makes: its nodes, their properties and edges.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript file.
    file: PathBuf,
    /// Print Graphviz DOT (as Kapacitor's `show` does) instead of text; the graph is
    /// named after the file.
    #[arg(long)]
    dot: bool,
    /// Values for a template's vars, in Kapacitor's JSON vars format.
    #[arg(long)]
    vars: Option<PathBuf>,
}

/// Prints the pipeline.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let script = Script::read(&args.file)?;
    match script.pipeline(vars::read_optional(args.vars.as_deref())?) {
        Ok(pipeline) => {
            if args.dot {
                println!("{}", pipeline.to_dot(&script.task_id()));
            } else {
                print!("{}", pipeline.to_text());
            }
            Ok(Outcome::Success)
        }
        Err(diagnostic) => {
            eprint!("{diagnostic}");
            Ok(Outcome::Problems)
        }
    }
}
