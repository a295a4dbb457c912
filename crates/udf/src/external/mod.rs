//! External UDFs: agents in other processes (or behind a Unix socket) speaking
//! Kapacitor's UDF protocol, driven as Kapacitor drives them (kapacitor-compat.md, udf-protocol §4).
//!
//! [`probe`] asks a configured UDF for its Info at start-up; [`ExternalUdf`] runs one
//! node's agent. `transport` starts the process or connects the socket, `connection`
//! owns the reader, stderr and keepalive threads (and the snapshot schedule), `journal`
//! keeps the requests since the last snapshot for a restart without loss, `stderr` keeps
//! the agent's last lines for [`AgentError`]s.

mod connection;
mod error;
mod instance;
mod journal;
mod log;
mod stderr;
mod transport;

pub use error::{AgentError, Failure};
pub use instance::{probe, AgentState, ExternalUdf, Spec};
pub use journal::JOURNAL_LIMIT;
