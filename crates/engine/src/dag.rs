//! [`Dag`]: the running form of a pipeline: boxed nodes and the links between them.
//!
//! Nodes are added parents first (the order pipeline ids already have), and each link
//! gives the child its next input number, so a `join`'s inputs are numbered in the order
//! of its parents. Node 0 is the source: it receives what the task is written.

use std::sync::Arc;

use crate::node::Node;
use crate::stats::NodeStats;

/// A link from a parent to one input of a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The child's index.
    pub child: usize,
    /// Which of the child's inputs this link feeds.
    pub input: usize,
}

/// One node of the DAG with what the executors need to run it.
pub struct DagNode {
    /// The node's name (`window2`).
    pub name: String,
    /// The node itself.
    pub node: Box<dyn Node>,
    /// Whether per-message errors are logged (`.quiet()` turns that off).
    pub quiet: bool,
    /// Its children, in link order (each receives every message).
    pub children: Vec<Link>,
    /// How many parents feed it.
    pub inputs: usize,
    /// Its live counters.
    pub stats: Arc<NodeStats>,
}

/// A DAG under construction or ready to run.
#[derive(Default)]
pub struct Dag {
    pub(crate) nodes: Vec<DagNode>,
}

/// A link that would make the DAG run backwards.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot link node {parent} to node {child}: parents must be added before their children")]
pub struct LinkError {
    /// The parent's index.
    pub parent: usize,
    /// The child's index.
    pub child: usize,
}

impl Dag {
    /// An empty DAG.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node and returns its index.
    pub fn add(&mut self, name: impl Into<String>, node: Box<dyn Node>, quiet: bool) -> usize {
        self.nodes.push(DagNode {
            name: name.into(),
            node,
            quiet,
            children: Vec::new(),
            inputs: 0,
            stats: Arc::new(NodeStats::default()),
        });
        self.nodes.len() - 1
    }

    /// Links `parent` to the next input of `child`.
    pub fn link(&mut self, parent: usize, child: usize) -> Result<(), LinkError> {
        if parent >= child || child >= self.nodes.len() {
            return Err(LinkError { parent, child });
        }
        let input = self.nodes[child].inputs;
        self.nodes[child].inputs += 1;
        self.nodes[parent].children.push(Link { child, input });
        Ok(())
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node's name and live counters, in index order.
    pub fn stats(&self) -> Vec<(String, Arc<NodeStats>)> {
        self.nodes
            .iter()
            .map(|n| (n.name.clone(), Arc::clone(&n.stats)))
            .collect()
    }

    /// The nodes' snapshots, by name, for the stateful ones.
    pub fn snapshot(&self) -> Vec<(String, serde_json::Value)> {
        self.nodes
            .iter()
            .filter_map(|n| n.node.snapshot().map(|s| (n.name.clone(), s)))
            .collect()
    }
}
