//! PagerDuty (Events API v1): `[pagerduty]` and `.pagerDuty()`, which POSTs
//! `service_key`, `event_type` (`trigger` for WARNING and CRITICAL, `resolve` for OK),
//! the message as `description`, the id as `incident_key`, `client` `kapacitor`, the
//! server's URL as `client_url` and the event's details as `details`. INFO events are
//! refused, as Kapacitor refuses them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError, ServiceError};

/// The `[pagerduty]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PagerDutyConfig {
    /// Whether `.pagerDuty()` handlers may use it.
    pub enabled: bool,
    /// The events API's URL.
    pub url: String,
    /// The default service key.
    pub service_key: String,
}

impl Default for PagerDutyConfig {
    fn default() -> Self {
        PagerDutyConfig {
            enabled: false,
            url: "https://events.pagerduty.com/generic/2010-04-15/create_event.json".into(),
            service_key: String::new(),
        }
    }
}

/// The body of each PagerDuty v1 event.
#[derive(Debug, Clone)]
pub struct PagerDuty {
    service_key: String,
    client_url: String,
}

impl PagerDuty {
    /// The handler of `.pagerDuty()` with `.serviceKey()` over `config`; `client_url`
    /// is the server's URL.
    pub fn handler(
        config: &PagerDutyConfig,
        calls: Calls<'_>,
        client_url: &str,
    ) -> Result<PostService<PagerDuty>, ServiceConfigError> {
        // PagerDuty deduplicates on the incident key: a retry cannot open a second one.
        let post = JsonPost::new("pagerduty", &config.url, &TlsSettings::default())?.idempotent();
        Ok(PostService::new(
            post,
            PagerDuty {
                service_key: calls.text_or("serviceKey", &config.service_key),
                client_url: client_url.to_owned(),
            },
        ))
    }
}

impl Payload for PagerDuty {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let event_type = match event.level {
            Level::Warning | Level::Critical => "trigger",
            Level::Info => {
                return Err(ServiceError::Refused {
                    service: "pagerduty",
                    reason: "AlertLevel 'info' is currently ignored by the PagerDuty service"
                        .into(),
                }
                .into())
            }
            Level::Ok => "resolve",
        };
        Ok(json!({
            "service_key": self.service_key,
            "event_type": event_type,
            "description": event.message,
            "incident_key": event.id,
            "client": "kapacitor",
            "client_url": self.client_url,
            "details": event.details,
        }))
    }

    fn describe(&self) -> String {
        "pagerduty".into()
    }
}
