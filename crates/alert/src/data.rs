//! The alert event document every handler sends (kapacitor-compat.md, alert-data §1): [`AlertData`] and its
//! [`Level`], encoded by [`AlertData::to_json`] exactly as Kapacitor's `alert.Data`.

use std::fmt;

use tickflow_model::{Duration, Time};

use crate::json::{EncodeError, JsonWriter};
use crate::row::{write_result, Row};

/// An alert level, ordered `Ok < Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    /// `OK`: no alert, or a recovery.
    #[default]
    Ok,
    /// `INFO`.
    Info,
    /// `WARNING`.
    Warning,
    /// `CRITICAL`.
    Critical,
}

impl Level {
    /// The name Kapacitor prints: `OK`, `INFO`, `WARNING` or `CRITICAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
        }
    }

    /// The level [`Level::as_str`] names, `None` for any other text.
    pub fn from_name(name: &str) -> Option<Level> {
        [Level::Ok, Level::Info, Level::Warning, Level::Critical]
            .into_iter()
            .find(|level| level.as_str() == name)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alert event, as handed to every handler.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertData {
    /// The rendered `.id()` template.
    pub id: String,
    /// The rendered `.message()` template.
    pub message: String,
    /// The rendered `.details()` template.
    pub details: String,
    /// The event time.
    pub time: Time,
    /// Time since the alert was first triggered (written in nanoseconds).
    pub duration: Duration,
    /// The event's level.
    pub level: Level,
    /// The series of the `data` result: one row for stream and batch alerts.
    pub data: Vec<Row>,
    /// The level of the previous event with the same id, `Ok` if none.
    pub previous_level: Level,
    /// `false` iff the alert node has `.noRecoveries()`.
    pub recoverable: bool,
}

impl AlertData {
    /// The document as Go's `encoding/json` writes it, without a trailing newline; fails if
    /// a float in `data` is NaN or infinite.
    pub fn to_json(&self) -> Result<String, EncodeError> {
        let mut w = JsonWriter::new();
        self.write_json(&mut w)?;
        Ok(w.finish())
    }

    /// Writes the document into `w`.
    pub(crate) fn write_json(&self, w: &mut JsonWriter) -> Result<(), EncodeError> {
        w.begin_object()
            .key("id")
            .string(&self.id)
            .key("message")
            .string(&self.message)
            .key("details")
            .string(&self.details)
            .key("time")
            .string(&self.time.to_rfc3339())
            .key("duration")
            .int(self.duration.nanos())
            .key("level")
            .string(self.level.as_str())
            .key("data");
        write_result(w, &self.data)?;
        w.key("previousLevel")
            .string(self.previous_level.as_str())
            .key("recoverable")
            .bool(self.recoverable)
            .end_object();
        Ok(())
    }
}

/// An alert whose data holds a NaN or infinite value: its document cannot be encoded,
/// so it goes to no handler (each would fail the same way); the alert node reports it
/// once, counted as a node error, and goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("alert {id:?} was not sent to its handlers: {source}")]
pub struct Unencodable {
    /// The alert's id.
    pub id: String,
    /// Why it cannot be encoded.
    pub source: EncodeError,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{FieldValue, Str, Tags};

    use crate::row::Cell;

    #[test]
    fn levels_are_read_back_from_their_names() {
        for level in [Level::Ok, Level::Info, Level::Warning, Level::Critical] {
            assert_eq!(Level::from_name(level.as_str()), Some(level));
        }
        assert_eq!(Level::from_name("critical"), None);
    }

    fn event(value: f64) -> AlertData {
        AlertData {
            id: "id".into(),
            message: "m".into(),
            details: String::new(),
            time: Time::from_nanos(10_500_000_000),
            duration: Duration::from_nanos(5),
            level: Level::Warning,
            data: vec![Row {
                name: "m".into(),
                tags: Tags::new(),
                columns: vec![Str::from("time"), Str::from("v")],
                values: vec![vec![
                    Cell::Time(Time::from_nanos(0)),
                    Cell::Value(FieldValue::Float(value)),
                ]],
            }],
            previous_level: Level::Info,
            recoverable: false,
        }
    }

    #[test]
    fn levels_print_like_kapacitor_and_are_ordered() {
        let all = [Level::Ok, Level::Info, Level::Warning, Level::Critical];
        let names: Vec<String> = all.iter().map(Level::to_string).collect();
        assert_eq!(names, ["OK", "INFO", "WARNING", "CRITICAL"]);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Level::default(), Level::Ok);
    }

    #[test]
    fn document_keys_are_in_kapacitor_order_and_all_present() {
        assert_eq!(
            event(1.0).to_json().as_deref(),
            Ok(
                r#"{"id":"id","message":"m","details":"","time":"1970-01-01T00:00:10.5Z","duration":5,"level":"WARNING","data":{"series":[{"name":"m","columns":["time","v"],"values":[["1970-01-01T00:00:00Z",1]]}]},"previousLevel":"INFO","recoverable":false}"#
            )
        );
    }

    #[test]
    fn empty_data_is_a_null_series() {
        let mut e = event(1.0);
        e.data.clear();
        let json = e.to_json().expect("finite");
        assert!(json.contains(r#""data":{"series":null},"#), "{json}");
    }

    #[test]
    fn non_finite_data_cannot_be_encoded() {
        assert_eq!(
            event(f64::INFINITY).to_json(),
            Err(EncodeError::NonFinite(f64::INFINITY))
        );
    }
}
