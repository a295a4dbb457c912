//! `|httpOut('name')`: keeps the latest point or batch of each group for
//! `GET /kapacitor/v1/tasks/<task>/<name>`, and forwards everything unchanged
//! (spec: kapacitor-compat.md (nodes), conformance README §4.1).
//!
//! The node writes into an [`HttpOutput`], a handle shared with whoever serves the
//! endpoint (the server, the conformance runner, an embedding program). The handle keeps
//! the last message of each group in the order the groups were first seen; a
//! `DeleteGroup` message frees its group's slot. The JSON body is only built when it is
//! read, so a busy stream pays one lock and one clone per message, not an encoding. A
//! snapshot holds those messages, so a restored endpoint serves what the saved one did.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Value};
use tickflow_alert::json::EncodeError;
use tickflow_alert::row::{result_json, Row};
use tickflow_model::{GroupId, Message};

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_map::GroupMap;
use crate::nodes::union::{message_from, message_json};
use crate::state::{self, StateError};

/// The httpOut endpoints of a task, by endpoint name.
pub(crate) type HttpOutputs = BTreeMap<String, HttpOutput>;

/// What an httpOut endpoint serves: the latest message of each group.
#[derive(Debug, Clone, Default)]
pub struct HttpOutput {
    slots: Arc<Mutex<Slots>>,
}

/// The latest message of each group, in first-seen order.
#[derive(Debug, Default)]
struct Slots {
    messages: Vec<(GroupId, Message)>,
    index: GroupMap<usize>,
}

impl Slots {
    /// Keeps `message` as the latest of `group`.
    fn put(&mut self, group: &GroupId, message: Message) {
        match self.index.get(group) {
            Some(&at) => self.messages[at].1 = message,
            None => {
                self.index.insert(group.clone(), self.messages.len());
                self.messages.push((group.clone(), message));
            }
        }
    }

    /// Frees the slot of `group`, keeping the others in order.
    fn delete(&mut self, group: &GroupId) {
        if let Some(at) = self.index.remove(group) {
            self.messages.remove(at);
            for (slot, (id, _)) in self.messages.iter().enumerate().skip(at) {
                self.index.insert(id.clone(), slot);
            }
        }
    }
}

impl HttpOutput {
    /// The endpoint's body: `{"series":[…]}` with one series per group, or
    /// `{"series":null}` before anything arrived.
    pub fn body(&self) -> Result<String, EncodeError> {
        let rows: Vec<Row> = self
            .lock()
            .messages
            .iter()
            .filter_map(|(_, message)| match message {
                Message::Point(point) => Some(Row::from_point(point)),
                Message::Batch(batch) => Some(Row::from_batch(batch)),
                _ => None,
            })
            .collect();
        result_json(&rows)
    }

    /// The slots; a writer that panicked left them consistent (every update is a single
    /// assignment), so a poisoned lock is still read.
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The running httpOut node.
pub(crate) struct HttpOut {
    output: HttpOutput,
}

impl HttpOut {
    /// A node writing into `output`.
    pub(crate) fn new(output: HttpOutput) -> Self {
        HttpOut { output }
    }
}

impl Node for HttpOut {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match &message {
            Message::Point(point) => self.output.lock().put(&point.group, message.clone()),
            Message::Batch(batch) => self.output.lock().put(&batch.group, message.clone()),
            Message::DeleteGroup(group) => self.output.lock().delete(&group.id),
            Message::Barrier { .. } => {}
        }
        ctx.emit(message);
        Ok(())
    }

    /// The latest message of each group, in first-seen order.
    fn snapshot(&self) -> Option<Value> {
        let slots = self.output.lock();
        let latest: Vec<Value> = slots
            .messages
            .iter()
            .filter_map(|(_, message)| message_json(message))
            .collect();
        Some(json!({ "latest": latest }))
    }

    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        let mut restored = Slots::default();
        for value in state::array(&saved, "latest")? {
            let message = message_from(value)?;
            let group = match &message {
                Message::Point(point) => point.group.clone(),
                Message::Batch(batch) => batch.group.clone(),
                _ => return Err(StateError::new(format!("not a point or batch: {value}")).into()),
            };
            restored.put(&group, message);
        }
        *self.output.lock() = restored;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, Dimensions, FieldValue, GroupInfo, Time};

    use super::*;
    use crate::nodes::testing::{point, run};

    fn grouped(secs: i64, host: &str, value: f64) -> Message {
        let mut p = point(
            secs,
            &[("host", host)],
            &[("value", FieldValue::Float(value))],
        );
        p.dimensions = Dimensions::by_tags(["host"]);
        p.group = GroupId::new(&p.name, &p.tags, &p.dimensions);
        Message::Point(p)
    }

    #[test]
    fn nothing_received_is_a_null_series() {
        assert_eq!(
            HttpOutput::default().body().expect("encodes"),
            r#"{"series":null}"#
        );
    }

    #[test]
    fn keeps_the_last_message_of_each_group_in_first_seen_order() {
        let output = HttpOutput::default();
        let messages = vec![
            grouped(1, "b", 1.0),
            grouped(2, "a", 2.0),
            grouped(3, "b", 3.0),
        ];
        let (out, errors) = run(&mut HttpOut::new(output.clone()), messages.clone());
        assert_eq!((out, errors), (messages, vec![]));
        assert_eq!(
            output.body().expect("encodes"),
            concat!(
                r#"{"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","value"],"#,
                r#""values":[["1970-01-01T00:00:03Z",3]]},"#,
                r#"{"name":"cpu","tags":{"host":"a"},"columns":["time","value"],"#,
                r#""values":[["1970-01-01T00:00:02Z",2]]}]}"#
            )
        );
    }

    #[test]
    fn a_deleted_group_loses_its_slot() {
        let output = HttpOutput::default();
        let Message::Point(b) = grouped(1, "b", 1.0) else {
            unreachable!("grouped makes points")
        };
        let delete = Message::DeleteGroup(GroupInfo {
            id: b.group.clone(),
            tags: b.tags.clone(),
            dimensions: b.dimensions.clone(),
        });
        let messages = vec![
            Message::Point(b),
            grouped(2, "a", 2.0),
            delete,
            grouped(4, "c", 4.0),
        ];
        run(&mut HttpOut::new(output.clone()), messages);
        let body = output.body().expect("encodes");
        assert!(!body.contains(r#""host":"b""#), "{body}");
        assert!(
            body.find(r#""host":"a""#) < body.find(r#""host":"c""#),
            "{body}"
        );
    }

    #[test]
    fn a_batch_is_one_series() {
        let output = HttpOutput::default();
        let batch = Batch::new("cpu".into(), GroupInfo::default(), Time::from_nanos(0));
        run(
            &mut HttpOut::new(output.clone()),
            vec![Message::Batch(batch)],
        );
        assert_eq!(
            output.body().expect("encodes"),
            r#"{"series":[{"name":"cpu"}]}"#
        );
    }

    #[test]
    fn a_restored_endpoint_serves_what_the_saved_one_would() {
        let (saved, restored) = (HttpOutput::default(), HttpOutput::default());
        let mut saved_node = HttpOut::new(saved.clone());
        run(
            &mut saved_node,
            vec![grouped(1, "b", 1.0), grouped(2, "a", 2.0)],
        );
        let snapshot = saved_node.snapshot().expect("state");
        let mut restored_node = HttpOut::new(restored.clone());
        restored_node
            .restore(serde_json::from_str(&snapshot.to_string()).expect("JSON"))
            .expect("restores");
        assert_eq!(restored.body(), saved.body());
        let rest = vec![grouped(3, "c", 3.0), grouped(4, "b", 4.0)];
        run(&mut saved_node, rest.clone());
        run(&mut restored_node, rest);
        let body = saved.body().expect("encodes");
        assert!(
            body.find(r#""host":"b""#) < body.find(r#""host":"a""#),
            "{body}"
        );
        assert_eq!(restored.body().expect("encodes"), body);
        let barrier = json!({"latest": [{"barrier": {"group": {"name": "", "tags": {}, "dimensions": [], "by_name": false}, "time": 0}}]});
        assert!(restored_node.restore(barrier).is_err());
    }
}
