//! `delete tasks|templates|recordings|replays|topics <id-or-glob>…` and `delete
//! topic-handlers <topic> <id-or-glob>…`: every match is listed, then deleted.

use super::api::{segment, Api, V1};
use super::list::{handlers, topics};
use super::{entries, ids, Usage};

/// `delete`'s usage.
pub(crate) const USAGE: &str = "Usage: tickflow delete (tasks|templates|recordings|replays|topics|topic-handlers) [ID or pattern]...

\tDelete a tasks, templates, recordings, replays, topics or handlers.

\tIf a task is enabled it will be disabled and then deleted.

\tDeleting a handler requires that the topic be specified before the pattern.

\t\t$ tickflow delete topic-handlers [topic] [ID or pattern]


For example:

\tYou can delete task:

\t\t$ tickflow delete tasks my_task

\tOr you can delete items by glob:

\t\t$ tickflow delete tasks *_alert

\tYou can delete recordings:

\t\t$ tickflow delete recordings b0a2ba8a-aeeb-45ec-bef9-1a2939963586

\tYou can delete a handler in the topic 'system':

\t\t$ tickflow delete topic-handlers system slack
";

/// `delete <kind> <id-or-glob>…`.
pub(crate) fn run(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [kind, patterns @ ..] = args else {
        return Err(Usage::new("Must pass at least one ID", USAGE).into());
    };
    if patterns.is_empty() {
        return Err(Usage::new("Must pass at least one ID", USAGE).into());
    }
    match kind.as_str() {
        kind @ ("tasks" | "templates" | "recordings" | "replays") => {
            for pattern in patterns {
                for id in ids(&entries(api, kind, pattern, &["link"])?) {
                    api.delete(&format!("{V1}/{kind}/{}", segment(&id)))?;
                }
            }
        }
        "topics" => {
            for pattern in patterns {
                for topic in topics(api, pattern)? {
                    api.delete(&format!("{V1}/alerts/topics/{}", segment(&topic.id)))?;
                }
            }
        }
        "topic-handlers" => {
            let (topic, patterns) = patterns.split_first().unwrap_or((&patterns[0], &[]));
            for pattern in patterns {
                for handler in handlers(api, topic, pattern)? {
                    api.delete(&format!(
                        "{V1}/alerts/topics/{}/handlers/{}",
                        segment(topic),
                        segment(&handler.id)
                    ))?;
                }
            }
        }
        other => anyhow::bail!(
            "cannot delete '{other}' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics' or 'topic-handlers'?"
        ),
    }
    Ok(())
}
