//! The udf crate's integration tests, in one binary.

mod agents;
mod proto_fresh;
mod wire_bytes;
