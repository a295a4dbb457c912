//! [`Inline`]: runs a DAG on the caller's thread, deterministically.

use std::sync::Arc;
use std::time::Instant;

use tickflow_model::Message;

use crate::dag::Dag;
use crate::diagnostics::Diagnostics;
use crate::node::{Context, Node, NodeError};

/// A DAG driven by the caller: each [`Inline::push`] runs the chunk through every node
/// depth-first, in child-link order, before it returns.
pub struct Inline {
    dag: Dag,
    diagnostics: Arc<dyn Diagnostics>,
}

impl Inline {
    /// Prepares `dag` to run on this thread.
    pub fn new(dag: Dag, diagnostics: Arc<dyn Diagnostics>) -> Self {
        Inline { dag, diagnostics }
    }

    /// Pushes a chunk of messages into the source (node 0) and through the DAG.
    pub fn push(&mut self, chunk: Vec<Message>) -> Result<(), NodeError> {
        if self.dag.nodes.is_empty() {
            return Ok(());
        }
        self.deliver(0, 0, chunk)
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
        chunk: Vec<Message>,
    ) -> Result<(), NodeError> {
        let count = chunk.len() as u64;
        let out = self.work(index, count, |node, ctx| {
            for message in chunk {
                node.message(input, message, ctx)?;
            }
            Ok(())
        })?;
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
        let node = &mut self.dag.nodes[index];
        let mut out = Vec::with_capacity(count as usize);
        let started = Instant::now();
        let mut ctx = Context::new(
            &mut out,
            &node.stats,
            &node.name,
            &*self.diagnostics,
            node.quiet,
        );
        f(&mut *node.node, &mut ctx)?;
        node.stats
            .record_work(count, out.len() as u64, started.elapsed());
        Ok(out)
    }

    /// Gives `out` to every child of `index`: clones for all but the last, which gets it.
    fn fan_out(&mut self, index: usize, out: Vec<Message>) -> Result<(), NodeError> {
        if out.is_empty() {
            return Ok(());
        }
        let children = self.dag.nodes[index].children.clone();
        if let Some((last, rest)) = children.split_last() {
            for link in rest {
                self.deliver(link.child, link.input, out.clone())?;
            }
            self.deliver(last.child, last.input, out)?;
        }
        Ok(())
    }
}
