//! ServiceNow (Event Management): `[servicenow]` and `.serviceNow()`, which POSTs an
//! event with basic authentication: source, node, type, resource and metric name (each
//! cut to 100 bytes; all but source are templates), the message key (a template, the
//! event id when empty; 1024 bytes), the severity as text (`1` critical, `4` warning,
//! `5` OK and INFO) and the message as description (4000 bytes).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::basic_auth::basic_auth;
use crate::services::templates::{cut, event_data, OptionTemplate};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[servicenow]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct ServiceNowConfig {
    /// Whether `.serviceNow()` handlers may use it.
    pub enabled: bool,
    /// The events API's URL.
    pub url: String,
    /// The default event source.
    pub source: String,
    /// The user for basic authentication.
    pub username: String,
    /// The password for basic authentication.
    pub password: String,
}

impl Default for ServiceNowConfig {
    fn default() -> Self {
        ServiceNowConfig {
            enabled: false,
            url: "https://instance.service-now.com/api/global/em/jsonv2".into(),
            source: "Kapacitor".into(),
            username: String::new(),
            password: String::new(),
        }
    }
}

/// Kapacitor's limit for most fields.
const FIELD_CUTOFF: usize = 100;

/// The body of each ServiceNow event.
#[derive(Debug, Clone)]
pub struct ServiceNow {
    source: String,
    /// node, type, resource, metric_name, message_key.
    templates: [OptionTemplate; 5],
}

impl ServiceNow {
    /// The handler of `.serviceNow()` with `.source()`, `.node()`, `.type()`,
    /// `.resource()`, `.metricName()` and `.messageKey()` over `config`.
    pub fn handler(
        config: &ServiceNowConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<ServiceNow>, ServiceConfigError> {
        let mut post = JsonPost::new("servicenow", &config.url, &TlsSettings::default())?;
        if let Some(auth) = basic_auth(&config.username, &config.password) {
            post = post.with_header("Authorization", auth);
        }
        let template = |option: &str| {
            OptionTemplate::parse(
                "servicenow",
                option,
                &calls.text(option).unwrap_or_default(),
            )
        };
        let templates = [
            template("node")?,
            template("type")?,
            template("resource")?,
            template("metricName")?,
            template("messageKey")?,
        ];
        let source = calls.text_or("source", &config.source);
        Ok(PostService::new(post, ServiceNow { source, templates }))
    }
}

impl Payload for ServiceNow {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let data = event_data(event);
        let [node, kind, resource, metric, key] = &self.templates;
        let message_key = match key.render(&data)? {
            key if key.is_empty() => event.id.clone(),
            key => key,
        };
        let severity = match event.level {
            Level::Ok | Level::Info => "5",
            Level::Warning => "4",
            Level::Critical => "1",
        };
        Ok(json!({
            "source": cut(&self.source, FIELD_CUTOFF),
            "node": cut(&node.render(&data)?, FIELD_CUTOFF),
            "type": cut(&kind.render(&data)?, FIELD_CUTOFF),
            "resource": cut(&resource.render(&data)?, FIELD_CUTOFF),
            "metric_name": cut(&metric.render(&data)?, FIELD_CUTOFF),
            "message_key": cut(&message_key, 1024),
            "severity": severity,
            "description": cut(&event.message, 4000),
        }))
    }

    fn describe(&self) -> String {
        "servicenow".into()
    }
}
