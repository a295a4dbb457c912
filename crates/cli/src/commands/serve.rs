//! `tickflow serve`: the HTTP server with no tasks; they are defined over the API. Also
//! the serving loop `tickflow run` shares: the engine from the configuration, the
//! runtime, signals, the data dir and the report of each drained task.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tickflow::config::Config;
use tickflow::engine::diagnostics::Stderr;
use tickflow::engine::Subscriptions;
use tickflow::Engine;
use tickflow_httpd::{shutdown_signal, Server};

use crate::commands::script;
use crate::Outcome;

/// Serves Kapacitor's HTTP API (`POST /write`, ping, tasks, alerts) until SIGINT or
/// SIGTERM, then stops accepting, drains every task and exits 0, or 1 when a task had
/// failed (a node error it was not restarted from).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A Kapacitor-style TOML configuration (`tickflow config` prints what it gives).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The address to listen on (`host:port`, or `:port` for every interface); overrides
    /// the configuration's `bind-address`. Default `:9092`.
    #[arg(long)]
    bind: Option<String>,
    #[command(flatten)]
    storage: Storage,
}

/// Where a server keeps what survives a restart.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Storage {
    /// The data dir: tasks and topic handlers defined over the API, alert topic states,
    /// task snapshots and the write-ahead log of accepted writes. Overrides `[storage]
    /// dir`; default `~/.tickflow`. Only one server may use a data dir at a time.
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
}

/// Serves with no tasks.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let config = load(args.config.as_deref(), args.bind.as_deref())?;
    let durability = Durability {
        data_dir: args.storage.data_dir.clone(),
        reset_state: Vec::new(),
    };
    serve(
        config,
        args.config.as_deref(),
        Stop::OnSignal,
        &durability,
        |_| Ok(Outcome::Success),
    )
}

/// The data dir a server uses and the tasks whose saved state it drops.
#[derive(Debug, Clone, Default)]
pub(crate) struct Durability {
    /// `--data-dir`, if given.
    pub(crate) data_dir: Option<PathBuf>,
    /// `--reset-state` tasks.
    pub(crate) reset_state: Vec<String>,
}

impl Durability {
    /// `--data-dir`, else `[storage] dir`, else `~/.tickflow` (`/var/lib/tickflow` for a
    /// process without a home, such as a system service).
    fn dir(&self, config: &Config) -> PathBuf {
        let configured =
            (!config.storage.dir.is_empty()).then(|| PathBuf::from(&config.storage.dir));
        self.data_dir.clone().or(configured).unwrap_or_else(|| {
            std::env::var_os("HOME").map_or_else(
                || PathBuf::from("/var/lib/tickflow"),
                |home| PathBuf::from(home).join(".tickflow"),
            )
        })
    }
}

/// Reports what the durable engine's start restored and replayed.
fn report_recovery(engine: &Engine) {
    let (Some(durable), Some(recovery)) = (engine.durable(), engine.recovery()) else {
        return;
    };
    for warning in &recovery.warnings {
        eprintln!("tickflow: warning: {warning}");
    }
    for (task, why) in &recovery.failed {
        eprintln!("tickflow: task {task} not started: {why}");
    }
    eprintln!(
        "tickflow: data dir {}: {} tasks restored ({} started), {} writes ({} points) replayed in {:.3}s",
        durable.dir().display(),
        recovery.tasks,
        recovery.started,
        recovery.replayed_writes,
        recovery.replayed_points,
        recovery.took.as_secs_f64()
    );
}

/// The configuration of `path`, with `bind` overriding the bind address.
pub(crate) fn load(path: Option<&Path>, bind: Option<&str>) -> anyhow::Result<Config> {
    let mut config = script::config(path)?;
    if let Some(bind) = bind {
        config.http.bind_address = bind.to_string();
    }
    Ok(config)
}

/// When the serving loop stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// At SIGINT or SIGTERM.
    OnSignal,
    /// At a signal, or as soon as a task has failed for good (its restarts used up).
    OnSignalOrFailedTask,
}

/// Resolves at SIGINT or SIGTERM or, with [`Stop::OnSignalOrFailedTask`], when a task of
/// `engine` has failed for good, saying which.
async fn stop_signal(engine: &Engine, stop: Stop) {
    let given_up = engine.master().given_up();
    let failed_for_good = async {
        if stop == Stop::OnSignal {
            return std::future::pending().await;
        }
        // The supervisor is a thread: look at its channel without blocking the runtime.
        loop {
            if let Ok(id) = given_up.try_recv() {
                return id;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        () = shutdown_signal() => {}
        id = failed_for_good => {
            eprintln!("tickflow: task {id} failed for good, its restarts used up: stopping");
        }
    }
}

/// Builds the engine of `config` (read from `path`) over the data dir of `durability`
/// (restoring its tasks and replaying its WAL), binds the server, lets `define`
/// add tasks (it stops here unless it returns `Success`), subscribes to the configured
/// `[[influxdb]]` clusters, then serves until a signal (or as `stop` says), drops its subscriptions, and
/// reports how each task ended and the topic handlers' last errors. An engine that does
/// not build (an invalid section, a UDF agent that does not answer) cannot run.
pub(crate) fn serve(
    config: Config,
    path: Option<&Path>,
    stop: Stop,
    durability: &Durability,
    define: impl FnOnce(&Engine) -> anyhow::Result<Outcome>,
) -> anyhow::Result<Outcome> {
    let dir = durability.dir(&config);
    let builder = (durability.reset_state.iter())
        .fold(Engine::builder().data_dir(dir), |b, id| b.reset_state(id));
    let engine = builder
        .config(config)
        .diagnostics(Arc::new(Stderr))
        .build()
        .map_err(|err| anyhow::anyhow!(script::config_error(path, &err)))?;
    report_recovery(&engine);
    let engine = Arc::new(engine);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let server = Server::bind(Arc::clone(&engine)).await?;
        let outcome = tokio::task::block_in_place(|| define(&engine))?;
        if outcome != Outcome::Success {
            return Ok(outcome);
        }
        let address = server.local_addr()?;
        let clusters = &engine.master().environment().influxdb;
        let subscriptions = Subscriptions::start(clusters, address.port(), Arc::new(Stderr));
        eprintln!("tickflow: listening on {address}");
        let shutdown = server.run(stop_signal(&engine, stop)).await;
        tokio::task::block_in_place(|| subscriptions.close());
        let Some(shutdown) = shutdown else {
            anyhow::bail!("the engine did not shut down cleanly");
        };
        let mut outcome = Outcome::Success;
        for task in &shutdown.tasks {
            let received = task.nodes.first().map_or(0, |(_, s)| s.messages_in);
            match &task.result {
                Ok(()) => eprintln!("tickflow: task {} drained after {received} points", task.id),
                Err(err) => {
                    eprintln!("tickflow: task {} failed: {err}", task.id);
                    outcome = Outcome::Problems;
                }
            }
        }
        for err in &shutdown.handler_errors {
            eprintln!("tickflow: {err}");
        }
        for err in &shutdown.storage_errors {
            eprintln!("tickflow: {err}");
            outcome = Outcome::Problems;
        }
        eprintln!("tickflow: stopped");
        Ok(outcome)
    })
}
