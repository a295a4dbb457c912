//! [`Pipeline`]: the validated DAG a script describes, and its two renderings — a readable
//! listing ([`Pipeline::to_text`]) and Kapacitor's Graphviz DOT ([`Pipeline::to_dot`]).

use std::fmt::{self, Write as _};

use tickflow_model::Dbrp;
use tickflow_tickscript::Span;

use crate::edge::EdgeType;
use crate::nodes::NodeKind;
use crate::vars::Var;

/// A node's ID: Kapacitor's pipeline-wide counter value, the number in its name
/// (`window2`).
///
/// IDs increase in the order nodes are linked, and linking consumes one per parent: a
/// `join` of three parents takes three IDs and keeps the last, as Kapacitor's does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether a task processes a stream of points or scheduled batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskType {
    /// A stream task: its source is `stream`.
    #[default]
    Stream,
    /// A batch task: its source is `batch`.
    Batch,
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskType::Stream => "stream",
            TaskType::Batch => "batch",
        })
    }
}

/// One node of the DAG.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's ID.
    pub id: NodeId,
    /// Its name: the kind's description and the ID (`from1`, `http_out5`, `tTest3`).
    pub name: String,
    /// The typed spec.
    pub kind: NodeKind,
    /// The nodes it reads from, in Kapacitor's order (`a|join(b)`: `[a, b]`;
    /// `a|union(b)`: `[b, a]`).
    pub parents: Vec<NodeId>,
    /// The nodes it sends to, in link order.
    pub children: Vec<NodeId>,
    /// The edge it reads.
    pub wants: EdgeType,
    /// The edge it writes.
    pub provides: EdgeType,
    /// `.quiet()`: do not log errors.
    pub quiet: bool,
    /// The call that created it (from the chaining operator to the closing parenthesis);
    /// empty for the source.
    pub span: Span,
    /// The property calls applied to it, in order.
    pub properties: Vec<PropertyCall>,
}

/// A property call on a node (or on one of its alert handlers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyCall {
    /// The property as written.
    pub name: String,
    /// From the `.` to the closing parenthesis.
    pub span: Span,
}

/// A task's validated pipeline: its nodes, the database/retention-policy pairs it reads and
/// its template variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Stream or batch.
    pub task_type: TaskType,
    /// The `dbrp` statements, in order.
    pub dbrps: Vec<Dbrp>,
    /// The variables a template can set, in declaration order.
    pub vars: Vec<Var>,
    /// Every node, by increasing ID.
    pub nodes: Vec<Node>,
    /// The sources: the task's `stream` or `batch` node, then the `stats` nodes.
    pub sources: Vec<NodeId>,
}

impl Pipeline {
    /// The node with ID `id`.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes
            .binary_search_by_key(&id, |node| node.id)
            .ok()
            .map(|index| &self.nodes[index])
    }

    /// The nodes in Kapacitor's walk order: a depth-first topological order from the
    /// sources, in which every node comes after its parents.
    pub fn walk(&self) -> Vec<&Node> {
        let mut visited = vec![false; self.nodes.len()];
        let mut order = Vec::with_capacity(self.nodes.len());
        for &source in self.sources.iter().rev() {
            self.visit(source, &mut visited, &mut order);
        }
        order.reverse();
        order
    }

    /// Post-order visit of Kapacitor's `Pipeline.sort`: children in link order.
    fn visit<'p>(&'p self, id: NodeId, visited: &mut [bool], order: &mut Vec<&'p Node>) {
        let Ok(index) = self.nodes.binary_search_by_key(&id, |node| node.id) else {
            return;
        };
        if visited[index] {
            return;
        }
        visited[index] = true;
        let node = &self.nodes[index];
        for &child in &node.children {
            self.visit(child, visited, order);
        }
        order.push(node);
    }

    fn name_of(&self, id: NodeId) -> &str {
        self.node(id).map_or("?", |node| node.name.as_str())
    }

    /// The DAG in Graphviz DOT, as Kapacitor shows a task that is not running:
    /// `digraph <task_id> {\n<parent> -> <child>;\n…}`, one edge per line in walk order.
    /// The `batch` source's edges are left out, as Kapacitor leaves them out.
    ///
    /// ```
    /// let program = tickflow_tickscript::parse("stream|from().measurement('cpu')")?;
    /// let pipeline = tickflow_pipeline::build(&program, &Default::default())?;
    /// assert_eq!(pipeline.to_dot("cpu_alert"), "digraph cpu_alert {\nstream0 -> from1;\n}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_dot(&self, task_id: &str) -> String {
        let mut dot = format!("digraph {task_id} {{\n");
        for node in self.walk() {
            if matches!(node.kind, NodeKind::Batch(_)) {
                continue;
            }
            for &child in &node.children {
                let _ = writeln!(dot, "{} -> {};", node.name, self.name_of(child));
            }
        }
        dot.push('}');
        dot
    }

    /// A readable listing: task type, dbrps and variables, then each node by ID with its
    /// edges, parents and the settings that differ from the defaults.
    ///
    /// ```
    /// let program = tickflow_tickscript::parse("stream|from().measurement('cpu')|window().period(10s).every(5s)")?;
    /// let pipeline = tickflow_pipeline::build(&program, &Default::default())?;
    /// assert_eq!(
    ///     pipeline.to_text(),
    ///     "stream task\n\nstream0: stream -> stream\nfrom1: stream -> stream <- stream0\n  \
    ///      measurement 'cpu'\nwindow2: stream -> batch <- from1\n  period 10s\n  every 5s\n",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_text(&self) -> String {
        let mut text = format!("{} task\n", self.task_type);
        for dbrp in &self.dbrps {
            let _ = writeln!(text, "dbrp {dbrp}");
        }
        for var in &self.vars {
            let _ = writeln!(text, "var {var}");
        }
        text.push('\n');
        for node in &self.nodes {
            let _ = write!(text, "{}: {} -> {}", node.name, node.wants, node.provides);
            if !node.parents.is_empty() {
                let parents: Vec<&str> = node.parents.iter().map(|&id| self.name_of(id)).collect();
                let _ = write!(text, " <- {}", parents.join(", "));
            }
            if let NodeKind::Stats(stats) = &node.kind {
                let _ = write!(text, " (observes {})", self.name_of(stats.observed));
            }
            text.push('\n');
            if node.quiet {
                text.push_str("  quiet\n");
            }
            for line in node.kind.describe() {
                let _ = writeln!(text, "  {line}");
            }
        }
        text
    }
}
