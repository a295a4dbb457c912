//! Alert handlers: where an [`AlertData`] event goes once the alert node publishes it.
//!
//! Every handler implements [`Handler`], so the engine's alert node can hold a
//! `Vec<Box<dyn Handler>>`: [`LogHandler`] (`.log(path)`), [`PostHandler`] (`.post(url)`),
//! [`TcpHandler`] (`.tcp(addr)`), [`ExecHandler`] (`.exec(prog, args…)`) and
//! [`MqttHandler`] (`.mqtt(topic)`), and the third-party services of
//! [`crate::services`] (`.slack()`, `.telegram()`). A handler
//! delivers synchronously; [`Dispatcher`] puts each on its own thread behind a bounded
//! queue. Every error names the handler and its target.

mod build;
mod exec;
mod log;
mod mqtt;
mod post;
mod queue;
mod tcp;

pub use build::{build, std_duration, BuildError};
pub use exec::{ExecError, ExecHandler};
pub use log::{LogError, LogHandler};
pub use mqtt::MqttHandler;
pub use post::{PostError, PostHandler};
pub use queue::{Delivery, Dispatcher, QueueFull, SpawnError, DEFAULT_CAPACITY};
pub use tcp::{TcpError, TcpHandler};

use crate::data::AlertData;
use crate::json::EncodeError;
use crate::mqtt::MqttError;

/// Delivers alert events; shared between threads.
pub trait Handler: Send + Sync {
    /// Sends or writes one event.
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError>;

    /// The handler and its target, for messages: `post "http://…"`, `log "/var/…"`.
    fn describe(&self) -> String;
}

/// Why a handler could not deliver an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event could not be encoded (a NaN or infinite float); nothing was sent.
    #[error("failed to marshal alert data json: {0}")]
    Encode(#[from] EncodeError),
    /// The log handler failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The post handler failed.
    #[error(transparent)]
    Post(#[from] PostError),
    /// The tcp handler failed.
    #[error(transparent)]
    Tcp(#[from] TcpError),
    /// The exec handler failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The mqtt handler failed.
    #[error(transparent)]
    Mqtt(#[from] MqttError),
    /// A third-party service handler failed.
    #[error(transparent)]
    Service(#[from] crate::services::ServiceError),
    /// A program's sink refused the event.
    #[error(transparent)]
    Sink(#[from] crate::sinks::SinkError),
    /// A topic handler's `match` expression failed on the event.
    #[error(transparent)]
    Match(#[from] crate::topic::MatchError),
    /// The handler's queue was full.
    #[error(transparent)]
    QueueFull(#[from] QueueFull),
}
