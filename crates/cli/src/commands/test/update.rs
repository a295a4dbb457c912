//! `tickflow test --update`: writes what a run produced into the test file's `[[alert]]`,
//! `[[httpout]]`, `[[influxdb]]` and `[[httppost]]` arrays, keeping everything else
//! (script, data, vars, comments) as written.

use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use super::execute::Actual;

/// The keys of an alert `--update` writes: what a reader checks first.
const ALERT_KEYS: [&str; 4] = ["id", "level", "time", "message"];

/// Why a test file could not be rewritten.
#[derive(Debug, thiserror::Error)]
pub(super) enum UpdateError {
    /// Reading or writing the file failed.
    #[error("cannot update {path}: {source}")]
    Io {
        /// The test file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML any more.
    #[error("cannot update {path}: {source}")]
    Toml {
        /// The test file.
        path: String,
        /// What toml_edit says.
        source: Box<toml_edit::TomlError>,
    },
}

/// Rewrites the expectations of the test file at `path` with `actual`.
pub(super) fn update(path: &Path, actual: &Actual) -> Result<(), UpdateError> {
    let shown = path.display().to_string();
    let io = |source| UpdateError::Io {
        path: shown.clone(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut doc: DocumentMut = text.parse().map_err(|source| UpdateError::Toml {
        path: shown.clone(),
        source: Box::new(source),
    })?;
    let arrays: [(&str, &[toml::Table], &[&str]); 4] = [
        ("alert", &actual.alerts, &ALERT_KEYS),
        ("httpout", &actual.httpout, &["endpoint", "body"]),
        ("influxdb", &actual.influxdb, &["db", "rp", "line"]),
        ("httppost", &actual.httppost, &["url", "body"]),
    ];
    for (name, rows, keys) in arrays {
        doc.remove(name);
        if !rows.is_empty() {
            doc.insert(name, Item::ArrayOfTables(tables(rows, keys)));
        }
    }
    std::fs::write(path, doc.to_string()).map_err(io)
}

/// `rows` as an array of tables with `keys`, in that order.
fn tables(rows: &[toml::Table], keys: &[&str]) -> ArrayOfTables {
    let mut array = ArrayOfTables::new();
    for row in rows {
        let mut table = Table::new();
        for key in keys {
            if let Some(toml::Value::String(value)) = row.get(*key) {
                table.insert(key, toml_edit::value(value.as_str()));
            }
        }
        array.push(table);
    }
    array
}
