//! [`KafkaConfig`]: one `[[kafka]]` section (a cluster), with Kapacitor's names and
//! defaults, and what it makes for the client: the timeout and the SASL settings.

use std::collections::BTreeMap;
use std::time::Duration;

use rskafka::client::{Credentials, SaslConfig};
use serde::{Deserialize, Serialize};
use tickflow_model::parse_go_duration;

use crate::services::workspace::Workspace;

/// The `[[kafka]]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct KafkaConfig {
    /// Whether `.kafka()` handlers may use it.
    pub enabled: bool,
    /// The cluster's id, which `.cluster()` names.
    pub id: String,
    /// The bootstrap brokers, `host:port`.
    pub brokers: Vec<String>,
    /// How long one alert may take to be written, as a Go duration.
    pub timeout: String,
    /// Kapacitor's writer batch size; each alert is written as it comes (see
    /// kapacitor-compat.md).
    pub batch_size: i64,
    /// Kapacitor's writer batch timeout; see `batch_size`.
    pub batch_timeout: String,
    /// Connect over TLS.
    pub use_ssl: bool,
    /// A PEM file of CA certificates to trust instead of the Mozilla roots.
    pub ssl_ca: String,
    /// A PEM client certificate.
    pub ssl_cert: String,
    /// The client certificate's PEM private key.
    pub ssl_key: String,
    /// Accept any broker certificate.
    pub insecure_skip_verify: bool,
    /// The SASL user; empty for no SASL.
    pub sasl_username: String,
    /// The SASL password.
    pub sasl_password: String,
    /// `PLAIN` (the default), `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    pub sasl_mechanism: String,
    /// Kapacitor's SASL handshake version; the client negotiates it.
    pub sasl_version: String,
    /// SASL extensions; none of the supported mechanisms sends them.
    pub sasl_extensions: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            enabled: false,
            id: "default".into(),
            brokers: Vec::new(),
            timeout: "10s".into(),
            batch_size: 100,
            batch_timeout: "1s".into(),
            use_ssl: false,
            ssl_ca: String::new(),
            ssl_cert: String::new(),
            ssl_key: String::new(),
            insecure_skip_verify: false,
            sasl_username: String::new(),
            sasl_password: String::new(),
            sasl_mechanism: String::new(),
            sasl_version: String::new(),
            sasl_extensions: BTreeMap::new(),
        }
    }
}

impl Workspace for KafkaConfig {
    fn workspace(&self) -> &str {
        &self.id
    }

    fn is_default(&self) -> bool {
        false
    }
}

impl KafkaConfig {
    /// `timeout` as a duration; `None` (wait as long as it takes) for zero.
    pub fn timeout(&self) -> Result<Option<Duration>, String> {
        let timeout = parse_go_duration(&self.timeout).ok_or_else(|| {
            format!(
                "invalid timeout {:?}: expected a duration such as \"10s\"",
                self.timeout
            )
        })?;
        Ok((!timeout.is_zero()).then_some(timeout))
    }

    /// The SASL settings, `None` without a user.
    pub fn sasl(&self) -> Result<Option<SaslConfig>, String> {
        if self.sasl_username.is_empty() {
            return Ok(None);
        }
        let credentials = Credentials::new(self.sasl_username.clone(), self.sasl_password.clone());
        match self.sasl_mechanism.as_str() {
            "" | "PLAIN" => Ok(Some(SaslConfig::Plain(credentials))),
            "SCRAM-SHA-256" => Ok(Some(SaslConfig::ScramSha256(credentials))),
            "SCRAM-SHA-512" => Ok(Some(SaslConfig::ScramSha512(credentials))),
            other => Err(format!(
                "sasl-mechanism {other:?} is not supported, expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_read_kapacitors_names_and_defaults() {
        let config: KafkaConfig = toml::from_str(
            "enabled = true\nid = \"local\"\nbrokers = [\"127.0.0.1:9092\"]\ntimeout = \"2s\"\n\
             sasl-username = \"u\"\nsasl-mechanism = \"SCRAM-SHA-512\"",
        )
        .unwrap_or_default();
        assert_eq!(config.id, "local");
        assert_eq!(config.brokers, ["127.0.0.1:9092"]);
        assert_eq!(config.timeout(), Ok(Some(Duration::from_secs(2))));
        assert_eq!(config.batch_size, 100);
        assert!(matches!(
            config.sasl(),
            Ok(Some(SaslConfig::ScramSha512(_)))
        ));
    }

    #[test]
    fn unsupported_mechanisms_and_bad_timeouts_are_named() {
        let config = KafkaConfig {
            sasl_username: "u".into(),
            sasl_mechanism: "GSSAPI".into(),
            timeout: "soon".into(),
            ..KafkaConfig::default()
        };
        assert!(config
            .sasl()
            .err()
            .unwrap_or_default()
            .contains("\"GSSAPI\""));
        assert!(config
            .timeout()
            .err()
            .unwrap_or_default()
            .contains("\"soon\""));
        assert!(matches!(KafkaConfig::default().sasl(), Ok(None)));
    }
}
