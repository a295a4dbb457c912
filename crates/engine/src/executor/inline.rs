//! [`Inline`]: runs a DAG on the caller's thread, deterministically.
//!
//! The engine clock here is event time (see [`Node`]'s docs): the latest time among the
//! messages pushed into the source. When a message later than the clock arrives, every
//! tick due before its time fires first, earliest first (ties in DAG order), each with
//! the clock at its due time; then the clock moves to the message's time. A chunk is
//! delivered in runs between such advances, so a tick lands between the same two
//! messages however the input was cut into chunks. A DAG without clocked nodes skips all
//! of this: its chunks go through whole.

use std::sync::Arc;
use std::time::Instant;

use tickflow_model::{Duration, Message, Time};

use crate::dag::Dag;
use crate::diagnostics::Diagnostics;
use crate::node::{Context, Node, NodeError};

/// A clocked node and the time it next wants a tick.
struct Timer {
    node: usize,
    due: Option<Time>,
}

/// A DAG driven by the caller: each [`Inline::push`] runs the chunk through every node
/// depth-first, in child-link order, before it returns.
pub struct Inline {
    dag: Dag,
    diagnostics: Arc<dyn Diagnostics>,
    /// The nodes that want ticks, in DAG order.
    timers: Vec<Timer>,
    /// Event time: the latest message time pushed so far.
    clock: Option<Time>,
    /// Emptied message vectors, reused for the next chunk so that running a chunk
    /// allocates nothing in steady state.
    spare: Vec<Vec<Message>>,
}

/// How many emptied vectors [`Inline`] keeps for reuse.
const SPARE_CHUNKS: usize = 16;

impl Inline {
    /// Prepares `dag` to run on this thread.
    pub fn new(dag: Dag, diagnostics: Arc<dyn Diagnostics>) -> Self {
        let timers = (dag.nodes.iter().enumerate())
            .filter(|(_, n)| n.node.wants_ticks())
            .map(|(node, _)| Timer { node, due: None })
            .collect();
        Inline {
            dag,
            diagnostics,
            timers,
            clock: None,
            spare: Vec::new(),
        }
    }

    /// An empty vector to fill with the next chunk for [`Inline::push`], reusing the
    /// memory of an earlier one when there is one.
    pub fn spare_chunk(&mut self) -> Vec<Message> {
        self.spare.pop().unwrap_or_default()
    }

    /// Keeps the emptied `chunk` for reuse.
    fn recycle(&mut self, mut chunk: Vec<Message>) {
        if self.spare.len() < SPARE_CHUNKS {
            chunk.clear();
            self.spare.push(chunk);
        }
    }

    /// Pushes a chunk of messages into the source (node 0) and through the DAG.
    pub fn push(&mut self, chunk: Vec<Message>) -> Result<(), NodeError> {
        self.push_into(0, chunk)
    }

    /// Pushes a chunk of messages into node `node`'s first input and through the DAG
    /// below it: a batch replay feeds each query node its own recording.
    pub fn push_into(&mut self, node: usize, chunk: Vec<Message>) -> Result<(), NodeError> {
        if node >= self.dag.nodes.len() {
            return Ok(());
        }
        if self.timers.is_empty() {
            return self.deliver(node, 0, chunk);
        }
        let mut run = Vec::with_capacity(chunk.len());
        for message in chunk {
            let time = message_time(&message);
            if let Some(time) = time.filter(|&t| self.clock.is_none_or(|c| t > c)) {
                if !run.is_empty() {
                    self.deliver_run(node, std::mem::take(&mut run))?;
                }
                self.advance(time)?;
            }
            run.push(message);
        }
        if run.is_empty() {
            return Ok(());
        }
        self.deliver_run(node, run)
    }

    /// Delivers messages at or before the clock to `node`, then asks the clocked nodes
    /// (which may have seen new groups) when they next want a tick.
    fn deliver_run(&mut self, node: usize, run: Vec<Message>) -> Result<(), NodeError> {
        self.deliver(node, 0, run)?;
        if let Some(now) = self.clock {
            self.reschedule_all(now);
        }
        Ok(())
    }

    /// Moves the clock to `time`: starts it on the first message, else fires every tick
    /// due before `time`, in time order.
    fn advance(&mut self, time: Time) -> Result<(), NodeError> {
        if self.clock.is_none() {
            self.clock = Some(time);
            self.reschedule_all(time);
            return Ok(());
        }
        while let Some((slot, due)) = self.earliest_before(time) {
            self.clock = Some(due);
            let index = self.timers[slot].node;
            let out = self.work(index, 0, |node, ctx| node.tick(due, ctx))?;
            self.fan_out(index, out)?;
            self.reschedule_all(due);
        }
        self.clock = Some(time);
        Ok(())
    }

    /// The timer due earliest, strictly before `time` (the first in DAG order on a tie).
    fn earliest_before(&self, time: Time) -> Option<(usize, Time)> {
        let due = self.timers.iter().enumerate();
        due.filter_map(|(slot, t)| t.due.filter(|&d| d < time).map(|d| (slot, d)))
            .min_by_key(|&(slot, due)| (due, slot))
    }

    /// Asks every clocked node for its next tick with the clock at `now`; a time not
    /// after `now` becomes the next nanosecond, so time always moves on.
    fn reschedule_all(&mut self, now: Time) {
        for timer in &mut self.timers {
            let node = &mut self.dag.nodes[timer.node].node;
            timer.due = node
                .next_tick(now)
                .map(|due| due.max(now + Duration::NANOSECOND));
        }
    }

    /// Closes the input: finishes every node in order (parents first, so a node's flush
    /// reaches children that have not finished yet) and returns the DAG.
    pub fn finish(mut self) -> Result<Dag, NodeError> {
        for index in 0..self.dag.nodes.len() {
            let out = self.work(index, 0, |node, ctx| node.finish(ctx))?;
            self.fan_out(index, out)?;
        }
        Ok(self.dag)
    }

    /// The DAG, for reading stats or snapshots while it runs.
    pub fn dag(&self) -> &Dag {
        &self.dag
    }

    fn deliver(
        &mut self,
        index: usize,
        input: usize,
        mut chunk: Vec<Message>,
    ) -> Result<(), NodeError> {
        let count = chunk.len() as u64;
        let out = self.work(index, count, |node, ctx| {
            node.messages(input, &mut chunk, ctx)
        })?;
        self.recycle(chunk);
        self.fan_out(index, out)
    }

    /// Runs `f` on node `index` with a context collecting its output, and counts the
    /// `count` messages it handled, what it emitted and the time it took.
    fn work(
        &mut self,
        index: usize,
        count: u64,
        f: impl FnOnce(&mut dyn Node, &mut Context<'_>) -> Result<(), NodeError>,
    ) -> Result<Vec<Message>, NodeError> {
        let mut out = self.spare_chunk();
        let node = &mut self.dag.nodes[index];
        let started = Instant::now();
        let mut ctx = Context::new(
            &mut out,
            &node.stats,
            &node.name,
            &*self.diagnostics,
            node.quiet,
        );
        if let Some(now) = self.clock.filter(|_| !self.timers.is_empty()) {
            ctx = ctx.with_now(now);
        }
        f(&mut *node.node, &mut ctx)?;
        node.stats
            .record_work(count, out.len() as u64, started.elapsed());
        node.stats.set_memory(node.node.memory());
        Ok(out)
    }

    /// Gives `out` to every child of `index`: clones for all but the last, which gets it.
    fn fan_out(&mut self, index: usize, out: Vec<Message>) -> Result<(), NodeError> {
        let children = self.dag.nodes[index].children.len();
        if out.is_empty() || children == 0 {
            self.recycle(out);
            return Ok(());
        }
        for i in 0..children - 1 {
            let link = self.dag.nodes[index].children[i];
            let mut copy = self.spare_chunk();
            copy.extend(out.iter().cloned());
            self.deliver(link.child, link.input, copy)?;
        }
        let last = self.dag.nodes[index].children[children - 1];
        self.deliver(last.child, last.input, out)
    }
}

/// The time a message carries: a point's, a batch's tmax, a barrier's; none for a
/// group deletion.
fn message_time(message: &Message) -> Option<Time> {
    match message {
        Message::Point(p) => Some(p.time),
        Message::Batch(b) => Some(b.tmax),
        Message::Barrier { time, .. } => Some(*time),
        Message::DeleteGroup(_) => None,
    }
}
