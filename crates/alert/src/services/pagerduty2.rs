//! PagerDuty (Events API v2): `[pagerduty2]` and `.pagerDuty2()`, which POSTs a
//! `trigger` with the PD-CEF payload (summary, source from the `host` tag or `unknown`,
//! severity, a timestamp with nine fraction digits, `custom_details.result` the data)
//! and the `.link()`s, or for OK a `resolve` of the id (`dedup_key`) alone.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::event::{data_json, rfc3339_fixed_nanos, tag};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[pagerduty2]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PagerDuty2Config {
    /// Whether `.pagerDuty2()` handlers may use it.
    pub enabled: bool,
    /// The events API's URL.
    pub url: String,
    /// The default routing (integration) key.
    pub routing_key: String,
}

impl Default for PagerDuty2Config {
    fn default() -> Self {
        PagerDuty2Config {
            enabled: false,
            url: "https://events.pagerduty.com/v2/enqueue".into(),
            routing_key: String::new(),
        }
    }
}

/// The body of each PagerDuty v2 event.
#[derive(Debug, Clone)]
pub struct PagerDuty2 {
    routing_key: String,
    links: Vec<Value>,
    client_url: String,
}

impl PagerDuty2 {
    /// The handler of `.pagerDuty2()` with `.routingKey()` and `.link(href[, text])`.
    pub fn handler(
        config: &PagerDuty2Config,
        calls: Calls<'_>,
        client_url: &str,
    ) -> Result<PostService<PagerDuty2>, ServiceConfigError> {
        // PagerDuty deduplicates on `dedup_key`: a retry cannot open a second incident.
        let post = JsonPost::new("pagerduty2", &config.url, &TlsSettings::default())?
            .idempotent()
            .with_header("Accept", "application/vnd.pagerduty+json;version=2".into());
        let links = (calls.each("link").into_iter())
            .map(|link| {
                let href = link.first().cloned().unwrap_or_default();
                let text = link.get(1).cloned().unwrap_or_else(|| href.clone());
                json!({"href": href, "text": text})
            })
            .collect();
        Ok(PostService::new(
            post,
            PagerDuty2 {
                routing_key: calls.text_or("routingKey", &config.routing_key),
                links,
                client_url: client_url.to_owned(),
            },
        ))
    }
}

impl Payload for PagerDuty2 {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let severity = match event.level {
            Level::Ok => {
                return Ok(json!({
                    "routing_key": self.routing_key,
                    "dedup_key": event.id,
                    "event_action": "resolve",
                }))
            }
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        Ok(json!({
            "routing_key": self.routing_key,
            "event_action": "trigger",
            "dedup_key": event.id,
            "payload": {
                "summary": event.message,
                "source": tag(event, "host").unwrap_or_else(|| "unknown".into()),
                "severity": severity,
                "timestamp": rfc3339_fixed_nanos(event.time),
                "class": "",
                "component": "",
                "group": "",
                "custom_details": {"result": data_json("pagerduty2", event)?},
            },
            "images": Value::Null,
            "links": match self.links.is_empty() {
                true => Value::Null,
                false => Value::Array(self.links.clone()),
            },
            "client": "kapacitor",
            "client_url": self.client_url,
        }))
    }

    fn describe(&self) -> String {
        "pagerduty2".into()
    }
}
