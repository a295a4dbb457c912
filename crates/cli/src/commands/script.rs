//! Loading a TICKscript file for a command: read, parse and (for most commands) build the
//! pipeline, with diagnostics rendered against the source.

use std::fs;
use std::path::Path;

use anyhow::Context;
use tickflow_engine::nodes::influxdb_out::config as influxdb;
use tickflow_engine::Environment;
use tickflow_pipeline::{build, BuildOptions, Pipeline, TaskType};
use tickflow_tickscript::Program;
use tickflow_udf::config::Config;
use tickflow_udf::Registry;

use crate::commands::services;

/// A script file read from disk.
pub struct Script {
    /// The path as given.
    pub path: String,
    /// The file's text.
    pub source: String,
}

impl Script {
    /// Reads `path`; failing to read is an error of the command itself.
    pub fn read(path: &Path) -> anyhow::Result<Script> {
        let source =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Script {
            path: path.display().to_string(),
            source,
        })
    }

    /// The task id a file gives: its name without the extension.
    pub fn task_id(&self) -> String {
        Path::new(&self.path)
            .file_stem()
            .map_or_else(|| "task".to_string(), |s| s.to_string_lossy().into_owned())
    }

    /// Parses the script, or renders why it does not parse.
    pub fn parse(&self) -> Result<Program, String> {
        tickflow_tickscript::parse(&self.source).map_err(|e| e.render(&self.source, &self.path))
    }

    /// Parses and builds the pipeline with the built-in UDFs, or renders why that fails.
    pub fn pipeline(&self) -> Result<Pipeline, String> {
        self.pipeline_with(&Registry::builtins())
    }

    /// Parses and builds the pipeline with the UDFs of `udfs`, or renders why that fails.
    /// The task type is the script's: batch when its chains start from `batch`, else
    /// stream.
    pub fn pipeline_with(&self, udfs: &Registry) -> Result<Pipeline, String> {
        let program = self.parse()?;
        let options = BuildOptions {
            task_type: tickflow_pipeline::task_type(&program).unwrap_or(TaskType::Stream),
            ..build_options(udfs)
        };
        build(&program, &options).map_err(|e| e.render(&self.source, &self.path))
    }
}

/// The UDFs of a config file (`--config`): the built-ins and its
/// `[udf.functions.NAME]` entries, each external one probed for its Info now; the
/// built-ins alone without a file.
pub fn registry(config: Option<&Path>) -> anyhow::Result<Registry> {
    let Some(path) = config else {
        return Ok(Registry::builtins());
    };
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    let config = Config::parse(&text).with_context(|| format!("config {}", path.display()))?;
    Registry::from_config(&config).with_context(|| format!("config {}", path.display()))
}

/// The tasks' environment: `udfs`, and the services (`[[httppost]]`, `[[mqtt]]`,
/// `[[topic-handler]]`) and `[[influxdb]]` servers of the config file (`--config`), none
/// without one.
pub fn environment(udfs: Registry, config: Option<&Path>) -> anyhow::Result<Environment> {
    let services = services::load(config)?;
    let influxdb = match config {
        Some(path) => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("cannot read config {}", path.display()))?;
            influxdb::parse(&text).with_context(|| format!("config {}", path.display()))?
        }
        None => Vec::new(),
    };
    Ok(Environment {
        udfs,
        influxdb,
        services,
    })
}

/// What scripts may call: the UDFs of `udfs`, under their names.
pub fn build_options(udfs: &Registry) -> BuildOptions {
    BuildOptions {
        udfs: udfs.infos(),
        ..BuildOptions::default()
    }
}
