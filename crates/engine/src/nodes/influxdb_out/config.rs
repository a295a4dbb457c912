//! The InfluxDB servers `influxDBOut` writes to: Kapacitor's `[[influxdb]]` sections of a
//! configuration file (`name`, `urls`, `username`, `password`, `default`, `enabled`), and
//! which one a node's `.cluster(name)` picks.

use serde::{Deserialize, Serialize};

/// One `[[influxdb]]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct InfluxDbConfig {
    /// The name `.cluster(…)` refers to.
    pub name: String,
    /// The servers' base URLs (`http://host:8086`), tried in order.
    pub urls: Vec<String>,
    /// The user for basic authentication; empty for none.
    #[serde(default)]
    pub username: String,
    /// The password for basic authentication.
    #[serde(default)]
    pub password: String,
    /// Whether a node without `.cluster(…)` uses this one.
    #[serde(default)]
    pub default: bool,
    /// A disabled section is ignored.
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl Default for InfluxDbConfig {
    /// Kapacitor's default section: `localhost:8086`, enabled.
    fn default() -> Self {
        InfluxDbConfig {
            name: "default".into(),
            urls: vec!["http://localhost:8086".into()],
            username: String::new(),
            password: String::new(),
            default: false,
            enabled: true,
        }
    }
}

/// Why a configuration has no InfluxDB for a node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// `.cluster(name)` names no enabled section.
    #[error("unknown influxdb cluster {0:?}")]
    Unknown(String),
    /// No `.cluster(…)` and no enabled section at all.
    #[error("no influxdb cluster is configured")]
    NoneConfigured,
    /// The configuration text is not valid.
    #[error("invalid [[influxdb]] configuration: {0}")]
    Invalid(String),
}

/// Every `[[influxdb]]` section of a configuration file, in order.
pub fn parse(text: &str) -> Result<Vec<InfluxDbConfig>, ClusterError> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        influxdb: Vec<InfluxDbConfig>,
    }
    let file: File = toml::from_str(text).map_err(|e| ClusterError::Invalid(e.message().into()))?;
    Ok(file.influxdb)
}

/// The enabled section named `name`; for an empty name the one marked `default`, else
/// the first.
pub fn pick<'a>(
    clusters: &'a [InfluxDbConfig],
    name: &str,
) -> Result<&'a InfluxDbConfig, ClusterError> {
    let mut enabled = clusters.iter().filter(|c| c.enabled);
    if !name.is_empty() {
        return enabled
            .find(|c| c.name == name)
            .ok_or_else(|| ClusterError::Unknown(name.into()));
    }
    let first = clusters.iter().find(|c| c.enabled);
    enabled
        .find(|c| c.default)
        .or(first)
        .ok_or(ClusterError::NoneConfigured)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[http]
bind-address = ":9092"

[[influxdb]]
name = "local"
urls = ["http://127.0.0.1:8086"]

[[influxdb]]
name = "remote"
urls = ["http://db:8086"]
username = "kapacitor"
password = "secret"
default = true

[[influxdb]]
name = "off"
urls = ["http://off:8086"]
enabled = false
"#;

    #[test]
    fn sections_are_read_and_picked_by_name_or_default() {
        let clusters = parse(TEXT).expect("parses");
        assert_eq!(clusters.len(), 3);
        assert_eq!(clusters[1].username, "kapacitor");
        assert_eq!(pick(&clusters, "").map(|c| &*c.name), Ok("remote"));
        assert_eq!(pick(&clusters, "local").map(|c| &*c.name), Ok("local"));
        assert_eq!(
            pick(&clusters, "off"),
            Err(ClusterError::Unknown("off".into()))
        );
        assert_eq!(pick(&[], ""), Err(ClusterError::NoneConfigured));
        assert!(parse("").expect("an empty file parses").is_empty());
    }

    #[test]
    fn a_bad_section_is_an_error_naming_the_problem() {
        let err = parse("[[influxdb]]\nname = 1\n").expect_err("a number is no name");
        assert!(
            err.to_string()
                .starts_with("invalid [[influxdb]] configuration: "),
            "{err}"
        );
    }
}
