//! [`parse_go_duration`]: a duration as Go's `time.ParseDuration` writes it in
//! configuration files and API options (`10s`, `1m30s`, `500ms`, `1.5h`, `0`).

/// Parses a Go duration: one or more `<number><unit>` with units `ns`, `us`, `µs`, `ms`,
/// `s`, `m` and `h` (numbers may have a fraction), or a bare `0`. Negative durations and
/// anything else are `None`.
pub fn parse_go_duration(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(std::time::Duration::ZERO);
    }
    if text.is_empty() {
        return None;
    }
    let mut rest = text;
    let mut nanos = 0.0_f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        nanos += number * nanos_per(&rest[..unit_len])?;
        rest = &rest[unit_len..];
    }
    (nanos.is_finite() && nanos < u64::MAX as f64)
        .then(|| std::time::Duration::from_nanos(nanos.round() as u64))
}

/// Nanoseconds in one of a unit.
fn nanos_per(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("1h1s"), Some(Duration::from_secs(3601)));
        assert_eq!(parse_go_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_go_duration("250µs"), Some(Duration::from_micros(250)));
    }

    #[test]
    fn other_text_is_refused() {
        for bad in ["", "10", "s", "soon", "-1s", "1d", "1e400s", "1..5s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
