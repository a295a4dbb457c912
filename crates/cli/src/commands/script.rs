//! Loading a TICKscript file for a command: read, parse and (for most commands) build the
//! pipeline, with diagnostics rendered against the source.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::Context;
use tickflow_pipeline::{build, BuildOptions, Pipeline};
use tickflow_tickscript::Program;

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
        let program = self.parse()?;
        build(&program, &build_options()).map_err(|e| e.render(&self.source, &self.path))
    }
}

/// What scripts may call: the native built-in UDFs under their names.
pub(crate) fn build_options() -> BuildOptions {
    let udfs: BTreeMap<String, _> = tickflow_udf::native::BUILTINS
        .iter()
        .map(|b| (b.name.to_string(), (b.info)()))
        .collect();
    BuildOptions {
        udfs,
        ..BuildOptions::default()
    }
}
