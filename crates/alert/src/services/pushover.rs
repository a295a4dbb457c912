//! Pushover: `[pushover]` and `.pushover()`, which POSTs a form (not JSON) with the
//! application token, the user key, the message, a priority by level (-2 for OK, -1
//! for INFO, 0 for WARNING, 1 for CRITICAL) and the device, title, URL, URL title and
//! sound when given.

use serde::{Deserialize, Serialize};

use crate::data::{AlertData, Level};
use crate::handlers::{Handler, HandlerError};
use crate::http::TlsSettings;
use crate::services::{Calls, JsonPost, ServiceConfigError};

/// The `[pushover]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PushoverConfig {
    /// Whether `.pushover()` handlers may use it.
    pub enabled: bool,
    /// The application's API token.
    pub token: String,
    /// The user (or group) key.
    pub user_key: String,
    /// The messages API's URL.
    pub url: String,
}

impl Default for PushoverConfig {
    fn default() -> Self {
        PushoverConfig {
            enabled: false,
            token: String::new(),
            user_key: String::new(),
            url: "https://api.pushover.net/1/messages.json".into(),
        }
    }
}

/// Sends each event as a Pushover notification.
#[derive(Debug, Clone)]
pub struct PushoverHandler {
    post: JsonPost,
    token: String,
    user_key: String,
    optional: Vec<(&'static str, String)>,
}

impl PushoverHandler {
    /// The handler of `.pushover()` with `.userKey()`, `.device()`, `.title()`,
    /// `.uRL()`, `.uRLTitle()` and `.sound()` over `config`.
    pub fn new(config: &PushoverConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let optional = [
            ("device", "device"),
            ("title", "title"),
            ("url", "uRL"),
            ("url_title", "uRLTitle"),
            ("sound", "sound"),
        ];
        Ok(PushoverHandler {
            post: JsonPost::new("pushover", &config.url, &TlsSettings::default())?,
            token: config.token.clone(),
            user_key: calls.text_or("userKey", &config.user_key),
            optional: (optional.into_iter())
                .filter_map(|(key, call)| calls.text(call).map(|value| (key, value)))
                .filter(|(_, value)| !value.is_empty())
                .collect(),
        })
    }
}

impl Handler for PushoverHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let priority = match event.level {
            Level::Ok => "-2",
            Level::Info => "-1",
            Level::Warning => "0",
            Level::Critical => "1",
        };
        let mut fields = vec![
            ("token", self.token.as_str()),
            ("user", self.user_key.as_str()),
            ("message", event.message.as_str()),
            ("priority", priority),
        ];
        fields.extend(self.optional.iter().map(|(k, v)| (*k, v.as_str())));
        // Go's url.Values encodes its keys in sorted order.
        fields.sort_by_key(|(key, _)| *key);
        Ok(self.post.send_form(&fields)?)
    }

    fn describe(&self) -> String {
        "pushover".into()
    }
}
