//! The running nodes, one file per node kind, named as in `crates/pipeline/src/nodes/`.
//!
//! Each takes its validated spec from the pipeline crate and implements
//! [`Node`](crate::Node). Nodes are added here as the engine grows; the catalogue of
//! what a script may contain is the pipeline crate's.

pub mod window;
