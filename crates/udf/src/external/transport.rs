//! Reaching an agent: a child process (requests on its stdin, responses on its stdout,
//! stderr logged) or a Unix socket (one connection, half-closed to end the requests).
//! [`Peer`] is what is left to end it: the child, killed if still running when dropped,
//! or the socket.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::error::Failure;
use crate::config::Agent;

/// A started agent's streams and handle.
pub(crate) struct Opened {
    /// Where requests go.
    pub writer: Box<dyn Write + Send>,
    /// Where responses come from.
    pub reader: Box<dyn Read + Send>,
    /// The process's stderr (sockets have none).
    pub stderr: Option<ChildStderr>,
    /// The handle that ends it.
    pub peer: Peer,
}

/// The other end of an agent.
pub(crate) enum Peer {
    /// A child process.
    Process(Child),
    /// A socket connection.
    Socket(UnixStream),
}

/// Starts the process or connects to the socket of `agent`; sockets are retried with
/// backoff for up to `timeout`, as Kapacitor retries its dial.
pub(crate) fn open(agent: &Agent, timeout: Duration) -> Result<Opened, Failure> {
    match agent {
        Agent::Process { prog, args, env } => spawn(prog, args, env),
        Agent::Socket { path } => connect(path, timeout),
        Agent::Builtin { name } => Err(Failure::Spawn {
            prog: name.clone(),
            error: "a built-in is not an agent".into(),
        }),
    }
}

fn spawn(
    prog: &str,
    args: &[String],
    env: &std::collections::BTreeMap<String, String>,
) -> Result<Opened, Failure> {
    let spawn_error = |error: io::Error| Failure::Spawn {
        prog: prog.to_string(),
        error: error.to_string(),
    };
    let mut child = Command::new(prog)
        .args(args)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    let missing = || spawn_error(io::Error::other("a standard stream is not piped"));
    let writer = child.stdin.take().ok_or_else(missing)?;
    let reader = child.stdout.take().ok_or_else(missing)?;
    let stderr = child.stderr.take();
    Ok(Opened {
        writer: Box::new(writer),
        reader: Box::new(reader),
        stderr,
        peer: Peer::Process(child),
    })
}

fn connect(path: &Path, timeout: Duration) -> Result<Opened, Failure> {
    let deadline = Instant::now() + timeout;
    let mut wait = Duration::from_millis(10);
    let stream = loop {
        match UnixStream::connect(path) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() + wait < deadline => {
                thread::sleep(wait);
                wait *= 2;
            }
            Err(error) => {
                return Err(Failure::Connect {
                    path: path.display().to_string(),
                    error: error.to_string(),
                })
            }
        }
    };
    let clone = |stream: &UnixStream| {
        stream.try_clone().map_err(|error| Failure::Connect {
            path: path.display().to_string(),
            error: error.to_string(),
        })
    };
    Ok(Opened {
        writer: Box::new(clone(&stream)?),
        reader: Box::new(clone(&stream)?),
        stderr: None,
        peer: Peer::Socket(stream),
    })
}

impl Peer {
    /// Signals the end of the requests where dropping the writer does not: a socket is
    /// half-closed (a process's stdin closes when its writer is dropped).
    pub(crate) fn close_input(&self) {
        if let Peer::Socket(stream) = self {
            // An error means the connection is already gone, which is what we want.
            let _ = stream.shutdown(Shutdown::Write);
        }
    }

    /// Ends the agent now: SIGKILL, or a full close of the socket.
    pub(crate) fn kill(&mut self) {
        // Errors mean it has already ended.
        match self {
            Peer::Process(child) => {
                let _ = child.kill();
            }
            Peer::Socket(stream) => {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }

    /// The process's exit status if it has exited; sockets count as exited successfully.
    pub(crate) fn try_wait(&mut self) -> Option<io::Result<ExitStatus>> {
        match self {
            Peer::Process(child) => child.try_wait().transpose(),
            Peer::Socket(_) => None,
        }
    }

    /// Whether this is a socket connection.
    pub(crate) fn is_socket(&self) -> bool {
        matches!(self, Peer::Socket(_))
    }
}

impl Drop for Peer {
    /// A process still running is killed and reaped, so no agent outlives its node.
    fn drop(&mut self) {
        if let Peer::Process(child) = self {
            if let Ok(None) = child.try_wait() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
