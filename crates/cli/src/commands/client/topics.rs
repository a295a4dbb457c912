//! The alert topic verbs: `show-topic <topic>` (level, handlers and events),
//! `show-topic-handler <topic> <id>` and `define-topic-handler <file>` (a handler written
//! in YAML or JSON, with its `topic` and `id` inside).

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::api::{segment, Api, Method, V1};
use super::go_fmt::{self, pad};
use super::list::{handlers, Topic};
use super::Usage;

fn topic_path(topic: &str) -> String {
    format!("{V1}/alerts/topics/{}", segment(topic))
}

fn handler_path(topic: &str, id: &str) -> String {
    format!("{}/handlers/{}", topic_path(topic), segment(id))
}

/// `show-topic`'s usage.
pub(crate) const SHOW_USAGE: &str = "Usage: tickflow show-topic [topic ID]

\tShow details about a specific topic.
";

/// An event's state.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct State {
    level: String,
    message: String,
    time: String,
}

/// An event of a topic.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Event {
    id: String,
    state: State,
}

/// `show-topic <topic>`.
pub(crate) fn show(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [topic] = args else {
        return Err(Usage::new("Must specify one topic ID", SHOW_USAGE).into());
    };
    let summary: Topic = api.get(&topic_path(topic), &[])?.expect(&[200])?;
    #[derive(Deserialize)]
    struct Events {
        events: Vec<Event>,
    }
    let path = format!("{}/events", topic_path(topic));
    let mut events = api.get(&path, &[])?.expect::<Events>(&[200])?.events;
    events.sort_by_key(|e| chrono::DateTime::parse_from_rfc3339(&e.state.time).ok());
    let handler_ids: Vec<String> = (handlers(api, topic, "")?.into_iter())
        .map(|h| h.id)
        .collect();
    print!("{}", show_text(&summary, &handler_ids, &events));
    Ok(())
}

/// What `show-topic` prints.
fn show_text(topic: &Topic, handler_ids: &[String], events: &[Event]) -> String {
    let event = events
        .iter()
        .map(|e| e.id.chars().count())
        .fold(5, usize::max)
        + 1;
    let message = (events.iter())
        .map(|e| e.state.message.chars().count())
        .fold(7, usize::max)
        + 1;
    let row = |a: &str, b: &str, c: &str, d: &str| {
        format!(
            "{}{}{}{}\n",
            pad(a, event),
            pad(b, 9),
            pad(c, message),
            pad(d, 23)
        )
    };
    let mut text = format!(
        "ID: {}\nLevel: {}\nCollected: {}\nHandlers: [{}]\nEvents:\n",
        topic.id,
        topic.level,
        topic.collected,
        handler_ids.join(", ")
    );
    text.push_str(&row("Event", "Level", "Message", "Date"));
    for e in events {
        let date = go_fmt::rfc822_local(&e.state.time);
        text.push_str(&row(&e.id, &e.state.level, &e.state.message, &date));
    }
    text
}

/// `show-topic-handler`'s usage.
pub(crate) const SHOW_HANDLER_USAGE: &str =
    "Usage: tickflow show-topic-handler [topic ID] [handler ID]

\tShow details about a specific handler.
";

/// A handler as the API gives it, and as a handler file defines it.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
struct Handler {
    #[serde(skip_serializing_if = "String::is_empty")]
    topic: String,
    id: String,
    kind: String,
    #[serde(rename = "match")]
    match_expr: String,
    options: Map<String, Value>,
}

/// `show-topic-handler <topic> <id>`.
pub(crate) fn show_handler(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [topic, id] = args else {
        return Err(Usage::new(
            "Must specify both topic and handler IDs",
            SHOW_HANDLER_USAGE,
        )
        .into());
    };
    let handler: Handler = api.get(&handler_path(topic, id), &[])?.expect(&[200])?;
    let options = go_json(&Value::Object(handler.options));
    println!("ID: {}", handler.id);
    println!("Topic: {topic}");
    println!("Kind: {}", handler.kind);
    println!("Match: {}", handler.match_expr);
    println!("Options: {options}");
    Ok(())
}

/// Compact JSON as Go's `json.Marshal` writes it: keys sorted, `<`, `>` and `&` escaped.
fn go_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `define-topic-handler`'s usage.
pub(crate) const DEFINE_HANDLER_USAGE: &str =
    "Usage: tickflow define-topic-handler <path to handler spec file>

\tCreate or update a handler.

\tA handler is defined via a JSON or YAML file.

For example:

\tDefine a handler using the slack.yaml file:

\t\t$ tickflow define-topic-handler slack.yaml
";

/// `define-topic-handler <file>`: creates the handler the file describes, or replaces it.
pub(crate) fn define_handler(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [path] = args else {
        return Err(Usage::new(
            "Must provide a path to a handler file.",
            DEFINE_HANDLER_USAGE,
        )
        .into());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to open handler spec file {path:?}"))?;
    let handler: Handler = match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => serde_yaml_ng::from_str(&text)
            .with_context(|| format!("failed to unmarshal yaml handler file {path:?}"))?,
        Some("json") => serde_json::from_str(&text)
            .with_context(|| format!("failed to unmarshal json handler file {path:?}"))?,
        _ => anyhow::bail!("bad file extension {path:?}: a handler file is .yaml, .yml or .json"),
    };
    let existing = handler_path(&handler.topic, &handler.id);
    let exists = api
        .get(&existing, &[])
        .is_ok_and(|reply| reply.status == 200);
    let body = serde_json::to_value(&handler)?;
    let reply = if exists {
        api.send(Method::Put, &existing, &body)?
    } else {
        let path = format!("{}/handlers", topic_path(&handler.topic));
        api.send(Method::Post, &path, &body)?
    };
    reply.check(&[200])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_topic_lays_events_out_as_kapacitor_does() {
        let topic = Topic {
            id: "cpu".into(),
            level: "CRITICAL".into(),
            collected: 2,
        };
        let events = [Event {
            id: "cpu:host=a".into(),
            state: State {
                level: "CRITICAL".into(),
                message: "cpu is high".into(),
                time: "2024-01-02T03:04:05Z".into(),
            },
        }];
        let text = show_text(&topic, &["log".into(), "slack".into()], &events);
        let expected = "ID: cpu\nLevel: CRITICAL\nCollected: 2\nHandlers: [log, slack]\nEvents:\n\
            Event      Level    Message     Date                   \n\
            cpu:host=a CRITICAL cpu is high ";
        assert!(text.starts_with(expected), "{text:?}");
    }

    #[test]
    fn options_print_as_go_marshals_them() {
        let options = serde_json::json!({"url": "http://a/?x=1&y=<2>", "channel": "#k"});
        assert_eq!(
            go_json(&options),
            r##"{"channel":"#k","url":"http://a/?x=1\u0026y=\u003c2\u003e"}"##
        );
    }
}
