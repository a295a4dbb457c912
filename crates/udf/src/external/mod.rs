//! External UDFs: agents in other processes (or behind a Unix socket) speaking
//! Kapacitor's UDF protocol, driven as Kapacitor drives them (spec: udf-protocol.md §4).
//!
//! [`probe`] asks a configured UDF for its Info at start-up; [`ExternalUdf`] runs one
//! node's agent. `transport` starts the process or connects the socket, `connection`
//! owns the reader, stderr and keepalive threads, `stderr` keeps the agent's last lines
//! for [`AgentError`]s.

mod connection;
mod error;
mod instance;
mod log;
mod stderr;
mod transport;

pub use error::{AgentError, Failure};
pub use instance::{probe, ExternalUdf, Spec};
