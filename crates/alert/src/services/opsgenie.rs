//! OpsGenie (the v1 JSON API): `[opsgenie]` and `.opsGenie()`, which POSTs the API key,
//! the id as `entity` and `alias`, the message, `monitoring_tool` `kapacitor`, the level
//! in `details`, the data as JSON text in `description` and the teams and recipients;
//! an OK event goes to the `recovery_url` with the message as its `note`. Both URLs get
//! a trailing `/`, as Kapacitor appends one.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::row::result_json;
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[opsgenie]` section, with Kapacitor's defaults (`recovery_url` is spelt with an
/// underscore, as in Kapacitor).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct OpsGenieConfig {
    /// Whether `.opsGenie()` handlers may use it.
    pub enabled: bool,
    /// The API key.
    pub api_key: String,
    /// The alerts API's URL.
    pub url: String,
    /// Where recoveries go.
    #[serde(rename = "recovery_url")]
    pub recovery_url: String,
    /// The default teams.
    pub teams: Vec<String>,
    /// The default recipients.
    pub recipients: Vec<String>,
}

impl Default for OpsGenieConfig {
    fn default() -> Self {
        OpsGenieConfig {
            enabled: false,
            api_key: String::new(),
            url: "https://api.opsgenie.com/v1/json/alert".into(),
            recovery_url: "https://api.opsgenie.com/v1/json/alert/note".into(),
            teams: Vec::new(),
            recipients: Vec::new(),
        }
    }
}

/// The body of each OpsGenie v1 event.
#[derive(Debug, Clone)]
pub struct OpsGenie {
    api_key: String,
    recovery_url: String,
    teams: Vec<String>,
    recipients: Vec<String>,
}

impl OpsGenie {
    /// The handler of `.opsGenie()` with `.teams()` and `.recipients()` over `config`.
    pub fn handler(
        config: &OpsGenieConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<OpsGenie>, ServiceConfigError> {
        let url = format!("{}/", config.url);
        let post = JsonPost::new("opsgenie", &url, &TlsSettings::default())?;
        let or_default = |given: Vec<String>, default: &[String]| match given.is_empty() {
            true => default.to_vec(),
            false => given,
        };
        Ok(PostService::new(
            post,
            OpsGenie {
                api_key: config.api_key.clone(),
                recovery_url: format!("{}/", config.recovery_url),
                teams: or_default(calls.texts("teams"), &config.teams),
                recipients: or_default(calls.texts("recipients"), &config.recipients),
            },
        ))
    }
}

impl Payload for OpsGenie {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let (level, note) = match event.level {
            Level::Ok => ("RECOVERY", event.message.as_str()),
            level => (level.as_str(), ""),
        };
        let mut body = json!({
            "apiKey": self.api_key,
            "entity": event.id,
            "alias": event.id,
            "message": event.message,
            "note": note,
            "monitoring_tool": "kapacitor",
            "details": {"Level": level, "Monitoring Tool": "Kapacitor"},
            "description": result_json(&event.data)?,
        });
        if let Some(map) = body.as_object_mut() {
            if !self.teams.is_empty() {
                map.insert("teams".into(), json!(self.teams));
            }
            if !self.recipients.is_empty() {
                map.insert("recipients".into(), json!(self.recipients));
            }
        }
        Ok(body)
    }

    fn url(&self, event: &AlertData) -> Option<String> {
        (event.level == Level::Ok).then(|| self.recovery_url.clone())
    }

    fn describe(&self) -> String {
        "opsgenie".into()
    }
}
