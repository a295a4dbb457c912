//! [`Threaded`]: one thread per node, bounded channels of message chunks between them.
//!
//! Each node thread blocks on its input channel, runs every message of a chunk through
//! its node, and sends its output on to each child as one chunk: when it has gathered
//! [`CHUNK`] messages, or when its input has nothing more waiting (so a lone point is not
//! held back). A full channel blocks the sender: backpressure reaches the writer instead
//! of memory growing. Shutdown is channels closing: when every parent of a node has
//! finished and dropped its sender, the node finishes, flushes, and drops its own
//! senders in turn.
//!
//! [`Threaded::snapshot`] (and [`Input::snapshot`]) takes a live snapshot: a marker
//! flows through the DAG behind the data written before it, and each node records its
//! state once the marker has reached it on every input ([`super::snapshot`]).
//!
//! A node that fails hands its last output on to its children (what it computed before
//! the fault still reaches them), and its thread calls the DAG's [`FailureHook`] at once,
//! so the owner learns of the failure while the task runs, not only at
//! [`Threaded::finish`]. Its children then finish as their inputs close.
//!
//! A node that wants ticks runs on wall time (see [`Node`]'s docs): its thread waits for
//! input only until its next tick is due (`recv_timeout`), and a due tick goes before
//! waiting input, so a busy node still ticks. Other nodes block on `recv` as before.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use serde_json::Value;
use tickflow_model::{Duration, Message, Time};

use super::snapshot::{Alignment, Interrupted, Round};
use crate::dag::{Dag, DagNode};
use crate::diagnostics::Diagnostics;
use crate::node::{Context, Node, NodeError};
use crate::stats::NodeStats;

/// The most messages a node gathers before sending them on.
pub(super) const CHUNK: usize = 512;

/// What travels to one input of a node.
struct Envelope {
    input: usize,
    payload: Payload,
}

/// A chunk of messages, or a snapshot's marker.
enum Payload {
    Chunk(Vec<Message>),
    Mark(Arc<Round>),
}

/// Why a threaded DAG stopped.
#[derive(Debug, thiserror::Error)]
pub enum ThreadedError {
    /// A node failed; the task stopped.
    #[error("{}", Failure { node: node.clone(), error: error.clone() })]
    Node {
        /// The node's name.
        node: String,
        /// Its error.
        error: NodeError,
    },
    /// A node's thread panicked (a bug in tickflow).
    #[error("node {node} panicked")]
    Panicked {
        /// The node's name.
        node: String,
    },
    /// The task no longer accepts data because its source stopped.
    #[error("the task has stopped")]
    Stopped,
    /// The task stopped before every node recorded its state.
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
    /// The operating system refused a thread.
    #[error("cannot start a thread for node {node}: {source}")]
    Spawn {
        /// The node's name.
        node: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A node that failed while the DAG ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The node's name.
    pub node: String,
    /// Its error.
    pub error: NodeError,
}

impl std::fmt::Display for Failure {
    /// `node NAME: ERROR`, naming the node once when its error already starts with it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let error = &self.error.message;
        let own = error
            .strip_prefix(&self.node)
            .and_then(|e| e.strip_prefix(": "));
        write!(f, "node {}: {}", self.node, own.unwrap_or(error))
    }
}

/// Called from a failing node's thread, once per failed node, as it fails.
pub type FailureHook = Arc<dyn Fn(&Failure) + Send + Sync>;

/// A node thread: it hands its node back when it finishes.
type NodeThread = JoinHandle<Result<Box<dyn Node>, NodeError>>;

/// A finished node with its name.
pub type NamedNode = (String, Box<dyn Node>);

/// A handle that pushes into a running DAG's source from any thread. While one exists
/// the source's input stays open, so holders keep it only for as long as a push takes.
#[derive(Clone)]
pub struct Input {
    sender: Sender<Envelope>,
    nodes: usize,
    ended: Arc<AtomicUsize>,
}

impl Input {
    /// Sends a chunk to the source node, blocking while its channel is full.
    pub fn push(&self, chunk: Vec<Message>) -> Result<(), ThreadedError> {
        send_payload(&self.sender, Payload::Chunk(chunk))
    }

    /// A live snapshot: each node's state after every chunk pushed before this call
    /// and none pushed after it, as `(node, state)` in DAG order for the nodes that keep
    /// state. Waits until every node has recorded its state.
    pub fn snapshot(&self) -> Result<Vec<(String, Value)>, ThreadedError> {
        self.start_snapshot()?.wait()
    }

    /// Sends a snapshot marker behind every chunk pushed before this call and returns
    /// without waiting: [`PendingSnapshot::wait`] gives the states. A caller that stops
    /// its writers while it calls this on several DAGs gets one cut across all of them.
    pub fn start_snapshot(&self) -> Result<PendingSnapshot, ThreadedError> {
        let (round, pending) = Round::start(self.nodes);
        send_payload(&self.sender, Payload::Mark(round))?;
        Ok(PendingSnapshot {
            pending,
            ended: Arc::clone(&self.ended),
        })
    }
}

/// A snapshot whose marker is on its way through the DAG.
pub struct PendingSnapshot {
    pending: super::snapshot::Pending,
    ended: Arc<AtomicUsize>,
}

impl PendingSnapshot {
    /// Waits until every node has recorded its state: `(node, state)` in DAG order for
    /// the nodes that keep state.
    pub fn wait(self) -> Result<Vec<(String, Value)>, ThreadedError> {
        Ok(self.pending.wait(&self.ended)?)
    }
}

/// Sends to the source's input.
fn send_payload(sender: &Sender<Envelope>, payload: Payload) -> Result<(), ThreadedError> {
    sender
        .send(Envelope { input: 0, payload })
        .map_err(|_| ThreadedError::Stopped)
}

/// A DAG running on its own threads.
pub struct Threaded {
    input: Option<Sender<Envelope>>,
    nodes: usize,
    /// How many node threads have ended.
    ended: Arc<AtomicUsize>,
    threads: Vec<(String, NodeThread)>,
    stats: Vec<(String, Arc<NodeStats>)>,
}

impl Threaded {
    /// Starts one thread per node; each channel holds at most `capacity` chunks.
    pub fn start(
        dag: Dag,
        diagnostics: Arc<dyn Diagnostics>,
        capacity: usize,
    ) -> Result<Self, ThreadedError> {
        Self::start_watched(dag, diagnostics, capacity, Arc::new(|_: &Failure| {}))
    }

    /// Starts as [`Threaded::start`]; a node that fails calls `on_failure` from its
    /// thread as it stops.
    pub fn start_watched(
        dag: Dag,
        diagnostics: Arc<dyn Diagnostics>,
        capacity: usize,
        on_failure: FailureHook,
    ) -> Result<Self, ThreadedError> {
        let stats = dag.stats();
        let (senders, receivers): (Vec<_>, Vec<_>) = dag
            .nodes
            .iter()
            .map(|_| bounded::<Envelope>(capacity.max(1)))
            .unzip();
        let nodes = dag.nodes.len();
        let ended = Arc::new(AtomicUsize::new(0));
        let mut threads = Vec::with_capacity(nodes);
        for (index, (node, rx)) in dag.nodes.into_iter().zip(receivers).enumerate() {
            let children: Vec<(Sender<Envelope>, usize)> = node
                .children
                .iter()
                .map(|link| (senders[link.child].clone(), link.input))
                .collect();
            let name = node.name.clone();
            let diagnostics = Arc::clone(&diagnostics);
            let handle = std::thread::Builder::new()
                .name(format!("node-{name}"))
                .spawn({
                    let ended = Arc::clone(&ended);
                    let on_failure = Arc::clone(&on_failure);
                    let node_name = name.clone();
                    move || {
                        let result = run_node(index, node, rx, children, &*diagnostics);
                        if let Err(error) = &result {
                            on_failure(&Failure {
                                node: node_name,
                                error: error.clone(),
                            });
                        }
                        ended.fetch_add(1, Ordering::Release);
                        result
                    }
                })
                .map_err(|source| ThreadedError::Spawn {
                    node: name.clone(),
                    source,
                })?;
            threads.push((name, handle));
        }
        let input = senders.into_iter().next();
        Ok(Threaded {
            input,
            nodes,
            ended,
            threads,
            stats,
        })
    }

    /// Sends a chunk to the source node, blocking while its channel is full.
    pub fn push(&self, chunk: Vec<Message>) -> Result<(), ThreadedError> {
        self.input().ok_or(ThreadedError::Stopped)?.push(chunk)
    }

    /// A live snapshot of every node's state, as [`Input::snapshot`].
    pub fn snapshot(&self) -> Result<Vec<(String, Value)>, ThreadedError> {
        self.input().ok_or(ThreadedError::Stopped)?.snapshot()
    }

    /// A handle pushing into the source, for writers on other threads; `None` once the
    /// input is closed.
    pub fn input(&self) -> Option<Input> {
        self.input.clone().map(|sender| Input {
            sender,
            nodes: self.nodes,
            ended: Arc::clone(&self.ended),
        })
    }

    /// Every node's name and live counters.
    pub fn stats(&self) -> &[(String, Arc<NodeStats>)] {
        &self.stats
    }

    /// Closes the input, waits for every node to finish and returns the nodes (for their
    /// snapshots), or the first node error.
    pub fn finish(mut self) -> Result<Vec<NamedNode>, ThreadedError> {
        self.input = None;
        let mut nodes = Vec::with_capacity(self.threads.len());
        let mut first_error = None;
        for (name, handle) in self.threads {
            match handle.join() {
                Ok(Ok(node)) => nodes.push((name, node)),
                Ok(Err(error)) => {
                    first_error.get_or_insert(ThreadedError::Node { node: name, error });
                }
                Err(_) => {
                    first_error.get_or_insert(ThreadedError::Panicked { node: name });
                }
            }
        }
        first_error.map_or(Ok(nodes), Err)
    }
}

/// What a node thread does next.
enum Event {
    /// Handle a chunk.
    Chunk(Envelope),
    /// Tick with the clock at this time.
    Tick(Time),
    /// Every input has closed.
    Closed,
}

/// The body of a node thread: node `index` of the DAG.
fn run_node(
    index: usize,
    mut node: DagNode,
    rx: Receiver<Envelope>,
    children: Vec<(Sender<Envelope>, usize)>,
    diagnostics: &dyn Diagnostics,
) -> Result<Box<dyn Node>, NodeError> {
    let mut out = Vec::new();
    let clocked = node.node.wants_ticks();
    let mut due = clocked.then(|| schedule(&mut node, Time::now())).flatten();
    let mut alignment = Alignment::new(node.inputs);
    let mut serve = || -> Result<(), NodeError> {
        loop {
            let event = match alignment.next_released() {
                Some((input, payload)) => Event::Chunk(Envelope { input, payload }),
                None => next_event(&rx, due),
            };
            match event {
                Event::Chunk(Envelope { input, payload }) => {
                    let Some(payload) = alignment.admit(input, payload) else {
                        continue;
                    };
                    let mut chunk = match payload {
                        Payload::Chunk(chunk) => chunk,
                        Payload::Mark(round) => {
                            if let Some(round) = alignment.mark(input, round) {
                                send(&children, &mut out);
                                round.record(index, &node.name, node.node.snapshot());
                                forward(&children, &round);
                            }
                            continue;
                        }
                    };
                    let started = Instant::now();
                    let count = chunk.len() as u64;
                    let before = out.len();
                    let mut ctx =
                        Context::new(&mut out, &node.stats, &node.name, diagnostics, node.quiet);
                    if clocked {
                        ctx = ctx.with_now(Time::now());
                    }
                    node.node.messages(input, &mut chunk, &mut ctx)?;
                    node.stats
                        .record_work(count, (out.len() - before) as u64, started.elapsed());
                    node.stats.set_memory(node.node.memory());
                    if clocked {
                        due = schedule(&mut node, Time::now());
                    }
                    if out.len() >= CHUNK || rx.is_empty() {
                        send(&children, &mut out);
                    }
                }
                Event::Tick(now) => {
                    let started = Instant::now();
                    let before = out.len();
                    let mut ctx =
                        Context::new(&mut out, &node.stats, &node.name, diagnostics, node.quiet)
                            .with_now(now);
                    node.node.tick(now, &mut ctx)?;
                    node.stats
                        .record_work(0, (out.len() - before) as u64, started.elapsed());
                    node.stats.set_memory(node.node.memory());
                    due = schedule(&mut node, now);
                    send(&children, &mut out);
                }
                Event::Closed => break,
            }
        }
        let started = Instant::now();
        let before = out.len();
        let mut ctx = Context::new(&mut out, &node.stats, &node.name, diagnostics, node.quiet);
        node.node.finish(&mut ctx)?;
        node.stats
            .record_work(0, (out.len() - before) as u64, started.elapsed());
        Ok(())
    };
    // On an error too: what the node emitted before it failed goes on.
    let result = serve();
    send(&children, &mut out);
    result.map(|()| node.node)
}

/// Asks a clocked node when it next wants a tick, the clock reading `now`; a time not
/// after `now` becomes the next nanosecond.
fn schedule(node: &mut DagNode, now: Time) -> Option<Time> {
    (node.node.next_tick(now)).map(|due| due.max(now + Duration::NANOSECOND))
}

/// Waits for the next chunk, or until `due` by wall time; a tick already due comes
/// before waiting input.
fn next_event(rx: &Receiver<Envelope>, due: Option<Time>) -> Event {
    let Some(due) = due else {
        return rx.recv().map_or(Event::Closed, Event::Chunk);
    };
    let now = Time::now();
    if due <= now {
        return Event::Tick(due);
    }
    let wait = u64::try_from(due.since(now).nanos()).unwrap_or(0);
    match rx.recv_timeout(std::time::Duration::from_nanos(wait)) {
        Ok(envelope) => Event::Chunk(envelope),
        Err(RecvTimeoutError::Timeout) => Event::Tick(due),
        Err(RecvTimeoutError::Disconnected) => Event::Closed,
    }
}

/// Sends a snapshot's marker to every child, behind what was sent before it.
fn forward(children: &[(Sender<Envelope>, usize)], round: &Arc<Round>) {
    for (tx, input) in children {
        let _ = tx.send(Envelope {
            input: *input,
            payload: Payload::Mark(Arc::clone(round)),
        });
    }
}

/// Sends the gathered output to every child; a child that has stopped is skipped (its
/// own thread reports why).
fn send(children: &[(Sender<Envelope>, usize)], out: &mut Vec<Message>) {
    if out.is_empty() {
        return;
    }
    let chunk = std::mem::take(out);
    if let Some(((last, last_input), rest)) = children.split_last() {
        for (tx, input) in rest {
            let _ = tx.send(Envelope {
                input: *input,
                payload: Payload::Chunk(chunk.clone()),
            });
        }
        let _ = last.send(Envelope {
            input: *last_input,
            payload: Payload::Chunk(chunk),
        });
    }
}
