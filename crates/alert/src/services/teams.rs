//! Microsoft Teams: `[teams]` and `.teams()`, which POSTs a MessageCard to the channel's
//! incoming webhook: the title `LEVEL: [id]`, the message as text, a summary cut to 70
//! bytes followed by `...`, and a theme colour by level.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::data::{AlertData, Level};
use crate::handlers::HandlerError;
use crate::http::TlsSettings;
use crate::services::templates::cut;
use crate::services::{Calls, JsonPost, Payload, PostService, ServiceConfigError};

/// The `[teams]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TeamsConfig {
    /// Whether `.teams()` handlers may use it.
    pub enabled: bool,
    /// The default channel webhook URL.
    pub channel_url: String,
}

/// The body of each Teams message.
#[derive(Debug, Clone)]
pub struct Teams;

/// Kapacitor cuts the card's summary to this many bytes.
const SUMMARY_CUTOFF: usize = 70;

impl Teams {
    /// The handler of `.teams()` with `.channelURL()` over `config`.
    pub fn handler(
        config: &TeamsConfig,
        calls: Calls<'_>,
    ) -> Result<PostService<Teams>, ServiceConfigError> {
        let url = calls.text_or("channelURL", &config.channel_url);
        let post = JsonPost::new("teams", &url, &TlsSettings::default())?;
        Ok(PostService::new(post, Teams))
    }
}

impl Payload for Teams {
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError> {
        let level = event.level.as_str();
        let (title, summary) = match event.id.as_str() {
            "" => (level.to_owned(), format!("{level}: {}", event.message)),
            id => {
                let title = format!("{level}: [{id}]");
                let summary = format!("{title} - {}", event.message);
                (title, summary)
            }
        };
        let color = match event.level {
            Level::Warning => "FFA533",
            Level::Critical => "CC4A31",
            _ => "34CC25",
        };
        Ok(json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "title": title,
            "text": event.message,
            "summary": format!("{}...", cut(&summary, SUMMARY_CUTOFF)),
            "themeColor": color,
        }))
    }

    fn describe(&self) -> String {
        "teams".into()
    }
}
