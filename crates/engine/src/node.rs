//! [`Node`]: the trait every running node implements, and the [`Context`] it works in.
//!
//! A node is a state machine over messages: it receives one [`Message`] at a time on one
//! of its inputs, and emits zero or more messages, which go to every child. It never sees
//! a channel or a thread: the executors (`executor::inline`, `executor::threaded`) own
//! the plumbing, so the same node runs deterministically in a replay and concurrently in
//! the server.
//!
//! Errors come in two kinds. A problem with one message (a lambda that fails on a point,
//! a field of the wrong type) is reported with [`Context::error`]: it is logged with the
//! node's name, counted, and the node goes on, as Kapacitor does. An error returned from
//! [`Node::message`], [`Node::tick`] or [`Node::finish`] is fatal: the task stops with it.
//!
//! # The engine clock
//!
//! A node that acts on time passing rather than on data (`barrier`, `stats` and so the
//! deadman switch) says so with [`Node::wants_ticks`], asked once when an executor starts.
//! The executor then asks it, through [`Node::next_tick`], when it next wants
//! [`Node::tick`], and calls `tick` once the engine clock has reached that time. What the
//! clock is depends on the executor: in `executor::Inline` (replay, conformance) it is
//! **event time**, the latest point time the task has been given, so a replay is
//! deterministic and a deadman fires when the data's own clock says so; in
//! `executor::Threaded` (the server) it is **wall time**. A tick due at `t` is passed
//! `now = t` in both, and in event time it fires only once data later than `t` arrives,
//! so it has seen every point at `t`. While handling messages, such a node reads the
//! clock with [`Context::now`]. Nodes that do not want ticks cost the executors nothing.
//! Nothing ticks after the input closes: like windows, timers are not flushed.

use tickflow_model::{Message, Time};

use crate::diagnostics::Diagnostics;
use crate::stats::NodeStats;

/// A fatal node error: the task stops.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NodeError {
    /// What went wrong, in Kapacitor's words where it has them.
    pub message: String,
}

impl NodeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        NodeError {
            message: message.into(),
        }
    }
}

/// A running node.
pub trait Node: Send {
    /// Handles one message that arrived on input `input` (0 for single-input nodes; for
    /// `join` and `union`, the parent's position).
    fn message(
        &mut self,
        input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError>;

    /// Receives a chunk of messages on `input`, in order, leaving `chunk` empty. The
    /// default hands them to [`Node::message`] one by one; a node that passes most
    /// messages on as they are (stream, from) takes the whole chunk and spares moving
    /// every message twice.
    fn messages(
        &mut self,
        input: usize,
        chunk: &mut Vec<Message>,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        for message in chunk.drain(..) {
            self.message(input, message, ctx)?;
        }
        Ok(())
    }

    /// Called once when every input has closed: emit what must be flushed (most nodes
    /// flush nothing; Kapacitor drops partial windows).
    fn finish(&mut self, _ctx: &mut Context<'_>) -> Result<(), NodeError> {
        Ok(())
    }

    /// Whether the node runs on the engine clock (see the module docs): asked once, when
    /// an executor starts. Defaults to `false`, and then `next_tick` and `tick` are never
    /// called.
    fn wants_ticks(&self) -> bool {
        false
    }

    /// When, on the engine clock that reads `now`, the node next wants [`Node::tick`];
    /// `None` when nothing is due. Asked of nodes that want ticks when the clock starts,
    /// after each chunk of messages they handle and after each tick. A time not after
    /// `now` counts as the next instant after it.
    fn next_tick(&mut self, _now: Time) -> Option<Time> {
        None
    }

    /// The engine clock has reached `now`, the time the node asked for last: emit what
    /// is due (a barrier, a stats point).
    fn tick(&mut self, _now: Time, _ctx: &mut Context<'_>) -> Result<(), NodeError> {
        Ok(())
    }

    /// An estimate of the bytes the node's state holds (buffered points, group tables),
    /// asked by the executors after every chunk of messages and kept in the node's stats
    /// as `memory_bytes`; 0 for nodes that hold nothing per group. It must be cheap: a
    /// count kept up to date, not a walk over every buffered point.
    fn memory(&self) -> usize {
        0
    }

    /// The node's state, for persistence across restarts; `None` for stateless nodes.
    fn snapshot(&self) -> Option<serde_json::Value> {
        None
    }

    /// Restores state produced by [`Node::snapshot`] of the same node kind.
    fn restore(&mut self, _state: serde_json::Value) -> Result<(), NodeError> {
        Ok(())
    }
}

/// What a node sees of the world while handling a message: where to put its output and
/// where to report per-message errors.
pub struct Context<'a> {
    out: &'a mut Vec<Message>,
    stats: &'a NodeStats,
    name: &'a str,
    diagnostics: &'a dyn Diagnostics,
    quiet: bool,
    now: Option<Time>,
}

impl<'a> Context<'a> {
    /// A context that appends output to `out`.
    pub fn new(
        out: &'a mut Vec<Message>,
        stats: &'a NodeStats,
        name: &'a str,
        diagnostics: &'a dyn Diagnostics,
        quiet: bool,
    ) -> Self {
        Context {
            out,
            stats,
            name,
            diagnostics,
            quiet,
            now: None,
        }
    }

    /// The same context with the engine clock reading `now` (executors set it for nodes
    /// that want ticks).
    pub fn with_now(mut self, now: Time) -> Self {
        self.now = Some(now);
        self
    }

    /// The engine clock (event time in a replay, wall time in the server) while a node
    /// that wants ticks handles a message; other nodes must not rely on it (`None`
    /// where the executor has no reason to read the clock).
    pub fn now(&self) -> Option<Time> {
        self.now
    }

    /// Sends `message` to every child.
    pub fn emit(&mut self, message: Message) {
        self.out.push(message);
    }

    /// Sends every message of `messages` to every child, in order, leaving it empty.
    pub fn emit_all(&mut self, messages: &mut Vec<Message>) {
        if self.out.is_empty() {
            std::mem::swap(self.out, messages);
        } else {
            self.out.append(messages);
        }
    }

    /// Reports a problem with one message: counted always, logged unless the node is
    /// `.quiet()`. The node goes on.
    pub fn error(&mut self, error: &dyn std::error::Error) {
        self.stats.record_error();
        if !self.quiet {
            self.diagnostics.node_error(self.name, error);
        }
    }

    /// Counts a point dropped because it came too late to be in any window the node
    /// will still emit.
    pub fn late(&mut self) {
        self.stats.record_late();
    }

    /// Counts `count` groups dropped by the task's group limits and logs `warning`, one
    /// line for the round (even for a `.quiet()` node: memory bounds are the operator's).
    pub fn groups_expired(&mut self, count: usize, warning: &dyn std::error::Error) {
        self.stats.record_expired(count);
        self.diagnostics.node_error(self.name, warning);
    }

    /// Counts an alert event triggered at `level` (as Kapacitor's `alerts_triggered`,
    /// `crits_triggered`, ... statistics), for the replay summary's alerts per level.
    pub fn alert_triggered(&mut self, level: tickflow_alert::Level) {
        self.stats.record_alert(level);
    }

    /// Records the totals of the alert node's handlers: events sent, failed, dropped.
    pub fn handler_delivery(&mut self, delivery: tickflow_alert::Delivery) {
        self.stats.record_delivery(delivery);
    }

    /// The node's name (`window2`).
    pub fn name(&self) -> &str {
        self.name
    }
}
