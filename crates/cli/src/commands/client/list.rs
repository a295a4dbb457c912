//! `list tasks|templates|recordings|replays|topics|topic-handlers|service-tests
//! [pattern…]`: Kapacitor's tables, with its columns and widths (a column is as wide as
//! its longest entry plus one; fixed widths elsewhere, trailing spaces included).

use serde::Deserialize;
use serde_json::Value;
use tickflow::tasks::glob_matches;

use super::api::{segment, Api, V1};
use super::go_fmt::{self, pad, Dbrp};
use super::{entries, Usage};

/// `list`'s usage.
pub(crate) const USAGE: &str = "Usage: tickflow list (tasks|templates|recordings|replays|topics|topic-handlers|service-tests) [ID or pattern]...

\tList tasks, templates, recordings, replays, topics or handlers and their current state.

\tIf no ID or pattern is given then all items will be listed.

\tListing handlers requires that the topic ID or pattern be specified before the handler patterns.

\t\t$ tickflow list topic-handlers [topicID or pattern] [ID or pattern]

\tFor example list all handlers in the system topic

\t\t$ tickflow list topic-handlers system

\tFor example list all email* handlers in the system topic

\t\t$ tickflow list topic-handlers system email*
";

/// `list <kind> [pattern…]`.
pub(crate) fn run(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let Some((kind, patterns)) = args.split_first() else {
        return Err(Usage::new(
            "Must specify 'tasks', 'recordings', 'replays', 'topics', or 'topic-handlers'",
            USAGE,
        )
        .into());
    };
    let all = [String::new()];
    let patterns = if patterns.is_empty() {
        &all[..]
    } else {
        patterns
    };
    let text = match kind.as_str() {
        "tasks" => list_tasks(api, patterns)?,
        "templates" => list_templates(api, patterns)?,
        "recordings" => list_recordings(api, patterns)?,
        "replays" => list_replays(api, patterns)?,
        "topics" => list_topics(api, patterns)?,
        "topic-handlers" => list_handlers(api, patterns)?,
        "service-tests" => list_service_tests(api, patterns)?,
        other => anyhow::bail!(
            "cannot list '{other}' did you mean 'tasks', 'recordings', 'replays', 'topics', 'topic-handlers' or 'service-tests'?"
        ),
    };
    print!("{text}");
    Ok(())
}

/// The width of a column: its longest cell (at least `min`) plus one.
fn width<'a>(min: usize, cells: impl Iterator<Item = &'a str>) -> usize {
    cells.map(|c| c.chars().count()).fold(min, usize::max) + 1
}

/// A task row of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaskRow {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    executing: bool,
    dbrps: Vec<Dbrp>,
}

fn list_tasks(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut rows: Vec<TaskRow> = Vec::new();
    for pattern in patterns {
        let fields = ["type", "status", "executing", "dbrps"];
        rows.extend(decode(entries(api, "tasks", pattern, &fields)?)?);
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let id = width(2, rows.iter().map(|r| r.id.as_str()));
    let row = |cells: [&str; 5]| {
        format!(
            "{}{}{}{}{}\n",
            pad(cells[0], id),
            pad(cells[1], 10),
            pad(cells[2], 10),
            pad(cells[3], 10),
            cells[4]
        )
    };
    let mut text = row([
        "ID",
        "Type",
        "Status",
        "Executing",
        "Databases and Retention Policies",
    ]);
    for r in &rows {
        let executing = r.executing.to_string();
        let dbrps = go_fmt::dbrps(&r.dbrps);
        text.push_str(&row([&r.id, &r.kind, &r.status, &executing, &dbrps]));
    }
    Ok(text)
}

/// Entries decoded into rows.
fn decode<T: serde::de::DeserializeOwned>(entries: Vec<Value>) -> anyhow::Result<Vec<T>> {
    let rows = entries.into_iter().map(serde_json::from_value);
    Ok(rows.collect::<Result<Vec<T>, _>>()?)
}

/// A template row of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateRow {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    vars: serde_json::Map<String, Value>,
}

fn list_templates(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut rows: Vec<TemplateRow> = Vec::new();
    for pattern in patterns {
        rows.extend(decode(entries(
            api,
            "templates",
            pattern,
            &["type", "vars"],
        )?)?);
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let id = width(2, rows.iter().map(|r| r.id.as_str()));
    let row = |a: &str, b: &str, c: &str| format!("{}{}{}\n", pad(a, id), pad(b, 10), pad(c, 40));
    let mut text = row("ID", "Type", "Vars");
    for r in &rows {
        let vars: Vec<&str> = r.vars.keys().map(String::as_str).collect();
        text.push_str(&row(&r.id, &r.kind, &vars.join(",")));
    }
    Ok(text)
}

/// A recording row of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RecordingRow {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    size: u64,
    date: String,
}

fn list_recordings(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut rows: Vec<RecordingRow> = Vec::new();
    for pattern in patterns {
        let fields = ["type", "size", "date", "status"];
        rows.extend(decode(entries(api, "recordings", pattern, &fields)?)?);
    }
    let id = width(2, rows.iter().map(|r| r.id.as_str()));
    let row = |cells: [&str; 5]| {
        format!(
            "{}{}{}{}{}\n",
            pad(cells[0], id),
            pad(cells[1], 8),
            pad(cells[2], 10),
            pad(cells[3], 10),
            pad(cells[4], 23)
        )
    };
    let mut text = row(["ID", "Type", "Status", "Size", "Date"]);
    for r in &rows {
        let (size, date) = (go_fmt::bytes(r.size), go_fmt::rfc822_local(&r.date));
        text.push_str(&row([&r.id, &r.kind, &r.status, &size, &date]));
    }
    Ok(text)
}

/// A replay row of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReplayRow {
    id: String,
    task: String,
    recording: String,
    status: String,
    clock: String,
    date: String,
}

fn list_replays(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut rows: Vec<ReplayRow> = Vec::new();
    for pattern in patterns {
        let fields = ["task", "recording", "status", "clock", "date"];
        rows.extend(decode(entries(api, "replays", pattern, &fields)?)?);
    }
    let id = width(2, rows.iter().map(|r| r.id.as_str()));
    let task = width(4, rows.iter().map(|r| r.task.as_str()));
    let recording = width(9, rows.iter().map(|r| r.recording.as_str()));
    let row = |cells: [&str; 6]| {
        format!(
            "{}{}{}{}{}{}\n",
            pad(cells[0], id),
            pad(cells[1], task),
            pad(cells[2], recording),
            pad(cells[3], 9),
            pad(cells[4], 8),
            pad(cells[5], 23)
        )
    };
    let mut text = row(["ID", "Task", "Recording", "Status", "Clock", "Date"]);
    for r in &rows {
        let date = go_fmt::rfc822_local(&r.date);
        text.push_str(&row([
            &r.id,
            &r.task,
            &r.recording,
            &r.status,
            &r.clock,
            &date,
        ]));
    }
    Ok(text)
}

/// A topic as the topics API gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Topic {
    /// The topic's id.
    pub(crate) id: String,
    /// Its level (`OK`, `CRITICAL`…).
    pub(crate) level: String,
    /// How many events it has collected (0 when the server does not count them).
    pub(crate) collected: i64,
}

/// The topics matching the glob `pattern`.
pub(crate) fn topics(api: &Api, pattern: &str) -> anyhow::Result<Vec<Topic>> {
    #[derive(Deserialize)]
    struct Topics {
        topics: Vec<Topic>,
    }
    let query = [("pattern", pattern)];
    let list: Topics = api
        .get(&format!("{V1}/alerts/topics"), &query)?
        .expect(&[200])?;
    Ok(list.topics)
}

fn list_topics(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for pattern in patterns {
        rows.extend(topics(api, pattern)?);
    }
    let id = width(2, rows.iter().map(|t| t.id.as_str()));
    let level = width(8, rows.iter().map(|t| t.level.as_str()));
    let row = |a: &str, b: &str, c: &str| format!("{}{}{c:>10}\n", pad(a, id), pad(b, level));
    let mut text = row("ID", "Level", "Collected");
    for t in &rows {
        text.push_str(&row(&t.id, &t.level, &t.collected.to_string()));
    }
    Ok(text)
}

/// A topic's handler as the handlers API gives it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Handler {
    /// The handler's id.
    pub(crate) id: String,
    /// Its kind (`slack`, `log`…).
    pub(crate) kind: String,
}

/// The handlers of `topic` matching the glob `pattern`.
pub(crate) fn handlers(api: &Api, topic: &str, pattern: &str) -> anyhow::Result<Vec<Handler>> {
    #[derive(Deserialize)]
    struct Handlers {
        handlers: Option<Vec<Handler>>,
    }
    let path = format!("{V1}/alerts/topics/{}/handlers", segment(topic));
    let list: Handlers = api.get(&path, &[("pattern", pattern)])?.expect(&[200])?;
    Ok(list.handlers.unwrap_or_default())
}

fn list_handlers(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let (topic_pattern, handler_patterns) = patterns.split_first().unwrap_or((&patterns[0], &[]));
    let all = [String::new()];
    let handler_patterns = if handler_patterns.is_empty() {
        &all[..]
    } else {
        handler_patterns
    };
    let mut rows: Vec<(String, Handler)> = Vec::new();
    for topic in topics(api, topic_pattern)? {
        for pattern in handler_patterns {
            for handler in handlers(api, &topic.id, pattern)? {
                rows.push((topic.id.clone(), handler));
            }
        }
    }
    let topic = width(10, rows.iter().map(|(t, _)| t.as_str()));
    let id = width(10, rows.iter().map(|(_, h)| h.id.as_str()));
    let kind = width(10, rows.iter().map(|(_, h)| h.kind.as_str()));
    let row =
        |a: &str, b: &str, c: &str| format!("{}{}{}\n", pad(a, topic), pad(b, id), pad(c, kind));
    let mut text = row("Topic", "ID", "Kind");
    for (t, h) in &rows {
        text.push_str(&row(t, &h.id, &h.kind));
    }
    Ok(text)
}

/// The names of the service tests matching the glob `pattern`.
pub(crate) fn service_tests(api: &Api, pattern: &str) -> anyhow::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Service {
        name: String,
    }
    #[derive(Deserialize)]
    struct Services {
        services: Vec<Service>,
    }
    let query = [("pattern", pattern)];
    let list: Services = api
        .get(&format!("{V1}/service-tests"), &query)?
        .expect(&[200])?;
    // Matched here as well: a server that ignores `pattern` still runs only the tests asked
    // for (and one that honours it gives the same list).
    let names = (list.services.into_iter()).map(|s| s.name);
    Ok(names
        .filter(|name| pattern.is_empty() || glob_matches(pattern, name))
        .collect())
}

fn list_service_tests(api: &Api, patterns: &[String]) -> anyhow::Result<String> {
    let mut text = String::from("Service Name\n");
    for pattern in patterns {
        for name in service_tests(api, pattern)? {
            text.push_str(&format!("{name}\n"));
        }
    }
    Ok(text)
}
