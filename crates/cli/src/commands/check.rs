//! `tickflow check`: validate TICKscripts as Kapacitor does when a task is defined.

use std::path::PathBuf;

use tickflow::pipeline::{BuildOptions, Var};
use tickflow::udf::Registry;

use crate::commands::script::{self, Script};
use crate::commands::vars;
use crate::Outcome;

/// Checks that TICKscripts parse and make a valid pipeline.
///
/// Prints one line per valid file; a template (`var x float` without a value) that
/// `--vars` does not complete is valid too, and its line names the vars it needs. For
/// an invalid file, the error with the source line and a caret under the column. Exit
/// code 1 when any file is invalid.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Values for the templates' vars, in Kapacitor's JSON vars format
    /// (`{"threshold": {"type": "float", "value": 90}}`).
    #[arg(long)]
    vars: Option<PathBuf>,
}

/// Checks every file.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    let options = BuildOptions {
        vars: vars::read_optional(args.vars.as_deref())?,
        ..script::build_options(&Registry::builtins())
    };
    for path in &args.files {
        let script = Script::read(path)?;
        match script.pipeline_with(&options) {
            Ok(pipeline) => println!("{}: ok ({} nodes)", script.path, pipeline.nodes.len()),
            Err(diagnostic) => match script.missing_vars(&options) {
                Some(missing) => {
                    println!("{}: template, needs vars: {}", script.path, needs(&missing))
                }
                None => {
                    eprint!("{diagnostic}");
                    outcome = Outcome::Problems;
                }
            },
        }
    }
    Ok(outcome)
}

/// `measurement (string), threshold (float)`.
fn needs(vars: &[Var]) -> String {
    let named: Vec<String> = vars
        .iter()
        .map(|var| format!("{} ({})", var.name, var.ty.name()))
        .collect();
    named.join(", ")
}
