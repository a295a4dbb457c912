//! The InfluxDB servers tasks talk to: Kapacitor's `[[influxdb]]` sections of a
//! configuration file, with Kapacitor's keys (`name`, `enabled`, `default`, `urls`,
//! `username`, `password`, `ssl-ca`, `ssl-cert`, `ssl-key`, `insecure-skip-verify`,
//! `timeout`, `subscriptions`, `excluded-subscriptions`, `subscription-protocol`,
//! `subscription-mode`, `kapacitor-hostname`, `http-port`, `startup-timeout`,
//! `disable-subscriptions`) plus tickflow's `query-jitter`, `write-buffer`,
//! `write-buffer-full` and `write-retry-interval`, and which one a node's
//! `.cluster(name)` picks. With no section at all there is one, `default` at
//! `http://localhost:8086`, as in Kapacitor's default configuration: nodes then start
//! and fail per write or query while nothing answers there.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tickflow_model::Duration;

use super::retry::{Overflow, RetryPolicy};

/// One `[[influxdb]]` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct InfluxDbConfig {
    /// The name `.cluster(…)` refers to.
    #[serde(default = "default_name")]
    pub name: String,
    /// The servers' base URLs (`http://host:8086`), tried in order.
    #[serde(default = "default_urls")]
    pub urls: Vec<String>,
    /// The user for basic authentication; empty for none.
    #[serde(default)]
    pub username: String,
    /// The password for basic authentication.
    #[serde(default)]
    pub password: String,
    /// An InfluxDB 2.x API token, sent as `Authorization: Token …` by `queryFlux()`
    /// (InfluxDB 2.x's `/api/v2/query`); empty for none.
    #[serde(default)]
    pub token: String,
    /// Whether a node without `.cluster(…)` uses this one.
    #[serde(default)]
    pub default: bool,
    /// A disabled section is ignored.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// A PEM file of certificate authorities to trust for `https://` URLs.
    #[serde(default)]
    pub ssl_ca: String,
    /// A client certificate (PEM) to present to `https://` servers.
    #[serde(default)]
    pub ssl_cert: String,
    /// The client certificate's private key (PEM); empty when `ssl-cert` holds it.
    #[serde(default)]
    pub ssl_key: String,
    /// Accept any server certificate.
    #[serde(default)]
    pub insecure_skip_verify: bool,
    /// How long one request (write, query) may take; zero for tickflow's default (10s).
    #[serde(
        default,
        deserialize_with = "duration",
        serialize_with = "duration_text"
    )]
    pub timeout: Duration,
    /// Databases and retention policies to subscribe to (`db = ["rp", ...]`); empty for all.
    #[serde(default)]
    pub subscriptions: BTreeMap<String, Vec<String>>,
    /// Databases and retention policies never to subscribe to.
    #[serde(default)]
    pub excluded_subscriptions: BTreeMap<String, Vec<String>>,
    /// `http`, `https` or `udp`.
    #[serde(default = "default_protocol")]
    pub subscription_protocol: String,
    /// `cluster` or `server`.
    #[serde(default = "default_mode")]
    pub subscription_mode: String,
    /// The host name InfluxDB sends subscription writes to.
    #[serde(default)]
    pub kapacitor_hostname: String,
    /// The port InfluxDB sends subscription writes to; zero for the server's.
    #[serde(default)]
    pub http_port: u16,
    /// How long to wait for InfluxDB at start-up.
    #[serde(
        default,
        deserialize_with = "duration",
        serialize_with = "duration_text"
    )]
    pub startup_timeout: Duration,
    /// Never create subscriptions on this cluster.
    #[serde(default)]
    pub disable_subscriptions: bool,
    /// tickflow: the most a batch task's queries to this cluster are delayed, by an
    /// amount fixed per task and node, so tasks on the same schedule do not all query
    /// at the same instant; zero for none.
    #[serde(
        default,
        deserialize_with = "duration",
        serialize_with = "duration_text"
    )]
    pub query_jitter: Duration,
    /// tickflow: the most points `influxDBOut` keeps to write again after a failure
    /// that may pass (unreachable, timeout, 5xx); zero retries nothing.
    #[serde(default = "default_write_buffer")]
    pub write_buffer: usize,
    /// tickflow: what goes when they do not fit: `drop-oldest` or `drop-newest`.
    #[serde(default)]
    pub write_buffer_full: Overflow,
    /// tickflow: the first wait before writing again; it doubles up to a minute.
    #[serde(
        default = "default_retry_interval",
        deserialize_with = "duration",
        serialize_with = "duration_text"
    )]
    pub write_retry_interval: Duration,
}

impl Default for InfluxDbConfig {
    /// Kapacitor's default cluster: `default` at `http://localhost:8086`.
    fn default() -> Self {
        InfluxDbConfig {
            name: default_name(),
            urls: default_urls(),
            username: String::new(),
            password: String::new(),
            token: String::new(),
            default: true,
            enabled: true,
            ssl_ca: String::new(),
            ssl_cert: String::new(),
            ssl_key: String::new(),
            insecure_skip_verify: false,
            timeout: Duration::ZERO,
            subscriptions: BTreeMap::new(),
            excluded_subscriptions: BTreeMap::new(),
            subscription_protocol: default_protocol(),
            subscription_mode: default_mode(),
            kapacitor_hostname: String::new(),
            http_port: 0,
            startup_timeout: Duration::ZERO,
            disable_subscriptions: false,
            query_jitter: Duration::ZERO,
            write_buffer: default_write_buffer(),
            write_buffer_full: Overflow::default(),
            write_retry_interval: default_retry_interval(),
        }
    }
}

impl InfluxDbConfig {
    /// How `influxDBOut` retries failed writes to this cluster.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            capacity: self.write_buffer,
            overflow: self.write_buffer_full,
            interval: std::time::Duration::from_nanos(
                u64::try_from(self.write_retry_interval.nanos()).unwrap_or(0),
            ),
        }
    }
}

fn enabled() -> bool {
    true
}

fn default_name() -> String {
    "default".into()
}

fn default_urls() -> Vec<String> {
    vec!["http://localhost:8086".into()]
}

fn default_write_buffer() -> usize {
    RetryPolicy::default().capacity
}

fn default_retry_interval() -> Duration {
    Duration::from_nanos(1_000_000_000)
}

fn default_protocol() -> String {
    "http".into()
}

fn default_mode() -> String {
    "cluster".into()
}

/// A Go duration string (`10s`, `1m30s`).
fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    let parsed = tickflow_model::parse_go_duration(&text)
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .ok_or_else(|| serde::de::Error::custom(format!("invalid duration {text:?}")))?;
    Ok(Duration::from_nanos(parsed))
}

/// A duration as the configuration writes it (`10s`, `1m`).
fn duration_text<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&duration.to_influxql())
}

/// Why a configuration has no InfluxDB for a node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// `.cluster(name)` names no enabled section.
    #[error("unknown influxdb cluster {0:?}")]
    Unknown(String),
    /// Sections exist but every one is disabled.
    #[error("no influxdb cluster is enabled")]
    NoneEnabled,
}

/// The enabled section named `name`; for an empty name the one marked `default`, else
/// the first. With no section at all, Kapacitor's implicit `default` cluster.
pub(crate) fn pick(
    clusters: &[InfluxDbConfig],
    name: &str,
) -> Result<InfluxDbConfig, ClusterError> {
    if clusters.is_empty() {
        let implicit = InfluxDbConfig::default();
        return match name.is_empty() || name == implicit.name {
            true => Ok(implicit),
            false => Err(ClusterError::Unknown(name.into())),
        };
    }
    let mut enabled = clusters.iter().filter(|c| c.enabled);
    if !name.is_empty() {
        return enabled
            .find(|c| c.name == name)
            .cloned()
            .ok_or_else(|| ClusterError::Unknown(name.into()));
    }
    let first = clusters.iter().find(|c| c.enabled);
    enabled
        .find(|c| c.default)
        .or(first)
        .cloned()
        .ok_or(ClusterError::NoneEnabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `[[influxdb]]` section of a configuration text, in order.
    fn parse(text: &str) -> Result<Vec<InfluxDbConfig>, String> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            influxdb: Vec<InfluxDbConfig>,
        }
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        Ok(file.influxdb)
    }

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
        assert_eq!(pick(&clusters, "").map(|c| c.name), Ok("remote".into()));
        assert_eq!(pick(&clusters, "local").map(|c| c.name), Ok("local".into()));
        assert_eq!(
            pick(&clusters, "off"),
            Err(ClusterError::Unknown("off".into()))
        );
        assert_eq!(pick(&[], ""), Ok(InfluxDbConfig::default()));
        assert_eq!(
            pick(&[], "default").map(|c| c.urls),
            Ok(vec!["http://localhost:8086".into()])
        );
        assert_eq!(pick(&[], "x"), Err(ClusterError::Unknown("x".into())));
        assert!(parse("").expect("an empty file parses").is_empty());
    }

    #[test]
    fn kapacitors_keys_are_read() {
        let text = "[[influxdb]]\nname = \"a\"\nurls = [\"https://db:8086\"]\ntimeout = \"5s\"\n\
                    insecure-skip-verify = true\nquery-jitter = \"2s\"\ndisable-subscriptions = true\n\
                    [influxdb.subscriptions]\ntelegraf = [\"autogen\"]\n";
        let clusters = parse(text).expect("parses");
        let a = &clusters[0];
        assert_eq!(a.timeout, Duration::from_nanos(5_000_000_000));
        assert_eq!(a.query_jitter, Duration::from_nanos(2_000_000_000));
        assert!(a.insecure_skip_verify && a.disable_subscriptions);
        assert_eq!(a.retry_policy(), RetryPolicy::default());
        let text = "[[influxdb]]\nwrite-buffer = 5\nwrite-buffer-full = \"drop-newest\"\n\
                    write-retry-interval = \"100ms\"\n";
        let policy = parse(text).expect("parses")[0].retry_policy();
        assert_eq!(policy.capacity, 5);
        assert_eq!(policy.overflow, Overflow::DropNewest);
        assert_eq!(policy.interval, std::time::Duration::from_millis(100));
        assert_eq!(a.subscriptions["telegraf"], ["autogen"]);
        let err = parse("[[influxdb]]\ntimeout = \"soon\"\n").expect_err("not a duration");
        assert!(
            err.to_string().contains("invalid duration \"soon\""),
            "{err}"
        );
    }

    #[test]
    fn a_bad_section_is_an_error_naming_the_problem() {
        let err = parse("[[influxdb]]\nname = 1\n").expect_err("a number is no name");
        assert!(err.contains("invalid type: integer"), "{err}");
    }
}
