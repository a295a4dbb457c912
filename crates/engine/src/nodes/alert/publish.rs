//! Publishing an alert event, one job per function: the id, message and details
//! templates are rendered (`Publisher::render`), the alert document is built
//! (`Publisher::document`), and the document is routed (`Publisher::route`) to the
//! node's `.topic()` and to its anonymous topic `main:<task>:<node>` and handlers, which
//! set its `previousLevel`. An inhibited event is routed nowhere; it only learns the
//! anonymous topic's previous level. An event whose data holds a NaN or an infinity
//! cannot be encoded (nor can a `{{ json . }}` details): it is reported once, counted,
//! and routed nowhere, and the task goes on.
//!
//! Handler and topic errors are collected as they happen and reported under the node's
//! name after each message ([`Publisher::report_errors`]); when the node finishes,
//! [`Publisher::close`] waits for the handlers to deliver every queued event.

use tickflow_alert::template::{Kind, ServerInfo, Template, TemplateData, TemplateError};
use tickflow_alert::{
    anonymous_topic, AlertData, Dispatcher, EncodeError, EventState, Level, Row, Services,
    TopicError, TopicHub, Unencodable,
};
use tickflow_model::{Duration, Fields, GroupId, Str, Tags, Time};
use tickflow_pipeline::nodes::alert::AlertNode;

use super::handlers;
use crate::delivery::{DeliveryLog, Sequence};
use crate::node::{Context, NodeError};
use crate::task::TaskError;

/// What an event is about: the point's or batch's name, group, tags and fields.
pub(crate) struct Event<'a> {
    /// The measurement.
    pub name: &'a Str,
    /// The group.
    pub group: &'a GroupId,
    /// The point's or batch's tags.
    pub tags: &'a Tags,
    /// The fields of the point (of a batch, of its point at the event's level).
    pub fields: &'a Fields,
}

/// An event's rendered templates.
struct Rendered {
    id: String,
    message: String,
    details: String,
}

/// Where an alert node's events go, and how they read.
pub(crate) struct Publisher {
    task: String,
    server: ServerInfo,
    id: Template,
    message: Template,
    details: Template,
    /// Events say whether a recovery will follow (not under `.noRecoveries()`).
    recoverable: bool,
    handlers: Dispatcher,
    /// The server's topics.
    topics: TopicHub,
    /// The topic of the node's own handlers, if it has any.
    anonymous: Option<String>,
    /// The `.topic()`, if set.
    named: Option<String>,
    /// Errors of `.topic()` handlers, reported after the current message.
    topic_errors: Vec<TopicError>,
    /// Events whose data holds a NaN or infinite value, reported after the current
    /// message.
    unencodable: Vec<Unencodable>,
    /// The events handed to the handlers before the last restore.
    sequence: Sequence,
    /// The events handed to the handlers since.
    sent: u64,
    /// The anonymous topic's events when the node finished and deleted it.
    closed_events: Option<Vec<(String, EventState)>>,
}

impl Publisher {
    /// The publisher of node `node` of task `task`: its templates parsed and its
    /// handlers started.
    pub(crate) fn new(
        spec: &AlertNode,
        node: &str,
        task: &str,
        services: &Services,
        deliveries: Option<&std::sync::Arc<dyn DeliveryLog>>,
    ) -> Result<Self, TaskError> {
        let sequence = Sequence::default();
        let template = |property: &str, text: &str, kind| {
            Template::parse(property, text, kind).map_err(|source| TaskError::Template {
                node: node.to_string(),
                source,
            })
        };
        Ok(Publisher {
            task: task.to_string(),
            server: services.server.clone(),
            id: template(".id()", &spec.id, Kind::Text)?,
            message: template(".message()", &spec.message, Kind::Text)?,
            details: template(".details()", &spec.details, Kind::Html)?,
            recoverable: !spec.no_recoveries,
            handlers: handlers::start(
                &spec.handlers,
                (task, node),
                services,
                deliveries.map(|log| (log, &sequence)),
            )?,
            topics: services.topics.clone(),
            anonymous: (!spec.handlers.is_empty()).then(|| anonymous_topic(task, node)),
            named: (!spec.topic.is_empty()).then(|| spec.topic.clone()),
            topic_errors: Vec::new(),
            unencodable: Vec::new(),
            sequence,
            sent: 0,
            closed_events: None,
        })
    }

    /// Publishes the event at `level`: renders it, builds its document with `row` and,
    /// unless `inhibited`, routes it; returns the document as routed.
    pub(crate) fn publish(
        &mut self,
        event: &Event<'_>,
        level: Level,
        time: Time,
        duration: Duration,
        row: Row,
        inhibited: bool,
    ) -> Result<AlertData, NodeError> {
        let non_finite = row.non_finite();
        let rendered = self.render(event, level, time, duration, non_finite.is_none())?;
        let mut alert = self.document(rendered, level, time, duration, row);
        if let Some(value) = non_finite {
            self.unencodable.push(Unencodable {
                id: alert.id.clone(),
                source: EncodeError::NonFinite(value),
            });
        } else if inhibited {
            self.learn_previous_level(&mut alert);
        } else {
            self.route(&mut alert);
        }
        Ok(alert)
    }

    /// The id (from the group), then the message (which may use the id), then the
    /// details (which may use both; left empty unless `with_details`) of the event.
    fn render(
        &self,
        event: &Event<'_>,
        level: Level,
        time: Time,
        duration: Duration,
        with_details: bool,
    ) -> Result<Rendered, NodeError> {
        let fail = |err: TemplateError| NodeError::new(err.to_string());
        let mut data = TemplateData {
            name: event.name.to_string(),
            task_name: self.task.clone(),
            group: event.group.to_string(),
            tags: event.tags.clone(),
            server_info: self.server.clone(),
            ..TemplateData::default()
        };
        let id = self.id.render(&data).map_err(fail)?;
        data.id = Some(id.clone());
        data.fields = Some(event.fields.clone());
        data.level = Some(level);
        data.time = Some(time);
        data.duration = Some(duration);
        let message = self.message.render(&data).map_err(fail)?;
        data.message = Some(message.clone());
        let details = match with_details {
            true => self.details.render(&data).map_err(fail)?,
            false => String::new(),
        };
        Ok(Rendered {
            id,
            message,
            details,
        })
    }

    /// The event's alert document, its previous level not known yet (OK).
    fn document(
        &self,
        rendered: Rendered,
        level: Level,
        time: Time,
        duration: Duration,
        row: Row,
    ) -> AlertData {
        AlertData {
            id: rendered.id,
            message: rendered.message,
            details: rendered.details,
            time,
            duration,
            level,
            data: vec![row],
            previous_level: Level::Ok,
            recoverable: self.recoverable,
        }
    }

    /// An inhibited event goes nowhere; it takes the anonymous topic's previous level.
    fn learn_previous_level(&self, alert: &mut AlertData) {
        if let Some(topic) = &self.anonymous {
            alert.previous_level = self.topics.previous_level(topic, &alert.id);
        }
    }

    /// Routes an event that is not inhibited: to the `.topic()` (a copy, whose previous
    /// level is that topic's), then to the anonymous topic, which sets `alert`'s previous
    /// level, and to the node's handlers: the script's and the embedding program's sinks.
    ///
    /// **Every event that is not inhibited passes here exactly once**: this is the one
    /// place to hand events to any further receiver.
    fn route(&mut self, alert: &mut AlertData) {
        if let Some(topic) = &self.named {
            let mut published = alert.clone();
            let errors = self.topics.publish(topic, &mut published);
            self.topic_errors.extend(errors);
        }
        if let Some(topic) = &self.anonymous {
            let errors = self.topics.publish(topic, alert);
            self.topic_errors.extend(errors);
        }
        if !self.handlers.is_empty() {
            self.handlers.send(alert.clone());
            self.sent += 1;
        }
    }

    /// How many events the node has handed its handlers, over its restores.
    pub(crate) fn sent(&self) -> u64 {
        self.sequence.base() + self.sent
    }

    /// The event states of the node's anonymous topic.
    pub(crate) fn anonymous_events(&self) -> Vec<(String, EventState)> {
        if let Some(events) = &self.closed_events {
            return events.clone();
        }
        (self.anonymous.as_ref())
            .and_then(|topic| self.topics.events(topic))
            .unwrap_or_default()
    }

    /// Goes on from a snapshot: `sent` events were handed on, and the anonymous topic
    /// held `events`.
    pub(crate) fn restore(&mut self, sent: u64, events: Vec<(String, EventState)>) {
        self.sequence.restore(sent);
        self.sent = 0;
        if let Some(topic) = &self.anonymous {
            self.topics.restore_events(topic, events);
        }
    }

    /// Reports the handler and topic errors collected since the last report.
    pub(crate) fn report_errors(&mut self, ctx: &mut Context<'_>) {
        for err in self.handlers.take_errors() {
            ctx.error(&err);
        }
        ctx.handler_delivery(self.handlers.delivery());
        self.report_topic_errors(ctx);
    }

    /// Waits until the handlers have delivered every queued event, reporting their
    /// errors, and deletes the anonymous topic.
    pub(crate) fn close(&mut self, ctx: &mut Context<'_>) {
        for err in self.handlers.close() {
            ctx.error(&err);
        }
        ctx.handler_delivery(self.handlers.delivery());
        self.report_topic_errors(ctx);
        if let Some(topic) = &self.anonymous {
            // A drained node's snapshot still holds them (a durable server saves it).
            self.closed_events = Some(self.anonymous_events());
            self.topics.delete_topic(topic);
        }
    }

    fn report_topic_errors(&mut self, ctx: &mut Context<'_>) {
        for err in self.topic_errors.drain(..) {
            ctx.error(&err);
        }
        for err in self.unencodable.drain(..) {
            ctx.error(&err);
        }
    }
}
