//! The configuration as Kapacitor's config API shows it (`GET /kapacitor/v1/config`):
//! the sections Kapacitor lets its API read, each a list of elements with their
//! options, every secret replaced by whether it is set (`true`/`false`) and named in
//! the element's `redacted` list.
//!
//! A section written as `[[name]]` has one element per table, named by its key
//! (`name` for `[[influxdb]]` and `[[mqtt]]`, `endpoint` for `[[httppost]]`,
//! `workspace` for `[[slack]]`); a `[name]` table is one element named `""`.

use serde_json::{Map, Value};

use super::show::is_secret;
use super::Config;

/// The sections the API shows, with the key naming their elements (`None`: a single
/// table).
pub const API_SECTIONS: &[(&str, Option<&str>)] = &[
    ("httppost", Some("endpoint")),
    ("influxdb", Some("name")),
    ("mqtt", Some("name")),
    ("slack", Some("workspace")),
    ("telegram", None),
    ("victorops", None),
];

/// One element of a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Its name (`""` in a single-table section).
    pub name: String,
    /// The options, secrets as whether they are set.
    pub options: Map<String, Value>,
    /// The secret options' names, sorted.
    pub redacted: Vec<String>,
}

impl Config {
    /// The elements of section `section`, `None` when the API does not show it.
    pub fn api_section(&self, section: &str) -> Option<Vec<Element>> {
        let (_, key) = API_SECTIONS.iter().find(|(name, _)| *name == section)?;
        let table = super::env::table_of(self);
        let value = table
            .get(section)
            .cloned()
            .unwrap_or(toml::Value::Array(Vec::new()));
        let tables = match value {
            toml::Value::Array(items) => items,
            single => vec![single],
        };
        let elements = tables
            .into_iter()
            .filter_map(|item| match item {
                toml::Value::Table(table) => Some(element(table, *key)),
                _ => None,
            })
            .collect();
        Some(elements)
    }
}

/// A table as an element: JSON options with the secrets redacted.
fn element(table: toml::Table, key: Option<&str>) -> Element {
    let name = key
        .and_then(|k| table.get(k))
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut options = Map::new();
    let mut redacted = Vec::new();
    for (option, value) in table {
        let shown = match &value {
            toml::Value::String(text) if is_secret(&option) => {
                redacted.push(option.clone());
                Value::Bool(!text.is_empty())
            }
            other => serde_json::to_value(other).unwrap_or(Value::Null),
        };
        options.insert(option, shown);
    }
    redacted.sort();
    Element {
        name,
        options,
        redacted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_show_whether_they_are_set() {
        let loaded = Config::parse(
            "[[influxdb]]\nname = \"remote\"\nurls = [\"http://a:8086\"]\nusername = \"jim\"\n\
             password = \"hunter2\"\n[[influxdb]]\nname = \"local\"\nurls = [\"http://b:8086\"]\n",
            [],
        )
        .expect("valid");
        let elements = loaded.config.api_section("influxdb").expect("shown");
        let names: Vec<&str> = elements.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["remote", "local"]);
        assert_eq!(elements[0].options["password"], Value::Bool(true));
        assert_eq!(elements[1].options["password"], Value::Bool(false));
        assert_eq!(elements[0].options["username"], "jim");
        assert!(elements[0].redacted.contains(&"password".to_string()));
        let telegram = loaded.config.api_section("telegram").expect("shown");
        assert_eq!(telegram.len(), 1);
        assert_eq!(telegram[0].name, "");
        assert_eq!(telegram[0].options["token"], Value::Bool(false));
        assert!(loaded.config.api_section("http").is_none());
    }
}
