//! `tickflow run`: the HTTP server with each given TICKscript as an enabled task.

use std::path::PathBuf;

use tickflow::pipeline::BuildOptions;
use tickflow::tasks::TaskBody;

use crate::commands::script::Script;
use crate::commands::serve::{load, serve, Durability, Stop, Storage};
use crate::commands::vars;
use crate::Outcome;

/// Runs TICKscripts as tasks fed over HTTP (`POST :9092/write`, as Kapacitor), until
/// SIGINT or SIGTERM; then drains every task and exits 0, or 1 when a task had failed
/// (see `[task]` for restarts). A task that fails for good (its restarts used up) stops
/// the run at once: every task is drained and the exit code is 1, naming it and its cause.
///
/// Each script becomes an enabled task named after its file (`print_temps.tick` is task
/// `print_temps`) reading the script's `dbrp`. One line per task shows its DAG. Exit code
/// 1 when a script is invalid or uses what the engine does not run yet.
///
/// The data dir keeps each task's state: a task whose script and vars are those it had
/// goes on from its snapshot and the write-ahead log; one whose script or vars changed
/// starts afresh.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscripts to run.
    #[arg(required = true)]
    scripts: Vec<PathBuf>,
    /// A Kapacitor-style TOML configuration (`tickflow config` prints what it gives).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The address to listen on (`host:port`, or `:port` for every interface); overrides
    /// the configuration's `bind-address`. Default `:9092`.
    #[arg(long)]
    bind: Option<String>,
    /// Values for the templates' vars, in Kapacitor's JSON vars format
    /// (`{"threshold": {"type": "float", "value": 90}}`); every script gets them.
    #[arg(long)]
    vars: Option<PathBuf>,
    #[command(flatten)]
    storage: Storage,
    /// Starts task TASK with empty state instead of its saved snapshot (repeatable): for
    /// a snapshot that cannot be read, which otherwise keeps the task from starting.
    #[arg(long, value_name = "TASK")]
    reset_state: Vec<String>,
}

/// Checks every script, then serves with each as an enabled task.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let config = load(args.config.as_deref(), args.bind.as_deref())?;
    let scripts = args
        .scripts
        .iter()
        .map(|path| Script::read(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let typed_vars = args.vars.as_deref().map(vars::read_typed).transpose()?;
    let values = vars::read_optional(args.vars.as_deref())?;
    let durability = Durability {
        data_dir: args.storage.data_dir.clone(),
        reset_state: args.reset_state.clone(),
    };
    serve(
        config,
        args.config.as_deref(),
        Stop::OnSignalOrFailedTask,
        &durability,
        |engine| {
            let options = BuildOptions {
                vars: values.clone(),
                ..engine.build_options().clone()
            };
            for script in &scripts {
                if let Err(diagnostic) = script.pipeline_with(&options) {
                    eprint!("{diagnostic}");
                    return Ok(Outcome::Problems);
                }
            }
            let tasks = engine.tasks();
            for script in &scripts {
                let id = script.task_id();
                if kept(tasks, &id, &script.source, typed_vars.as_ref()) {
                    if let Some(line) = tasks.describe(&id) {
                        eprintln!("tickflow: {line}");
                    }
                    continue;
                }
                tasks.delete(&id);
                let body = TaskBody {
                    id: Some(id.clone()),
                    script: Some(script.source.clone()),
                    status: Some("enabled".into()),
                    vars: typed_vars.clone(),
                    ..TaskBody::default()
                };
                if let Err(err) = tasks.create(body) {
                    eprintln!("{}: {err}", script.path);
                    return Ok(Outcome::Problems);
                }
                if let Some(line) = tasks.describe(&id) {
                    eprintln!("tickflow: {line}");
                }
            }
            Ok(Outcome::Success)
        },
    )
}

/// Whether the data dir restored task `id` with this script and these vars: it goes on
/// from its saved state.
fn kept(
    tasks: &tickflow::tasks::TaskStore,
    id: &str,
    script: &str,
    vars: Option<&std::collections::BTreeMap<String, tickflow::tasks::vars::Var>>,
) -> bool {
    use tickflow::tasks::object::DotView;
    use tickflow::tasks::ScriptFormat;
    let Ok(saved) = tasks.get(id, ScriptFormat::Raw, DotView::Attributes) else {
        return false;
    };
    let shown = tickflow::tasks::vars::convert(&vars.cloned().unwrap_or_default())
        .map(|converted| converted.shown)
        .unwrap_or_default();
    saved.script == script && saved.vars == shown
}
