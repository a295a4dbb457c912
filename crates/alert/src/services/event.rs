//! What several services take from an event beyond its id, message and level: the
//! triggering data as JSON (Kapacitor's `models.Result`), the first series' tags (the
//! event's `Data.Tags`), and its time in the formats the services' APIs read.

use serde_json::Value;
use tickflow_model::Time;

use crate::data::AlertData;
use crate::handlers::HandlerError;
use crate::row::result_json;
use crate::services::ServiceError;

/// The event's data (`{"series":[…]}`) as JSON.
pub fn data_json(service: &'static str, event: &AlertData) -> Result<Value, HandlerError> {
    let text = result_json(&event.data)?;
    Ok(serde_json::from_str(&text).map_err(|source| ServiceError::Encode { service, source })?)
}

/// The tags of the event's first series, in key order (empty without data).
pub fn tags(event: &AlertData) -> Vec<(String, String)> {
    (event.data.first())
        .map(|row| {
            (row.tags.iter())
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The tag `key` of the event's first series.
pub fn tag(event: &AlertData, key: &str) -> Option<String> {
    tags(event)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The measurement of the event's first series (empty without data).
pub fn name(event: &AlertData) -> String {
    (event.data.first())
        .map(|row| row.name.to_string())
        .unwrap_or_default()
}

/// Whole seconds since the Unix epoch.
pub fn unix_seconds(time: Time) -> i64 {
    time.nanos().div_euclid(1_000_000_000)
}

/// Go's `2006-01-02T15:04:05Z07:00` in UTC: whole seconds.
pub fn rfc3339_seconds(time: Time) -> String {
    let text = time.to_rfc3339();
    format!("{}Z", &text[..text.len().min(19)])
}

/// Go's `2006-01-02T15:04:05.000000000Z07:00` in UTC: always nine fraction digits.
pub fn rfc3339_fixed_nanos(time: Time) -> String {
    let nanos = time.nanos().rem_euclid(1_000_000_000);
    let seconds = rfc3339_seconds(time);
    format!("{}.{nanos:09}Z", seconds.trim_end_matches('Z'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_in_go_layouts() {
        let time = Time::from_nanos(1_415_792_726_371_000_000);
        assert_eq!(rfc3339_seconds(time), "2014-11-12T11:45:26Z");
        assert_eq!(rfc3339_fixed_nanos(time), "2014-11-12T11:45:26.371000000Z");
        assert_eq!(
            rfc3339_fixed_nanos(Time::from_nanos(0)),
            "1970-01-01T00:00:00.000000000Z"
        );
        assert_eq!(unix_seconds(time), 1_415_792_726);
    }
}
