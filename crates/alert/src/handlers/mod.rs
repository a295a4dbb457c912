//! Alert handlers: where an [`AlertData`] event goes once the alert node publishes it.
//!
//! Every handler implements [`Handler`], so the engine's alert node can hold a
//! `Vec<Box<dyn Handler>>`. Today there is [`LogHandler`] (`.log(path)`).

mod log;

pub use log::{LogError, LogHandler};

use crate::data::AlertData;
use crate::json::EncodeError;

/// Delivers alert events; shared between threads.
pub trait Handler: Send + Sync {
    /// Sends or writes one event.
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError>;
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
}
