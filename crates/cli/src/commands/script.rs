//! Loading for a command: a TICKscript file (read, parse and, for most commands, build
//! the pipeline, with diagnostics rendered against the source) and the `--config` file
//! (read once into tickflow's one configuration, its warnings printed with their line).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::Context;
use tickflow::config::Config;
use tickflow::pipeline::{build, BuildOptions, Pipeline, TaskType, Var, VarValue};
use tickflow::tickscript::Program;
use tickflow::udf::Registry;

/// A script file read from disk.
pub(super) struct Script {
    /// The path as given.
    pub path: String,
    /// The file's text.
    pub source: String,
}

impl Script {
    /// Reads `path`; failing to read is an error of the command itself.
    pub(super) fn read(path: &Path) -> anyhow::Result<Script> {
        let source =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Script {
            path: path.display().to_string(),
            source,
        })
    }

    /// The task id a file gives: its name without the extension.
    pub(super) fn task_id(&self) -> String {
        Path::new(&self.path)
            .file_stem()
            .map_or_else(|| "task".to_string(), |s| s.to_string_lossy().into_owned())
    }

    /// Parses the script, or renders why it does not parse.
    pub(super) fn parse(&self) -> Result<Program, String> {
        tickflow::tickscript::parse(&self.source).map_err(|e| e.render(&self.source, &self.path))
    }

    /// Parses and builds the pipeline with the built-in UDFs and `vars` (a template's
    /// values), or renders why that fails.
    pub(super) fn pipeline(&self, vars: BTreeMap<String, VarValue>) -> Result<Pipeline, String> {
        self.pipeline_with(&BuildOptions {
            vars,
            ..build_options(&Registry::builtins())
        })
    }

    /// The vars a template declares without a value and `options` do not supply, when
    /// the script is a valid template; `None` when it is not one or does not build.
    pub(super) fn missing_vars(&self, options: &BuildOptions) -> Option<Vec<Var>> {
        let template = self
            .pipeline_with(&BuildOptions {
                template: true,
                ..options.clone()
            })
            .ok()?;
        let missing: Vec<Var> = template
            .vars
            .into_iter()
            .filter(|var| var.default.is_none() && !options.vars.contains_key(&var.name))
            .collect();
        (!missing.is_empty()).then_some(missing)
    }

    /// Parses and builds the pipeline with `options` (the UDFs scripts may call), or
    /// renders why that fails. The task type is the script's: batch when its chains
    /// start from `batch`, else stream.
    pub(super) fn pipeline_with(&self, options: &BuildOptions) -> Result<Pipeline, String> {
        let program = self.parse()?;
        let options = BuildOptions {
            task_type: tickflow::pipeline::task_type(&program).unwrap_or(TaskType::Stream),
            ..options.clone()
        };
        build(&program, &options).map_err(|e| e.render(&self.source, &self.path))
    }
}

/// The configuration of `--config` (the defaults without one) with the environment's
/// overrides; its warnings go to stderr, each with the file and line.
pub(super) fn config(path: Option<&Path>) -> anyhow::Result<Config> {
    let loaded = Config::load(path)?;
    let name = path.map_or_else(|| "environment".to_string(), |p| p.display().to_string());
    for warning in &loaded.warnings {
        eprintln!("tickflow: {name}: {warning}");
    }
    Ok(loaded.config)
}

/// An error of the configuration, prefixed with its file when there is one:
/// `config kapacitor.conf: UDF tTest: timeout is too small: 0s`.
pub(super) fn config_error(path: Option<&Path>, err: &dyn std::error::Error) -> String {
    match path {
        Some(path) => format!("config {}: {err}", path.display()),
        None => err.to_string(),
    }
}

/// What scripts may call: the UDFs of `udfs`, under their names.
pub(super) fn build_options(udfs: &Registry) -> BuildOptions {
    BuildOptions {
        udfs: udfs.infos(),
        ..BuildOptions::default()
    }
}
