//! Text for the readable DAG listing: property lines and TICKscript-style values.
//!
//! Each node spec lists the properties that differ from their defaults as lines of
//! `name value`, values written as in a script (`'text'`, `10s`, `lambda: "x" > 1`).
//! Durations print like InfluxQL's `FormatDuration` (`90s`, `5m`, `1w`); the deadman
//! message uses Go's `Duration.String` (`1m0s`) instead, as Kapacitor does.

use tickflow_model::Duration;

use crate::lambda::Lambda;

/// The property lines of one node.
#[derive(Debug, Default)]
pub(crate) struct Props {
    lines: Vec<String>,
}

impl Props {
    /// `key value`.
    pub(crate) fn put(&mut self, key: &str, value: impl Render) {
        self.lines.push(format!("{key} {}", value.render()));
    }

    /// `key` alone, when `on`.
    pub(crate) fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.lines.push(key.to_string());
        }
    }

    /// `key value` when there is a value.
    pub(crate) fn opt<R: Render>(&mut self, key: &str, value: Option<R>) {
        if let Some(value) = value {
            self.put(key, value);
        }
    }

    /// `key 'text'` unless the text is empty.
    pub(crate) fn text(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.put(key, value);
        }
    }

    /// `key 'a', 'b'` unless the list is empty.
    pub(crate) fn list(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            self.put(key, items);
        }
    }

    /// The lines, in the order they were added.
    pub(crate) fn into_lines(self) -> Vec<String> {
        self.lines
    }
}

/// A value written as in a TICKscript.
pub(crate) trait Render {
    /// The text.
    fn render(&self) -> String;
}

impl Render for &str {
    fn render(&self) -> String {
        quote(self)
    }
}

impl Render for &String {
    fn render(&self) -> String {
        quote(self)
    }
}

impl Render for i64 {
    fn render(&self) -> String {
        self.to_string()
    }
}

impl Render for f64 {
    fn render(&self) -> String {
        format!("{self:?}")
    }
}

impl Render for bool {
    fn render(&self) -> String {
        if *self { "TRUE" } else { "FALSE" }.to_string()
    }
}

impl Render for Duration {
    fn render(&self) -> String {
        self.to_influxql()
    }
}

impl Render for &Lambda {
    fn render(&self) -> String {
        self.to_string()
    }
}

impl Render for &[String] {
    fn render(&self) -> String {
        self.iter()
            .map(|item| quote(item))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Render for &Vec<String> {
    fn render(&self) -> String {
        self.as_slice().render()
    }
}

impl Render for String {
    /// Text already rendered (a composite value such as `'k', 'v'`).
    fn render(&self) -> String {
        self.clone()
    }
}

/// `text` as a TICKscript string: single-quoted, or triple-quoted when it spans lines.
pub(crate) fn quote(text: &str) -> String {
    if text.contains('\n') && !text.contains("'''") {
        format!("'''{text}'''")
    } else {
        format!("'{}'", text.replace('\'', "\\'"))
    }
}

/// A duration as Go's `time.Duration.String` prints it: `10s`, `1m0s`, `1h0m0s`, `1.5s`,
/// `500ms`, `0s`.
pub(crate) fn go_duration(d: Duration) -> String {
    let sign = if d.nanos() < 0 { "-" } else { "" };
    let nanos = d.nanos().unsigned_abs();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000_000_000 {
        let (precision, unit) = match nanos {
            0..=999 => (0, "ns"),
            1_000..=999_999 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (whole, fraction) = split_fraction(nanos, precision);
        return format!("{sign}{whole}{fraction}{unit}");
    }
    let (seconds, fraction) = split_fraction(nanos, 9);
    let mut text = format!("{}{fraction}s", seconds % 60);
    let minutes = seconds / 60;
    if minutes > 0 {
        text = format!("{}m{text}", minutes % 60);
        let hours = minutes / 60;
        if hours > 0 {
            text = format!("{hours}h{text}");
        }
    }
    format!("{sign}{text}")
}

/// `value / 10^precision` as the whole part and `.digits` of the fraction without
/// trailing zeros (empty when the fraction is zero).
fn split_fraction(value: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let fraction = value % scale;
    if fraction == 0 {
        return (value / scale, String::new());
    }
    let digits = format!("{fraction:0width$}", width = precision as usize);
    (value / scale, format!(".{}", digits.trim_end_matches('0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_nanos((s * 1e9) as i64)
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(secs(10.0)), "10s");
        assert_eq!(go_duration(secs(60.0)), "1m0s");
        assert_eq!(go_duration(secs(3600.0)), "1h0m0s");
        assert_eq!(go_duration(secs(1.5)), "1.5s");
        assert_eq!(go_duration(secs(0.5)), "500ms");
        assert_eq!(go_duration(Duration::from_nanos(1_500)), "1.5µs");
        assert_eq!(go_duration(secs(-90.0)), "-1m30s");
    }
}
