//! [`HttpConfig`]: how the server listens and takes writes, read from the `[http]`
//! section of a Kapacitor-style TOML configuration file.
//!
//! Kapacitor's keys are kept where they exist (`bind-address`, the top-level
//! `default-retention-policy`); tickflow adds `max-body-size` (InfluxDB's name),
//! `write-timeout` and `write-concurrency`. Unknown sections and keys are ignored, so the
//! same file can hold `[udf]` and every other Kapacitor section.

use std::time::Duration;

use serde::Deserialize;

/// The server's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Where to listen: `host:port`, or `:port` for every interface (default `:9092`).
    pub bind_address: String,
    /// The largest write body accepted, in bytes, before and after gzip decompression
    /// (default 25 MB); `0` means no limit.
    pub max_body_size: u64,
    /// How long a write waits for room in the engine before it is refused with 503;
    /// `None` (the default) waits as long as it takes, slowing the client down.
    pub write_timeout: Option<Duration>,
    /// How many writes are parsed and routed at once; more wait for their turn.
    pub write_concurrency: usize,
    /// The retention policy of a write that names none.
    pub default_retention_policy: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            bind_address: ":9092".to_string(),
            max_body_size: 25_000_000,
            write_timeout: None,
            write_concurrency: 8,
            default_retention_policy: String::new(),
        }
    }
}

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not TOML, or a key has the wrong type.
    #[error("invalid configuration: {0}")]
    Toml(#[from] toml::de::Error),
    /// `write-timeout` is not a duration.
    #[error("invalid write-timeout {0:?}: expected a duration such as \"10s\" or \"500ms\"")]
    Duration(String),
    /// `write-concurrency` is zero.
    #[error("invalid write-concurrency 0: at least one write must be able to run")]
    Concurrency,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    http: Section,
    default_retention_policy: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Section {
    bind_address: Option<String>,
    max_body_size: Option<u64>,
    write_timeout: Option<String>,
    write_concurrency: Option<usize>,
}

impl HttpConfig {
    /// The settings of a TOML configuration text; absent keys keep their defaults.
    pub fn from_toml(text: &str) -> Result<HttpConfig, ConfigError> {
        let file: File = toml::from_str(text)?;
        let defaults = HttpConfig::default();
        let write_timeout = match file.http.write_timeout {
            Some(text) => {
                let timeout = parse_duration(&text).ok_or(ConfigError::Duration(text))?;
                (!timeout.is_zero()).then_some(timeout)
            }
            None => defaults.write_timeout,
        };
        let write_concurrency = file
            .http
            .write_concurrency
            .unwrap_or(defaults.write_concurrency);
        if write_concurrency == 0 {
            return Err(ConfigError::Concurrency);
        }
        Ok(HttpConfig {
            bind_address: file.http.bind_address.unwrap_or(defaults.bind_address),
            max_body_size: file.http.max_body_size.unwrap_or(defaults.max_body_size),
            write_timeout,
            write_concurrency,
            default_retention_policy: file
                .default_retention_policy
                .unwrap_or(defaults.default_retention_policy),
        })
    }

    /// The address to bind: Go's `:9092` (every interface) becomes `0.0.0.0:9092`.
    pub fn socket_address(&self) -> String {
        if self.bind_address.starts_with(':') {
            format!("0.0.0.0{}", self.bind_address)
        } else {
            self.bind_address.clone()
        }
    }
}

/// A duration written as a number and a unit: `ns`, `us`, `ms`, `s`, `m` or `h`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    Some(match unit {
        "ns" => Duration::from_nanos(n),
        "us" | "µs" => Duration::from_micros(n),
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        "h" => Duration::from_secs(n.checked_mul(3600)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_section_is_read_and_other_sections_ignored() {
        let config = HttpConfig::from_toml(
            "hostname = \"x\"\ndefault-retention-policy = \"autogen\"\n\
             [http]\nbind-address = \"127.0.0.1:9999\"\nmax-body-size = 1000\n\
             write-timeout = \"250ms\"\nlog-enabled = true\n\
             [udf]\n[udf.functions.tTest]\nprog = \"/usr/bin/python3\"\n",
        )
        .expect("valid config");
        assert_eq!(
            config,
            HttpConfig {
                bind_address: "127.0.0.1:9999".into(),
                max_body_size: 1000,
                write_timeout: Some(Duration::from_millis(250)),
                write_concurrency: 8,
                default_retention_policy: "autogen".into(),
            }
        );
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = HttpConfig::from_toml("").expect("valid config");
        assert_eq!(config, HttpConfig::default());
        assert_eq!(config.socket_address(), "0.0.0.0:9092");
    }

    #[test]
    fn bad_values_are_named() {
        let err = HttpConfig::from_toml("[http]\nwrite-timeout = \"soon\"\n").expect_err("bad");
        assert_eq!(
            err.to_string(),
            "invalid write-timeout \"soon\": expected a duration such as \"10s\" or \"500ms\""
        );
        let err = HttpConfig::from_toml("[http]\nmax-body-size = \"big\"\n").expect_err("bad");
        assert!(
            err.to_string().starts_with("invalid configuration: "),
            "{err}"
        );
        let err =
            HttpConfig::from_toml("[http]\nwrite-concurrency = 0\n").expect_err("zero writers");
        assert_eq!(
            err.to_string(),
            "invalid write-concurrency 0: at least one write must be able to run"
        );
    }
}
