//! [`TaskMaster`]: the tasks of a running server, and where written points go.
//!
//! The master keeps task definitions ([`Pipeline`]s by id) and the tasks that run, each a
//! [`Task`] on an [`executor::Threaded`](crate::executor::Threaded). A definition is
//! enabled by building a fresh task from it (so a re-enabled task starts with empty
//! windows, as in Kapacitor) and disabled by draining it: its input closes, every node
//! flushes and its threads are joined. [`TaskMaster::start`] runs a task the caller built
//! itself, for programs that add their own nodes to the DAG.
//!
//! [`TaskMaster::write`] hands a batch of points to every running task whose dbrps
//! include the point's database and retention policy (a task naming no dbrp reads every
//! point, as in a replay); `from()` filters measurements itself. Each task gets the batch
//! as one chunk, so the points of one write stay together and in order. A push blocks
//! while the task's input channel is full: a slow task slows its writers, and an accepted
//! point is never dropped. Writes share a read lock with each other; defining, enabling,
//! disabling and shutting down take the write lock, so they wait for writes in flight and
//! a write never sees half a change. [`TaskMaster::shutdown`] refuses further writes and
//! drains every task.
//!
//! The master uses plain threads and locks; it knows nothing of HTTP or async runtimes.
//!
//! # Failures and restarts
//!
//! A task never dies silently. Each task has a [`TaskHealth`] that outlives its runs. A
//! node that fails records it there from its own thread (the task shows as failed at
//! once), logs it through [`Diagnostics::task_failed`], and sends the task's id to the
//! supervisor ([`TaskMaster::supervise`], a thread of its own). The supervisor takes the
//! task out of the running set, drains it (what the healthy nodes computed still
//! reaches their handlers), and schedules a restart after the [`RestartPolicy`]'s
//! backoff: a fresh task from the definition, its nodes restored from the task's last
//! live snapshot ([`TaskMaster::snapshot`]) when one was taken. When the restarts are
//! used up the task has failed for good; [`TaskMaster::shutdown`] reports it with its
//! failure. Points routed to a task that is not executing (failed, awaiting restart)
//! are dropped and counted per task, never silently.
//!
//! # Loopback
//!
//! `kapacitorLoopback` nodes write through the master: [`TaskMaster::start`] refuses a
//! task that would read what it writes back (Kapacitor's loop check), then connects its
//! loopback nodes to a writer that routes their points like a client's write. That writer
//! never takes the master's lock: it reads a snapshot of the running tasks' inputs kept
//! beside the state (a mutex held only to swap or clone the snapshot), so a loopback
//! node pushing into a busy task cannot deadlock with a writer holding the read lock and
//! an enable waiting for the write lock. A loopback point reaches the tasks running
//! when it is written; after shutdown it is dropped, and the node reports that once.
//! Two tasks looping into each other through full channels can still block each other,
//! as any cycle of bounded queues can.
//!
//! # Nodes of a program's own
//!
//! A program embedding tickflow starts from `tickflow::Engine`, which runs on this
//! master. A program that wants nodes of its own in a task's DAG builds the task itself
//! and starts it here: below, a node linked after the alert node receives the alerted
//! point, augmented with `.levelTag()`/`.messageField()`, for every event.
//!
//! ```
//! use std::sync::{mpsc, Arc, Mutex};
//! use tickflow_engine::master::{MasterConfig, TaskMaster};
//! use tickflow_engine::{diagnostics::Collect, Context, Node, NodeError, Task};
//! use tickflow_model::{Dbrp, FieldValue, Fields, Message, Point, Time};
//!
//! /// Receives the alert node's output: one message per alert event.
//! struct Alerts(Mutex<mpsc::Sender<Message>>);
//! impl Node for Alerts {
//!     fn message(&mut self, _: usize, m: Message, _: &mut Context<'_>) -> Result<(), NodeError> {
//!         let _ = self.0.lock().expect("sender").send(m);
//!         Ok(())
//!     }
//! }
//!
//! let script = "dbrp \"printer\".\"autogen\"\n\
//!     stream|from().measurement('temperatures')\
//!     |alert().crit(lambda: \"hotend\" > 250.0).levelTag('level').messageField('message')";
//! let program = tickflow_tickscript::parse(script)?;
//! let pipeline = tickflow_pipeline::build(&program, &Default::default())?;
//!
//! let master = TaskMaster::new(MasterConfig::default(), Arc::new(Collect::default()));
//! let mut task = Task::build(&pipeline, "hot")?;
//! let (tx, rx) = mpsc::channel();
//! let sink = task.dag.add("alerts", Box::new(Alerts(Mutex::new(tx))), false);
//! task.dag.link(2, sink)?; // alert2, after stream0 and from1
//! master.start(task)?;
//!
//! let point = |hotend: f64, t: i64| {
//!     let mut p = Point::new("temperatures", Time::from_nanos(t));
//!     p.database = "printer".into();
//!     p.retention_policy = "autogen".into();
//!     p.fields = Fields::from_pairs([("hotend", FieldValue::Float(hotend))]);
//!     p
//! };
//! master.write(vec![point(220.0, 1), point(260.0, 2), point(221.0, 3)])?;
//! for stopped in master.shutdown() {
//!     stopped.result?;
//! }
//!
//! let alerts: Vec<String> = rx
//!     .try_iter()
//!     .filter_map(|m| match m {
//!         Message::Point(p) => p.tags.get("level").map(|l| l.to_string()),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(alerts, ["CRITICAL", "OK"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::Instant;

use serde_json::Value;
use tickflow_model::{Dbrp, Message, Point};
use tickflow_pipeline::Pipeline;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};

use crate::diagnostics::Diagnostics;
use crate::executor::{Failure, Input, Threaded, ThreadedError};
use crate::health::{HealthSnapshot, RestartPolicy, TaskHealth};
use crate::nodes::http_out::{HttpOutput, HttpOutputs};
use crate::nodes::kapacitor_loopback::{LoopError, PointWriter};
use crate::stats::StatsSnapshot;
use crate::task::{Environment, Task, TaskError};

/// How the master runs tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MasterConfig {
    /// How many chunks each node's input channel holds before a push blocks.
    pub capacity: usize,
    /// When a failed task is restarted.
    pub restart: RestartPolicy,
}

impl Default for MasterConfig {
    fn default() -> Self {
        MasterConfig {
            capacity: 64,
            restart: RestartPolicy::default(),
        }
    }
}

/// Why the master refused a request.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    /// The master is shutting down (or has shut down) and accepts nothing more.
    #[error("task master is closed")]
    Closed,
    /// No definition has this id.
    #[error("no task exists: {id:?}")]
    UnknownTask {
        /// The id asked for.
        id: String,
    },
    /// A task with this id is already running.
    #[error("task {id:?} is already executing")]
    AlreadyRunning {
        /// The task's id.
        id: String,
    },
    /// The definition does not make a runnable task.
    #[error("task {id:?}: {source}")]
    Build {
        /// The task's id.
        id: String,
        /// Why it cannot run.
        source: Box<TaskError>,
    },
    /// The task writes back (`kapacitorLoopback`) into a dbrp it reads.
    #[error("task {id:?}: {source}")]
    Loop {
        /// The task's id.
        id: String,
        /// Which node loops.
        source: LoopError,
    },
    /// The task's queries cannot start (unknown cluster, Flux).
    #[error("task {id:?}: {source}")]
    Batching {
        /// The task's id.
        id: String,
        /// Why.
        source: crate::nodes::query::BatchingError,
    },
    /// A saved state does not restore into the task's node.
    #[error("task {id:?}: cannot restore node {node} from its snapshot: {error}")]
    Restore {
        /// The task's id.
        id: String,
        /// The node.
        node: String,
        /// What the node said.
        error: crate::NodeError,
    },
    /// The task's threads could not start.
    #[error("task {id:?}: {source}")]
    Start {
        /// The task's id.
        id: String,
        /// What the executor said.
        source: ThreadedError,
    },
}

/// What one write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Routed {
    /// How many tasks received at least one point.
    pub tasks: usize,
    /// How many points were delivered, counted once per task that received them.
    pub deliveries: usize,
}

/// A running task's counters at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStats {
    /// Points per second the task's source received since it started; for a batch
    /// task, batches per second its queries emitted.
    pub throughput: f64,
    /// Each node's name and counters, in DAG order.
    pub nodes: Vec<(String, StatsSnapshot)>,
}

/// A task that has been drained.
#[derive(Debug)]
pub struct Stopped {
    /// The task's id.
    pub id: String,
    /// Each node's final counters, in DAG order.
    pub nodes: Vec<(String, StatsSnapshot)>,
    /// How it ended: `Ok` when every node finished cleanly, else the first node error.
    pub result: Result<(), ThreadedError>,
    /// Each stateful node's state once drained, in DAG order (empty when a node failed):
    /// what a durable server saves at shutdown.
    pub states: Vec<(String, Value)>,
}

/// A task's snapshot on its way ([`TaskMaster::start_snapshots`]).
pub struct TaskSnapshot {
    pending: crate::executor::PendingSnapshot,
    health: Arc<TaskHealth>,
}

impl TaskSnapshot {
    /// Waits for every node's state; the task's restarts resume from it too.
    pub fn wait(self) -> Result<Vec<(String, Value)>, ThreadedError> {
        let states = self.pending.wait()?;
        self.health.keep_snapshot(&states);
        Ok(states)
    }
}

/// A task on its threads.
struct Running {
    task_dbrps: Vec<Dbrp>,
    health: Arc<TaskHealth>,
    http_outputs: HttpOutputs,
    threaded: Threaded,
    started: Instant,
    /// A batch task's query nodes, whose batches its throughput counts.
    batch_sources: Vec<usize>,
}

/// A running task's input as loopback writes see it.
#[derive(Clone)]
struct Route {
    id: String,
    dbrps: Vec<Dbrp>,
    input: Input,
    health: Arc<TaskHealth>,
}

/// The running tasks' inputs for loopback writes: a snapshot swapped under a mutex that
/// is never held while pushing; `None` once the master has shut down.
struct Routes(Mutex<Option<Arc<Vec<Route>>>>);

impl Default for Routes {
    fn default() -> Self {
        Routes(Mutex::new(Some(Arc::default())))
    }
}

impl Routes {
    /// Replaces the snapshot with `change` applied to a copy (nothing once closed).
    fn update(&self, change: impl FnOnce(&mut Vec<Route>)) {
        let mut table = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(routes) = table.as_mut() {
            let mut next = routes.as_ref().clone();
            change(&mut next);
            *routes = Arc::new(next);
        }
    }

    /// Drops every route: loopback writes go nowhere from now on.
    fn close(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The routes now, or `None` after shutdown.
    fn snapshot(&self) -> Option<Arc<Vec<Route>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What a task's loopback nodes write through: the master's routes, held weakly so the
/// tasks do not keep the master's inputs alive.
struct LoopbackWriter(Weak<Routes>);

impl PointWriter for LoopbackWriter {
    fn write_points(&self, points: Vec<Point>) -> bool {
        let Some(routes) = self.0.upgrade().and_then(|r| r.snapshot()) else {
            return false;
        };
        let targets: Vec<&Route> = routes.iter().collect();
        // A task that has stopped takes nothing; the others still get their points.
        deliver(
            &targets,
            |r| &r.dbrps,
            |r, chunk| push_or_drop(|c| r.input.push(c), &r.health, chunk),
            points,
        );
        true
    }
}

/// A failed task that is not running: when it restarts (`None`: never), and the dbrps
/// whose points it drops meanwhile.
struct Down {
    due: Option<Instant>,
    dbrps: Vec<Dbrp>,
    health: Arc<TaskHealth>,
}

#[derive(Default)]
struct State {
    closed: bool,
    definitions: BTreeMap<String, Pipeline>,
    running: BTreeMap<String, Running>,
    down: BTreeMap<String, Down>,
    health: BTreeMap<String, Arc<TaskHealth>>,
}

/// The tasks of a server: definitions, running tasks, and the router of written points.
pub struct TaskMaster {
    config: MasterConfig,
    environment: Environment,
    diagnostics: Arc<dyn Diagnostics>,
    state: RwLock<State>,
    routes: Arc<Routes>,
    /// Node threads send the id of a task that failed; the supervisor receives.
    failed: Sender<String>,
    failed_rx: Receiver<String>,
    /// The supervisor sends the id of a task it gave up on; [`TaskMaster::given_up`].
    given_up: Sender<String>,
    given_up_rx: Receiver<String>,
}

impl TaskMaster {
    /// An empty master with the default [`Environment`] (native UDFs, no configured
    /// endpoints); node errors of every task go to `diagnostics`.
    pub fn new(config: MasterConfig, diagnostics: Arc<dyn Diagnostics>) -> Self {
        Self::with_environment(config, Environment::default(), diagnostics)
    }

    /// An empty master whose tasks are built in `environment` (its UDFs and alert
    /// services).
    pub fn with_environment(
        config: MasterConfig,
        environment: Environment,
        diagnostics: Arc<dyn Diagnostics>,
    ) -> Self {
        let (failed, failed_rx) = unbounded();
        let (given_up, given_up_rx) = unbounded();
        TaskMaster {
            config,
            environment,
            diagnostics,
            state: RwLock::new(State::default()),
            routes: Arc::default(),
            failed,
            failed_rx,
            given_up,
            given_up_rx,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_lock(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The environment tasks are built in: its alert services hold the shared topics.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// Stores (or replaces) the definition `id`. A running instance keeps its old
    /// definition until it is disabled and enabled again, as in Kapacitor.
    pub fn define(&self, id: &str, pipeline: Pipeline) -> Result<(), MasterError> {
        let mut state = self.write_lock();
        if state.closed {
            return Err(MasterError::Closed);
        }
        state.definitions.insert(id.to_string(), pipeline);
        Ok(())
    }

    /// Builds a fresh task from definition `id` and starts it.
    pub fn enable(&self, id: &str) -> Result<(), MasterError> {
        let task = self.build_defined(id)?;
        self.start(task)
    }

    /// A fresh task built from definition `id`.
    fn build_defined(&self, id: &str) -> Result<Task, MasterError> {
        let pipeline = self
            .read()
            .definitions
            .get(id)
            .cloned()
            .ok_or_else(|| MasterError::UnknownTask { id: id.to_string() })?;
        Task::build_with(&pipeline, id, &self.environment).map_err(|source| MasterError::Build {
            id: id.to_string(),
            source: Box::new(source),
        })
    }

    /// Builds a task from definition `id`, gives each node its state from `states` (by
    /// node name, as [`TaskMaster::snapshot`] gave them) and starts it. A state a node
    /// refuses is an error and the task does not start.
    pub fn enable_restored(
        &self,
        id: &str,
        states: Vec<(String, Value)>,
    ) -> Result<(), MasterError> {
        let mut task = self.build_defined(id)?;
        for (name, state) in states {
            let node = task.dag.nodes.iter_mut().find(|n| n.name == name);
            let restored = node.map_or_else(
                || Err(crate::NodeError::new("the task has no such node")),
                |node| node.node.restore(state),
            );
            restored.map_err(|error| MasterError::Restore {
                id: id.to_string(),
                node: name,
                error,
            })?;
        }
        self.start(task)
    }

    /// Starts a task built by the caller (its id must not be running already). A task
    /// whose `kapacitorLoopback` writes into a dbrp it reads is refused.
    pub fn start(&self, task: Task) -> Result<(), MasterError> {
        let mut state = self.write_lock();
        if state.closed {
            return Err(MasterError::Closed);
        }
        if state.running.contains_key(&task.id) {
            return Err(MasterError::AlreadyRunning { id: task.id });
        }
        if let Err(source) = task.loopback.check(&task.dbrps) {
            return Err(MasterError::Loop {
                id: task.id,
                source,
            });
        }
        if !task.loopback.is_empty() {
            let writer = LoopbackWriter(Arc::downgrade(&self.routes));
            task.loopback.connect(Arc::new(writer));
        }
        let batch = !task.batching.is_empty();
        if batch {
            (task.batching)
                .start(&task.id, &self.environment.influxdb, &task.dbrps)
                .map_err(|source| MasterError::Batching {
                    id: task.id.clone(),
                    source,
                })?;
        }
        let health = Arc::clone(state.health.entry(task.id.clone()).or_default());
        let threaded = Threaded::start_watched(
            task.dag,
            Arc::clone(&self.diagnostics),
            self.config.capacity,
            self.failure_hook(&task.id, &health),
        )
        .map_err(|source| MasterError::Start {
            id: task.id.clone(),
            source,
        })?;
        // A batch task reads InfluxDB, not writes: it gets no route.
        if let Some(input) = threaded.input().filter(|_| !batch) {
            let route = Route {
                id: task.id.clone(),
                dbrps: task.dbrps.clone(),
                input,
                health: Arc::clone(&health),
            };
            self.routes.update(|routes| routes.push(route));
        }
        state.down.remove(&task.id);
        state.running.insert(
            task.id,
            Running {
                task_dbrps: task.dbrps,
                health,
                http_outputs: task.http_outputs,
                threaded,
                started: Instant::now(),
                batch_sources: task.batch_sources,
            },
        );
        Ok(())
    }

    /// Stops task `id` and drains it; `None` when it was not running. A failed task
    /// waiting for its restart is not restarted.
    pub fn disable(&self, id: &str) -> Option<Stopped> {
        let running = {
            let mut state = self.write_lock();
            state.down.remove(id);
            state.running.remove(id)?
        };
        self.routes.update(|routes| routes.retain(|r| r.id != id));
        Some(drain(id.to_string(), running))
    }

    /// Stops task `id` if it runs and forgets its definition; what it drained, if it ran.
    pub fn delete(&self, id: &str) -> Option<Stopped> {
        let running = {
            let mut state = self.write_lock();
            state.definitions.remove(id);
            state.down.remove(id);
            state.health.remove(id);
            state.running.remove(id)
        };
        self.routes.update(|routes| routes.retain(|r| r.id != id));
        running.map(|r| drain(id.to_string(), r))
    }

    /// Hands `points` to every running task that reads them, blocking while a task's
    /// input is full. Fails only when the master is closed; then nothing is written.
    pub fn write(&self, points: Vec<Point>) -> Result<Routed, MasterError> {
        let state = self.read();
        if state.closed {
            return Err(MasterError::Closed);
        }
        count_dropped(&state.down, &points);
        let readers: Vec<&Running> = state.running.values().collect();
        // A task whose source node has failed no longer takes data: its points are
        // counted as dropped, and the other tasks still get theirs.
        let push = |running: &Running, chunk| {
            push_or_drop(|c| running.threaded.push(c), &running.health, chunk)
        };
        Ok(deliver(&readers, |r| &r.task_dbrps, push, points))
    }

    /// Like [`TaskMaster::write`], but only the running tasks among `ids` get the
    /// points: a durable server replays its log into the tasks whose snapshots do not
    /// cover a record yet.
    pub fn write_to(&self, ids: &[&str], points: Vec<Point>) -> Result<Routed, MasterError> {
        let state = self.read();
        if state.closed {
            return Err(MasterError::Closed);
        }
        let readers: Vec<&Running> = (state.running.iter())
            .filter(|(id, _)| ids.contains(&id.as_str()))
            .map(|(_, running)| running)
            .collect();
        let push = |running: &Running, chunk| {
            push_or_drop(|c| running.threaded.push(c), &running.health, chunk)
        };
        Ok(deliver(&readers, |r| &r.task_dbrps, push, points))
    }

    /// Starts a snapshot of every running task at once and returns without waiting:
    /// each marker follows every write that returned before this call. A caller that
    /// holds its writers while this runs gets one cut across all tasks.
    pub fn start_snapshots(&self) -> Vec<(String, TaskSnapshot)> {
        let state = self.read();
        (state.running.iter())
            .filter_map(|(id, running)| {
                let pending = running.threaded.input()?.start_snapshot().ok()?;
                let snapshot = TaskSnapshot {
                    pending,
                    health: Arc::clone(&running.health),
                };
                Some((id.clone(), snapshot))
            })
            .collect()
    }

    /// The health of task `id` (failures, restarts, dropped points), once it has run.
    pub fn health(&self, id: &str) -> Option<HealthSnapshot> {
        Some(self.read().health.get(id)?.snapshot())
    }

    /// Whether task `id` is running.
    pub fn is_running(&self, id: &str) -> bool {
        self.read().running.contains_key(id)
    }

    /// The ids of the defined tasks, sorted.
    pub fn defined(&self) -> Vec<String> {
        self.read().definitions.keys().cloned().collect()
    }

    /// The ids of the running tasks, sorted.
    pub fn running(&self) -> Vec<String> {
        self.read().running.keys().cloned().collect()
    }

    /// The `httpOut('endpoint')` output of running task `id`: what
    /// `GET /kapacitor/v1/tasks/<id>/<endpoint>` serves.
    pub fn http_output(&self, id: &str, endpoint: &str) -> Option<HttpOutput> {
        self.read()
            .running
            .get(id)?
            .http_outputs
            .get(endpoint)
            .cloned()
    }

    /// A live snapshot of running task `id`: each stateful node's state after every
    /// write that returned before this call (`None` when it is not running). The task
    /// goes on; a task that stops meanwhile gives an error.
    pub fn snapshot(&self, id: &str) -> Option<Result<Vec<(String, Value)>, ThreadedError>> {
        let (input, health) = {
            let state = self.read();
            let running = state.running.get(id)?;
            (running.threaded.input()?, Arc::clone(&running.health))
        };
        let states = input.snapshot();
        if let Ok(states) = &states {
            health.keep_snapshot(states);
        }
        Some(states)
    }

    /// The counters of running task `id`.
    pub fn stats(&self, id: &str) -> Option<TaskStats> {
        let state = self.read();
        let running = state.running.get(id)?;
        let nodes: Vec<(String, StatsSnapshot)> = running
            .threaded
            .stats()
            .iter()
            .map(|(name, stats)| (name.clone(), stats.snapshot()))
            .collect();
        // A stream task's points in; a batch task's batches out of its queries.
        let received = match running.batch_sources.is_empty() {
            true => nodes.first().map_or(0, |(_, s)| s.messages_in),
            false => (running.batch_sources.iter())
                .filter_map(|&i| nodes.get(i))
                .map(|(_, s)| s.messages_out)
                .sum(),
        };
        let elapsed = running.started.elapsed().as_secs_f64();
        let throughput = if elapsed > 0.0 {
            received as f64 / elapsed
        } else {
            0.0
        };
        Some(TaskStats { throughput, nodes })
    }

    /// Refuses every further request, then drains every running task (in id order) and
    /// returns what each did. Calling it again returns nothing.
    pub fn shutdown(&self) -> Vec<Stopped> {
        let (running, down) = {
            let mut state = self.write_lock();
            state.closed = true;
            (
                std::mem::take(&mut state.running),
                std::mem::take(&mut state.down),
            )
        };
        self.routes.close();
        let mut stopped: Vec<Stopped> = running
            .into_iter()
            .map(|(id, running)| drain(id, running))
            .collect();
        stopped.extend(down.into_iter().map(|(id, down)| Stopped {
            id,
            nodes: Vec::new(),
            states: Vec::new(),
            result: down.health.last_failure().map_or(Ok(()), |f| {
                Err(ThreadedError::Node {
                    node: f.node,
                    error: f.error,
                })
            }),
        }));
        stopped.sort_by(|a, b| a.id.cmp(&b.id));
        stopped
    }

    /// What a node of task `id` calls as it fails: records the failure in the task's
    /// health, logs it, and wakes the supervisor.
    fn failure_hook(&self, id: &str, health: &Arc<TaskHealth>) -> crate::executor::FailureHook {
        let (id, health) = (id.to_string(), Arc::clone(health));
        let (diagnostics, failed) = (Arc::clone(&self.diagnostics), self.failed.clone());
        Arc::new(move |failure: &Failure| {
            if health.fail(failure) {
                diagnostics.task_failed(&id, &failure.to_string());
                let _ = failed.send(id.clone());
            }
        })
    }

    /// The ids of the tasks that fail for good (their restarts used up), as they do;
    /// each id goes to one of the receivers.
    pub fn given_up(&self) -> Receiver<String> {
        self.given_up_rx.clone()
    }

    /// Marks task `id` failed for good and tells [`TaskMaster::given_up`].
    fn give_up(&self, id: &str, health: &TaskHealth) {
        health.give_up();
        let _ = self.given_up.send(id.to_string());
    }

    /// Starts the supervisor thread: it drains each task that fails and restarts it
    /// with backoff. It ends when the master shuts down or is dropped.
    pub fn supervise(master: &Arc<TaskMaster>) -> std::io::Result<()> {
        let weak = Arc::downgrade(master);
        let failed = master.failed_rx.clone();
        std::thread::Builder::new()
            .name("task-supervisor".into())
            .spawn(move || supervisor(&weak, &failed))
            .map(drop)
    }

    /// Takes failed task `id` out of the running set, drains it and schedules its
    /// restart (or gives it up).
    fn take_down(&self, id: &str) {
        let running = {
            let mut state = self.write_lock();
            let Some(running) = state.running.remove(id) else {
                return;
            };
            let health = Arc::clone(&running.health);
            let due = self.config.restart.delay(health.restarts());
            let message = match due {
                Some(delay) => format!("restarting in {delay:?}"),
                None => {
                    self.give_up(id, &health);
                    format!("failed for good after {} restarts", health.restarts())
                }
            };
            self.diagnostics.task_failed(id, &message);
            let down = Down {
                due: due.map(|delay| Instant::now() + delay),
                dbrps: running.task_dbrps.clone(),
                health,
            };
            state.down.insert(id.to_string(), down);
            running
        };
        self.routes.update(|routes| routes.retain(|r| r.id != id));
        drop(drain(id.to_string(), running));
    }

    /// Restarts every failed task whose backoff has passed; returns when the next one
    /// is due.
    fn restart_due(&self) -> Option<Instant> {
        let now = Instant::now();
        let due: Vec<(String, Arc<TaskHealth>)> = (self.read().down.iter())
            .filter(|(_, d)| d.due.is_some_and(|due| due <= now))
            .map(|(id, d)| (id.clone(), Arc::clone(&d.health)))
            .collect();
        for (id, health) in due {
            self.restart(&id, &health);
        }
        let state = self.read();
        state.down.values().filter_map(|d| d.due).min()
    }

    /// Starts task `id` again from its definition and its last live snapshot; a task
    /// that cannot start counts as failing again.
    fn restart(&self, id: &str, health: &Arc<TaskHealth>) {
        let Some(pipeline) = self.read().definitions.get(id).cloned() else {
            // A task started without a definition cannot be built again.
            self.give_up(id, health);
            if let Some(down) = self.write_lock().down.get_mut(id) {
                down.due = None;
            }
            return;
        };
        health.restarted();
        let started = Task::build_with(&pipeline, id, &self.environment)
            .map_err(|e| e.to_string())
            .and_then(|mut task| {
                restore(&mut task, health.last_snapshot());
                self.start(task).map_err(|e| e.to_string())
            });
        if let Err(error) = started {
            let failure = Failure {
                node: "task".into(),
                error: crate::NodeError::new(error),
            };
            health.fail(&failure);
            self.diagnostics
                .task_failed(id, &format!("cannot restart: {}", failure.error));
            self.reschedule(id, health);
        }
    }

    /// Schedules the next restart of task `id`, which is down, or gives it up.
    fn reschedule(&self, id: &str, health: &TaskHealth) {
        let delay = self.config.restart.delay(health.restarts());
        if delay.is_none() {
            self.give_up(id, health);
        }
        if let Some(down) = self.write_lock().down.get_mut(id) {
            down.due = delay.map(|d| Instant::now() + d);
        }
    }
}

/// The supervisor's loop: a failed task is taken down at once; restarts run when due.
/// Wakes at least every `POLL` to notice a master that is gone.
fn supervisor(master: &Weak<TaskMaster>, failed: &Receiver<String>) {
    const POLL: std::time::Duration = std::time::Duration::from_millis(200);
    let mut next = None::<Instant>;
    loop {
        let wait = next.map_or(POLL, |due: Instant| {
            due.saturating_duration_since(Instant::now()).min(POLL)
        });
        let event = failed.recv_timeout(wait);
        let Some(master) = master.upgrade() else {
            return;
        };
        if master.read().closed {
            return;
        }
        match event {
            Ok(id) => master.take_down(&id),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        next = master.restart_due();
    }
}

/// Gives each node of `task` its state from `snapshot`, by node name. A state a node
/// refuses leaves that node fresh.
fn restore(task: &mut Task, snapshot: Option<Vec<(String, Value)>>) {
    for (name, state) in snapshot.unwrap_or_default() {
        if let Some(node) = task.dag.nodes.iter_mut().find(|n| n.name == name) {
            let _ = node.node.restore(state);
        }
    }
}

/// Pushes `chunk` into a task's input; when a node of the task has failed its points
/// are counted as dropped.
fn push_or_drop(
    push: impl FnOnce(Vec<Message>) -> Result<(), ThreadedError>,
    health: &TaskHealth,
    chunk: Vec<Message>,
) {
    let count = chunk.len();
    if health.is_failing() || push(chunk).is_err() {
        health.drop_points(count);
    }
}

/// Counts, for each failed task, the points of a write it would have read.
fn count_dropped(down: &BTreeMap<String, Down>, points: &[Point]) {
    for task in down.values() {
        let count = points
            .iter()
            .filter(|p| crate::task::reads(&task.dbrps, p))
            .count();
        task.health.drop_points(count);
    }
}

/// Hands each of `targets` the points its dbrps read, as one chunk, with `push`.
fn deliver<T>(
    targets: &[&T],
    dbrps: impl Fn(&T) -> &[Dbrp],
    push: impl Fn(&T, Vec<Message>),
    points: Vec<Point>,
) -> Routed {
    let mut routed = Routed::default();
    let mut points = Some(points);
    for (i, target) in targets.iter().enumerate() {
        let last = i + 1 == targets.len();
        let chunk = select(dbrps(target), &mut points, last);
        if chunk.is_empty() {
            continue;
        }
        routed.tasks += 1;
        routed.deliveries += chunk.len();
        push(target, chunk);
    }
    routed
}

/// The points of the write that a task reading `dbrps` reads, as messages. The last
/// task takes the points themselves; the others get copies (which share their strings
/// and maps).
fn select(dbrps: &[Dbrp], points: &mut Option<Vec<Point>>, last: bool) -> Vec<Message> {
    let reads = |p: &Point| crate::task::reads(dbrps, p);
    if last {
        let owned = points.take().unwrap_or_default();
        return owned
            .into_iter()
            .filter(reads)
            .map(Message::Point)
            .collect();
    }
    points.as_ref().map_or_else(Vec::new, |points| {
        points
            .iter()
            .filter(|p| reads(p))
            .cloned()
            .map(Message::Point)
            .collect()
    })
}

/// Closes the task's input and waits for every node to finish.
fn drain(id: String, running: Running) -> Stopped {
    let stats: Vec<_> = running.threaded.stats().to_vec();
    let (result, states) = match running.threaded.finish() {
        Ok(nodes) => {
            let states = nodes
                .iter()
                .filter_map(|(name, node)| Some((name.clone(), node.snapshot()?)))
                .collect();
            (Ok(()), states)
        }
        Err(err) => (Err(err), Vec::new()),
    };
    Stopped {
        id,
        nodes: stats
            .into_iter()
            .map(|(name, stats)| (name, stats.snapshot()))
            .collect(),
        result,
        states,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tickflow_model::{FieldValue, Fields, Time};
    use tickflow_pipeline::BuildOptions;

    use super::*;
    use crate::diagnostics::Collect;

    fn pipeline(script: &str) -> Pipeline {
        let program = tickflow_tickscript::parse(script).expect("script parses");
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds")
    }

    fn master() -> TaskMaster {
        let config = MasterConfig {
            capacity: 2,
            ..MasterConfig::default()
        };
        TaskMaster::new(config, Arc::new(Collect::default()))
    }

    /// Forwards points until one named `bad`, on which it fails.
    struct FailOnBad;

    impl crate::Node for FailOnBad {
        fn message(
            &mut self,
            _: usize,
            m: Message,
            ctx: &mut crate::Context<'_>,
        ) -> Result<(), crate::NodeError> {
            if matches!(&m, Message::Point(p) if &*p.name == "bad") {
                return Err(crate::NodeError::new("a bad point"));
            }
            ctx.emit(m);
            Ok(())
        }
    }

    /// Keeps the points it receives.
    struct Keep(Arc<std::sync::Mutex<Vec<i64>>>);

    impl crate::Node for Keep {
        fn message(
            &mut self,
            _: usize,
            m: Message,
            _: &mut crate::Context<'_>,
        ) -> Result<(), crate::NodeError> {
            if let Message::Point(p) = m {
                self.0.lock().expect("not poisoned").push(p.time.nanos());
            }
            Ok(())
        }
    }

    #[test]
    fn a_failed_task_shows_at_once_drains_what_it_computed_and_counts_what_it_drops() {
        let diagnostics = Arc::new(Collect::default());
        let master = Arc::new(TaskMaster::new(
            MasterConfig::default(),
            diagnostics.clone(),
        ));
        TaskMaster::supervise(&master).expect("supervisor starts");
        let mut task = Task::build(&pipeline(CPU), "f").expect("builds");
        let kept = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut dag = crate::Dag::new();
        let source = dag.add("stream0", Box::new(FailOnBad), false);
        let sink = dag.add("keep1", Box::new(Keep(Arc::clone(&kept))), false);
        dag.link(source, sink).expect("links");
        task.dag = dag;
        master.start(task).expect("starts");
        let batch = vec![
            point("a", "cpu", 1),
            point("a", "cpu", 2),
            point("a", "bad", 3),
        ];
        master.write(batch).expect("written");
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while master.is_running("f") && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!master.is_running("f"), "the supervisor took the task down");
        assert_eq!(*kept.lock().expect("not poisoned"), [1, 2]);
        master
            .write(vec![point("a", "cpu", 4), point("b", "cpu", 5)])
            .expect("written");
        let health = master.health("f").expect("has run");
        assert_eq!(health.error, "node stream0: a bad point");
        assert_eq!((health.failures, health.dropped_points), (1, 1));
        assert_eq!(
            diagnostics.errors()[0],
            "task f failed: node stream0: a bad point"
        );
        let stopped = master.shutdown();
        assert_eq!(stopped.len(), 1);
        assert_eq!(
            stopped[0].result.as_ref().map_err(ToString::to_string),
            Err("node stream0: a bad point".to_string())
        );
    }

    fn point(db: &str, m: &str, t: i64) -> Point {
        let mut p = Point::new(m, Time::from_nanos(t));
        p.database = db.into();
        p.retention_policy = "autogen".into();
        p.fields = Fields::from_pairs([("value", FieldValue::Integer(t))]);
        p
    }

    const CPU: &str =
        "dbrp \"a\".\"autogen\"\nstream|from().measurement('cpu')|where(lambda: \"value\" >= 0)";

    fn received(stopped: &Stopped, node: &str) -> u64 {
        stopped
            .nodes
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, s)| s.messages_in)
            .expect("node exists")
    }

    #[test]
    fn points_reach_only_the_tasks_of_their_dbrp() {
        let master = master();
        master.define("a", pipeline(CPU)).expect("defined");
        master
            .define("b", pipeline(&CPU.replace("\"a\"", "\"b\"")))
            .expect("defined");
        master.enable("a").expect("a starts");
        master.enable("b").expect("b starts");
        let routed = master
            .write(vec![
                point("a", "cpu", 1),
                point("b", "cpu", 2),
                point("a", "mem", 3),
            ])
            .expect("written");
        assert_eq!(
            routed,
            Routed {
                tasks: 2,
                deliveries: 3
            }
        );
        let stopped = master.shutdown();
        let ids: Vec<&str> = stopped.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(
            (
                received(&stopped[0], "stream0"),
                received(&stopped[0], "where2")
            ),
            (2, 1)
        );
        assert_eq!(received(&stopped[1], "stream0"), 1);
        assert!(stopped.iter().all(|s| s.result.is_ok()));
    }

    #[test]
    fn enabling_disabling_and_deleting_at_runtime() {
        let master = master();
        assert!(matches!(
            master.enable("a"),
            Err(MasterError::UnknownTask { .. })
        ));
        master.define("a", pipeline(CPU)).expect("defined");
        master.enable("a").expect("starts");
        assert!(matches!(
            master.enable("a"),
            Err(MasterError::AlreadyRunning { .. })
        ));
        assert_eq!(master.running(), ["a"]);
        master.write(vec![point("a", "cpu", 1)]).expect("written");
        let stats = master.stats("a").expect("running");
        assert_eq!(stats.nodes.len(), 3);
        assert!(master.http_output("a", "top").is_none());
        let stopped = master.disable("a").expect("was running");
        assert_eq!(received(&stopped, "where2"), 1);
        assert!(!master.is_running("a"));
        assert!(master.disable("a").is_none());
        // A disabled task receives nothing; a re-enabled one starts afresh.
        master.write(vec![point("a", "cpu", 2)]).expect("written");
        master.enable("a").expect("starts again");
        master.write(vec![point("a", "cpu", 3)]).expect("written");
        let stopped = master.delete("a").expect("was running");
        assert_eq!(received(&stopped, "stream0"), 1);
        assert!(master.defined().is_empty());
    }

    #[test]
    fn http_outputs_are_served_while_the_task_runs() {
        let master = master();
        let script = format!("{CPU}|httpOut('top')");
        master.define("a", pipeline(&script)).expect("defined");
        master.enable("a").expect("starts");
        let output = master.http_output("a", "top").expect("endpoint exists");
        assert_eq!(output.body().expect("encodes"), "{\"series\":null}");
        master.write(vec![point("a", "cpu", 7)]).expect("written");
        let stopped = master.disable("a").expect("was running");
        assert!(stopped.result.is_ok());
        assert!(output
            .body()
            .expect("encodes")
            .contains("[\"1970-01-01T00:00:00.000000007Z\",7]"));
        assert!(master.http_output("a", "top").is_none());
    }

    #[test]
    fn a_task_the_engine_cannot_run_is_a_build_error() {
        let master = master();
        let autoscales = "stream|from()|k8sAutoscale()";
        master.define("m", pipeline(autoscales)).expect("defined");
        let err = master
            .enable("m")
            .expect_err("k8sAutoscale is not supported");
        assert_eq!(
            err.to_string(),
            "task \"m\": node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet"
        );
        assert!(master.running().is_empty());
    }

    #[test]
    fn a_closed_master_refuses_everything() {
        let master = master();
        master.define("a", pipeline(CPU)).expect("defined");
        master.enable("a").expect("starts");
        assert_eq!(master.shutdown().len(), 1);
        assert!(master.shutdown().is_empty());
        assert!(matches!(
            master.write(vec![point("a", "cpu", 1)]),
            Err(MasterError::Closed)
        ));
        assert!(matches!(master.enable("a"), Err(MasterError::Closed)));
        assert!(matches!(
            master.define("b", pipeline(CPU)),
            Err(MasterError::Closed)
        ));
    }

    #[test]
    fn concurrent_writers_lose_and_duplicate_nothing() {
        let master = Arc::new(master());
        let no_dbrp = "stream|from().measurement('cpu')|where(lambda: \"value\" >= 0)";
        master.define("a", pipeline(CPU)).expect("defined");
        master.define("all", pipeline(no_dbrp)).expect("defined");
        master.enable("a").expect("starts");
        master.enable("all").expect("starts");
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let master = Arc::clone(&master);
                std::thread::spawn(move || {
                    for batch in 0..50 {
                        let points = (0..100)
                            .map(|i| point("a", "cpu", w * 1_000_000 + batch * 100 + i))
                            .collect();
                        master.write(points).expect("written");
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer finishes");
        }
        for stopped in master.shutdown() {
            assert_eq!(received(&stopped, "where2"), 4 * 50 * 100, "{}", stopped.id);
        }
    }

    #[test]
    fn a_loopback_writes_into_the_tasks_that_read_its_dbrp() {
        let master = master();
        let looper = "dbrp \"a\".\"autogen\"\nstream|from().measurement('cpu')\
                      |eval(lambda: \"value\" * 10).as('value')\
                      |kapacitorLoopback().database('b').retentionPolicy('autogen')\
                      .measurement('cpu10').tag('via', 'loop')";
        let reader = "dbrp \"b\".\"autogen\"\nstream|from().measurement('cpu10')\
                      .where(lambda: \"via\" == 'loop' AND \"value\" >= 10)|httpOut('got')";
        master.define("a", pipeline(looper)).expect("defined");
        master.define("b", pipeline(reader)).expect("defined");
        master.enable("b").expect("b starts");
        master.enable("a").expect("a starts");
        let got = master.http_output("b", "got").expect("b serves");
        master
            .write(vec![point("a", "cpu", 1), point("a", "cpu", 2)])
            .expect("written");
        // Disabling a drains it: every point it loops back has reached b's input.
        assert!(master.disable("a").expect("was running").result.is_ok());
        let stopped = master.disable("b").expect("was running");
        assert_eq!(received(&stopped, "from1"), 2);
        assert_eq!(
            got.body().expect("encodes"),
            "{\"series\":[{\"name\":\"cpu10\",\"tags\":{\"via\":\"loop\"},\"columns\":[\"time\",\"value\"],\
             \"values\":[[\"1970-01-01T00:00:00.000000002Z\",20]]}]}"
        );
    }

    #[test]
    fn a_task_looping_into_its_own_dbrp_does_not_start() {
        let master = master();
        let script = "dbrp \"a\".\"autogen\"\nstream|from()\
                      |kapacitorLoopback().database('a').retentionPolicy('autogen')";
        master.define("loop", pipeline(script)).expect("defines");
        let err = master.enable("loop").expect_err("loops");
        assert_eq!(
            err.to_string(),
            "task \"loop\": node kapacitor_loopback2 writes back to \"a\".\"autogen\", \
             which the task reads: that would loop"
        );
        assert!(master.running().is_empty());
        let elsewhere = script.replace("database('a')", "database('b')");
        master
            .define("loop", pipeline(&elsewhere))
            .expect("defines");
        master.enable("loop").expect("no loop");
    }
}
