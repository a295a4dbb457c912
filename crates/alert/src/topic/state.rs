//! What a topic remembers per event id: the last event's level, message, details, time
//! and duration ([`EventState`]), the source of the next event's `previousLevel`
//! (kapacitor-compat.md, alert-data §5) and of the alerts API's event objects.

use tickflow_model::{Duration, Time};

use crate::data::{AlertData, Level};

/// The state of one event id on one topic: what its last published event said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventState {
    /// The last event's message.
    pub message: String,
    /// The last event's details.
    pub details: String,
    /// The last event's time.
    pub time: Time,
    /// The last event's duration.
    pub duration: Duration,
    /// The last event's level.
    pub level: Level,
}

impl EventState {
    /// The state an event leaves behind.
    pub fn of(event: &AlertData) -> Self {
        EventState {
            message: event.message.clone(),
            details: event.details.clone(),
            time: event.time,
            duration: event.duration,
            level: event.level,
        }
    }
}
