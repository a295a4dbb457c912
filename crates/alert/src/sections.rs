//! The alert services' sections of tickflow's configuration file, as written:
//! Kapacitor's `[[httppost]]` endpoints, `[[mqtt]]` brokers and third-party services
//! (`[[slack]]`, `[telegram]`), and tickflow's
//! `[[topic-handler]]` (a Kapacitor handler file as a TOML table, so `.topic()` alerts
//! have handlers in a replay as in the server). [`Sections::services`] checks them and
//! builds the [`Services`] the engine runs with.
//!
//! ```
//! use tickflow_alert::sections::Sections;
//!
//! let sections: Sections = toml::from_str(r#"
//! [[mqtt]]
//!   name = "local"
//!   url = "tcp://localhost:1883"
//!
//! [[topic-handler]]
//!   topic = "cpu"
//!   id = "to-mqtt"
//!   kind = "mqtt"
//!   [topic-handler.options]
//!     topic = "alerts/cpu"
//!     qos = 1
//! "#).expect("valid sections");
//! let services = sections.services().expect("valid services");
//! assert_eq!(services.topics.handler("cpu", "to-mqtt").map(|h| h.kind), Some("mqtt".into()));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::{HttpPostEndpoint, Services};
use crate::mqtt::{BrokerError, MqttBroker, MqttBrokers};
use crate::services::ServiceConfigs;
use crate::topic::{Define, DefineError, HandlerSpec};

/// The alert services' sections of one configuration file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Sections {
    /// `[[httppost]]`: named endpoints.
    #[serde(default)]
    pub httppost: Vec<HttpPostSection>,
    /// `[[mqtt]]`: brokers.
    #[serde(default)]
    pub mqtt: Vec<MqttSection>,
    /// `[[topic-handler]]`: handlers of alert topics.
    #[serde(default, rename = "topic-handler")]
    pub topic_handlers: Vec<TopicHandlerSection>,
    /// The third-party services (`[[slack]]`, `[telegram]`).
    #[serde(flatten)]
    pub external: ServiceConfigs,
}

/// One `[[httppost]]` section.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct HttpPostSection {
    /// The name `.endpoint(name)` refers to.
    pub endpoint: String,
    /// Where requests go.
    pub url: String,
    /// Headers every request carries.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A Go template for `httpPost` bodies; empty for the row as JSON.
    #[serde(default)]
    pub row_template: String,
    /// A Go template for the body of `.post().endpoint(name)` alert requests; empty
    /// for the alert document.
    #[serde(default)]
    pub alert_template: String,
}

/// One `[[mqtt]]` section.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MqttSection {
    /// The name `.brokerName()` refers to.
    pub name: String,
    /// `tcp://host:port`.
    pub url: String,
    /// The client id (the name when empty).
    #[serde(default)]
    pub client_id: String,
    /// The user name; empty for none.
    #[serde(default)]
    pub username: String,
    /// The password; empty for none.
    #[serde(default)]
    pub password: String,
    /// Whether handlers naming no broker use this one.
    #[serde(default)]
    pub default: bool,
    /// A disabled section is left out.
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl Default for MqttSection {
    fn default() -> Self {
        MqttSection {
            name: String::new(),
            url: String::new(),
            client_id: String::new(),
            username: String::new(),
            password: String::new(),
            default: false,
            enabled: true,
        }
    }
}

/// One `[[topic-handler]]` section: Kapacitor's handler file fields and the topic.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct TopicHandlerSection {
    /// The topic the handler listens on.
    pub topic: String,
    /// The handler's id within the topic.
    pub id: String,
    /// The handler kind (`log`, `post`, ...).
    pub kind: String,
    /// A filter expression.
    #[serde(default, rename = "match")]
    pub match_expr: String,
    /// The kind's options.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// Why the sections do not make services; each names its section.
#[derive(Debug, thiserror::Error)]
pub enum SectionError {
    /// An `[[mqtt]]` section is invalid, or the brokers conflict.
    #[error("mqtt {name:?}: {source}")]
    Mqtt {
        /// The section's name.
        name: String,
        /// What is wrong.
        source: BrokerError,
    },
    /// The brokers conflict (two of one name, two defaults).
    #[error(transparent)]
    Brokers(BrokerError),
    /// A `[[topic-handler]]` does not define.
    #[error("topic-handler {id:?} of topic {topic:?}: {source}")]
    TopicHandler {
        /// The topic.
        topic: String,
        /// The handler's id.
        id: String,
        /// What is wrong.
        source: Box<DefineError>,
    },
}

impl Sections {
    /// The services these sections describe, with the defaults for everything else.
    pub fn services(&self) -> Result<Services, SectionError> {
        let brokers = self
            .mqtt
            .iter()
            .filter(|m| m.enabled)
            .map(MqttSection::broker)
            .collect::<Result<Vec<_>, _>>()?;
        let mqtt = MqttBrokers::new(brokers).map_err(SectionError::Brokers)?;
        let services = Services {
            http_post: self
                .httppost
                .iter()
                .map(HttpPostSection::endpoint)
                .collect(),
            mqtt,
            external: self.external.clone(),
            ..Services::default()
        };
        for handler in &self.topic_handlers {
            let spec = HandlerSpec {
                id: handler.id.clone(),
                kind: handler.kind.clone(),
                options: handler.options.clone(),
                match_expr: handler.match_expr.clone(),
            };
            services
                .topics
                .define(&handler.topic, spec, &services, Define::Create)
                .map_err(|source| SectionError::TopicHandler {
                    topic: handler.topic.clone(),
                    id: handler.id.clone(),
                    source: Box::new(source),
                })?;
        }
        Ok(services)
    }
}

impl HttpPostSection {
    fn endpoint(&self) -> HttpPostEndpoint {
        HttpPostEndpoint {
            name: self.endpoint.clone(),
            url: self.url.clone(),
            headers: self.headers.clone().into_iter().collect(),
            row_template: Some(self.row_template.clone()).filter(|t| !t.is_empty()),
            alert_template: Some(self.alert_template.clone()).filter(|t| !t.is_empty()),
        }
    }
}

impl MqttSection {
    fn broker(&self) -> Result<MqttBroker, SectionError> {
        let fail = |source| SectionError::Mqtt {
            name: self.name.clone(),
            source,
        };
        let mut broker = MqttBroker::new(&self.name, &self.url).map_err(fail)?;
        if !self.client_id.is_empty() {
            broker.client_id = self.client_id.clone();
        }
        broker.username = Some(self.username.clone()).filter(|u| !u.is_empty());
        broker.password = Some(self.password.clone()).filter(|p| !p.is_empty());
        broker.default = self.default;
        Ok(broker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(text: &str) -> Result<Services, SectionError> {
        toml::from_str::<Sections>(text)
            .expect("sections parse")
            .services()
    }

    #[test]
    fn sections_become_endpoints_brokers_and_topic_handlers() {
        let services = services(
            "[[httppost]]\nendpoint = \"hook\"\nurl = \"http://h/\"\nheaders = { a = \"b\" }\n\
             [[mqtt]]\nname = \"one\"\nurl = \"tcp://h:1884\"\nclient-id = \"tf\"\n\
             [[mqtt]]\nname = \"off\"\nurl = \"ssl://h\"\nenabled = false\n\
             [[topic-handler]]\ntopic = \"cpu\"\nid = \"m\"\nkind = \"mqtt\"\n\
             [topic-handler.options]\ntopic = \"alerts\"\nqos = 1\n",
        )
        .expect("valid config");
        let hook = services.endpoint("hook").expect("endpoint");
        assert_eq!(hook.headers, [("a".to_string(), "b".to_string())]);
        assert_eq!(
            services.mqtt.client("").map(|c| c.name().to_string()),
            Ok("one".into())
        );
        let handler = services.topics.handler("cpu", "m").expect("defined");
        assert_eq!(handler.kind, "mqtt");
        assert!(services.topics.close().is_empty());
    }

    #[test]
    fn bad_sections_are_named() {
        let err = services("[[mqtt]]\nname = \"x\"\nurl = \"ssl://h\"\n").expect_err("bad url");
        assert_eq!(
            err.to_string(),
            "mqtt \"x\": unsupported mqtt url \"ssl://h\": only tcp://host:port is supported"
        );
        let err = services("[[topic-handler]]\ntopic = \"t\"\nid = \"l\"\nkind = \"log\"\n")
            .expect_err("no path");
        assert_eq!(
            err.to_string(),
            "topic-handler \"l\" of topic \"t\": a log handler needs option \"path\""
        );
    }
}
