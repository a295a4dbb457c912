//! `|kapacitorLoopback()`: writes the points it receives back into the engine's input,
//! under `.database()`/`.retentionPolicy()`, renamed by `.measurement()` and with the
//! `.tag()`s added (kapacitor-compat.md, nodes §4.13). A batch is written as its points.
//!
//! A task's loopback nodes share one [`Loopback`]: the dbrps they write to and a slot
//! for the [`PointWriter`] the task master fills when it starts the task. The master
//! first checks the loop Kapacitor refuses at start: a task may not write back into a
//! dbrp it reads ([`Loopback::check`]; a task naming no dbrp reads every point, so any
//! loopback of it loops). Written points go to every running task that reads them, as a
//! client's write does.
//!
//! In a replay there is no master and nowhere to write: the node drops the points and
//! reports that once, as an error of the node (so it is counted and the summary shows
//! it); the node's stats count every point it received.

use std::sync::{Arc, OnceLock};

use tickflow_model::{Dbrp, Dimensions, GroupId, Message, Point, Str, Tags};
use tickflow_pipeline::nodes::kapacitor_loopback::KapacitorLoopbackNode;

use crate::node::{Context, Node, NodeError};

/// Why points written back were dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LoopbackError {
    /// The task runs outside a task master (a replay).
    #[error("no task master to write to {0} (a replay): points written back are dropped")]
    NoMaster(Dbrp),
    /// The task master has shut down.
    #[error("the task master has shut down: points written back to {0} are dropped")]
    Closed(Dbrp),
}

/// A task that would read what it writes back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("node {node} writes back to {dbrp}, which the task reads: that would loop")]
pub struct LoopError {
    /// The loopback node's name.
    pub node: String,
    /// The database and retention policy it writes to.
    pub dbrp: Dbrp,
}

/// Where written-back points go: the task master's input.
pub trait PointWriter: Send + Sync {
    /// Writes `points` as a client's write would; `false` when the writer can no longer
    /// take points (its master has shut down).
    fn write_points(&self, points: Vec<Point>) -> bool;
}

/// The slot a task's loopback nodes write through.
type Slot = Arc<OnceLock<Arc<dyn PointWriter>>>;

/// A task's loopback nodes: where they write, and the writer they share.
#[derive(Default)]
pub struct Loopback {
    targets: Vec<(String, Dbrp)>,
    writer: Slot,
}

impl Loopback {
    /// The running node for loopback node `name`, recorded as writing to its dbrp.
    pub fn node(&mut self, name: &str, spec: &KapacitorLoopbackNode) -> KapacitorLoopback {
        let dbrp = Dbrp::new(spec.database.as_str(), spec.retention_policy.as_str());
        self.targets.push((name.to_string(), dbrp.clone()));
        KapacitorLoopback {
            dbrp,
            measurement: (!spec.measurement.is_empty())
                .then(|| Str::from(spec.measurement.as_str())),
            tags: super::str_pairs(&spec.tags, |v| Str::from(v.as_str())),
            writer: Arc::clone(&self.writer),
            reported: false,
        }
    }

    /// Refuses a task reading `reads` whose loopback writes into one of them.
    pub fn check(&self, reads: &[Dbrp]) -> Result<(), LoopError> {
        match self
            .targets
            .iter()
            .find(|(_, dbrp)| crate::task::reads_dbrp(reads, dbrp))
        {
            Some((node, dbrp)) => Err(LoopError {
                node: node.clone(),
                dbrp: dbrp.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Whether the task has loopback nodes.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Gives the task's loopback nodes their writer (once; later calls change nothing).
    pub fn connect(&self, writer: Arc<dyn PointWriter>) {
        let _ = self.writer.set(writer);
    }
}

/// The running kapacitorLoopback node.
pub struct KapacitorLoopback {
    dbrp: Dbrp,
    measurement: Option<Str>,
    tags: Vec<(Str, Str)>,
    writer: Slot,
    /// Whether dropped points were reported already.
    reported: bool,
}

impl KapacitorLoopback {
    /// `point` as it is written back: the target dbrp, the measurement and tags set,
    /// and no group (it enters the engine as a client's point does).
    fn rewrite(&self, mut point: Point) -> Point {
        point.database = self.dbrp.database.clone();
        point.retention_policy = self.dbrp.retention_policy.clone();
        if let Some(name) = &self.measurement {
            point.name = name.clone();
        }
        if !self.tags.is_empty() {
            let mut tags: Tags = point.tags.clone();
            for (key, value) in &self.tags {
                tags.insert(key.clone(), value.clone());
            }
            point.tags = tags;
        }
        point.dimensions = Dimensions::default();
        point.group = GroupId::nil();
        point
    }

    /// Writes `points`, reporting the first time they are dropped.
    fn write(&mut self, points: Vec<Point>, ctx: &mut Context<'_>) {
        let error = match self.writer.get() {
            Some(writer) if writer.write_points(points) => return,
            Some(_) => LoopbackError::Closed(self.dbrp.clone()),
            None => LoopbackError::NoMaster(self.dbrp.clone()),
        };
        if !self.reported {
            self.reported = true;
            ctx.error(&error);
        }
    }
}

impl Node for KapacitorLoopback {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let points = match message {
            Message::Point(point) => vec![self.rewrite(point)],
            Message::Batch(batch) => batch.to_points().map(|p| self.rewrite(p)).collect(),
            Message::Barrier { .. } | Message::DeleteGroup(_) => return Ok(()),
        };
        self.write(points, ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tickflow_model::{FieldValue, Time};

    use super::*;
    use crate::nodes::testing::{point, run};

    /// Keeps what is written, or refuses when `open` is false.
    struct Recorder {
        open: bool,
        written: Mutex<Vec<Point>>,
    }

    impl PointWriter for Recorder {
        fn write_points(&self, points: Vec<Point>) -> bool {
            self.written.lock().expect("not poisoned").extend(points);
            self.open
        }
    }

    fn spec(measurement: &str) -> KapacitorLoopbackNode {
        KapacitorLoopbackNode {
            database: "db".into(),
            retention_policy: "rp".into(),
            measurement: measurement.into(),
            tags: vec![
                ("origin".into(), "loop".into()),
                ("host".into(), "x".into()),
            ],
        }
    }

    #[test]
    fn points_are_rewritten_and_batches_written_as_points() {
        let mut loopback = Loopback::default();
        let mut node = loopback.node("kapacitorLoopback2", &spec("out"));
        let recorder = Arc::new(Recorder {
            open: true,
            written: Mutex::new(Vec::new()),
        });
        loopback.connect(recorder.clone());
        let mut p = point(
            1,
            &[("host", "a"), ("cpu", "0")],
            &[("v", FieldValue::Integer(1))],
        );
        p.set_dimensions(Dimensions::by_tags(["host"]));
        let mut batch =
            tickflow_model::Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(9));
        batch.points = vec![(&p).into(), (&p).into()].into();
        let (out, errors) = run(&mut node, vec![Message::Point(p), Message::Batch(batch)]);
        assert!(out.is_empty() && errors.is_empty());
        let written = recorder.written.lock().expect("not poisoned");
        assert_eq!(written.len(), 3);
        let first = &written[0];
        assert_eq!(
            (&*first.database, &*first.retention_policy, &*first.name),
            ("db", "rp", "out")
        );
        let tags: Vec<(&str, &str)> = first.tags.iter().map(|(k, v)| (&**k, &**v)).collect();
        assert_eq!(tags, [("cpu", "0"), ("host", "x"), ("origin", "loop")]);
        assert!(first.group.is_nil() && first.dimensions.is_empty());
    }

    #[test]
    fn without_a_master_points_are_dropped_and_reported_once() {
        let mut node = Loopback::default().node("kapacitorLoopback2", &spec(""));
        let input = (0..3).map(|t| Message::Point(point(t, &[], &[]))).collect();
        let (_, errors) = run(&mut node, input);
        assert_eq!(
            errors,
            ["node1: no task master to write to \"db\".\"rp\" (a replay): points written back are dropped"]
        );
    }

    #[test]
    fn a_closed_master_is_reported_once() {
        let mut loopback = Loopback::default();
        let mut node = loopback.node("kapacitorLoopback2", &spec(""));
        loopback.connect(Arc::new(Recorder {
            open: false,
            written: Mutex::new(Vec::new()),
        }));
        let input = (0..2).map(|t| Message::Point(point(t, &[], &[]))).collect();
        let (_, errors) = run(&mut node, input);
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn a_task_reading_what_it_writes_back_loops() {
        let mut loopback = Loopback::default();
        loopback.node("kapacitorLoopback2", &spec(""));
        let other = Dbrp::new("db", "autogen");
        assert_eq!(loopback.check(std::slice::from_ref(&other)), Ok(()));
        let err = loopback
            .check(&[other, Dbrp::new("db", "rp")])
            .expect_err("reads its target");
        assert_eq!(
            err.to_string(),
            "node kapacitorLoopback2 writes back to \"db\".\"rp\", which the task reads: that would loop"
        );
        assert!(loopback.check(&[]).is_err(), "no dbrp reads everything");
        assert!(Loopback::default().check(&[]).is_ok());
    }
}
