//! `|alert()`: turns points or batches into alert events (nodes.md §8).
//!
//! Each group keeps a [`state::GroupState`]; the level predicates are compiled once and,
//! as in Kapacitor, one evaluator per level is shared by all groups. When an event is
//! due, the id, message and details templates are rendered, the event is queued for every
//! handler ([`handlers`]: each runs on its own thread, so a slow target never stalls the
//! node; a failing handler is counted and logged under the node's name, never fatal), and
//! the point or batch is emitted downstream, augmented with the level, id, message or
//! duration when asked. When the node finishes, it waits until every queued event is
//! delivered.
//!
//! Events are published to the server's topics ([`tickflow_alert::TopicHub`]): the
//! node's anonymous topic `main:<task>:<node>` when it has handlers (its `previousLevel`
//! is what the node's handlers see) and `.topic(name)` when set, whose handlers are
//! defined outside the script (configuration, alerts API) and whose errors are reported
//! under the node's name like its own handlers'. The anonymous topic is deleted when the
//! node finishes.
//!
//! The node's snapshot holds each group's [`state::GroupState`], the lambda state of the
//! level and reset predicates and the inhibitors its groups hold ([`snapshot`]). The
//! topics' event states (`previousLevel`) belong to the [`TopicHub`], not to the node.

pub mod handlers;
pub mod snapshot;
pub mod state;

use serde_json::{json, Value};
use tickflow_alert::template::{Kind, ServerInfo, Template, TemplateData};
use tickflow_alert::{
    anonymous_topic, AlertData, Dispatcher, EncodeError, Inhibitors, Level, Row, Services,
    TopicError, TopicHub, Unencodable,
};
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::{
    Batch, FieldValue, Fields, GroupId, GroupInfo, Message, Point, Str, Tags, Time,
};
use tickflow_pipeline::nodes::alert::AlertNode;

use super::group_state::Groups;
use crate::node::{Context, Node, NodeError};
use crate::state as codec;
use crate::task::TaskError;
use state::GroupState;

/// The running alert node.
pub struct Alert {
    spec: AlertNode,
    task: String,
    node: String,
    inhibitors: Inhibitors,
    server: ServerInfo,
    id: Template,
    message: Template,
    details: Template,
    /// Level predicates, indexed by level (OK has none).
    levels: [Option<Evaluator>; 4],
    /// Reset predicates, indexed by the level they leave.
    resets: [Option<Evaluator>; 4],
    handlers: Dispatcher,
    groups: Groups<GroupState>,
    /// The server's topics.
    topics: TopicHub,
    /// The topic of the node's own handlers, if it has any.
    anonymous: Option<String>,
    /// The `.topic()`, if set.
    named: Option<String>,
    /// Errors of `.topic()` handlers, reported after the current message.
    topic_errors: Vec<TopicError>,
    /// Alerts whose data holds a NaN or infinite value, reported after the current
    /// message.
    unencodable: Vec<Unencodable>,
}

const LEVELS: [Level; 4] = [Level::Ok, Level::Info, Level::Warning, Level::Critical];

fn index(level: Level) -> usize {
    match level {
        Level::Ok => 0,
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}

impl Alert {
    /// An alert node for a validated spec in task `task`; `compile` compiles its lambdas,
    /// `services` provides endpoints and the server identity.
    pub fn new(
        spec: &AlertNode,
        node: &str,
        task: &str,
        services: &Services,
        compile: impl Fn(&tickflow_pipeline::Lambda) -> Result<Lambda, TaskError>,
    ) -> Result<Self, TaskError> {
        let template = |text: &str, kind| {
            Template::parse(text, kind).map_err(|source| TaskError::Template {
                node: node.to_string(),
                source,
            })
        };
        let evaluator =
            |lambda: &Option<tickflow_pipeline::Lambda>| -> Result<Option<Evaluator>, TaskError> {
                lambda
                    .as_ref()
                    .map(|l| compile(l).map(|c| c.evaluator()))
                    .transpose()
            };
        Ok(Alert {
            task: task.to_string(),
            node: node.to_string(),
            inhibitors: services.inhibitors.clone(),
            server: services.server.clone(),
            id: template(&spec.id, Kind::Text)?,
            message: template(&spec.message, Kind::Text)?,
            details: template(&spec.details, Kind::Html)?,
            levels: [
                None,
                evaluator(&spec.info)?,
                evaluator(&spec.warn)?,
                evaluator(&spec.crit)?,
            ],
            resets: [
                None,
                evaluator(&spec.info_reset)?,
                evaluator(&spec.warn_reset)?,
                evaluator(&spec.crit_reset)?,
            ],
            handlers: handlers::start(&spec.handlers, node, services)?,
            groups: Groups::default(),
            topics: services.topics.clone(),
            anonymous: (!spec.handlers.is_empty()).then(|| anonymous_topic(task, node)),
            named: (!spec.topic.is_empty()).then(|| spec.topic.clone()),
            topic_errors: Vec::new(),
            unencodable: Vec::new(),
            spec: spec.clone(),
        })
    }

    /// Kapacitor's level determination for one point given the group's current level.
    fn determine_level(
        &mut self,
        scope: &Scope<'_>,
        current: Level,
        ctx: &mut Context<'_>,
    ) -> Level {
        let floor = index(current).max(1);
        for l in (floor..=3).rev() {
            if self.predicate(l, scope, ctx) {
                return LEVELS[l];
            }
        }
        if let Some(reset) = self.resets[index(current)].as_mut() {
            match reset.eval_bool(scope) {
                Ok(false) => return current,
                Ok(true) => {}
                Err(err) => ctx.error(&err),
            }
        }
        for l in (1..=index(current)).rev() {
            if self.predicate(l, scope, ctx) {
                return LEVELS[l];
            }
        }
        Level::Ok
    }

    /// Whether level `l`'s predicate holds; an error counts as false.
    fn predicate(&mut self, l: usize, scope: &Scope<'_>, ctx: &mut Context<'_>) -> bool {
        let Some(evaluator) = self.levels[l].as_mut() else {
            return false;
        };
        evaluator.eval_bool(scope).unwrap_or_else(|err| {
            ctx.error(&err);
            false
        })
    }

    /// The state of group `id` named `name`, made on its first use (`info` gives the
    /// group's info then).
    fn group(
        &mut self,
        name: &Str,
        id: &GroupId,
        info: impl FnOnce() -> GroupInfo,
    ) -> &mut GroupState {
        let history = self.spec.history;
        self.groups
            .of_group(name, id, info, || GroupState::new(history))
    }

    fn flapping(&self) -> Option<(f64, f64)> {
        self.spec.flapping.as_ref().map(|f| (f.low, f.high))
    }

    fn point(&mut self, mut point: Point, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let current = self
            .group(&point.name, &point.group, || point.group_info())
            .current();
        let level = self.determine_level(&Scope::of_point(&point), current, ctx);
        let (max_interval, flapping) = (self.spec.state_changes_max_interval, self.flapping());
        let group = self.group(&point.name, &point.group, || point.group_info());
        let change = group.add_event(point.time, level, max_interval, flapping);
        let suppressed = group.is_flapping()
            || self.spec.state_changes_only && !change.changed && !change.expired;
        if suppressed || (level == Level::Ok && !change.changed) {
            return Ok(());
        }
        let group = self.group(&point.name, &point.group, || point.group_info());
        group.triggered(point.time);
        let duration = group.duration();
        self.update_inhibitors(&point.group, &point.tags, level);
        if self.spec.no_recoveries && level == Level::Ok {
            return Ok(());
        }
        let event = Event {
            name: &point.name,
            group: &point.group,
            tags: &point.tags,
            fields: &point.fields,
        };
        let data = self.publish(&event, level, point.time, duration, Row::from_point(&point))?;
        ctx.alert_triggered(level);
        self.augment(&mut point.tags, &mut point.fields, &data);
        ctx.emit(Message::Point(point));
        Ok(())
    }

    fn batch(&mut self, mut batch: Batch, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        if batch.points.is_empty() {
            return Ok(());
        }
        let current = self
            .group(&batch.name, &batch.group, || batch.group_info())
            .current();
        // The highest level, the first point that reaches it, and the lowest level.
        let (mut highest, mut highest_at, mut lowest) = (Level::Ok, 0, Level::Critical);
        for i in 0..batch.points.len() {
            let level =
                self.determine_level(&Scope::of_batch_point(&batch.points[i]), current, ctx);
            if i == 0 || level > highest {
                (highest, highest_at) = (level, i);
            }
            lowest = lowest.min(level);
        }
        let level = if self.spec.all { lowest } else { highest };
        let time = if self.spec.all || level == Level::Ok {
            batch.tmax
        } else {
            batch.points[highest_at].time
        };
        let (max_interval, flapping) = (self.spec.state_changes_max_interval, self.flapping());
        let group = self.group(&batch.name, &batch.group, || batch.group_info());
        let change = group.add_event(time, level, max_interval, flapping);
        let quiet = group.is_flapping()
            || self.spec.state_changes_only && !change.changed && !change.expired;
        // A recovery is sent even while flapping; other levels respect the suppressions.
        let triggers = if level == Level::Ok {
            change.changed
        } else {
            !quiet
        };
        if !triggers {
            return Ok(());
        }
        let group = self.group(&batch.name, &batch.group, || batch.group_info());
        group.triggered(time);
        let duration = group.duration();
        self.update_inhibitors(&batch.group, &batch.tags, level);
        if self.spec.no_recoveries && level == Level::Ok {
            return Ok(());
        }
        let fields = batch.points[highest_at].fields.clone();
        let event = Event {
            name: &batch.name,
            group: &batch.group,
            tags: &batch.tags,
            fields: &fields,
        };
        let data = self.publish(&event, level, time, duration, Row::from_batch(&batch))?;
        ctx.alert_triggered(level);
        self.augment(&mut batch.tags, &mut Fields::new(), &data);
        for point in batch.points.make_mut() {
            self.augment(&mut point.tags, &mut point.fields, &data);
        }
        if !self.spec.level_tag.is_empty() || !self.spec.id_tag.is_empty() {
            super::regroup_batch(&mut batch);
        }
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Renders the templates, builds the event and publishes it to the node's topics
    /// (its own handlers' and `.topic()`) unless an inhibitor of the node's category
    /// matches its tags.
    fn publish(
        &mut self,
        event: &Event<'_>,
        level: Level,
        time: Time,
        duration: tickflow_model::Duration,
        row: Row,
    ) -> Result<AlertData, NodeError> {
        let mut data = TemplateData {
            name: event.name.to_string(),
            task_name: self.task.clone(),
            group: event.group.to_string(),
            tags: event.tags.clone(),
            server_info: self.server.clone(),
            ..TemplateData::default()
        };
        let fail = |err: tickflow_alert::template::TemplateError| NodeError::new(err.to_string());
        let id = self.id.render(&data).map_err(fail)?;
        data.id = Some(id.clone());
        data.fields = Some(event.fields.clone());
        data.level = Some(level);
        data.time = Some(time);
        data.duration = Some(duration);
        let message = self.message.render(&data).map_err(fail)?;
        data.message = Some(message.clone());
        // A NaN or infinite value makes the document (and a `{{ json . }}` details)
        // unencodable: the alert is reported once and sent nowhere, the task goes on.
        let unencodable = row.non_finite();
        let details = match unencodable {
            Some(_) => String::new(),
            None => self.details.render(&data).map_err(fail)?,
        };
        let inhibited = !self.spec.category.is_empty()
            && self.inhibitors.inhibits(&self.spec.category, event.tags);
        let mut alert = AlertData {
            id,
            message,
            details,
            time,
            duration,
            level,
            data: vec![row],
            previous_level: Level::Ok,
            recoverable: !self.spec.no_recoveries,
        };
        if let Some(value) = unencodable {
            self.unencodable.push(Unencodable {
                id: alert.id.clone(),
                source: EncodeError::NonFinite(value),
            });
            return Ok(alert);
        }
        if inhibited {
            if let Some(topic) = &self.anonymous {
                alert.previous_level = self.topics.previous_level(topic, &alert.id);
            }
            return Ok(alert);
        }
        if let Some(topic) = &self.named {
            let mut published = alert.clone();
            let errors = self.topics.publish(topic, &mut published);
            self.topic_errors.extend(errors);
        }
        if let Some(topic) = &self.anonymous {
            let errors = self.topics.publish(topic, &mut alert);
            self.topic_errors.extend(errors);
            self.handlers.send(alert.clone());
        }
        Ok(alert)
    }

    /// Turns the group's inhibitors on while its level is not OK (nodes.md §8.7), with
    /// the group's values of each inhibitor's tags.
    fn update_inhibitors(&self, group: &GroupId, tags: &Tags, level: Level) {
        for (i, inhibit) in self.spec.inhibits.iter().enumerate() {
            let values = inhibit
                .equal_tags
                .iter()
                .map(|k| {
                    (
                        k.clone(),
                        tags.get(k).map_or(String::new(), |v| v.to_string()),
                    )
                })
                .collect();
            let owner = format!("{}{group}/{i}", self.inhibitor_prefix());
            self.inhibitors
                .set(&owner, &inhibit.category, values, level != Level::Ok);
        }
    }

    /// What the owners of the node's inhibitors start with.
    fn inhibitor_prefix(&self) -> String {
        format!("{}/{}/", self.task, self.node)
    }

    /// Adds the level, id, message and duration tags and fields the spec asks for.
    fn augment(&self, tags: &mut Tags, fields: &mut Fields, data: &AlertData) {
        let spec = &self.spec;
        let set_tag = |tags: &mut Tags, key: &str, value: &str| {
            if !key.is_empty() {
                tags.insert(Str::from(key), Str::from(value));
            }
        };
        set_tag(tags, &spec.level_tag, data.level.as_str());
        set_tag(tags, &spec.id_tag, &data.id);
        let set_field = |fields: &mut Fields, key: &str, value: FieldValue| {
            if !key.is_empty() {
                fields.insert(Str::from(key), value);
            }
        };
        set_field(
            fields,
            &spec.level_field,
            FieldValue::string(data.level.as_str()),
        );
        set_field(
            fields,
            &spec.message_field,
            FieldValue::string(data.message.as_str()),
        );
        set_field(fields, &spec.id_field, FieldValue::string(data.id.as_str()));
        set_field(
            fields,
            &spec.duration_field,
            FieldValue::Integer(data.duration.nanos()),
        );
    }
}

/// What an event is about: the point's or batch's name, group, tags and fields.
struct Event<'a> {
    name: &'a Str,
    group: &'a GroupId,
    tags: &'a Tags,
    fields: &'a Fields,
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
        for err in self.handlers.take_errors() {
            ctx.error(&err);
        }
        for err in self.topic_errors.drain(..) {
            ctx.error(&err);
        }
        for err in self.unencodable.drain(..) {
            ctx.error(&err);
        }
        result
    }

    /// Waits until the handlers have delivered every queued event, reporting their errors.
    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        for err in self.handlers.close() {
            ctx.error(&err);
        }
        for err in self.topic_errors.drain(..) {
            ctx.error(&err);
        }
        if let Some(topic) = &self.anonymous {
            self.topics.delete_topic(topic);
        }
        Ok(())
    }

    /// Each group's state, the level and reset lambdas' states and the active inhibitors.
    fn snapshot(&self) -> Option<Value> {
        let held = self.inhibitors.held_by(&self.inhibitor_prefix());
        Some(json!({
            "groups": self.groups.to_json(GroupState::to_json),
            "levels": snapshot::evaluators_json(&self.levels),
            "resets": snapshot::evaluators_json(&self.resets),
            "inhibitors": snapshot::held_json(&held),
        }))
    }

    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        let history = self.spec.history;
        let groups = Groups::from_json(codec::member(&saved, "groups")?, |value| {
            GroupState::from_json(value, history)
        })?;
        let held = snapshot::held_from(codec::member(&saved, "inhibitors")?)?;
        snapshot::restore_evaluators(&mut self.levels, codec::member(&saved, "levels")?, "level")?;
        snapshot::restore_evaluators(&mut self.resets, codec::member(&saved, "resets")?, "reset")?;
        self.groups = groups;
        let prefix = self.inhibitor_prefix();
        for h in held {
            self.inhibitors
                .set(&format!("{prefix}{}", h.owner), &h.category, h.tags, true);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::FieldValue;
    use tickflow_pipeline::{BuildOptions, NodeKind};

    use super::*;
    use crate::nodes::testing::{assert_resumes, point, points, run};

    /// The alert node of `stream|from()|alert()<properties>`.
    fn alert(properties: &str) -> Alert {
        alert_with(properties, &Services::default())
    }

    /// [`alert`] with these services.
    fn alert_with(properties: &str, services: &Services) -> Alert {
        let script = format!("stream|from()|alert(){properties}");
        let program = tickflow_tickscript::parse(&script).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
        let node = &pipeline.nodes[2];
        let NodeKind::Alert(spec) = &node.kind else {
            panic!("not an alert node")
        };
        let compile = |l: &tickflow_pipeline::Lambda| {
            Lambda::compile(&l.expr).map_err(|source| TaskError::Lambda {
                node: node.name.clone(),
                source,
            })
        };
        Alert::new(spec, &node.name, "task", services, compile).expect("alert node")
    }

    /// `cpu,host=a value=…` at 0s, 1s, …
    fn values(values: &[f64]) -> Vec<Message> {
        host_values(0, "a", values)
    }

    /// `cpu,host=<host> value=…` grouped by host, at `start` seconds and every second on.
    fn host_values(start: i64, host: &str, values: &[f64]) -> Vec<Message> {
        values
            .iter()
            .zip(start..)
            .map(|(v, secs)| {
                let mut p = point(secs, &[("host", host)], &[("value", FieldValue::Float(*v))]);
                p.set_dimensions(tickflow_model::Dimensions::by_tags(["host"]));
                Message::Point(p)
            })
            .collect()
    }

    /// The time, level and duration (seconds) fields of every emitted point.
    fn events(out: Vec<Message>) -> Vec<(i64, String, i64)> {
        points(out)
            .iter()
            .map(|p| {
                let field = |key: &str| p.fields.get(key).cloned();
                let duration = match field("d") {
                    Some(FieldValue::Integer(nanos)) => nanos / 1_000_000_000,
                    _ => -1,
                };
                let level = field("level").map(|l| l.to_string()).unwrap_or_default();
                (p.time.nanos() / 1_000_000_000, level, duration)
            })
            .collect()
    }

    /// Runs the alert node of `properties` through `first`, then checks that one restored
    /// from its snapshot goes on as it does for `rest`; returns the events of `rest`.
    fn resumes(
        properties: &str,
        first: Vec<Message>,
        rest: Vec<Message>,
    ) -> Vec<(i64, String, i64)> {
        let (out, errors) = assert_resumes(|| alert(properties), first, rest);
        assert!(errors.is_empty(), "{errors:?}");
        events(out)
    }

    #[test]
    fn a_restored_node_reports_the_full_duration_of_an_event() {
        let properties = ".crit(lambda: \"value\" > 10).levelField('level').durationField('d')";
        let first = [
            host_values(0, "a", &[0.0, 20.0, 30.0]),
            host_values(0, "b", &[20.0]),
        ]
        .concat();
        let rest = [
            host_values(3, "a", &[25.0, 0.0]),
            host_values(3, "b", &[0.0]),
        ]
        .concat();
        let got = resumes(properties, first, rest);
        assert_eq!(
            got,
            [
                (3, "CRITICAL".into(), 2),
                (4, "OK".into(), 3),
                (3, "OK".into(), 3)
            ]
        );
    }

    #[test]
    fn a_restored_node_holds_its_groups_inhibitors_again() {
        let properties = ".crit(lambda: \"value\" > 10).inhibit('system', 'host')";
        let mut saved = alert(properties);
        let first = [host_values(0, "a", &[20.0]), host_values(0, "b", &[0.0])].concat();
        run(&mut saved, first);
        let snapshot = saved.snapshot().expect("state");
        let services = Services::default();
        let mut restored = alert_with(properties, &services);
        restored.restore(snapshot.clone()).expect("restores");
        assert_eq!(restored.snapshot(), Some(snapshot));
        let host = |h: &str| Tags::from_pairs([("host", h)]);
        let inhibits = |h: &str| services.inhibitors.inhibits("system", &host(h));
        assert_eq!((inhibits("a"), inhibits("b")), (true, false));
        run(&mut restored, host_values(1, "a", &[0.0]));
        assert!(!inhibits("a"), "the recovery turns it off");
    }

    #[test]
    fn a_snapshot_of_another_history_length_is_refused() {
        let mut saved = alert(".crit(lambda: \"value\" > 10).history(5)");
        run(&mut saved, values(&[20.0]));
        let snapshot = saved.snapshot().expect("state");
        let err = alert(".crit(lambda: \"value\" > 10)")
            .restore(snapshot)
            .expect_err("history differs");
        assert_eq!(
            err.to_string(),
            "invalid snapshot: alert history of 5 levels, the node keeps 21"
        );
    }

    #[test]
    fn a_restored_node_goes_on_flapping() {
        let properties = ".crit(lambda: \"value\" > 10).flapping(0.25, 0.5).history(5)\
                          .levelField('level').durationField('d')";
        let first = host_values(0, "a", &[20.0, 0.0, 20.0, 0.0]);
        let rest = host_values(4, "a", &[20.0, 20.0, 20.0, 20.0, 20.0, 20.0]);
        let got = resumes(properties, first, rest);
        // Flapping hides the alert until the history settles; the duration counts from
        // the last trigger after OK that was sent, at 0s (nodes.md §8.4).
        assert_eq!(got, [(8, "CRITICAL".into(), 8), (9, "CRITICAL".into(), 9)]);
    }

    #[test]
    fn a_restored_node_keeps_the_state_changes_interval() {
        let properties = ".crit(lambda: \"value\" > 10).stateChangesOnly(2s)\
                          .levelField('level').durationField('d')";
        let first = host_values(0, "a", &[20.0, 20.0]);
        let rest = host_values(2, "a", &[20.0, 20.0, 20.0, 0.0]);
        let got = resumes(properties, first, rest);
        assert_eq!(
            got,
            [
                (2, "CRITICAL".into(), 2),
                (4, "CRITICAL".into(), 4),
                (5, "OK".into(), 5)
            ]
        );
    }

    #[test]
    fn a_restored_node_keeps_the_state_of_its_level_lambdas() {
        let properties = ".warn(lambda: count() > 2)\
                          .crit(lambda: sigma(\"value\") > 1.4).critReset(lambda: count() > 1)\
                          .levelField('level').durationField('d')";
        let first = host_values(0, "a", &[1.0, 2.0]);
        let rest = host_values(2, "a", &[1.5, 1.6, 9.0, 1.5, 1.5]);
        let got = resumes(properties, first, rest);
        assert_eq!(
            got,
            [
                (2, "WARNING".into(), 0),
                (3, "WARNING".into(), 1),
                (4, "CRITICAL".into(), 2),
                (5, "CRITICAL".into(), 3),
                (6, "WARNING".into(), 4)
            ]
        );
    }

    /// The level field of every emitted point.
    fn levels(alert: &mut Alert, input: &[f64]) -> Vec<String> {
        let (out, errors) = run(alert, values(input));
        assert!(errors.is_empty(), "{errors:?}");
        points(out)
            .iter()
            .map(|p| {
                p.fields
                    .get("level")
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn resets_hold_a_level_until_they_pass() {
        let mut node = alert(
            ".info(lambda: \"value\" > 60).infoReset(lambda: \"value\" < 50)\
             .warn(lambda: \"value\" > 70).warnReset(lambda: \"value\" < 60)\
             .crit(lambda: \"value\" > 80).critReset(lambda: \"value\" < 70).levelField('level')",
        );
        let got = levels(&mut node, &[61.0, 73.0, 64.0, 85.0, 62.0, 56.0, 47.0]);
        assert_eq!(
            got,
            ["INFO", "WARNING", "WARNING", "CRITICAL", "INFO", "INFO", "OK"]
        );
    }

    #[test]
    fn state_changes_only_sends_alerts_and_recoveries() {
        let mut node =
            alert(".crit(lambda: \"value\" < 93).stateChangesOnly().levelField('level')");
        let got = levels(&mut node, &[95.0, 90.0, 91.0, 95.0, 90.0, 96.0]);
        assert_eq!(got, ["CRITICAL", "OK", "CRITICAL", "OK"]);
    }

    #[test]
    fn state_changes_only_with_an_interval_repeats_and_counts_duration() {
        let mut node =
            alert(".crit(lambda: \"value\" > 10).stateChangesOnly(2s).durationField('d')");
        let (out, _) = run(
            &mut node,
            values(&[
                0.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 0.0,
            ]),
        );
        let got: Vec<(i64, i64)> = points(out)
            .iter()
            .map(|p| {
                (
                    p.time.nanos() / 1_000_000_000,
                    p.fields
                        .get("d")
                        .and_then(FieldValue::as_f64)
                        .unwrap_or(-1.0) as i64
                        / 1_000_000_000,
                )
            })
            .collect();
        assert_eq!(got, [(1, 0), (3, 2), (5, 4), (7, 6), (9, 8), (10, 9)]);
    }

    #[test]
    fn no_recoveries_hides_ok_events() {
        let mut node = alert(".crit(lambda: \"value\" > 10).noRecoveries().levelField('level')");
        assert_eq!(
            levels(&mut node, &[20.0, 0.0, 20.0]),
            ["CRITICAL", "CRITICAL"]
        );
    }

    #[test]
    fn events_reach_the_log_handler_as_kapacitor_documents() {
        let dir = std::env::temp_dir().join(format!("tickflow-alert-node-{}", std::process::id()));
        let path = dir.join("alerts.log");
        let _ = std::fs::remove_file(&path);
        let mut node = alert(&format!(".id('cpu-{{{{ index .Tags \"host\" }}}}').crit(lambda: \"value\" > 10).details('').log('{}')", path.display()));
        run(&mut node, values(&[20.0, 0.0]));
        drop(node);
        let log = std::fs::read_to_string(&path).expect("log written");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "{\"id\":\"cpu-a\",\"message\":\"cpu-a is CRITICAL\",\"details\":\"\",\"time\":\"1970-01-01T00:00:00Z\",\"duration\":0,\"level\":\"CRITICAL\",\"data\":{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1970-01-01T00:00:00Z\",20]]}]},\"previousLevel\":\"OK\",\"recoverable\":true}"
        );
        assert!(
            lines[1].contains("\"level\":\"OK\"")
                && lines[1].contains("\"previousLevel\":\"CRITICAL\"")
                && lines[1].contains("\"duration\":1000000000")
        );
    }

    #[test]
    fn an_alert_holding_nan_is_reported_once_and_the_task_goes_on() {
        let dir = std::env::temp_dir().join(format!("tickflow-alert-nan-{}", std::process::id()));
        let path = dir.join("alerts.log");
        let _ = std::fs::remove_file(&path);
        // The default details are `{{ json . }}`, which cannot encode NaN either.
        let mut node = alert(&format!(
            ".crit(lambda: \"value\" > 10 OR \"value\" != \"value\").log('{}')",
            path.display()
        ));
        let (out, errors) = run(&mut node, values(&[f64::NAN, 0.0, 20.0]));
        drop(node);
        assert_eq!(
            errors,
            ["node1: alert \"cpu:host=a\" was not sent to its handlers: json: unsupported value: NaN"]
        );
        assert_eq!(events(out).len(), 3, "every event still goes downstream");
        let log = std::fs::read_to_string(&path).expect("log written");
        let levels: Vec<bool> = log
            .lines()
            .map(|l| l.contains("\"level\":\"CRITICAL\""))
            .collect();
        assert_eq!(
            levels,
            [false, true],
            "the OK after the NaN alert and the next CRITICAL"
        );
    }

    /// Runs `script` as task `t` over `values` of `cpu,host=a value=…` at 0s, 1s, …, and
    /// returns the errors the task reported.
    fn run_task(script: &str, services: &Services, input: &[f64]) -> Vec<String> {
        let program = tickflow_tickscript::parse(script).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
        let environment = crate::Environment {
            services: services.clone(),
            ..crate::Environment::default()
        };
        let task = crate::Task::build_with(&pipeline, "t", &environment).expect("task builds");
        let diagnostics = std::sync::Arc::new(crate::diagnostics::Collect::default());
        let mut inline = crate::executor::Inline::new(task.dag, diagnostics.clone());
        // One point at a time, so each reaches every branch before the next (inhibitors).
        for message in values(input) {
            inline.push(vec![message]).expect("runs");
        }
        inline.finish().expect("finishes");
        diagnostics.errors()
    }

    #[test]
    fn failing_handlers_are_reported_and_the_others_still_deliver() {
        let dir = std::env::temp_dir().join(format!("tickflow-alert-fail-{}", std::process::id()));
        let path = dir.join("alerts.log");
        let _ = std::fs::remove_file(&path);
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("loopback port");
        let script = format!(
            "stream|from()|alert().crit(lambda: \"value\" > 10).details('')\
             .tcp('{closed}').exec('/nonexistent/handler').log('{}')",
            path.display()
        );
        let errors = run_task(&script, &Services::default(), &[20.0, 0.0, 30.0]);
        let log = std::fs::read_to_string(&path).expect("log written");
        assert_eq!(log.lines().count(), 3, "{log}");
        assert_eq!(errors.len(), 6, "{errors:?}");
        let tcp = format!("alert2: tcp to \"{closed}\" failed: ");
        let exec = "alert2: exec \"/nonexistent/handler\" failed: ";
        assert_eq!(errors.iter().filter(|e| e.starts_with(&tcp)).count(), 3);
        assert_eq!(errors.iter().filter(|e| e.starts_with(exec)).count(), 3);
    }

    #[test]
    fn events_published_to_a_topic_reach_its_handlers_and_state() {
        let dir = std::env::temp_dir().join(format!("tickflow-topic-node-{}", std::process::id()));
        let path = dir.join("topic.log");
        let _ = std::fs::remove_file(&path);
        let services = Services::default();
        let options = serde_json::json!({ "path": path.display().to_string() });
        let spec = tickflow_alert::HandlerSpec {
            id: "log".into(),
            kind: "log".into(),
            options: options.as_object().cloned().expect("object"),
            match_expr: String::new(),
        };
        let hub = &services.topics;
        hub.define("cpu", spec, &services, tickflow_alert::Define::Create)
            .expect("handler defined");
        let script =
            "stream|from()|alert().id('x').crit(lambda: \"value\" > 10).details('').topic('cpu')";
        let errors = run_task(script, &services, &[20.0, 30.0, 0.0]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(hub.close().is_empty());
        let log = std::fs::read_to_string(&path).expect("log written");
        let previous: Vec<bool> = log
            .lines()
            .map(|l| l.contains("\"previousLevel\":\"CRITICAL\""))
            .collect();
        assert_eq!(previous, [false, true, true], "{log}");
        let state = hub.event("cpu", "x").expect("state kept");
        assert_eq!(
            (state.level, state.message.as_str()),
            (Level::Ok, "x is OK")
        );
        assert!(
            hub.topic("main:t:alert2").is_none(),
            "no anonymous topic without handlers"
        );
    }

    #[test]
    fn topic_handler_errors_are_reported_under_the_node() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("loopback port");
        let services = Services::default();
        let options = serde_json::json!({ "address": closed.to_string() });
        let spec = tickflow_alert::HandlerSpec {
            id: "tcp".into(),
            kind: "tcp".into(),
            options: options.as_object().cloned().expect("object"),
            match_expr: String::new(),
        };
        services
            .topics
            .define("cpu", spec, &services, tickflow_alert::Define::Create)
            .expect("handler defined");
        let script = "stream|from()|alert().crit(lambda: TRUE).topic('cpu')";
        let mut errors = run_task(script, &services, &[1.0, 2.0, 3.0]);
        errors.extend(services.topics.close().iter().map(|e| e.to_string()));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors
            .iter()
            .all(|e| e.contains("topic \"cpu\" handler \"tcp\": tcp to ")));
    }

    #[test]
    fn mqtt_handlers_publish_the_message_to_the_configured_broker() {
        let Some(broker) = tickflow_testkit::mosquitto::Mosquitto::start() else {
            return;
        };
        let url = format!("tcp://{}", broker.address);
        let config = tickflow_alert::MqttBroker::new("local", &url).expect("url");
        let services = Services {
            mqtt: tickflow_alert::MqttBrokers::new(vec![config]).expect("broker"),
            ..Services::default()
        };
        let mut subscriber =
            tickflow_alert::mqtt::Subscriber::connect(&broker.address, "watch", "alerts", 1)
                .expect("subscribed");
        let script = "stream|from()|alert().id('cpu').crit(lambda: \"value\" > 10)\
                      .mqtt('alerts').brokerName('local').qos(1).retained(TRUE)";
        let errors = run_task(script, &services, &[20.0, 0.0]);
        assert!(errors.is_empty(), "{errors:?}");
        let wait = std::time::Duration::from_secs(10);
        let messages: Vec<(Vec<u8>, bool)> = (0..2)
            .map(|_| subscriber.next(wait).expect("a message"))
            .map(|m| (m.payload, m.retain))
            .collect();
        assert_eq!(
            messages,
            [
                (b"cpu is CRITICAL".to_vec(), false),
                (b"cpu is OK".to_vec(), false)
            ]
        );
        let mut late =
            tickflow_alert::mqtt::Subscriber::connect(&broker.address, "late", "alerts", 0)
                .expect("subscribed");
        let kept = late.next(wait).expect("the retained message");
        assert_eq!((kept.payload, kept.retain), (b"cpu is OK".to_vec(), true));
        let script = "stream|from()|alert().crit(lambda: TRUE).mqtt('a').brokerName('other')";
        let program = tickflow_tickscript::parse(script).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
        let environment = crate::Environment {
            services,
            ..crate::Environment::default()
        };
        let err = crate::Task::build_with(&pipeline, "t", &environment)
            .err()
            .expect("unknown broker");
        assert_eq!(
            err.to_string(),
            "node alert2: unknown mqtt broker \"other\""
        );
    }

    #[test]
    fn post_endpoints_come_from_the_services() {
        let script = "stream|from()|alert().crit(lambda: TRUE).post().endpoint('test')";
        let program = tickflow_tickscript::parse(script).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
        let err = crate::Task::build(&pipeline, "t")
            .err()
            .expect("no endpoint configured");
        assert_eq!(
            err.to_string(),
            "node alert2: unknown httppost endpoint \"test\""
        );
        let services = Services {
            http_post: vec![tickflow_alert::HttpPostEndpoint {
                name: "test".into(),
                url: "https://example.com/".into(),
                ..Default::default()
            }],
            ..Services::default()
        };
        let environment = crate::Environment {
            services,
            ..crate::Environment::default()
        };
        let err = crate::Task::build_with(&pipeline, "t", &environment)
            .err()
            .expect("no tls");
        assert_eq!(
            err.to_string(),
            "node alert2: unsupported url \"https://example.com/\": only http:// urls are supported"
        );
    }

    #[test]
    fn an_active_inhibitor_keeps_events_of_its_category_from_the_handlers() {
        let dir = std::env::temp_dir().join(format!("tickflow-inhibit-{}", std::process::id()));
        let path = dir.join("alerts.log");
        let _ = std::fs::remove_file(&path);
        let script = format!(
            "var data = stream|from().measurement('cpu')\n\
             data|alert().crit(lambda: \"value\" > 10).inhibit('system', 'host')\n\
             data|alert().category('system').crit(lambda: \"value\" > 5).details('').log('{}')",
            path.display()
        );
        let errors = run_task(&script, &Services::default(), &[20.0, 7.0, 0.0]);
        assert!(errors.is_empty(), "{errors:?}");
        let log = std::fs::read_to_string(&path).expect("log written");
        let levels: Vec<(&str, &str)> = log
            .lines()
            .map(|line| {
                let field = |key: &str| {
                    let start = line.find(&format!("\"{key}\":\"")).expect(key) + key.len() + 4;
                    let end = start + line[start..].find('"').expect("closing quote");
                    &line[start..end]
                };
                (field("level"), field("previousLevel"))
            })
            .collect();
        // 20: inhibited; 7: the inhibitor recovered, so CRITICAL goes out; 0: recovery.
        assert_eq!(levels, [("CRITICAL", "OK"), ("OK", "CRITICAL")]);
    }
}
