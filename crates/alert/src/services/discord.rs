//! Discord: `[[discord]]` workspaces and `.discord()`, which POSTs to the workspace's
//! webhook URL one embed (the message as description, a colour by level, the embed
//! title, and the event time when `timestamp` is set) with the user name and avatar
//! when given.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::event::rfc3339_seconds;
use crate::services::workspace::Workspace;
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// One `[[discord]]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct DiscordConfig {
    /// Whether `.discord()` handlers may use it.
    pub enabled: bool,
    /// The workspace used when a handler names none (with several sections).
    pub default: bool,
    /// The name `.workspace()` refers to.
    pub workspace: String,
    /// The webhook URL.
    pub url: String,
    /// Show the event time in the embed.
    pub timestamp: bool,
    /// The default user name.
    pub username: String,
    /// The default avatar URL.
    pub avatar_url: String,
    /// The default embed title.
    pub embed_title: String,
    /// CA certificates to trust (PEM file).
    pub ssl_ca: String,
    /// Client certificate (PEM file).
    pub ssl_cert: String,
    /// The client certificate's key (PEM file).
    pub ssl_key: String,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

impl Workspace for DiscordConfig {
    fn workspace(&self) -> &str {
        &self.workspace
    }

    fn is_default(&self) -> bool {
        self.default
    }
}

/// The body of each Discord message.
#[derive(Debug, Clone)]
pub struct Discord {
    username: String,
    avatar_url: String,
    embed_title: String,
    timestamp: bool,
}

impl Discord {
    /// The handler of `.discord()` with `.username()`, `.avatarURL()` and
    /// `.embedTitle()` over `config`.
    pub fn handler(
        config: &DiscordConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<Discord>, ServiceConfigError> {
        let tls = TlsSettings {
            ssl_ca: config.ssl_ca.clone(),
            ssl_cert: config.ssl_cert.clone(),
            ssl_key: config.ssl_key.clone(),
            insecure_skip_verify: config.insecure_skip_verify,
        };
        let post = JsonPost::new("discord", &config.url, &tls)?;
        Ok(PostService::new(
            post,
            Discord {
                username: calls.text_or("username", &config.username),
                avatar_url: calls.text_or("avatarURL", &config.avatar_url),
                embed_title: calls.text_or("embedTitle", &config.embed_title),
                timestamp: config.timestamp,
            },
        ))
    }
}

impl Payload for Discord {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let color = match event.level {
            Level::Critical => 0xF95F53,
            Level::Warning => 0xF48D38,
            _ => 0x7A65F2,
        };
        let timestamp = match self.timestamp {
            true => rfc3339_seconds(event.time),
            false => String::new(),
        };
        let mut body = serde_json::Map::new();
        if !self.username.is_empty() {
            body.insert("username".into(), json!(self.username));
        }
        if !self.avatar_url.is_empty() {
            body.insert("avatar_url".into(), json!(self.avatar_url));
        }
        body.insert(
            "embeds".into(),
            json!([{
                "color": color,
                "title": self.embed_title,
                "description": event.message,
                "timestamp": timestamp,
            }]),
        );
        Ok(Value::Object(body))
    }

    fn describe(&self) -> String {
        "discord".into()
    }
}
