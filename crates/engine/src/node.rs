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
//! [`Node::message`] or [`Node::finish`] is fatal: the task stops with it.

use tickflow_model::Message;

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

    /// Called once when every input has closed: emit what must be flushed (most nodes
    /// flush nothing; Kapacitor drops partial windows).
    fn finish(&mut self, _ctx: &mut Context<'_>) -> Result<(), NodeError> {
        Ok(())
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
        }
    }

    /// Sends `message` to every child.
    pub fn emit(&mut self, message: Message) {
        self.out.push(message);
    }

    /// Reports a problem with one message: counted always, logged unless the node is
    /// `.quiet()`. The node goes on.
    pub fn error(&mut self, error: &dyn std::error::Error) {
        self.stats.record_error();
        if !self.quiet {
            self.diagnostics.node_error(self.name, error);
        }
    }

    /// The node's name (`window2`).
    pub fn name(&self) -> &str {
        self.name
    }
}
