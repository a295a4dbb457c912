//! Talk (jianliao): `[talk]` and `.talk()`, which POSTs the event id as `title`, the
//! message as `text` and the configured `authorName` to the incoming webhook.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::AlertData;
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::{JsonPost, Payload, PostService, ServiceConfigError};

/// The `[talk]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TalkConfig {
    /// Whether `.talk()` handlers may use it.
    pub enabled: bool,
    /// The incoming webhook's URL.
    pub url: String,
    /// The author shown on messages.
    pub author_name: String,
}

/// The body of each Talk message.
#[derive(Debug, Clone)]
pub struct Talk {
    author_name: String,
}

impl Talk {
    /// The handler of `.talk()` over `config`.
    pub fn handler(config: &TalkConfig) -> Result<PostService<Talk>, ServiceConfigError> {
        let post = JsonPost::new("talk", &config.url, &TlsSettings::default())?;
        let author_name = config.author_name.clone();
        Ok(PostService::new(post, Talk { author_name }))
    }
}

impl Payload for Talk {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        Ok(json!({
            "title": event.id,
            "text": event.message,
            "authorName": self.author_name,
        }))
    }

    fn describe(&self) -> String {
        "talk".into()
    }
}
