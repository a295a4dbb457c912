//! `tickflow show FILE`: the DAG a TICKscript makes, as text or as Graphviz DOT (`show
//! TASK_ID`, Kapacitor's client form, is `client::tasks::show`).

use std::path::PathBuf;

use crate::commands::script::Script;
use crate::commands::vars;
use crate::Outcome;

/// Shows the pipeline a TICKscript makes: its nodes, their properties and edges.
///
/// With an existing file (or a name ending in `.tick`) this is the offline `show`; with
/// anything else (`tickflow show TASK_ID`, `tickflow show -replay ID TASK_ID`) it is
/// Kapacitor's client `show`, which prints the task as the server at `-url` /
/// `KAPACITOR_URL` runs it (`tickflow help show`).
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
