//! The alert services of a `--config` file: `[[httppost]]` endpoints, `[[mqtt]]` brokers
//! and `[[topic-handler]]` definitions, read into the engine's [`Services`].
//!
//! `[[httppost]]` (`endpoint`, `url`, `headers`, `row-template`, `alert-template`) and `[[mqtt]]` (`name`,
//! `url` as `tcp://host:port`, `client-id`, `username`, `password`, `default`, and
//! `enabled = false` to leave one out) are Kapacitor's sections. `[[topic-handler]]` is
//! tickflow's: a Kapacitor handler file (`topic`, `id`, `kind`, `match`, `options`) as a
//! TOML table, so `.topic()` alerts have handlers in a replay as in the server. Other
//! sections are ignored.
//!
//! ```toml
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
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use tickflow_alert::{Define, HandlerSpec, MqttBroker, MqttBrokers};
use tickflow_engine::{HttpPostEndpoint, Services};

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    httppost: Vec<HttpPost>,
    #[serde(default)]
    mqtt: Vec<Mqtt>,
    #[serde(default, rename = "topic-handler")]
    topic_handlers: Vec<TopicHandler>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct HttpPost {
    endpoint: String,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    row_template: Option<String>,
    alert_template: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Mqtt {
    name: String,
    url: String,
    client_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    default: bool,
    #[serde(default = "enabled")]
    enabled: bool,
}

fn enabled() -> bool {
    true
}

#[derive(Deserialize)]
struct TopicHandler {
    topic: String,
    id: String,
    kind: String,
    #[serde(default, rename = "match")]
    match_expr: String,
    #[serde(default)]
    options: serde_json::Map<String, serde_json::Value>,
}

/// The services of the config file at `path` (the defaults without one).
pub fn load(path: Option<&Path>) -> anyhow::Result<Services> {
    let Some(path) = path else {
        return Ok(Services::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    parse(&text).with_context(|| format!("config {}", path.display()))
}

/// The services a config text declares.
fn parse(text: &str) -> anyhow::Result<Services> {
    let file: File = toml::from_str(text)?;
    let brokers = file
        .mqtt
        .into_iter()
        .filter(|m| m.enabled)
        .map(broker)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let services = Services {
        http_post: file.httppost.into_iter().map(endpoint).collect(),
        mqtt: MqttBrokers::new(brokers)?,
        ..Services::default()
    };
    for handler in file.topic_handlers {
        let (topic, id) = (handler.topic, handler.id.clone());
        let spec = HandlerSpec {
            id: handler.id,
            kind: handler.kind,
            options: handler.options,
            match_expr: handler.match_expr,
        };
        services
            .topics
            .define(&topic, spec, &services, Define::Create)
            .with_context(|| format!("topic-handler {id:?} of topic {topic:?}"))?;
    }
    Ok(services)
}

fn endpoint(section: HttpPost) -> HttpPostEndpoint {
    HttpPostEndpoint {
        name: section.endpoint,
        url: section.url,
        headers: section.headers.into_iter().collect(),
        row_template: section.row_template,
        alert_template: section.alert_template,
    }
}

fn broker(section: Mqtt) -> anyhow::Result<MqttBroker> {
    let mut broker = MqttBroker::new(&section.name, &section.url)
        .with_context(|| format!("mqtt {:?}", section.name))?;
    if let Some(client_id) = section.client_id.filter(|c| !c.is_empty()) {
        broker.client_id = client_id;
    }
    broker.username = section.username.filter(|u| !u.is_empty());
    broker.password = section.password.filter(|p| !p.is_empty());
    broker.default = section.default;
    Ok(broker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_become_endpoints_brokers_and_topic_handlers() {
        let services = parse(
            "[http]\nbind-address = \":9092\"\n\
             [[httppost]]\nendpoint = \"hook\"\nurl = \"http://h/\"\nheaders = { a = \"b\" }\n\
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
        let err = parse("[[mqtt]]\nname = \"x\"\nurl = \"ssl://h\"\n").expect_err("bad url");
        assert_eq!(
            format!("{err:#}"),
            "mqtt \"x\": unsupported mqtt url \"ssl://h\": only tcp://host:port is supported"
        );
        let err = parse("[[topic-handler]]\ntopic = \"t\"\nid = \"l\"\nkind = \"log\"\n")
            .expect_err("no path");
        assert_eq!(
            format!("{err:#}"),
            "topic-handler \"l\" of topic \"t\": a log handler needs option \"path\""
        );
    }
}
