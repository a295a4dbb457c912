//! From a task's TICKscript, vars and dbrps to a validated [`Definition`], with
//! Kapacitor's create-time checks and messages (kapacitor-compat.md, http-api §3.3, steps 7 to 10).

use std::collections::BTreeMap;

use tickflow_model::Dbrp;
use tickflow_pipeline::{BuildOptions, Pipeline, TaskType, VarValue};

/// A task definition that builds: its pipeline (with the dbrps it reads), its type and
/// its script as the formatter prints it.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The pipeline; its `dbrps` are the task's, whether from the script or the request.
    pub pipeline: Pipeline,
    /// Stream or batch, derived from the script.
    pub task_type: TaskType,
    /// The script as TICKscript's formatter prints it.
    pub formatted: String,
}

/// Why a script does not make a task definition. `Display` is Kapacitor's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefineError {
    /// The script does not parse, or does not build into a pipeline.
    #[error("invalid TICKscript: {0}")]
    Script(String),
    /// The script's chains start from both `stream` and `batch`, or from neither.
    #[error(transparent)]
    TaskType(#[from] tickflow_pipeline::TaskTypeError),
    /// Neither the script nor the request names a dbrp.
    #[error("must specify dbrp")]
    NoDbrp,
    /// Both the script and the request name dbrps (wording of create).
    #[error("cannot specify dbrp in both implicitly and explicitly")]
    BothDbrps,
    /// Both the script and the request name dbrps (wording of update).
    #[error("cannot specify dbrp in implicitly and explicitly")]
    BothDbrpsOnUpdate,
}

/// Which request is defining the task; the two word one error differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /kapacitor/v1/tasks`.
    Create,
    /// `PATCH /kapacitor/v1/tasks/<id>`.
    Update,
}

/// Parses and builds `script` with `vars`; the task reads `explicit` dbrps or, when
/// there are none, the script's `dbrp` statements.
pub fn define(
    script: &str,
    vars: &BTreeMap<String, VarValue>,
    explicit: &[Dbrp],
    options: &BuildOptions,
    action: Action,
) -> Result<Definition, DefineError> {
    let program =
        tickflow_tickscript::parse(script).map_err(|e| DefineError::Script(e.to_string()))?;
    // The type is the script's (the request's `type` is overridden, as in Kapacitor).
    let task_type = tickflow_pipeline::task_type(&program)?;
    let options = BuildOptions {
        task_type,
        vars: vars.clone(),
        ..options.clone()
    };
    let mut pipeline = tickflow_pipeline::build(&program, &options)
        .map_err(|e| DefineError::Script(e.to_string()))?;
    match (pipeline.dbrps.is_empty(), explicit.is_empty()) {
        (true, true) => return Err(DefineError::NoDbrp),
        (false, false) if action == Action::Create => return Err(DefineError::BothDbrps),
        (false, false) => return Err(DefineError::BothDbrpsOnUpdate),
        (true, false) => pipeline.dbrps = explicit.to_vec(),
        (false, true) => {}
    }
    Ok(Definition {
        pipeline,
        task_type,
        formatted: tickflow_tickscript::format(&program),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn define_script(script: &str, explicit: &[Dbrp]) -> Result<Definition, DefineError> {
        define(
            script,
            &BTreeMap::new(),
            explicit,
            &BuildOptions::default(),
            Action::Create,
        )
    }

    #[test]
    fn the_dbrps_come_from_the_script_or_the_request_never_both() {
        let script = "dbrp \"db\".\"rp\"\nstream|from().measurement('cpu')";
        let definition = define_script(script, &[]).expect("defines");
        assert_eq!(definition.pipeline.dbrps, [Dbrp::new("db", "rp")]);
        assert_eq!(definition.task_type, TaskType::Stream);
        assert_eq!(
            define_script(script, &[Dbrp::new("a", "b")]).expect_err("both"),
            DefineError::BothDbrps
        );
        let bare = "stream|from().measurement('cpu')";
        assert_eq!(
            define_script(bare, &[]).expect_err("none"),
            DefineError::NoDbrp
        );
        let explicit = define_script(bare, &[Dbrp::new("a", "b")]).expect("defines");
        assert_eq!(explicit.pipeline.dbrps, [Dbrp::new("a", "b")]);
        assert_eq!(
            explicit.formatted,
            "stream\n    |from()\n        .measurement('cpu')\n"
        );
    }

    #[test]
    fn the_task_type_is_the_scripts() {
        let batch = "dbrp \"db\".\"rp\"\nbatch|query('SELECT mean(v) FROM m').every(1m)";
        let definition = define_script(batch, &[]).expect("defines");
        assert_eq!(definition.task_type, TaskType::Batch);
        let both = "dbrp \"db\".\"rp\"\nstream|from()\nbatch|query('SELECT v FROM m').every(1m)";
        let err = define_script(both, &[]).expect_err("two sources");
        assert_eq!(err.to_string(), "invalid task type: invalid");
    }

    #[test]
    fn script_errors_are_invalid_tickscript() {
        let err = define_script("stream|from().peroid(5m)", &[]).expect_err("bad property");
        assert!(err.to_string().starts_with("invalid TICKscript: "), "{err}");
        let err = define_script("var x = ", &[]).expect_err("does not parse");
        assert!(err.to_string().starts_with("invalid TICKscript: "), "{err}");
    }
}
