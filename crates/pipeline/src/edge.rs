//! [`EdgeType`]: what travels on the edge from a node to its children.

use std::fmt;

/// The kind of message on an edge: what a node wants from its parents and provides to its
/// children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeType {
    /// Nothing: the node is a sink (`influxDBOut`, `kapacitorLoopback`), or the `batch`
    /// source, which has no input.
    None,
    /// Single points.
    Stream,
    /// Batches of points.
    Batch,
}

impl fmt::Display for EdgeType {
    /// Kapacitor's names: `noedge`, `stream`, `batch`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EdgeType::None => "noedge",
            EdgeType::Stream => "stream",
            EdgeType::Batch => "batch",
        })
    }
}
