//! OpsGenie (Alert API v2): `[opsgenie2]` and `.opsGenie2()`, which POSTs an alert
//! (`message`, the id as `entity`, its URL-safe base64 as `alias`, `priority` P5/P3/P1
//! by level, the data as JSON text in `description`, `details` with the first series'
//! tags, and the teams and recipients as `responders`) with `Authorization: GenieKey
//! <api-key>`; an OK event POSTs a `note` to `<url>/<alias>/<recovery_action>`
//! (`notes` or `close`) instead.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::row::result_json;
use crate::services::event::{name, tags};
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[opsgenie2]` section, with Kapacitor's defaults (`recovery_action` is spelt
/// with an underscore, as in Kapacitor).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct OpsGenie2Config {
    /// Whether `.opsGenie2()` handlers may use it.
    pub enabled: bool,
    /// The API key.
    pub api_key: String,
    /// The alerts API's URL.
    pub url: String,
    /// What an OK event does: `notes` (add a note) or `close`.
    #[serde(rename = "recovery_action")]
    pub recovery_action: String,
    /// The default teams.
    pub teams: Vec<String>,
    /// The default recipients.
    pub recipients: Vec<String>,
}

impl Default for OpsGenie2Config {
    fn default() -> Self {
        OpsGenie2Config {
            enabled: false,
            api_key: String::new(),
            url: "https://api.opsgenie.com/v2/alerts".into(),
            recovery_action: "notes".into(),
            teams: Vec::new(),
            recipients: Vec::new(),
        }
    }
}

/// The body of each OpsGenie v2 event.
#[derive(Debug, Clone)]
pub struct OpsGenie2 {
    url: String,
    teams: Vec<String>,
    recipients: Vec<String>,
    recovery_action: String,
}

impl OpsGenie2 {
    /// The handler of `.opsGenie2()` with `.teams()` and `.recipients()` over `config`.
    pub fn handler(
        config: &OpsGenie2Config,
        calls: Calls<'_>,
    ) -> Result<PostService<OpsGenie2>, ServiceConfigError> {
        let post = JsonPost::new("opsgenie2", &config.url, &TlsSettings::default())?
            .with_header("Authorization", format!("GenieKey {}", config.api_key));
        let or_default = |given: Vec<String>, default: &[String]| match given.is_empty() {
            true => default.to_vec(),
            false => given,
        };
        let recovery_action = match calls.text("recoveryAction").as_deref() {
            Some(action @ ("notes" | "close")) => action.to_owned(),
            _ if config.recovery_action == "close" => "close".to_owned(),
            _ => "notes".to_owned(),
        };
        Ok(PostService::new(
            post,
            OpsGenie2 {
                url: config.url.trim_end_matches('/').to_owned(),
                teams: or_default(calls.texts("teams"), &config.teams),
                recipients: or_default(calls.texts("recipients"), &config.recipients),
                recovery_action,
            },
        ))
    }

    fn responders(&self) -> Vec<Value> {
        let teams = (self.teams.iter()).map(|team| json!({"name": team, "type": "team"}));
        let users = (self.recipients.iter()).map(|user| json!({"username": user, "type": "user"}));
        teams.chain(users).collect()
    }
}

/// OpsGenie's alias of an event id: its URL-safe base64.
fn alias(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(id)
}

impl Payload for OpsGenie2 {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let priority = match event.level {
            Level::Ok => return Ok(json!({"note": event.message})),
            Level::Info => "P5",
            Level::Warning => "P3",
            Level::Critical => "P1",
        };
        let mut details = Map::new();
        details.insert("Monitoring Tool".into(), json!("Kapacitor"));
        details.insert("Level".into(), json!(event.level.as_str()));
        if !event.data.is_empty() {
            for (key, value) in tags(event) {
                details.insert(key, json!(value));
            }
            details.insert("Kapacitor Task Name".into(), json!(name(event)));
        }
        let mut body = json!({
            "entity": event.id,
            "alias": alias(&event.id),
            "message": event.message,
            "note": "",
            "priority": priority,
            "description": result_json(&event.data)?,
            "details": details,
        });
        let responders = self.responders();
        if let (false, Some(map)) = (responders.is_empty(), body.as_object_mut()) {
            map.insert("responders".into(), Value::Array(responders));
        }
        Ok(body)
    }

    fn url(&self, event: &AlertData) -> Option<String> {
        (event.level == Level::Ok).then(|| {
            format!(
                "{}/{}/{}?identifierType=alias",
                self.url,
                alias(&event.id),
                self.recovery_action
            )
        })
    }

    fn describe(&self) -> String {
        "opsgenie2".into()
    }
}
