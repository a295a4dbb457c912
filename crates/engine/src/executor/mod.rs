//! Executors: what moves messages between the nodes of a [`Dag`](crate::Dag).
//!
//! * [`Inline`]: one thread, each chunk pushed depth-first through the whole DAG before
//!   the next. Deterministic; used by replay and the conformance runner.
//! * [`Threaded`]: one thread per node, bounded crossbeam channels carrying chunks of
//!   messages between them. Used by the server, where writes arrive concurrently.
//!
//! Both run the same nodes, apply the same fan-out rule (every child gets every message,
//! in link order) and the same shutdown rule (a node finishes when all its inputs close).

mod inline;
mod threaded;

pub use inline::Inline;
pub use threaded::{NamedNode, Threaded, ThreadedError};
