//! [`Engine`]: the one type an embedding program starts from, and [`EngineBuilder`],
//! which configures it.
//!
//! An engine owns a task master (running tasks on their threads and routing written
//! points to them by database and retention policy), the tasks' records, the alert
//! services (topics, endpoints, brokers and the program's own alert handlers) and the
//! UDFs (built-ins, the configuration's agents and the program's native ones).
//! Everything it does blocks the calling thread at most while a task's input is full or
//! a task drains; it starts no async runtime.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::Receiver;
use tickflow_alert::sinks::{ChannelHandler, FnHandler, Sinks};
use tickflow_alert::{AlertData, Handler, TopicHub};
use tickflow_engine::diagnostics::{Diagnostics, Stderr};
use tickflow_engine::master::{Routed, Stopped, TaskStats};
use tickflow_engine::{Environment, MasterConfig, MasterError, TaskMaster};
use tickflow_model::{Dbrp, Point};
use tickflow_pipeline::BuildOptions;
use tickflow_udf::native::Builtin;

use crate::config::{Config, ConfigError, HttpConfig};
use crate::durable::startup::{Parts, Recovery};
use crate::durable::Durable;
use crate::ingest::{ingest_durably, WriteError, WriteRequest, Written};
use crate::ingress::IngressStats;
use crate::tasks::vars::Var;
use crate::tasks::{DbrpBody, TaskBody, TaskError, TaskStore};
use crate::users::Users;
use crate::Error;

/// A running tickflow: tasks, the points written to them, and their alerts.
pub struct Engine {
    master: Arc<TaskMaster>,
    tasks: TaskStore,
    http: HttpConfig,
    options: BuildOptions,
    ingress: IngressStats,
    users: Users,
    config: Config,
    durable: Option<Arc<Durable>>,
    recovery: Option<Recovery>,
}

/// How an [`Engine`] is set up: its configuration, extra UDFs, alert handlers and where
/// node errors go.
pub struct EngineBuilder {
    config: Config,
    http: Option<HttpConfig>,
    udfs: Vec<Builtin>,
    sinks: Sinks,
    diagnostics: Arc<dyn Diagnostics>,
    capacity: usize,
    data_dir: Option<PathBuf>,
    reset_state: Vec<String>,
}

/// A task to define: its TICKscript and what the script leaves open.
#[derive(Debug, Clone, Default)]
pub struct TaskDefinition {
    /// The task's id (letters, digits, `-`, `.` and `_`).
    pub id: String,
    /// The TICKscript.
    pub script: String,
    /// Values for the script's vars, in Kapacitor's typed form.
    pub vars: BTreeMap<String, Var>,
    /// The dbrps the task reads when the script has no `dbrp` statement.
    pub dbrps: Vec<Dbrp>,
    /// Whether to start it now.
    pub enabled: bool,
}

impl TaskDefinition {
    /// An enabled task `id` running `script`.
    pub fn new(id: impl Into<String>, script: impl Into<String>) -> Self {
        TaskDefinition {
            id: id.into(),
            script: script.into(),
            enabled: true,
            ..TaskDefinition::default()
        }
    }
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            config: Config::default(),
            http: None,
            udfs: Vec::new(),
            sinks: Sinks::default(),
            diagnostics: Arc::new(Stderr),
            capacity: MasterConfig::default().capacity,
            data_dir: None,
            reset_state: Vec::new(),
        }
    }
}

impl EngineBuilder {
    /// Uses `config` (from [`Config::load`] or built in code) instead of the defaults.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Uses these checked `[http]` settings instead of the configuration's.
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = Some(http);
        self
    }

    /// Adds a native UDF that scripts call as `@name()`.
    pub fn udf(mut self, udf: Builtin) -> Self {
        self.udfs.push(udf);
        self
    }

    /// Adds a handler that receives every alert event of every task.
    pub fn alert_handler(mut self, handler: Arc<dyn Handler>) -> Self {
        self.sinks.add(handler);
        self
    }

    /// Runs `f` on every alert event of every task (on a handler thread of the alert
    /// node; events of one node in order). An `Err` is counted and reported as the
    /// node's error.
    pub fn on_alert(
        self,
        name: &str,
        f: impl Fn(&AlertData) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.alert_handler(Arc::new(FnHandler::new(name, f)))
    }

    /// Sends every alert event of every task to the returned channel.
    pub fn alert_channel(self) -> (Self, Receiver<AlertData>) {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let builder = self.alert_handler(Arc::new(ChannelHandler::new(sender)));
        (builder, receiver)
    }

    /// Sends node errors to `diagnostics` instead of stderr.
    pub fn diagnostics(mut self, diagnostics: Arc<dyn Diagnostics>) -> Self {
        self.diagnostics = diagnostics;
        self
    }

    /// How many chunks of messages each node's input holds before a writer waits.
    pub fn channel_capacity(mut self, chunks: usize) -> Self {
        self.capacity = chunks;
        self
    }

    /// Makes the engine durable over the data dir `dir` (overriding `[storage] dir`):
    /// tasks, topic handlers and topic states are saved, every write goes to a
    /// write-ahead log first, and task states are snapshotted, so a restart (even after
    /// `kill -9`) goes on where the engine stopped. See [`crate::durable`].
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// On a durable engine, starts task `id` with empty state instead of its snapshot
    /// (an unreadable snapshot keeps a task from starting otherwise).
    pub fn reset_state(mut self, id: impl Into<String>) -> Self {
        self.reset_state.push(id.into());
        self
    }

    /// Checks the configuration, starts the configured topic handlers and asks each
    /// external UDF for its Info. A durable engine then opens its data dir (refused when
    /// another process holds it), restores its tasks and replays its WAL
    /// ([`Engine::recovery`] says what it did). Last, `[load] dir` is loaded when it is
    /// enabled.
    pub fn build(self) -> Result<Engine, Error> {
        let http = match self.http.clone() {
            Some(http) => http,
            None => self.config.http()?,
        };
        let storage = self.config.storage()?;
        let dir = self.data_dir.clone().or_else(|| storage.dir.clone());
        let durable = match &dir {
            Some(dir) => Some(Arc::new(Durable::open(dir, &storage)?)),
            None => None,
        };
        let mut environment = self.environment()?;
        environment.deliveries = durable.as_ref().map(|d| d.delivery_log());
        let options = BuildOptions {
            udfs: environment.udfs.infos(),
            ..BuildOptions::default()
        };
        let master = Arc::new(TaskMaster::with_environment(
            MasterConfig {
                capacity: self.capacity,
                restart: self.config.restart_policy()?,
            },
            environment,
            Arc::clone(&self.diagnostics),
        ));
        TaskMaster::supervise(&master).map_err(Error::Supervisor)?;
        let tasks = match &durable {
            Some(durable) => {
                TaskStore::durable(Arc::clone(&master), options.clone(), Arc::clone(durable))
            }
            None => TaskStore::new(Arc::clone(&master), options.clone()),
        };
        let mut engine = Engine {
            tasks,
            master,
            http,
            options,
            ingress: IngressStats::default(),
            users: Users::from_config(&self.config.auth)?,
            config: self.config,
            durable,
            recovery: None,
        };
        if let Some(durable) = engine.durable.clone() {
            engine.recover(&durable, &self.reset_state, self.diagnostics)?;
        }
        if engine.config.load.enabled {
            crate::load::load(&engine, std::path::Path::new(&engine.config.load.dir))?;
        }
        Ok(engine)
    }

    /// What the configuration and the program give every task.
    fn environment(&self) -> Result<Environment, Error> {
        let mut environment = self.config.environment()?;
        for udf in &self.udfs {
            environment.udfs.register(*udf);
        }
        environment.services.sinks = self.sinks.clone();
        Ok(environment)
    }
}

impl Engine {
    /// Restores the tasks of a durable engine, replays its WAL and starts its snapshot
    /// rounds.
    fn recover(
        &mut self,
        durable: &Arc<Durable>,
        reset: &[String],
        diagnostics: Arc<dyn Diagnostics>,
    ) -> Result<(), Error> {
        let services = &self.master.environment().services;
        let parts = Parts {
            master: &self.master,
            tasks: &self.tasks,
            services,
            time_guard: self.http.time_guard,
        };
        self.recovery = Some(durable.recover(&parts, reset)?);
        let hub = services.topics.clone();
        crate::durable::snapshots::start(durable, Arc::downgrade(&self.master), hub, diagnostics)
            .map_err(Error::Supervisor)
    }

    /// An engine with the defaults: no configuration file, errors to stderr.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// An engine configured by the file at `path` (and the environment's overrides);
    /// the configuration's warnings go to `warn`.
    pub fn from_config_file(
        path: &std::path::Path,
        warn: impl FnMut(&crate::config::Warning),
    ) -> Result<EngineBuilder, ConfigError> {
        let loaded = Config::load(Some(path))?;
        loaded.warnings.iter().for_each(warn);
        Ok(Engine::builder().config(loaded.config))
    }

    /// Defines task `task.id` from its script (starting it when `enabled`); returns the
    /// id. The script's errors say where (`line:col`) and why.
    pub fn define(&self, task: TaskDefinition) -> Result<String, TaskError> {
        self.tasks.create(TaskBody {
            id: Some(task.id),
            script: Some(task.script),
            vars: Some(task.vars),
            dbrps: Some(
                task.dbrps
                    .iter()
                    .map(|d| DbrpBody {
                        db: d.database.to_string(),
                        rp: d.retention_policy.to_string(),
                    })
                    .collect(),
            ),
            status: Some(if task.enabled { "enabled" } else { "disabled" }.into()),
            ..TaskBody::default()
        })
    }

    /// Starts task `id`, with fresh state.
    pub fn enable(&self, id: &str) -> Result<(), TaskError> {
        self.set_status(id, "enabled")
    }

    /// Drains task `id`: its nodes flush what they hold and its alerts are delivered.
    pub fn disable(&self, id: &str) -> Result<(), TaskError> {
        self.set_status(id, "disabled")
    }

    fn set_status(&self, id: &str, status: &str) -> Result<(), TaskError> {
        let body = TaskBody {
            status: Some(status.into()),
            ..TaskBody::default()
        };
        self.tasks.update(id, body).map(|_| ())
    }

    /// Stops and forgets task `id`; an unknown id is not an error.
    pub fn delete(&self, id: &str) {
        self.tasks.delete(id);
    }

    /// The task records, with the operations of Kapacitor's tasks API.
    pub fn tasks(&self) -> &TaskStore {
        &self.tasks
    }

    /// Writes a line protocol body (gzip or not) for a database and retention policy:
    /// the good lines go to every task reading that dbrp, the bad ones are reported.
    pub fn write(&self, request: WriteRequest) -> Result<Written, WriteError> {
        ingest_durably(
            &self.master,
            &self.ingress,
            request,
            self.durable.as_deref(),
        )
    }

    /// Writes line protocol `lines` (nanosecond timestamps) to `db`.`rp`.
    pub fn write_lines(&self, db: &str, rp: &str, lines: &[u8]) -> Result<Written, WriteError> {
        self.write(WriteRequest {
            body: bytes::Bytes::copy_from_slice(lines),
            gzip: false,
            database: db.to_string(),
            retention_policy: rp.to_string(),
            precision: String::new(),
            limit: self.http.body_limit(),
            time_guard: self.http.time_guard,
        })
    }

    /// Writes points (each carrying its database and retention policy). They do not go
    /// through the write-ahead log: a durable engine's snapshots cover them, a replay
    /// does not.
    pub fn write_points(&self, points: Vec<Point>) -> Result<Routed, MasterError> {
        self.master.write(points)
    }

    /// The live counters of running task `id`.
    pub fn stats(&self, id: &str) -> Option<TaskStats> {
        self.master.stats(id)
    }

    /// A live snapshot of running task `id`: each stateful node's state (windows, alert
    /// levels, UDF state, ...) after every write that returned before this call, as
    /// `(node, state)` in DAG order. The task goes on running.
    pub fn snapshot(&self, id: &str) -> Result<Vec<(String, serde_json::Value)>, Error> {
        match self.master.snapshot(id) {
            Some(states) => Ok(states?),
            None => Err(TaskError::not_found(format!("task {id} is not executing")).into()),
        }
    }

    /// What `|httpOut('endpoint')` of running task `id` serves, as JSON text.
    pub fn http_output(&self, id: &str, endpoint: &str) -> Option<Result<String, Error>> {
        let output = self.master.http_output(id, endpoint)?;
        Some(output.body().map_err(Error::from))
    }

    /// The alert topics (events and handlers) every task publishes to.
    pub fn topics(&self) -> &TopicHub {
        &self.master.environment().services.topics
    }

    /// What came in through [`Engine::write`]: points per database, retention policy
    /// and measurement, and the points that reached no task.
    pub fn ingress(&self) -> &IngressStats {
        &self.ingress
    }

    /// The HTTP API's users (`[auth]`, and those added over the users API).
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The configuration the engine was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The `[http]` settings the engine was built with.
    pub fn http_config(&self) -> &HttpConfig {
        &self.http
    }

    /// What scripts are built with (the UDFs they may call).
    pub fn build_options(&self) -> &BuildOptions {
        &self.options
    }

    /// The task master under the engine, for programs that run DAGs of their own.
    pub fn master(&self) -> &Arc<TaskMaster> {
        &self.master
    }

    /// Refuses further writes, drains every task (each node flushes; every alert is
    /// delivered), then stops the topic handlers. Returns how each task ended and the
    /// topic handlers' last errors.
    pub fn shutdown(&self) -> Shutdown {
        let (tasks, storage_errors) = match &self.durable {
            Some(durable) => durable.shutdown(&self.master, self.topics()),
            None => (self.master.shutdown(), Vec::new()),
        };
        let handler_errors = self
            .topics()
            .close()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        Shutdown {
            tasks,
            handler_errors,
            storage_errors,
        }
    }

    /// The data dir of a durable engine.
    pub fn durable(&self) -> Option<&Arc<Durable>> {
        self.durable.as_ref()
    }

    /// What a durable engine's start restored and replayed.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }
}

/// What [`Engine::shutdown`] found.
#[derive(Debug)]
pub struct Shutdown {
    /// Each task that was running: its final counters, its last state, how it ended.
    pub tasks: Vec<Stopped>,
    /// The errors topic handlers reported last.
    pub handler_errors: Vec<String>,
    /// What a durable engine could not save at shutdown.
    pub storage_errors: Vec<String>,
}
