//! [`ExternalUdf`]: one UDF node's agent, driven through the protocol's lifecycle: Init
//! (and Restore) at start, data both ways, snapshots, end of input (spec §4).
//!
//! Responses keep their order: data responses read while waiting for a management
//! response are assembled and kept in order with the rest. When the agent fails
//! (dies, hangs past its timeout, sends garbage or an ErrorResponse) the error names the
//! UDF and quotes its stderr; [`ExternalUdf::restart`] then starts a fresh agent,
//! restores the last snapshot it gave and sends again every request since that snapshot
//! (the [`Journal`]), dropping the outputs the dead agent had already produced for them,
//! so nothing is lost or duplicated downstream. Kapacitor does not restart; tickflow does.
//!
//! Snapshots are asked on the function's `snapshot-interval` (wall-clock, kept by the
//! agent's keepalive thread and taken between two requests), when the journal is full,
//! and once more before the input closes. An agent that answers one with an
//! ErrorResponse gets one warning and is not asked again; since such an agent stops (as
//! Kapacitor's Python agent does), it is restarted and its input replayed.

use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use tickflow_model::Message;
use tickflow_pipeline::nodes::udf::{UdfInfo, UdfOption};

use super::connection::{Connection, Event};
use super::error::{AgentError, Failure};
use super::journal::{Journal, JOURNAL_LIMIT};
use super::log;
use crate::config::Function;
use crate::convert::{self, wrap, Assembler};
use crate::proto::{
    request, response, InfoRequest, InitRequest, Request, RestoreRequest, SnapshotRequest,
};

/// How long a dying agent gets to send its last responses after a write to it failed.
const DYING_GRACE: Duration = Duration::from_secs(2);

/// Asks the agent of `function` for its Info, then stops it (spec §4.2).
pub fn probe(udf: &str, function: &Function) -> Result<UdfInfo, AgentError> {
    let mut connection = Connection::open(udf, &function.agent, function.timeout, None)
        .map_err(|failure| fail(udf, failure, Vec::new()))?;
    let result = probe_on(&mut connection);
    let result = result.and_then(|info| end(&mut connection).map(|()| info));
    result.map_err(|failure| {
        let failure = connection.exit_reason(failure);
        fail(udf, failure, connection.stderr())
    })
}

fn probe_on(connection: &mut Connection) -> Result<UdfInfo, Failure> {
    connection.send(&wrap(request::Message::Info(InfoRequest {})))?;
    match next_event(connection, "waiting for the info response")? {
        response::Message::Info(info) => Ok(convert::info(&info)?),
        other => Err(Failure::Unsolicited(kind(&other))),
    }
}

/// The next event as a response; EOF and failures are errors.
fn next_event(connection: &Connection, doing: &'static str) -> Result<response::Message, Failure> {
    match connection.events().recv() {
        Ok(Event::Response(response::Message::Error(e))) => Err(Failure::Agent(e.error)),
        Ok(Event::Response(m)) => Ok(m),
        Ok(Event::Failed(failure)) => Err(failure),
        Ok(Event::Eof) | Err(_) => Err(Failure::ClosedOutput(doing)),
    }
}

/// Closes the agent's input, waits for its output to end and for it to exit.
fn end(connection: &mut Connection) -> Result<(), Failure> {
    connection.close_input();
    loop {
        match connection.events().recv() {
            Ok(Event::Response(response::Message::Error(e))) => {
                return Err(Failure::Agent(e.error))
            }
            Ok(Event::Response(_)) => {}
            Ok(Event::Failed(failure)) => return Err(failure),
            Ok(Event::Eof) | Err(_) => break,
        }
    }
    let status = connection.wait_exit(connection.timeout());
    Connection::exit_failure(status).map_or(Ok(()), Err)
}

fn fail(udf: &str, failure: Failure, stderr: Vec<String>) -> AgentError {
    AgentError {
        udf: udf.to_string(),
        failure,
        stderr,
    }
}

/// The name of a response's kind, as errors show it.
fn kind(message: &response::Message) -> &'static str {
    match message {
        response::Message::Info(_) => "info",
        response::Message::Init(_) => "init",
        response::Message::Keepalive(_) => "keepalive",
        response::Message::Snapshot(_) => "snapshot",
        response::Message::Restore(_) => "restore",
        response::Message::Error(_) => "error",
        response::Message::Begin(_) => "begin",
        response::Message::Point(_) => "point",
        response::Message::End(_) => "end",
    }
}

/// What a UDF node needs to start (and restart) its agent.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The UDF's name.
    pub udf: String,
    /// How to reach it.
    pub function: Function,
    /// The task's id.
    pub task: String,
    /// The node's name (`tTest3`).
    pub node: String,
    /// The node's options.
    pub options: Vec<UdfOption>,
}

/// What a UDF node keeps of its agent across a restart of tickflow: the last snapshot
/// the agent gave, the requests sent to it since (framed, as on the wire) and how many
/// outputs were handed downstream since. [`ExternalUdf::restore`] brings a fresh agent
/// back to the same point.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentState {
    /// The agent's last snapshot, opaque.
    pub snapshot: Option<Vec<u8>>,
    /// The data requests sent since that snapshot, framed.
    pub journal: Vec<u8>,
    /// The outputs handed downstream since that snapshot.
    pub emitted: u64,
}

/// A UDF node's running agent.
pub struct ExternalUdf {
    spec: Spec,
    connection: Option<Connection>,
    assembler: Assembler,
    /// Output assembled and not yet handed out, in order.
    pending: Vec<Message>,
    /// The last snapshot the agent gave, restored after a restart.
    last_snapshot: Option<Vec<u8>>,
    /// Cleared when the agent answers a snapshot request with an error.
    snapshots: bool,
    /// The requests since the last snapshot, replayed after a restart.
    journal: Journal,
}

impl ExternalUdf {
    /// The bytes held for the agent: the journal of requests since its last snapshot,
    /// that snapshot, and output not handed out yet (at its struct size).
    pub fn memory(&self) -> usize {
        self.journal.len()
            + self.last_snapshot.as_ref().map_or(0, Vec::len)
            + self.pending.len() * std::mem::size_of::<Message>()
    }

    /// Starts the agent, sends Init and, when `snapshot` is given, Restore.
    pub fn start(spec: Spec, snapshot: Option<Vec<u8>>) -> Result<Self, AgentError> {
        let mut udf = ExternalUdf {
            spec,
            connection: None,
            assembler: Assembler::default(),
            pending: Vec::new(),
            last_snapshot: snapshot.filter(|s| !s.is_empty()),
            snapshots: true,
            journal: Journal::new(JOURNAL_LIMIT),
        };
        udf.connect()?;
        Ok(udf)
    }

    /// The UDF's name.
    pub fn name(&self) -> &str {
        &self.spec.udf
    }

    /// Bounds the requests kept for replay ([`JOURNAL_LIMIT`] bytes by default).
    pub fn set_journal_limit(&mut self, bytes: usize) {
        self.journal.set_limit(bytes);
    }

    /// Whether snapshots are asked of this agent.
    fn asks_snapshots(&self) -> bool {
        self.snapshots && self.spec.function.snapshot_interval.is_some()
    }

    /// Starts a new agent and initialises it; the old one, if any, is ended.
    fn connect(&mut self) -> Result<(), AgentError> {
        self.connection = None;
        self.assembler = Assembler::default();
        let interval = self
            .spec
            .function
            .snapshot_interval
            .filter(|_| self.snapshots);
        let mut connection = Connection::open(
            &self.spec.udf,
            &self.spec.function.agent,
            self.spec.function.timeout,
            interval,
        )
        .map_err(|failure| fail(&self.spec.udf, failure, Vec::new()))?;
        let result = self
            .initialise(&mut connection)
            .map_err(|failure| connection.exit_reason(failure));
        self.connection = Some(connection);
        result.map_err(|failure| self.failed(failure))
    }

    fn initialise(&mut self, connection: &mut Connection) -> Result<(), Failure> {
        connection.send(&wrap(request::Message::Init(InitRequest {
            options: convert::options(&self.spec.options),
            task_id: self.spec.task.clone(),
            node_id: self.spec.node.clone(),
        })))?;
        match self.await_response(connection, "init")? {
            response::Message::Init(init) if !init.success => {
                return Err(Failure::InitRejected(init.error))
            }
            _ => {}
        }
        if let Some(snapshot) = self.last_snapshot.clone() {
            self.send_restore(connection, snapshot)?;
        }
        Ok(())
    }

    /// Sends Restore and waits for its success.
    fn send_restore(
        &mut self,
        connection: &mut Connection,
        snapshot: Vec<u8>,
    ) -> Result<(), Failure> {
        connection.send(&wrap(request::Message::Restore(RestoreRequest {
            snapshot,
        })))?;
        match self.await_response(connection, "restore")? {
            response::Message::Restore(r) if !r.success => Err(Failure::RestoreRejected(r.error)),
            _ => Ok(()),
        }
    }

    /// Waits for the management response of kind `expected`, assembling data that
    /// arrives first.
    fn await_response(
        &mut self,
        connection: &Connection,
        expected: &'static str,
    ) -> Result<response::Message, Failure> {
        loop {
            let message = next_event(connection, expected)?;
            match message {
                response::Message::Begin(_)
                | response::Message::Point(_)
                | response::Message::End(_) => self.assemble(message)?,
                m if kind(&m) == expected => return Ok(m),
                m => return Err(Failure::Unsolicited(kind(&m))),
            }
        }
    }

    /// Assembles one data response into the pending output, dropping what a replay
    /// produced again.
    fn assemble(&mut self, message: response::Message) -> Result<(), Failure> {
        let from = self.pending.len();
        let result = self.assembler.take(message, &mut self.pending);
        self.journal.admit(&mut self.pending, from);
        Ok(result?)
    }

    /// The error for `failure`, with the agent's stderr.
    fn error(&self, failure: Failure) -> AgentError {
        let stderr = self
            .connection
            .as_ref()
            .map(Connection::stderr)
            .unwrap_or_default();
        fail(&self.spec.udf, failure, stderr)
    }

    /// Sends one point or batch; output that has arrived goes to `out`, in order. A
    /// snapshot that has fallen due (or a full journal) is taken first. The message is
    /// journaled even when this fails, so after [`ExternalUdf::restart`] it must not be
    /// sent again: the restart sends it.
    pub fn send(&mut self, message: &Message, out: &mut Vec<Message>) -> Result<(), AgentError> {
        let requests = match message {
            Message::Point(point) => vec![convert::stream_point(point)],
            Message::Batch(batch) => convert::batch(batch),
            _ => Vec::new(),
        };
        let result = match self.keep_snapshots() {
            Ok(()) => self.write(&requests),
            Err(err) => {
                // Journaled all the same: the restart sends it.
                self.journal.append(&requests);
                Err(err)
            }
        };
        out.append(&mut self.pending);
        result
    }

    /// Takes a snapshot when one is due or the journal is full.
    fn keep_snapshots(&mut self) -> Result<(), AgentError> {
        let due = self
            .connection
            .as_ref()
            .is_some_and(Connection::snapshot_due);
        if self.asks_snapshots() && (due || self.journal.full()) {
            self.snapshot()?;
        }
        Ok(())
    }

    /// Writes data requests, journaled, and takes the responses that have arrived.
    fn write(&mut self, requests: &[Request]) -> Result<(), AgentError> {
        let frames = self.journal.append(requests);
        let result = match self.connection.as_mut() {
            Some(connection) => connection.send_frames(frames),
            None => Err(Failure::ClosedOutput("a request was to be sent")),
        };
        if self.journal.full() && !self.asks_snapshots() && self.journal.give_up() {
            log::warn(
                &self.spec.udf,
                &format!(
                    "node {}: the input since the agent's last snapshot exceeds the replay \
                     bound; it is no longer kept, and a restarted agent misses it",
                    self.spec.node
                ),
            );
        }
        let result = match result {
            Ok(()) => self.poll(),
            Err(failure) => Err(self.explain(failure)),
        };
        result.map_err(|failure| self.failed(failure))
    }

    /// Takes every event that has arrived, without waiting.
    fn poll(&mut self) -> Result<(), Failure> {
        let Some(connection) = self.connection.as_ref() else {
            return Ok(());
        };
        let events: Vec<Event> = connection.events().try_iter().collect();
        for event in events {
            match event {
                Event::Response(message) => self.take_data(message)?,
                Event::Eof => {
                    return Err(self.explain(Failure::ClosedOutput("data was being sent")))
                }
                Event::Failed(failure) => return Err(failure),
            }
        }
        Ok(())
    }

    /// Handles a response outside any management request.
    fn take_data(&mut self, message: response::Message) -> Result<(), Failure> {
        match message {
            response::Message::Error(e) => Err(Failure::Agent(e.error)),
            m @ (response::Message::Begin(_)
            | response::Message::Point(_)
            | response::Message::End(_)) => self.assemble(m),
            other => Err(Failure::Unsolicited(kind(&other))),
        }
    }

    /// The real reason behind a write error or an early EOF: an error the agent sent or a
    /// failure seen by the reader, else its exit status, else `failure` itself.
    fn explain(&mut self, failure: Failure) -> Failure {
        let Some(connection) = self.connection.as_ref() else {
            return failure;
        };
        let events = connection.events().clone();
        loop {
            match events.recv_timeout(DYING_GRACE) {
                Ok(Event::Response(response::Message::Error(e))) => return Failure::Agent(e.error),
                Ok(Event::Response(message)) => {
                    // Data sent before it died still counts, in order.
                    if let Err(failure) = self.assemble(message) {
                        return failure;
                    }
                }
                Ok(Event::Failed(failure)) => return failure,
                Ok(Event::Eof)
                | Err(RecvTimeoutError::Disconnected)
                | Err(RecvTimeoutError::Timeout) => break,
            }
        }
        match self.connection.as_mut() {
            Some(connection) => connection.exit_reason(failure),
            None => failure,
        }
    }

    /// Marks the agent dead and builds the error.
    fn failed(&mut self, failure: Failure) -> AgentError {
        let err = self.error(failure);
        self.connection = None;
        err
    }

    /// Whether the agent has failed and needs [`ExternalUdf::restart`].
    pub fn is_dead(&self) -> bool {
        self.connection.is_none()
    }

    /// Starts a fresh agent, restores the last snapshot it gave and sends again the
    /// requests since (tickflow's addition: Kapacitor stops the task instead). The
    /// outputs the dead agent already produced for them are dropped when the new one
    /// produces them again; the output that follows is the output of an agent that never
    /// failed.
    pub fn restart(&mut self) -> Result<(), AgentError> {
        log::warn(&self.spec.udf, "restarting the agent");
        self.revive()
    }

    /// Starts a fresh agent from the last snapshot and replays the journal.
    fn revive(&mut self) -> Result<(), AgentError> {
        self.connect()?;
        self.replay()
    }

    /// Sends the journal to an agent just restored from the last snapshot.
    fn replay(&mut self) -> Result<(), AgentError> {
        let Some(connection) = self.connection.as_mut() else {
            return Ok(());
        };
        let result = match self.journal.replay() {
            Some([]) => return Ok(()),
            Some(frames) => connection.send_frames(frames),
            None => {
                log::warn(
                    &self.spec.udf,
                    &format!(
                        "node {}: the input since the agent's last snapshot was past the \
                         replay bound and is not sent again",
                        self.spec.node
                    ),
                );
                return Ok(());
            }
        };
        let result = match result {
            Ok(()) => self.poll(),
            Err(failure) => Err(self.explain(failure)),
        };
        result.map_err(|failure| self.failed(failure))
    }

    /// Asks the agent for a snapshot now. An ErrorResponse (an agent without snapshots)
    /// is one warning: no more snapshots are asked of this node, the agent (which stops
    /// after an error) is restarted with its input replayed, and the last good snapshot
    /// stays. Returns the last good snapshot.
    pub fn snapshot(&mut self) -> Result<Option<Vec<u8>>, AgentError> {
        if self.request_snapshot()? {
            self.revive()?;
        }
        Ok(self.last_snapshot.clone())
    }

    /// Sends a snapshot request and keeps the answer; `true` when the agent refused
    /// (warned about, and no more are asked).
    fn request_snapshot(&mut self) -> Result<bool, AgentError> {
        if !self.asks_snapshots() {
            return Ok(false);
        }
        let Some(mut connection) = self.connection.take() else {
            return Ok(false);
        };
        let result = connection
            .send(&wrap(request::Message::Snapshot(SnapshotRequest {})))
            .and_then(|()| self.await_response(&connection, "snapshot"));
        self.connection = Some(connection);
        match result {
            Ok(response::Message::Snapshot(s)) => {
                self.last_snapshot = Some(s.snapshot).filter(|s| !s.is_empty());
                self.journal.snapshot_taken();
                Ok(false)
            }
            Ok(_) => Ok(false),
            Err(Failure::Agent(text)) => {
                log::warn(
                    &self.spec.udf,
                    &format!(
                        "snapshot failed, no more snapshots are asked of node {}: {text}",
                        self.spec.node
                    ),
                );
                self.snapshots = false;
                Ok(true)
            }
            Err(failure) => {
                let failure = match self.connection.as_mut() {
                    Some(connection) => connection.exit_reason(failure),
                    None => failure,
                };
                Err(self.failed(failure))
            }
        }
    }

    /// What a restart of tickflow needs to bring this agent back (see [`AgentState`]).
    pub fn state(&self) -> AgentState {
        let (journal, emitted) = self.journal.state();
        AgentState {
            snapshot: self.last_snapshot.clone(),
            journal: journal.map(<[u8]>::to_vec).unwrap_or_default(),
            emitted,
        }
    }

    /// Brings the agent back to a saved [`AgentState`]: Restore with its snapshot, then
    /// its journal sent again with its outputs already handed out dropped. Outputs past
    /// those come out with the next [`ExternalUdf::send`] or [`ExternalUdf::finish`].
    pub fn restore(&mut self, state: AgentState) -> Result<(), AgentError> {
        let Some(mut connection) = self.connection.take() else {
            return Err(fail(
                &self.spec.udf,
                Failure::ClosedOutput("a snapshot was to be restored"),
                Vec::new(),
            ));
        };
        let snapshot = state.snapshot.filter(|s| !s.is_empty());
        let result = match snapshot.clone() {
            Some(snapshot) => self.send_restore(&mut connection, snapshot),
            None => Ok(()),
        };
        self.connection = Some(connection);
        result.map_err(|failure| self.failed(failure))?;
        self.last_snapshot = snapshot;
        self.journal.restore(state.journal, state.emitted);
        self.replay()
    }

    /// Takes a last snapshot, ends the input, waits for the agent's remaining output (to
    /// `out`) and its exit.
    pub fn finish(&mut self, out: &mut Vec<Message>) -> Result<(), AgentError> {
        let last = if self.connection.is_some() {
            self.request_snapshot().map(|_refused| ())
        } else {
            Ok(())
        };
        if let Err(err) = last {
            out.append(&mut self.pending);
            return Err(err);
        }
        let Some(mut connection) = self.connection.take() else {
            out.append(&mut self.pending);
            return Ok(());
        };
        connection.close_input();
        let result = loop {
            match connection.events().recv() {
                Ok(Event::Response(message)) => {
                    if let Err(failure) = self.take_data(message) {
                        break Err(failure);
                    }
                }
                Ok(Event::Failed(failure)) => break Err(failure),
                Ok(Event::Eof) | Err(_) => break Ok(()),
            }
        };
        let result = result.and_then(|()| {
            let status = connection.wait_exit(connection.timeout());
            Connection::exit_failure(status).map_or(Ok(()), Err)
        });
        self.journal.settle();
        out.append(&mut self.pending);
        let stderr = connection.stderr();
        result.map_err(|failure| fail(&self.spec.udf, failure, stderr))
    }
}
