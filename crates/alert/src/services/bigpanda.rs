//! BigPanda: `[bigpanda]` and `.bigPanda()`, which POSTs an alert with `Authorization:
//! Bearer <token>`: the message as `check`, the time with nine fraction digits, the
//! status by level (`ok` for OK and INFO, `warning`, `critical`), the app key, every tag
//! of the first series as its own key, and `primary_property` and
//! `secondary_property` when given.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::event::{rfc3339_fixed_nanos, tags};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[bigpanda]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct BigPandaConfig {
    /// Whether `.bigPanda()` handlers may use it.
    pub enabled: bool,
    /// The alerts API's URL.
    pub url: String,
    /// The API token.
    pub token: String,
    /// The default application key.
    pub app_key: String,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

impl Default for BigPandaConfig {
    fn default() -> Self {
        BigPandaConfig {
            enabled: false,
            url: "https://api.bigpanda.io/data/v2/alerts".into(),
            token: String::new(),
            app_key: String::new(),
            insecure_skip_verify: false,
        }
    }
}

/// The body of each BigPanda alert.
#[derive(Debug, Clone)]
pub struct BigPanda {
    app_key: String,
    primary_property: String,
    secondary_property: String,
}

impl BigPanda {
    /// The handler of `.bigPanda()` with `.appKey()`, `.primaryProperty()` and
    /// `.secondaryProperty()` over `config`.
    pub fn handler(
        config: &BigPandaConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<BigPanda>, ServiceConfigError> {
        let tls = TlsSettings {
            insecure_skip_verify: config.insecure_skip_verify,
            ..TlsSettings::default()
        };
        let post = JsonPost::new("bigpanda", &config.url, &tls)?
            .with_header("Authorization", format!("Bearer {}", config.token));
        Ok(PostService::new(
            post,
            BigPanda {
                app_key: calls.text_or("appKey", &config.app_key),
                primary_property: calls.text("primaryProperty").unwrap_or_default(),
                secondary_property: calls.text("secondaryProperty").unwrap_or_default(),
            },
        ))
    }
}

impl Payload for BigPanda {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let status = match event.level {
            Level::Ok | Level::Info => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        let mut body = Map::new();
        body.insert("check".into(), json!(event.message));
        body.insert("timestamp".into(), json!(rfc3339_fixed_nanos(event.time)));
        body.insert("status".into(), json!(status));
        body.insert("app_key".into(), json!(self.app_key));
        for (key, value) in tags(event) {
            body.insert(key, json!(value));
        }
        let properties = [
            ("primary_property", &self.primary_property),
            ("secondary_property", &self.secondary_property),
        ];
        for (key, value) in properties {
            if !value.is_empty() {
                body.insert(key.into(), json!(value));
            }
        }
        Ok(Value::Object(body))
    }

    fn describe(&self) -> String {
        "bigpanda".into()
    }
}
