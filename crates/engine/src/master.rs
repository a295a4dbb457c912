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

use crate::diagnostics::Diagnostics;
use crate::executor::{Input, Threaded, ThreadedError};
use crate::nodes::http_out::{HttpOutput, HttpOutputs};
use crate::nodes::kapacitor_loopback::{LoopError, PointWriter};
use crate::stats::StatsSnapshot;
use crate::task::{Environment, Task, TaskError};

/// How the master runs tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MasterConfig {
    /// How many chunks each node's input channel holds before a push blocks.
    pub capacity: usize,
}

impl Default for MasterConfig {
    fn default() -> Self {
        MasterConfig { capacity: 64 }
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
}

/// A task on its threads.
struct Running {
    task_dbrps: Vec<Dbrp>,
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
            |r, chunk| r.input.push(chunk),
            points,
        );
        true
    }
}

#[derive(Default)]
struct State {
    closed: bool,
    definitions: BTreeMap<String, Pipeline>,
    running: BTreeMap<String, Running>,
}

/// The tasks of a server: definitions, running tasks, and the router of written points.
pub struct TaskMaster {
    config: MasterConfig,
    environment: Environment,
    diagnostics: Arc<dyn Diagnostics>,
    state: RwLock<State>,
    routes: Arc<Routes>,
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
        TaskMaster {
            config,
            environment,
            diagnostics,
            state: RwLock::new(State::default()),
            routes: Arc::default(),
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
        let pipeline = self
            .read()
            .definitions
            .get(id)
            .cloned()
            .ok_or_else(|| MasterError::UnknownTask { id: id.to_string() })?;
        let task = Task::build_with(&pipeline, id, &self.environment).map_err(|source| {
            MasterError::Build {
                id: id.to_string(),
                source: Box::new(source),
            }
        })?;
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
        let threaded = Threaded::start(
            task.dag,
            Arc::clone(&self.diagnostics),
            self.config.capacity,
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
            };
            self.routes.update(|routes| routes.push(route));
        }
        state.running.insert(
            task.id,
            Running {
                task_dbrps: task.dbrps,
                http_outputs: task.http_outputs,
                threaded,
                started: Instant::now(),
                batch_sources: task.batch_sources,
            },
        );
        Ok(())
    }

    /// Stops task `id` and drains it; `None` when it was not running.
    pub fn disable(&self, id: &str) -> Option<Stopped> {
        let running = self.write_lock().running.remove(id)?;
        self.routes.update(|routes| routes.retain(|r| r.id != id));
        Some(drain(id.to_string(), running))
    }

    /// Stops task `id` if it runs and forgets its definition; what it drained, if it ran.
    pub fn delete(&self, id: &str) -> Option<Stopped> {
        let running = {
            let mut state = self.write_lock();
            state.definitions.remove(id);
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
        let readers: Vec<&Running> = state.running.values().collect();
        // A task whose source node has failed no longer takes data; its error is
        // reported when it is disabled, and the other tasks still get their points.
        let push = |running: &Running, chunk| running.threaded.push(chunk);
        Ok(deliver(&readers, |r| &r.task_dbrps, push, points))
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
        let input = self.read().running.get(id)?.threaded.input()?;
        Some(input.snapshot())
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
        let running = {
            let mut state = self.write_lock();
            state.closed = true;
            std::mem::take(&mut state.running)
        };
        self.routes.close();
        running
            .into_iter()
            .map(|(id, running)| drain(id, running))
            .collect()
    }
}

/// Hands each of `targets` the points its dbrps read, as one chunk, with `push`; a
/// push that fails (a stopped task) is skipped.
fn deliver<T>(
    targets: &[&T],
    dbrps: impl Fn(&T) -> &[Dbrp],
    push: impl Fn(&T, Vec<Message>) -> Result<(), ThreadedError>,
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
        let _ = push(target, chunk);
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
    let result = running.threaded.finish().map(drop);
    Stopped {
        id,
        nodes: stats
            .into_iter()
            .map(|(name, stats)| (name, stats.snapshot()))
            .collect(),
        result,
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
        TaskMaster::new(MasterConfig { capacity: 2 }, Arc::new(Collect::default()))
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
