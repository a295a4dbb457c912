//! Telegram: `[telegram]` and `.telegram()`, which POSTs the message to the bot API's
//! `sendMessage` (`<url><token>/sendMessage`) for a chat.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::http::TlsSettings;
use crate::services::{Calls, JsonPost, ServiceConfigError};

/// The `[telegram]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TelegramConfig {
    /// Whether `.telegram()` handlers may use it.
    pub enabled: bool,
    /// The bot API's base URL; the token and `/sendMessage` follow it.
    pub url: String,
    /// The bot's token.
    pub token: String,
    /// The default chat.
    pub chat_id: String,
    /// `Markdown` (the default) or `HTML`; empty for plain text.
    pub parse_mode: String,
    /// Disable link previews.
    pub disable_web_page_preview: bool,
    /// Send silently.
    pub disable_notification: bool,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            enabled: false,
            url: "https://api.telegram.org/bot".into(),
            token: String::new(),
            chat_id: String::new(),
            parse_mode: "Markdown".into(),
            disable_web_page_preview: false,
            disable_notification: false,
        }
    }
}

/// Sends each event's message to a Telegram chat.
#[derive(Debug, Clone)]
pub struct TelegramHandler {
    post: JsonPost,
    chat_id: String,
    parse_mode: String,
    disable_web_page_preview: bool,
    disable_notification: bool,
}

impl TelegramHandler {
    /// The handler of `.telegram()` with `calls` (`.chatId()`, `.parseMode()`,
    /// `.disableWebPagePreview()`, `.disableNotification()`) over `config`.
    pub fn new(config: &TelegramConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let url = format!("{}{}/sendMessage", config.url, config.token);
        Ok(TelegramHandler {
            post: JsonPost::new("telegram", &url, &TlsSettings::default())?,
            chat_id: calls.text_or("chatId", &config.chat_id),
            parse_mode: calls.text_or("parseMode", &config.parse_mode),
            disable_web_page_preview: config.disable_web_page_preview
                || calls.flag("disableWebPagePreview"),
            disable_notification: config.disable_notification || calls.flag("disableNotification"),
        })
    }

    /// The JSON body of `event`.
    fn body(&self, event: &AlertData) -> Value {
        let mut body = serde_json::Map::new();
        body.insert("chat_id".into(), json!(self.chat_id));
        body.insert("text".into(), json!(event.message));
        if !self.parse_mode.is_empty() {
            body.insert("parse_mode".into(), json!(self.parse_mode));
        }
        if self.disable_web_page_preview {
            body.insert("disable_web_page_preview".into(), json!(true));
        }
        if self.disable_notification {
            body.insert("disable_notification".into(), json!(true));
        }
        Value::Object(body)
    }
}

impl Handler for TelegramHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        Ok(self.post.send(&self.body(event))?)
    }

    fn describe(&self) -> String {
        format!("telegram {:?}", self.chat_id)
    }
}
