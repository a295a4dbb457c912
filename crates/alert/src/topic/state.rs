//! What a topic remembers per event id: the last event's level, message, details, time
//! and duration ([`EventState`]), the source of the next event's `previousLevel`
//! (alert-data.md §5) and of the alerts API's event objects.

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

/// A duration as InfluxQL writes it, the form the alerts API uses: the largest unit of
/// `w d h m s ms u` that divides it, else nanoseconds (`0s`, `5m`, `90s`, `1500ms`).
pub fn influxql_duration(d: Duration) -> String {
    const UNITS: [(i64, &str); 7] = [
        (7 * 24 * 3_600_000_000_000, "w"),
        (24 * 3_600_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "u"),
    ];
    let nanos = d.nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    match UNITS.iter().find(|(unit, _)| nanos % unit == 0) {
        Some((unit, suffix)) => format!("{}{suffix}", nanos / unit),
        None => format!("{nanos}ns"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_unit_that_divides_them() {
        let cases = [
            (0, "0s"),
            (300_000_000_000, "5m"),
            (90_000_000_000, "90s"),
            (1_500_000_000, "1500ms"),
            (7 * 86_400_000_000_000, "1w"),
            (1_001, "1001ns"),
            (-60_000_000_000, "-1m"),
        ];
        for (nanos, text) in cases {
            assert_eq!(influxql_duration(Duration::from_nanos(nanos)), text);
        }
    }
}
