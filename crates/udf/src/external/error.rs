//! [`AgentError`]: why an external UDF failed, naming it and quoting the last lines it
//! wrote to stderr.

use std::process::ExitStatus;
use std::time::Duration;

use crate::convert::{InfoError, OutputError};

/// An external UDF failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("UDF {udf}: {failure}{}", render_stderr(.stderr))]
pub struct AgentError {
    /// The UDF's name (`tTest`).
    pub udf: String,
    /// What went wrong.
    pub failure: Failure,
    /// The last lines the agent wrote to stderr, oldest first.
    pub stderr: Vec<String>,
}

/// What went wrong with an agent, in Kapacitor's words where it has them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The process could not be started.
    #[error("cannot start {prog:?}: {error}")]
    Spawn {
        /// The executable.
        prog: String,
        /// What the system said.
        error: String,
    },
    /// The socket could not be reached.
    #[error("cannot connect to {path:?}: {error}")]
    Connect {
        /// The socket's path.
        path: String,
        /// What the system said.
        error: String,
    },
    /// Writing a request failed.
    #[error("write error: {0}")]
    Write(String),
    /// The agent's output is not valid framing or protobuf.
    #[error("read error: {0}")]
    Read(String),
    /// A response with no message in it.
    #[error("received an empty response")]
    EmptyResponse,
    /// The agent sent an ErrorResponse with this text.
    #[error("{0}")]
    Agent(String),
    /// No response of any kind for the timeout.
    #[error("keepalive timed out, no response for {}", go_duration(.0))]
    KeepaliveTimeout(Duration),
    /// The process ended while it was still needed, or ended with an error.
    #[error("process exited unexpectedly: {0}")]
    Exited(String),
    /// The agent closed its output while tickflow still waited for something.
    #[error("agent closed its output while {0}")]
    ClosedOutput(&'static str),
    /// The Init response refused the options.
    #[error("failed to initialize processes {0}")]
    InitRejected(String),
    /// The Restore response refused the snapshot.
    #[error("error restoring snapshot: {0}")]
    RestoreRejected(String),
    /// A management response nobody asked for.
    #[error("received {0} response without requesting it")]
    Unsolicited(&'static str),
    /// The Info response does not describe a UDF.
    #[error("invalid info response: {0}")]
    Info(#[from] InfoError),
    /// The agent's data cannot be turned into points or batches.
    #[error("{0}")]
    Output(#[from] OutputError),
}

/// An exit status as Go prints it: `exit status 3`, `signal: killed`.
pub(crate) fn exit_text(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// A duration as Go prints short ones (`10s`, `1.5s`, `200ms`).
fn go_duration(d: &Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// The stderr lines appended to an error, one per line.
fn render_stderr(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| format!("\n  stderr: {line}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_udf_and_quote_its_stderr() {
        let err = AgentError {
            udf: "tTest".into(),
            failure: Failure::KeepaliveTimeout(Duration::from_millis(1500)),
            stderr: vec!["Traceback".into(), "KeyError: 'hotend'".into()],
        };
        assert_eq!(
            err.to_string(),
            "UDF tTest: keepalive timed out, no response for 1.5s\n  stderr: Traceback\n  \
             stderr: KeyError: 'hotend'"
        );
    }
}
