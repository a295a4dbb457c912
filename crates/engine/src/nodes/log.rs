//! `|log()`: writes every message it sees as a logfmt line and forwards it unchanged
//! (kapacitor-compat.md, nodes §4.12).
//!
//! Lines go to stderr (or any writer, for tests) in Kapacitor's layout: `lvl=info
//! msg=point node=log3 prefix=… name=… db=… rp=… group=… dimension=… tag_k=… field_k=…
//! time=…`, a batch as `begin_batch`, one `batch_point` per point and `end_batch`. Only
//! `DEBUG` and `ERROR` change the level; anything else (`WARN` too) logs at info, as
//! Kapacitor does. The exact text is not a data contract.

use std::fmt::Write as _;
use std::io::Write;

use tickflow_model::{Batch, FieldValue, Fields, GroupInfo, Message, Point, Tags, Time};
use tickflow_pipeline::nodes::log::LogNode;

use crate::node::{Context, Node, NodeError};

/// The running log node.
pub(crate) struct Log {
    level: &'static str,
    prefix: String,
    out: Box<dyn Write + Send>,
}

impl Log {
    /// A log node writing to stderr.
    pub(crate) fn new(spec: &LogNode) -> Self {
        Self::with_writer(spec, Box::new(std::io::stderr()))
    }

    /// A log node writing to `out`.
    pub(crate) fn with_writer(spec: &LogNode, out: Box<dyn Write + Send>) -> Self {
        let level = match spec.level.to_ascii_uppercase().as_str() {
            "DEBUG" => "debug",
            "ERROR" => "error",
            _ => "info",
        };
        Log {
            level,
            prefix: spec.prefix.clone(),
            out,
        }
    }

    /// The start of every line: level, message kind, node and prefix.
    fn head(&self, line: &mut String, msg: &str, node: &str) {
        let _ = write!(line, "lvl={} msg={msg} node={node}", self.level);
        pair(line, "prefix", &self.prefix);
    }

    /// The lines a message is logged as.
    fn lines(&self, message: &Message, node: &str) -> String {
        let mut text = String::new();
        match message {
            Message::Point(point) => self.point(&mut text, point, node),
            Message::Batch(batch) => self.batch(&mut text, batch, node),
            Message::Barrier { group, time } => {
                self.head(&mut text, "barrier", node);
                group_pairs(&mut text, group);
                pair(&mut text, "time", &time.to_rfc3339());
                text.push('\n');
            }
            Message::DeleteGroup(group) => {
                self.head(&mut text, "delete_group", node);
                group_pairs(&mut text, group);
                text.push('\n');
            }
        }
        text
    }

    fn point(&self, text: &mut String, point: &Point, node: &str) {
        self.head(text, "point", node);
        pair(text, "name", &point.name);
        pair(text, "db", &point.database);
        pair(text, "rp", &point.retention_policy);
        group_pairs(text, &point.group_info());
        data_pairs(text, &point.tags, &point.fields, point.time);
    }

    fn batch(&self, text: &mut String, batch: &Batch, node: &str) {
        self.head(text, "begin_batch", node);
        pair(text, "name", &batch.name);
        group_pairs(text, &batch.group_info());
        pair(text, "tmax", &batch.tmax.to_rfc3339());
        text.push('\n');
        for p in &batch.points {
            self.head(text, "batch_point", node);
            pair(text, "name", &batch.name);
            pair(text, "group", &batch.group.to_string());
            data_pairs(text, &p.tags, &p.fields, p.time);
        }
        self.head(text, "end_batch", node);
        pair(text, "name", &batch.name);
        pair(text, "group", &batch.group.to_string());
        pair(text, "tmax", &batch.tmax.to_rfc3339());
        text.push('\n');
    }
}

/// Appends ` key=value`, quoting the value when logfmt needs it.
fn pair(line: &mut String, key: &str, value: &str) {
    let quote = value.is_empty() || value.contains([' ', '"', '=', '\n', '\\']);
    if quote {
        let _ = write!(line, " {key}={value:?}");
    } else {
        let _ = write!(line, " {key}={value}");
    }
}

/// The group id and each dimension.
fn group_pairs(line: &mut String, group: &GroupInfo) {
    pair(line, "group", &group.id.to_string());
    for name in group.dimensions.tag_names() {
        pair(line, "dimension", name);
    }
}

/// Tags, fields and time, ending the line.
fn data_pairs(line: &mut String, tags: &Tags, fields: &Fields, time: Time) {
    for (k, v) in tags.iter() {
        pair(line, &format!("tag_{k}"), v);
    }
    for (k, v) in fields.iter() {
        let value = match v {
            FieldValue::Float(f) => f.to_string(),
            FieldValue::Integer(i) => i.to_string(),
            FieldValue::Unsigned(u) => u.to_string(),
            FieldValue::String(s) => s.to_string(),
            FieldValue::Boolean(b) => b.to_string(),
        };
        pair(line, &format!("field_{k}"), &value);
    }
    pair(line, "time", &time.to_rfc3339());
    line.push('\n');
}

impl Node for Log {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let text = self.lines(&message, ctx.name());
        self.out
            .write_all(text.as_bytes())
            .map_err(|err| NodeError::new(format!("cannot write the log: {err}")))?;
        ctx.emit(message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tickflow_model::{BatchPoint, Dimensions};

    use super::*;
    use crate::nodes::testing::{point, run};

    /// A writer tests can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(level: &str, messages: Vec<Message>) -> (String, usize) {
        let spec = LogNode {
            level: level.into(),
            prefix: "my prefix".into(),
        };
        let out = Shared::default();
        let (forwarded, _) = run(
            &mut Log::with_writer(&spec, Box::new(out.clone())),
            messages,
        );
        let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("utf-8");
        (text, forwarded.len())
    }

    #[test]
    fn a_point_is_one_logfmt_line_and_is_forwarded() {
        let mut p = point(0, &[("host", "a b")], &[("value", FieldValue::Float(1.5))]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        let (text, forwarded) = logged("DEBUG", vec![Message::Point(p)]);
        assert_eq!(forwarded, 1);
        assert_eq!(
            text,
            "lvl=debug msg=point node=node1 prefix=\"my prefix\" name=cpu db=\"\" rp=\"\" \
             group=\"host=a b\" dimension=host tag_host=\"a b\" field_value=1.5 \
             time=1970-01-01T00:00:00Z\n"
        );
    }

    #[test]
    fn warn_logs_at_info_and_a_batch_is_begin_points_end() {
        let p = point(0, &[], &[("value", FieldValue::Integer(1))]);
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
        batch.points = vec![BatchPoint::from(&p), BatchPoint::from(&p)].into();
        let (text, _) = logged("WARN", vec![Message::Batch(batch)]);
        let kinds: Vec<&str> = text
            .lines()
            .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .map(|s| match s.as_str() {
                "lvl=info msg=begin_batch" => "begin",
                "lvl=info msg=batch_point" => "point",
                "lvl=info msg=end_batch" => "end",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["begin", "point", "point", "end"]);
    }
}
