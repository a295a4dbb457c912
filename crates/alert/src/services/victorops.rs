//! VictorOps: `[victorops]` and `.victorOps()`, which POSTs each event to the REST
//! integration, `<url>/<api-key>/<routing-key>`: the message type by level
//! (`CRITICAL`, `WARNING`, `INFO`, `RECOVERY` for OK), the event id as `entity_id`, the
//! message as `state_message`, the time in Unix seconds, `monitoring_tool` `kapacitor`
//! and the triggering data (as JSON text, or as JSON with `json-data`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::{Handler, HandlerError};
use crate::http::TlsSettings;
use crate::row::result_json;
use crate::services::{Calls, JsonPost, ServiceConfigError, ServiceError};

/// The `[victorops]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct VictorOpsConfig {
    /// Whether `.victorOps()` handlers may use it.
    pub enabled: bool,
    /// The API key.
    pub api_key: String,
    /// The default routing key.
    pub routing_key: String,
    /// The REST integration's URL; the keys follow it.
    pub url: String,
    /// Send the data as JSON rather than as JSON text.
    pub json_data: bool,
}

impl Default for VictorOpsConfig {
    fn default() -> Self {
        VictorOpsConfig {
            enabled: false,
            api_key: String::new(),
            routing_key: String::new(),
            url: "https://alert.victorops.com/integrations/generic/20131114/alert".into(),
            json_data: false,
        }
    }
}

/// Sends each event to VictorOps.
#[derive(Debug, Clone)]
pub struct VictorOpsHandler {
    post: JsonPost,
    json_data: bool,
}

impl VictorOpsHandler {
    /// The handler of `.victorOps()` with `.routingKey()` over `config`.
    pub fn new(config: &VictorOpsConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let routing_key = calls.text_or("routingKey", &config.routing_key);
        let url = format!(
            "{}/{}/{}",
            config.url.trim_end_matches('/'),
            config.api_key,
            routing_key
        );
        Ok(VictorOpsHandler {
            // VictorOps deduplicates on `entity_id` and the message type.
            post: JsonPost::new("victorops", &url, &TlsSettings::default())?.idempotent(),
            json_data: config.json_data,
        })
    }

    /// The JSON body of `event`.
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let message_type = match event.level {
            Level::Ok => "RECOVERY",
            level => level.as_str(),
        };
        let text = result_json(&event.data)?;
        let data = match self.json_data {
            true => serde_json::from_str(&text).map_err(|source| ServiceError::Encode {
                service: "victorops",
                source,
            })?,
            false => Value::String(text),
        };
        Ok(json!({
            "message_type": message_type,
            "entity_id": event.id,
            "state_message": event.message,
            "timestamp": event.time.nanos().div_euclid(1_000_000_000),
            "monitoring_tool": "kapacitor",
            "data": data,
        }))
    }
}

impl Handler for VictorOpsHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let body = self.body(event)?;
        Ok(self.post.send(&body)?)
    }

    fn describe(&self) -> String {
        "victorops".to_string()
    }
}
