//! The `[http]` section: how the server listens and takes writes. Kapacitor's keys are
//! kept where they exist (`bind-address`, and `https-*`, `auth-enabled`, ... which
//! tickflow reads but does not use yet); tickflow adds `max-body-size` (InfluxDB's
//! name), `write-timeout` and `write-concurrency`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tickflow_model::parse_go_duration;

/// `[http]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct HttpSection {
    /// Where to listen: `host:port`, or `:port` for every interface.
    pub bind_address: String,
    /// The largest write body, in bytes, before and after gzip; `0` for no limit.
    pub max_body_size: u64,
    /// How long a write waits for room in the engine before a 503; `"0"` waits.
    pub write_timeout: String,
    /// How many writes are parsed and routed at once.
    pub write_concurrency: usize,
}

/// Kapacitor's port on every interface.
const BIND_ADDRESS: &str = ":9092";
/// InfluxDB's default body limit, 25 MB.
const MAX_BODY_SIZE: u64 = 25_000_000;
/// Writes parsed and routed at once.
const WRITE_CONCURRENCY: usize = 8;

impl Default for HttpSection {
    fn default() -> Self {
        HttpSection {
            bind_address: BIND_ADDRESS.into(),
            max_body_size: MAX_BODY_SIZE,
            write_timeout: "0".into(),
            write_concurrency: WRITE_CONCURRENCY,
        }
    }
}

/// The server's settings, checked.
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
            bind_address: BIND_ADDRESS.into(),
            max_body_size: MAX_BODY_SIZE,
            write_timeout: None,
            write_concurrency: WRITE_CONCURRENCY,
            default_retention_policy: String::new(),
        }
    }
}

/// Why `[http]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// `write-timeout` is not a duration.
    #[error("invalid write-timeout {0:?}: expected a duration such as \"10s\" or \"500ms\"")]
    Duration(String),
    /// `write-concurrency` is zero.
    #[error("invalid write-concurrency 0: at least one write must be able to run")]
    Concurrency,
}

impl HttpSection {
    /// The checked settings; writes naming no retention policy get `default_rp`.
    pub fn check(&self, default_rp: &str) -> Result<HttpConfig, HttpError> {
        let timeout = parse_go_duration(&self.write_timeout)
            .ok_or_else(|| HttpError::Duration(self.write_timeout.clone()))?;
        if self.write_concurrency == 0 {
            return Err(HttpError::Concurrency);
        }
        Ok(HttpConfig {
            bind_address: self.bind_address.clone(),
            max_body_size: self.max_body_size,
            write_timeout: (!timeout.is_zero()).then_some(timeout),
            write_concurrency: self.write_concurrency,
            default_retention_policy: default_rp.to_string(),
        })
    }
}

impl HttpConfig {
    /// The address to bind: Go's `:9092` (every interface) becomes `0.0.0.0:9092`.
    pub fn socket_address(&self) -> String {
        if self.bind_address.starts_with(':') {
            format!("0.0.0.0{}", self.bind_address)
        } else {
            self.bind_address.clone()
        }
    }

    /// The body limit, `None` for no limit.
    pub fn body_limit(&self) -> Option<u64> {
        (self.max_body_size > 0).then_some(self.max_body_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_listen_on_every_interface() {
        let config = HttpConfig::default();
        assert_eq!(config.socket_address(), "0.0.0.0:9092");
        assert_eq!(config.write_timeout, None);
        assert_eq!(config.body_limit(), Some(25_000_000));
    }

    #[test]
    fn bad_values_are_named() {
        let section = HttpSection {
            write_timeout: "soon".into(),
            ..HttpSection::default()
        };
        assert_eq!(
            section.check("").expect_err("bad").to_string(),
            "invalid write-timeout \"soon\": expected a duration such as \"10s\" or \"500ms\""
        );
        let section = HttpSection {
            write_concurrency: 0,
            ..HttpSection::default()
        };
        assert_eq!(
            section.check("").expect_err("zero writers").to_string(),
            "invalid write-concurrency 0: at least one write must be able to run"
        );
        let section = HttpSection {
            write_timeout: "250ms".into(),
            ..HttpSection::default()
        };
        assert_eq!(
            section.check("autogen").expect("valid").write_timeout,
            Some(Duration::from_millis(250))
        );
    }
}
