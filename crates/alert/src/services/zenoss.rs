//! Zenoss: `[zenoss]` and `.zenoss()`, which POSTs a JSON-RPC call of the events router
//! with basic authentication: `action`, `method`, `type`, `tid` and one event in `data`
//! (summary, the message when no summary template is given, cut to 256 bytes; device,
//! component, event class key, event class and message templates; the severity the
//! `severity-map` gives the level; the collector).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::basic_auth::basic_auth;
use crate::services::templates::{cut, event_data, OptionTemplate};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[zenoss]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct ZenossConfig {
    /// Whether `.zenoss()` handlers may use it.
    pub enabled: bool,
    /// The events router's URL.
    pub url: String,
    /// The user for basic authentication.
    pub username: String,
    /// The password for basic authentication.
    pub password: String,
    /// The router (`EventsRouter`).
    pub action: String,
    /// The router method (`add_event`).
    pub method: String,
    /// The call type (`rpc`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The transaction id.
    pub tid: i64,
    /// The default collector.
    pub collector: String,
    /// The Zenoss severity of each level.
    pub severity_map: SeverityMap,
}

/// `[zenoss.severity-map]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SeverityMap {
    /// For OK.
    pub ok: Value,
    /// For INFO.
    pub info: Value,
    /// For WARNING.
    pub warning: Value,
    /// For CRITICAL.
    pub critical: Value,
}

impl Default for SeverityMap {
    fn default() -> Self {
        SeverityMap {
            ok: json!("Clear"),
            info: json!("Info"),
            warning: json!("Warning"),
            critical: json!("Critical"),
        }
    }
}

impl Default for ZenossConfig {
    fn default() -> Self {
        ZenossConfig {
            enabled: false,
            url: "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router".into(),
            username: String::new(),
            password: String::new(),
            action: "EventsRouter".into(),
            method: "add_event".into(),
            kind: "rpc".into(),
            tid: 1,
            collector: "Kapacitor".into(),
            severity_map: SeverityMap::default(),
        }
    }
}

/// The body of each Zenoss event.
#[derive(Debug, Clone)]
pub struct Zenoss {
    action: String,
    method: String,
    kind: String,
    tid: i64,
    collector: String,
    severities: SeverityMap,
    /// summary, device, component, evclasskey, evclass, message.
    templates: [OptionTemplate; 6],
}

impl Zenoss {
    /// The handler of `.zenoss()` with its options over `config`.
    pub fn handler(
        config: &ZenossConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<Zenoss>, ServiceConfigError> {
        let mut post = JsonPost::new("zenoss", &config.url, &TlsSettings::default())?;
        if let Some(auth) = basic_auth(&config.username, &config.password) {
            post = post.with_header("Authorization", auth);
        }
        let template = |option: &str| {
            OptionTemplate::parse("zenoss", option, &calls.text(option).unwrap_or_default())
        };
        let templates = [
            template("summary")?,
            template("device")?,
            template("component")?,
            template("eventClassKey")?,
            template("eventClass")?,
            template("message")?,
        ];
        Ok(PostService::new(
            post,
            Zenoss {
                action: calls.text_or("action", &config.action),
                method: calls.text_or("method", &config.method),
                kind: calls.text_or("type", &config.kind),
                tid: calls.int("tid").filter(|t| *t != 0).unwrap_or(config.tid),
                collector: calls.text_or("collector", &config.collector),
                severities: config.severity_map.clone(),
                templates,
            },
        ))
    }
}

impl Payload for Zenoss {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let data = event_data(event);
        let [summary, device, component, class_key, class, message] = &self.templates;
        let summary = match summary.render(&data)? {
            text if text.is_empty() => event.message.clone(),
            text => text,
        };
        let severity = match event.level {
            Level::Ok => &self.severities.ok,
            Level::Info => &self.severities.info,
            Level::Warning => &self.severities.warning,
            Level::Critical => &self.severities.critical,
        };
        let mut fields = Map::new();
        fields.insert("summary".into(), json!(cut(&summary, 256)));
        fields.insert("device".into(), json!(device.render(&data)?));
        fields.insert("component".into(), json!(component.render(&data)?));
        fields.insert("severity".into(), severity.clone());
        fields.insert("evclasskey".into(), json!(class_key.render(&data)?));
        fields.insert("evclass".into(), json!(class.render(&data)?));
        if !self.collector.is_empty() {
            fields.insert("collector".into(), json!(self.collector));
        }
        let message = message.render(&data)?;
        if !message.is_empty() {
            fields.insert("message".into(), json!(cut(&message, 4096)));
        }
        Ok(json!({
            "action": self.action,
            "method": self.method,
            "data": [fields],
            "type": self.kind,
            "tid": self.tid,
        }))
    }

    fn describe(&self) -> String {
        "zenoss".into()
    }
}
