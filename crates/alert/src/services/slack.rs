//! Slack: `[[slack]]` workspaces and `.slack()`, which POSTs a message with one
//! attachment coloured by level (`good`, `warning`, `danger`) to the workspace's `url`
//! (`chat.postMessage`, or a legacy incoming webhook), with `Authorization: Bearer
//! <token>` when a token is set.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::{Handler, HandlerError};
use crate::http::TlsSettings;
use crate::services::workspace::{select, Workspace};
use crate::services::{Calls, JsonPost, ServiceConfigError};

/// One `[[slack]]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SlackConfig {
    /// Whether `.slack()` handlers may use it.
    pub enabled: bool,
    /// The workspace used when a handler names none (with several sections).
    pub default: bool,
    /// The name `.workspace()` refers to.
    pub workspace: String,
    /// Where messages are POSTed.
    pub url: String,
    /// The OAuth token (new Slack apps); empty for a legacy webhook.
    pub token: String,
    /// The default channel.
    pub channel: String,
    /// The default user name.
    pub username: String,
    /// The default icon.
    pub icon_emoji: String,
    /// CA certificates to trust (PEM file).
    pub ssl_ca: String,
    /// Client certificate (PEM file).
    pub ssl_cert: String,
    /// The client certificate's key (PEM file).
    pub ssl_key: String,
    /// Accept any server certificate.
    pub insecure_skip_verify: bool,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            enabled: false,
            default: false,
            workspace: String::new(),
            url: "https://slack.com/api/chat.postMessage".into(),
            token: String::new(),
            channel: String::new(),
            username: "kapacitor".into(),
            icon_emoji: String::new(),
            ssl_ca: String::new(),
            ssl_cert: String::new(),
            ssl_key: String::new(),
            insecure_skip_verify: false,
        }
    }
}

impl SlackConfig {
    /// The workspace a handler naming `workspace` (empty for none) uses among
    /// `configs`: the named one, else the default one, else the only one.
    pub fn select<'a>(configs: &'a [SlackConfig], workspace: &str) -> Option<&'a SlackConfig> {
        select(configs, workspace)
    }

    fn tls(&self) -> TlsSettings {
        TlsSettings {
            ssl_ca: self.ssl_ca.clone(),
            ssl_cert: self.ssl_cert.clone(),
            ssl_key: self.ssl_key.clone(),
            insecure_skip_verify: self.insecure_skip_verify,
        }
    }
}

impl Workspace for SlackConfig {
    fn workspace(&self) -> &str {
        &self.workspace
    }

    fn is_default(&self) -> bool {
        self.default
    }
}

/// Sends each event to a Slack channel.
#[derive(Debug, Clone)]
pub struct SlackHandler {
    post: JsonPost,
    channel: String,
    username: String,
    icon_emoji: String,
}

impl SlackHandler {
    /// The handler of `.slack()` with `calls` (`.channel()`, `.username()`,
    /// `.iconEmoji()`) over `config`'s defaults.
    pub fn new(config: &SlackConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let mut post = JsonPost::new("slack", &config.url, &config.tls())?;
        if !config.token.is_empty() {
            post = post.with_header("Authorization", format!("Bearer {}", config.token));
        }
        Ok(SlackHandler {
            post,
            channel: calls.text_or("channel", &config.channel),
            username: calls.text_or("username", &config.username),
            icon_emoji: calls.text_or("iconEmoji", &config.icon_emoji),
        })
    }

    /// The JSON body of `event`.
    fn body(&self, event: &AlertData) -> Value {
        let color = match event.level {
            Level::Warning => "warning",
            Level::Critical => "danger",
            _ => "good",
        };
        let username = match self.username.as_str() {
            "" => "kapacitor",
            name => name,
        };
        let mut body = json!({
            "as_user": false,
            "channel": self.channel,
            "username": username,
            "text": "",
            "attachments": [{
                "fallback": event.message,
                "color": color,
                "text": event.message,
                "mrkdwn_in": ["text"],
            }],
        });
        if let (false, Some(map)) = (self.icon_emoji.is_empty(), body.as_object_mut()) {
            map.insert("icon_emoji".into(), json!(self.icon_emoji));
        }
        body
    }
}

impl Handler for SlackHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        Ok(self.post.send(&self.body(event))?)
    }

    fn describe(&self) -> String {
        format!("slack {:?}", self.channel)
    }
}
