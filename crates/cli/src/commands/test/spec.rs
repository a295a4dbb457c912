//! A test file (`*.test.toml`) as written: the script, its data (a file or inline
//! lines), the vars of a template, and what the run must produce.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Spec {
    /// The TICKscript, relative to the test file.
    pub script: PathBuf,
    /// The data file (`.lp`, `.lp.gz`, `.srpl`, `.brpl`), relative to the test file.
    pub data: Option<PathBuf>,
    /// Line protocol written in the test file instead of `data`.
    pub lines: Option<String>,
    /// The timestamps' precision, as replay's `--precision`.
    pub precision: Option<String>,
    /// Values for the template's vars; their types are the script's declarations.
    #[serde(default)]
    pub vars: toml::Table,
    /// The expected alert events, in time order (ties by id).
    #[serde(default)]
    pub alert: Vec<toml::Table>,
    /// The expected final body of httpOut endpoints.
    #[serde(default)]
    pub httpout: Vec<toml::Table>,
    /// The expected points written by influxDBOut nodes (`db`, `rp`, `line`).
    #[serde(default)]
    pub influxdb: Vec<toml::Table>,
    /// The expected httpPost requests (`url`, `body`).
    #[serde(default)]
    pub httppost: Vec<toml::Table>,
}

/// Why a test file cannot be used.
#[derive(Debug, thiserror::Error)]
pub(super) enum SpecError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The test file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a test file.
    #[error("{path}: {source}")]
    Toml {
        /// The test file.
        path: String,
        /// What toml says.
        source: Box<toml::de::Error>,
    },
    /// Neither or both of `data` and `lines`.
    #[error("{path}: give exactly one of \"data\" and \"lines\"")]
    Data {
        /// The test file.
        path: String,
    },
}

impl Spec {
    /// Reads and checks the test file at `path`.
    pub(super) fn read(path: &Path) -> Result<Spec, SpecError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: shown.clone(),
            source,
        })?;
        let spec: Spec = toml::from_str(&text).map_err(|source| SpecError::Toml {
            path: shown.clone(),
            source: Box::new(source),
        })?;
        if spec.data.is_some() == spec.lines.is_some() {
            return Err(SpecError::Data { path: shown });
        }
        Ok(spec)
    }
}

/// The `*.test.toml` files under `paths` (a file is taken as is), sorted.
pub(super) fn discover(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

/// Adds the test files under directory `dir` to `found`, skipping `target` and hidden
/// directories.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, found)?;
            }
        } else if name.ends_with(".test.toml") {
            found.push(path);
        }
    }
    Ok(())
}
