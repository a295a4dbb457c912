//! `tickflow serve`: the HTTP server with no tasks; they are defined over the API. Also
//! the serving loop `tickflow run` shares: configuration, runtime, signals and the report
//! of each drained task.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use tickflow_engine::diagnostics::Stderr;
use tickflow_engine::nodes::influxdb_out::subscriptions::Subscriptions;
use tickflow_engine::{Environment, MasterConfig, TaskMaster};
use tickflow_httpd::{shutdown_signal, HttpConfig, Server, TaskStore};

use crate::commands::script::{build_options, environment, registry};
use crate::Outcome;

/// Serves Kapacitor's HTTP API (`POST /write`, ping, tasks) until SIGINT or SIGTERM,
/// then stops accepting, drains every task and exits 0.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A Kapacitor-style TOML configuration; its `[http]`, `[udf.functions.NAME]`,
    /// `[[httppost]]`, `[[mqtt]]` and `[[topic-handler]]` sections are read.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The address to listen on (`host:port`, or `:port` for every interface); overrides
    /// the configuration's `bind-address`. Default `:9092`.
    #[arg(long)]
    bind: Option<String>,
}

/// Serves with no tasks.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let config = load_config(args.config.as_deref(), args.bind.as_deref())?;
    let udfs = registry(args.config.as_deref())?;
    let environment = environment(udfs, args.config.as_deref())?;
    serve(config, environment, |_| Ok(Outcome::Success))
}

/// The `[http]` settings of `path` (defaults without one), with `bind` overriding the
/// bind address.
pub fn load_config(path: Option<&Path>, bind: Option<&str>) -> anyhow::Result<HttpConfig> {
    let mut config = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            HttpConfig::from_toml(&text).with_context(|| format!("{}", path.display()))?
        }
        None => HttpConfig::default(),
    };
    if let Some(bind) = bind {
        config.bind_address = bind.to_string();
    }
    Ok(config)
}

/// Binds the server, whose tasks run in `environment` (UDFs, alert services), lets
/// `define` add tasks (it stops here unless it returns `Success`), subscribes to the
/// configured `[[influxdb]]` clusters, then serves until a signal, drops its
/// subscriptions, reports how each task ended and stops the topic handlers, reporting
/// their last errors.
pub fn serve(
    config: HttpConfig,
    environment: Environment,
    define: impl FnOnce(&TaskStore) -> anyhow::Result<Outcome>,
) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = build_options(&environment.udfs);
        let topics = environment.services.topics.clone();
        let clusters = environment.influxdb.clone();
        let master = Arc::new(TaskMaster::with_environment(
            MasterConfig::default(),
            environment,
            Arc::new(Stderr),
        ));
        let server = Server::bind(config, master, options).await?;
        let outcome = tokio::task::block_in_place(|| define(server.tasks()))?;
        if outcome != Outcome::Success {
            return Ok(outcome);
        }
        let address = server.local_addr()?;
        let subscriptions = Subscriptions::start(&clusters, address.port(), Arc::new(Stderr));
        eprintln!("tickflow: listening on {address}");
        let stopped = server.run(shutdown_signal()).await;
        tokio::task::block_in_place(|| subscriptions.close());
        for task in &stopped {
            let received = task.nodes.first().map_or(0, |(_, s)| s.messages_in);
            match &task.result {
                Ok(()) => eprintln!("tickflow: task {} drained after {received} points", task.id),
                Err(err) => eprintln!("tickflow: task {} failed: {err}", task.id),
            }
        }
        for err in topics.close() {
            eprintln!("tickflow: {err}");
        }
        eprintln!("tickflow: stopped");
        Ok(Outcome::Success)
    })
}
