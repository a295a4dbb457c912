//! HipChat: `[hipchat]` and `.hipChat()`, which POSTs a room notification (`from`
//! `kapacitor`, a colour by level, the message, `notify`) to
//! `<url>/<room>/notification?auth_token=<token>`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[hipchat]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct HipChatConfig {
    /// Whether `.hipChat()` handlers may use it.
    pub enabled: bool,
    /// The rooms API's URL (`https://SUBDOMAIN.hipchat.com/v2/room`).
    pub url: String,
    /// The default room.
    pub room: String,
    /// The default token.
    pub token: String,
}

/// The body of each HipChat notification.
#[derive(Debug, Clone)]
pub struct HipChat {
    room: String,
}

impl HipChat {
    /// The handler of `.hipChat()` with `.room()` and `.token()` over `config`.
    pub fn handler(
        config: &HipChatConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<HipChat>, ServiceConfigError> {
        let room = calls.text_or("room", &config.room);
        let token = calls.text_or("token", &config.token);
        let url = format!("{}/{room}/notification?auth_token={token}", config.url);
        let post = JsonPost::new("hipchat", &url, &TlsSettings::default())?;
        Ok(PostService::new(post, HipChat { room }))
    }
}

impl Payload for HipChat {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let color = match event.level {
            Level::Warning => "yellow",
            Level::Critical => "red",
            _ => "green",
        };
        Ok(json!({
            "from": "kapacitor",
            "color": color,
            "message": event.message,
            "notify": true,
        }))
    }

    fn describe(&self) -> String {
        format!("hipchat {:?}", self.room)
    }
}
