//! `|alert()`: turns points or batches into alert events (kapacitor-compat.md, nodes §8).
//!
//! Each group keeps a [`state::GroupState`]. A point, or each point of a batch, gets a
//! level from the level predicates ([`levels`]: compiled once and, as in Kapacitor, one
//! evaluator per level shared by all groups); a batch takes its highest level, or its
//! lowest with `.all()`. The one trigger decision ([`trigger`]) records the level in the
//! group's history and says whether it is an event to send. An event turns the node's
//! inhibitors on or off ([`inhibit`]), is published ([`publish`]: its templates
//! rendered, its document built, and, unless an inhibitor of the node's category matches
//! its tags, routed to the node's topics and handlers), and the point or batch is emitted
//! downstream, augmented with the level, id, message or duration when asked
//! ([`augment`]).
//!
//! Handlers ([`handlers`]) each run on their own thread, so a slow target never stalls
//! the node; a failing handler is counted and logged under the node's name, never fatal.
//! When the node finishes, it waits until every queued event is delivered.
//!
//! Events are published to the server's topics ([`tickflow_alert::TopicHub`]): the
//! node's anonymous topic `main:<task>:<node>` when it has handlers (its `previousLevel`
//! is what the node's handlers see) and `.topic(name)` when set, whose handlers are
//! defined outside the script (configuration, alerts API) and whose errors are reported
//! under the node's name like its own handlers'. The anonymous topic is deleted when the
//! node finishes.
//!
//! The node's snapshot holds each group's [`state::GroupState`], the lambda state of the
//! level and reset predicates, the inhibitors its groups hold, the number of events it
//! has handed its handlers (the delivery sequence of [`crate::delivery`]) and the event
//! states of its anonymous topic, which only it publishes to, so a restored node gives
//! the same `previousLevel`s ([`snapshot`]). The states of `.topic()` topics belong to
//! the [`tickflow_alert::TopicHub`], shared by every task, not to the node. The node does not run on the `GroupTransform` skeleton: its level
//! evaluators are shared by all groups and its snapshot holds more than the group table.

pub(crate) mod augment;
pub(crate) mod handlers;
pub(crate) mod inhibit;
pub(crate) mod levels;
pub(crate) mod publish;
pub(crate) mod snapshot;
pub(crate) mod state;
pub(crate) mod trigger;

use serde_json::{json, Value};
use tickflow_alert::{AlertData, Level, Row, Services};
use tickflow_expr::{Lambda, Scope};
use tickflow_model::{Batch, Duration, Fields, Message, Point, Time};
use tickflow_pipeline::nodes::alert::AlertNode;

use super::group_state::Groups;
use crate::node::{Context, Node, NodeError};
use crate::state as codec;
use crate::task::TaskError;
use inhibit::NodeInhibitors;
use levels::Levels;
use publish::{Event, Publisher};
use state::GroupState;
use trigger::{Source, Trigger};

/// The running alert node.
pub(crate) struct Alert {
    spec: AlertNode,
    levels: Levels,
    trigger: Trigger,
    groups: Groups<GroupState>,
    inhibitors: NodeInhibitors,
    publisher: Publisher,
}

impl Alert {
    /// An alert node for a validated spec in task `task`; `compile` compiles its lambdas,
    /// `services` provides endpoints and the server identity.
    pub(crate) fn new(
        spec: &AlertNode,
        node: &str,
        task: &str,
        services: &Services,
        deliveries: Option<&std::sync::Arc<dyn crate::delivery::DeliveryLog>>,
        compile: impl Fn(&tickflow_pipeline::Lambda) -> Result<Lambda, TaskError>,
    ) -> Result<Self, TaskError> {
        Ok(Alert {
            levels: Levels::new(spec, compile)?,
            trigger: Trigger::new(spec),
            groups: Groups::default(),
            inhibitors: NodeInhibitors::new(spec, node, task, services),
            publisher: Publisher::new(spec, node, task, services, deliveries)?,
            spec: spec.clone(),
        })
    }

    fn point(&mut self, mut point: Point, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let history = self.spec.history;
        let group = self.groups.of_point(&point, || GroupState::new(history));
        let level = self
            .levels
            .of_point(&Scope::of_point(&point), group.current(), ctx);
        let Some(duration) = self.trigger.record(group, point.time, level, Source::Point) else {
            return Ok(());
        };
        let event = Event {
            name: &point.name,
            group: &point.group,
            tags: &point.tags,
            fields: &point.fields,
        };
        let row = || Row::from_point(&point);
        let Some(data) = self.send(&event, level, point.time, duration, row, ctx)? else {
            return Ok(());
        };
        augment::augment(&self.spec, &mut point.tags, &mut point.fields, &data);
        ctx.emit(Message::Point(point));
        Ok(())
    }

    fn batch(&mut self, mut batch: Batch, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        if batch.points.is_empty() {
            return Ok(());
        }
        let history = self.spec.history;
        let group = self.groups.of_batch(&batch, || GroupState::new(history));
        let (level, at) = self
            .levels
            .of_batch(&batch.points, group.current(), self.spec.all, ctx);
        let time = if self.spec.all || level == Level::Ok {
            batch.tmax
        } else {
            batch.points[at].time
        };
        let Some(duration) = self.trigger.record(group, time, level, Source::Batch) else {
            return Ok(());
        };
        let event = Event {
            name: &batch.name,
            group: &batch.group,
            tags: &batch.tags,
            fields: &batch.points[at].fields,
        };
        let row = || Row::from_batch(&batch);
        let Some(data) = self.send(&event, level, time, duration, row, ctx)? else {
            return Ok(());
        };
        augment::augment(&self.spec, &mut batch.tags, &mut Fields::new(), &data);
        for point in batch.points.make_mut() {
            augment::augment(&self.spec, &mut point.tags, &mut point.fields, &data);
        }
        if !self.spec.level_tag.is_empty() || !self.spec.id_tag.is_empty() {
            super::regroup_batch(&mut batch);
        }
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Sends an event the trigger decided on: updates the group's inhibitors and, unless
    /// it is a recovery under `.noRecoveries()`, publishes it and counts it; returns the
    /// published document (`None`: nothing goes downstream).
    fn send(
        &mut self,
        event: &Event<'_>,
        level: Level,
        time: Time,
        duration: Duration,
        row: impl FnOnce() -> Row,
        ctx: &mut Context<'_>,
    ) -> Result<Option<AlertData>, NodeError> {
        self.inhibitors.update(event.group, event.tags, level);
        if self.spec.no_recoveries && level == Level::Ok {
            return Ok(None);
        }
        let inhibited = self.inhibitors.inhibits(event.tags);
        let data = self
            .publisher
            .publish(event, level, time, duration, row(), inhibited)?;
        ctx.alert_triggered(level);
        Ok(Some(data))
    }
}

impl Node for Alert {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let result = match message {
            Message::Point(point) => self.point(point, ctx),
            Message::Batch(batch) => self.batch(batch, ctx),
            barrier @ Message::Barrier { .. } => {
                ctx.emit(barrier);
                Ok(())
            }
            Message::DeleteGroup(group) => {
                self.groups.remove(&group.id);
                ctx.emit(Message::DeleteGroup(group));
                Ok(())
            }
        };
        self.publisher.report_errors(ctx);
        result
    }

    /// Waits until the handlers have delivered every queued event, reporting their errors.
    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        self.publisher.close(ctx);
        Ok(())
    }

    /// Each group's state, the level and reset lambdas' states and the active inhibitors.
    fn snapshot(&self) -> Option<Value> {
        Some(json!({
            "groups": self.groups.to_json(GroupState::to_json),
            "levels": snapshot::evaluators_json(self.levels.levels()),
            "resets": snapshot::evaluators_json(self.levels.resets()),
            "inhibitors": snapshot::held_json(&self.inhibitors.held()),
            "sent": self.publisher.sent(),
            "topic": codec::topic_events_json(&self.publisher.anonymous_events()),
        }))
    }

    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        let history = self.spec.history;
        let groups = Groups::from_json(codec::member(&saved, "groups")?, |value| {
            GroupState::from_json(value, history)
        })?;
        let held = snapshot::held_from(codec::member(&saved, "inhibitors")?)?;
        self.levels.restore(
            codec::member(&saved, "levels")?,
            codec::member(&saved, "resets")?,
        )?;
        // Snapshots taken before delivery numbering and topic states were kept have
        // neither: the count starts at 0 and the topic empty, as before.
        let sent = saved.get("sent").and_then(Value::as_u64).unwrap_or(0);
        let events = match saved.get("topic") {
            Some(topic) => codec::topic_events_from(topic)?,
            None => Vec::new(),
        };
        self.groups = groups;
        self.inhibitors.hold(held);
        self.publisher.restore(sent, events);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
