//! tickflow runs Kapacitor TICKscripts inside a Rust program.
//!
//! [`Engine`] is the one type to start from: build it (a configuration, native UDFs of
//! your own, handlers that receive alert documents), define tasks from TICKscript text,
//! write InfluxDB line protocol or points to them, read their stats and `httpOut`
//! results, and shut it down, which drains every task so no accepted point and no due
//! alert is lost. Errors are typed ([`Error`], and each operation's own).
//!
//! ```
//! use tickflow::{Engine, TaskDefinition};
//!
//! let (builder, alerts) = Engine::builder().alert_channel();
//! let engine = builder.build()?;
//! engine.define(TaskDefinition::new(
//!     "hotend",
//!     r#"dbrp "printer"."autogen"
//!        stream
//!            |from().measurement('temperatures')
//!            |alert().crit(lambda: "hotend" > 250.0).message('{{ .Level }} {{ index .Fields "hotend" }}')"#,
//! ))?;
//! engine.write_lines("printer", "autogen", b"temperatures hotend=220.0 1\n\
//!                                            temperatures hotend=260.5 2\n\
//!                                            temperatures hotend=221.0 3\n")?;
//! engine.shutdown();
//! let messages: Vec<String> = alerts.try_iter().map(|alert| alert.message).collect();
//! assert_eq!(messages, ["CRITICAL 260.5", "OK 221"]);
//! # Ok::<(), tickflow::Error>(())
//! ```
//!
//! `examples/` has complete programs: `embed.rs` runs the printer scenario, `custom_udf.rs`
//! adds a native UDF and `custom_handler.rs` receives alerts in a closure. The crates
//! under the engine are re-exported ([`model`], [`engine`], ...) for programs that need
//! more than this front door: their own nodes in a DAG, an offline replay, the parser.

pub mod config;
pub mod durable;
mod front_door;
pub mod ingest;
pub mod ingress;
pub mod load;
pub mod refused;
pub mod tasks;
pub use tickflow_engine::time_guard;
pub mod users;

pub use config::{Config, ConfigError, HttpConfig};
pub use durable::snapshots::Round;
pub use durable::startup::Recovery;
pub use durable::Durable;
pub use front_door::{Engine, EngineBuilder, Shutdown, TaskDefinition};
pub use ingest::{WriteError, WriteRequest, Written};
pub use tasks::{TaskError, TaskErrorKind};
pub use tickflow_alert::{AlertData, Handler, HandlerError, Level};
pub use tickflow_engine::master::{Stopped, TaskStats};
pub use tickflow_model::{Dbrp, FieldValue, Point, Time};
pub use tickflow_udf::native::{Builtin, InitError, NativeUdf, UdfError};

/// Alert documents, handlers, topics and templates.
pub use tickflow_alert as alert;
/// The engine under [`Engine`]: nodes, DAGs, executors, the task master, replay.
pub use tickflow_engine as engine;
/// Lambda expressions.
pub use tickflow_expr as expr;
/// InfluxDB line protocol: parser and writer.
pub use tickflow_line_protocol as line_protocol;
/// The data model: points, batches, times, tags and fields.
pub use tickflow_model as model;
/// Validated pipelines: what a script builds.
pub use tickflow_pipeline as pipeline;
/// TICKscript's syntax: parser, AST and formatter.
pub use tickflow_tickscript as tickscript;
/// UDFs: native ones and Kapacitor's agent protocol.
pub use tickflow_udf as udf;

/// Why the engine could not be built or an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An external UDF could not be reached or a built-in name is unknown.
    #[error(transparent)]
    Udf(#[from] tickflow_udf::RegistryError),
    /// A task could not be defined, changed or started.
    #[error(transparent)]
    Task(#[from] TaskError),
    /// A write was refused in whole or in part.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The engine is shutting down.
    #[error(transparent)]
    Master(#[from] tickflow_engine::MasterError),
    /// A snapshot could not be taken: the task stopped meanwhile.
    #[error("snapshot: {0}")]
    Snapshot(#[from] tickflow_engine::executor::ThreadedError),
    /// The thread that restarts failed tasks could not start.
    #[error("cannot start the task supervisor: {0}")]
    Supervisor(std::io::Error),
    /// A file of `[load] dir` did not load.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// `[auth]` names a bad user type, permission or cache expiration.
    #[error("[auth]: {0}")]
    Auth(#[from] users::UserError),
    /// The data dir cannot be opened (locked by another process) or read.
    #[error(transparent)]
    Store(#[from] tickflow_store::StoreError),
    /// An `httpOut` result holds a float JSON cannot carry.
    #[error(transparent)]
    Encode(#[from] tickflow_alert::EncodeError),
}
