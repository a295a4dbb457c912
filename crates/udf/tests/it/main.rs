//! The udf crate's integration tests, in one binary.

mod agents;
mod nab_scores;
mod proto_fresh;
mod wire_bytes;
