//! Alerta: `[alerta]` and `.alerta()`, which POSTs an alert to `<url>/alert` with
//! `Authorization: <token-prefix> <token>`: resource, event, environment, group and
//! value rendered from Go templates (defaults `{{ .Name }}`, `{{ .ID }}`, the
//! configured environment, `{{ .Group }}`, empty), severity by level (`ok`,
//! `informational`, `warning`, `critical`), the message as `text`, origin, services
//! and correlated events (the measurement when none are given), the timeout in seconds,
//! the tags as `key=value` strings and the data as `rawData`.
//! The templates see what [`event_data`] gives them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::{std_duration, HandlerError};
use crate::http::TlsSettings;
use crate::services::event::{data_json, tags};
use crate::services::templates::{event_data, OptionTemplate};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError, ServiceError};
use crate::template::TemplateData;

/// The `[alerta]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct AlertaConfig {
    /// Whether `.alerta()` handlers may use it.
    pub enabled: bool,
    /// The Alerta API's URL; `/alert` follows it.
    pub url: String,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
    /// The default token.
    pub token: String,
    /// The token's prefix in the `Authorization` header (`Bearer` when empty).
    pub token_prefix: String,
    /// The default environment (a template).
    pub environment: String,
    /// The default origin.
    pub origin: String,
}

impl Default for AlertaConfig {
    fn default() -> Self {
        AlertaConfig {
            enabled: false,
            url: String::new(),
            insecure_skip_verify: false,
            token: String::new(),
            token_prefix: "Bearer".into(),
            environment: String::new(),
            origin: "kapacitor".into(),
        }
    }
}

/// The body of each Alerta alert.
#[derive(Debug, Clone)]
pub struct Alerta {
    resource: OptionTemplate,
    event: OptionTemplate,
    environment: OptionTemplate,
    group: OptionTemplate,
    value: OptionTemplate,
    services: Vec<OptionTemplate>,
    correlated: Vec<OptionTemplate>,
    origin: String,
    timeout_seconds: u64,
}

/// Alerta's default timeout: a day.
const DEFAULT_TIMEOUT_SECONDS: u64 = 24 * 60 * 60;

impl Alerta {
    /// The handler of `.alerta()` with its options over `config`; a template that does
    /// not parse is an error naming the option.
    pub fn handler(
        config: &AlertaConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<Alerta>, ServiceConfigError> {
        let template = |option: &str, default: &str| {
            let text = calls.text(option).unwrap_or_else(|| default.to_owned());
            OptionTemplate::parse("alerta", option, &text)
        };
        let templates = |option: &str| {
            (calls.texts(option).iter())
                .map(|text| OptionTemplate::parse("alerta", option, text))
                .collect::<Result<Vec<_>, _>>()
        };
        let token = calls.text_or("token", &config.token);
        let prefix = match config.token_prefix.as_str() {
            "" => "Bearer",
            prefix => prefix,
        };
        let url = format!("{}/alert", config.url.trim_end_matches('/'));
        let tls = TlsSettings {
            insecure_skip_verify: config.insecure_skip_verify,
            ..TlsSettings::default()
        };
        // Alerta deduplicates on environment, resource and event.
        let post = JsonPost::new("alerta", &url, &tls)?
            .idempotent()
            .with_header("Authorization", format!("{prefix} {token}"));
        let timeout_seconds = (calls.duration("timeout"))
            .map_or(DEFAULT_TIMEOUT_SECONDS, |d| std_duration(d).as_secs());
        let alerta = Alerta {
            resource: template("resource", "{{ .Name }}")?,
            event: template("event", "{{ .ID }}")?,
            environment: template("environment", &config.environment)?,
            group: template("group", "{{ .Group }}")?,
            value: template("value", "")?,
            services: templates("services")?,
            correlated: templates("correlated")?,
            origin: calls.text_or("origin", &config.origin),
            timeout_seconds,
        };
        Ok(PostService::new(post, alerta))
    }
}

/// Renders each of `templates`, or gives the measurement when there are none.
fn render_all(
    templates: &[OptionTemplate],
    data: &TemplateData,
) -> Result<Vec<String>, ServiceError> {
    match templates.is_empty() {
        true => Ok(vec![data.name.clone()]),
        false => templates.iter().map(|t| t.render(data)).collect(),
    }
}

impl Payload for Alerta {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let data = event_data(event);
        let render = |t: &OptionTemplate| t.render(&data);
        let (resource, event_name) = (render(&self.resource)?, render(&self.event)?);
        if resource.is_empty() || event_name.is_empty() {
            return Err(ServiceError::Refused {
                service: "alerta",
                reason: "Resource and Event are required to send an alert".into(),
            }
            .into());
        }
        let severity = match event.level {
            Level::Ok => "ok",
            Level::Info => "informational",
            Level::Warning => "warning",
            Level::Critical => "critical",
        };
        let tag_list: Vec<String> = (tags(event).into_iter())
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        Ok(json!({
            "resource": resource,
            "event": event_name,
            "environment": render(&self.environment)?,
            "severity": severity,
            "group": render(&self.group)?,
            "value": render(&self.value)?,
            "text": event.message,
            "origin": self.origin,
            "rawData": data_json("alerta", event)?,
            "service": render_all(&self.services, &data)?,
            "correlate": render_all(&self.correlated, &data)?,
            "timeout": self.timeout_seconds,
            "tags": tag_list,
        }))
    }

    fn describe(&self) -> String {
        "alerta".into()
    }
}
