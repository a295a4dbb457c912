//! The `[http]` section: how the server listens and takes writes. Kapacitor's keys are
//! kept where they exist (`bind-address`, `auth-enabled`, and `https-*`, ... which
//! tickflow reads but does not use yet); tickflow adds `max-body-size` (InfluxDB's
//! name), `write-timeout` and `write-concurrency`, and against clients that stall or
//! flood the server: `read-timeout` (a body must arrive within it, else 408),
//! `header-read-timeout` (a request's headers, and the next request on an idle
//! connection, must arrive within it, else the connection is closed), and the optional
//! time guard `max-future` / `max-past` (lines whose time is that far from the server
//! clock are refused with a 400 that quotes them; `"0"` turns each off).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tickflow_model::parse_go_duration;

use crate::time_guard::TimeGuard;

/// `[http]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct HttpSection {
    /// Where to listen: `host:port`, or `:port` for every interface.
    pub bind_address: String,
    /// Kapacitor's switch for authentication (as `[auth] enabled`).
    pub auth_enabled: bool,
    /// The largest write body, in bytes, before and after gzip; `0` for no limit.
    pub max_body_size: u64,
    /// How long a write waits for room in the engine before a 503; `"0"` waits.
    pub write_timeout: String,
    /// How many writes are parsed and routed at once.
    pub write_concurrency: usize,
    /// How long a write's body may take to arrive.
    pub read_timeout: String,
    /// How long a request's headers may take to arrive, and an idle connection may wait.
    pub header_read_timeout: String,
    /// Lines more than this after the server clock are refused; `"0"`: no limit.
    pub max_future: String,
    /// Lines more than this before the server clock are refused; `"0"`: no limit.
    pub max_past: String,
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
            auth_enabled: false,
            max_body_size: MAX_BODY_SIZE,
            write_timeout: "0".into(),
            write_concurrency: WRITE_CONCURRENCY,
            read_timeout: "10s".into(),
            header_read_timeout: "10s".into(),
            max_future: "0".into(),
            max_past: "0".into(),
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
    /// How long a write's body may take to arrive before a 408 (default 10 s).
    pub read_timeout: Duration,
    /// How long a request's headers may take to arrive before the connection is closed
    /// (default 10 s).
    pub header_read_timeout: Duration,
    /// Which point times ingest accepts, relative to the server clock.
    pub time_guard: TimeGuard,
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
            read_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            time_guard: TimeGuard::default(),
            default_retention_policy: String::new(),
        }
    }
}

/// Why `[http]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// A timeout or limit is not a duration.
    #[error("invalid {key} {value:?}: expected a duration such as \"10s\" or \"500ms\"")]
    Duration {
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
    },
    /// A timeout that must be positive is zero.
    #[error("invalid {key} \"0\": the timeout must be positive")]
    Zero {
        /// The key.
        key: &'static str,
    },
    /// `write-concurrency` is zero.
    #[error("invalid write-concurrency 0: at least one write must be able to run")]
    Concurrency,
}

impl HttpSection {
    /// The checked settings; writes naming no retention policy get `default_rp`.
    pub fn check(&self, default_rp: &str) -> Result<HttpConfig, HttpError> {
        let timeout = duration("write-timeout", &self.write_timeout)?;
        let positive = |key, value: &str| {
            duration(key, value)?
                .filter(|d| !d.is_zero())
                .ok_or(HttpError::Zero { key })
        };
        if self.write_concurrency == 0 {
            return Err(HttpError::Concurrency);
        }
        Ok(HttpConfig {
            bind_address: self.bind_address.clone(),
            max_body_size: self.max_body_size,
            write_timeout: timeout,
            write_concurrency: self.write_concurrency,
            read_timeout: positive("read-timeout", &self.read_timeout)?,
            header_read_timeout: positive("header-read-timeout", &self.header_read_timeout)?,
            time_guard: TimeGuard {
                max_future: duration("max-future", &self.max_future)?,
                max_past: duration("max-past", &self.max_past)?,
            },
            default_retention_policy: default_rp.to_string(),
        })
    }
}

/// `value` of `key` as a duration; `None` for zero (off).
fn duration(key: &'static str, value: &str) -> Result<Option<Duration>, HttpError> {
    let parsed = parse_go_duration(value).ok_or_else(|| HttpError::Duration {
        key,
        value: value.to_string(),
    })?;
    Ok((!parsed.is_zero()).then_some(parsed))
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
            read_timeout: "0".into(),
            ..HttpSection::default()
        };
        assert_eq!(
            section.check("").expect_err("no timeout").to_string(),
            "invalid read-timeout \"0\": the timeout must be positive"
        );
        let section = HttpSection {
            max_future: "a year".into(),
            ..HttpSection::default()
        };
        assert_eq!(
            section.check("").expect_err("bad").to_string(),
            "invalid max-future \"a year\": expected a duration such as \"10s\" or \"500ms\""
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
