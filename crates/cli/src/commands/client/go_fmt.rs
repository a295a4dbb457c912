//! The way Go's `fmt` and `time` print the values the `kapacitor` CLI shows, so output
//! read by users' scripts is byte for byte the same: `%q` strings, a list of DBRPs as
//! `["db"."rp" "db2"."rp"]`, `time.RFC822` dates, `time.Duration` and `%v` floats.

use chrono::{DateTime, Local};
use serde::Deserialize;
use serde_json::Value;

/// One database and retention policy, as the API gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub(crate) struct Dbrp {
    /// The database.
    pub(crate) db: String,
    /// The retention policy.
    pub(crate) rp: String,
}

/// Go's `%q` of a string (`strconv.Quote`): double quotes, with `"`, `\` and control
/// characters escaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A list of DBRPs as Kapacitor's CLI prints one: `["db"."rp" "other"."autogen"]`.
pub(crate) fn dbrps(list: &[Dbrp]) -> String {
    let items: Vec<String> = (list.iter())
        .map(|d| format!("{}.{}", quote(&d.db), quote(&d.rp)))
        .collect();
    format!("[{}]", items.join(" "))
}

/// An RFC 3339 time from the API as Go's `time.RFC822` (`02 Jan 06 15:04 MST`): `UTC`
/// for a zero offset, the offset (`+0100`) otherwise, as Go prints a zone it has no name
/// for. A time that does not parse is shown as given.
pub(crate) fn rfc822(time: &str) -> String {
    let Ok(parsed) = DateTime::parse_from_rfc3339(time) else {
        return time.to_string();
    };
    let zone = match parsed.offset().local_minus_utc() {
        0 => "UTC".to_string(),
        _ => parsed.format("%z").to_string(),
    };
    format!("{} {zone}", parsed.format("%d %b %y %H:%M"))
}

/// [`rfc822`] of the time in this machine's zone, as Kapacitor's lists show dates.
pub(crate) fn rfc822_local(time: &str) -> String {
    match DateTime::parse_from_rfc3339(time) {
        Ok(parsed) => rfc822(&parsed.with_timezone(&Local).to_rfc3339()),
        Err(_) => time.to_string(),
    }
}

/// A byte count as the `go-humanize` package's `Bytes` prints it (`9 B`, `1.2 kB`,
/// `83 MB`: powers of 1000, one decimal below 10).
pub(crate) fn bytes(size: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if size < 10 {
        return format!("{size} B");
    }
    let exponent = ((size as f64).log10() / 3.0).floor() as usize;
    let exponent = exponent.min(UNITS.len() - 1);
    let value = (size as f64 / 1000f64.powi(exponent as i32) * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[exponent])
    } else {
        format!("{value:.0} {}", UNITS[exponent])
    }
}

/// Go's `time.Duration.String()` of `nanos` (`1h0m0s`, `1.5s`, `500ms`, `0s`).
pub(crate) fn duration(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    if n == 0 {
        return "0s".into();
    }
    if n < 1_000_000_000 {
        let (unit, scale) = match n {
            n if n < 1_000 => ("ns", 1),
            n if n < 1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", fraction(n, scale));
    }
    let hours = n / 3_600_000_000_000;
    let minutes = (n / 60_000_000_000) % 60;
    let seconds = fraction(n % 60_000_000_000, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, m) => format!("{sign}{m}m{seconds}s"),
        (h, m) => format!("{sign}{h}h{m}m{seconds}s"),
    }
}

/// `n / scale` with the fraction's trailing zeros dropped.
fn fraction(n: u64, scale: u64) -> String {
    let whole = n / scale;
    let rest = n % scale;
    if rest == 0 {
        return whole.to_string();
    }
    let digits = scale.ilog10() as usize;
    let fraction = format!("{rest:0digits$}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Go's `%v` of a float64 (`%g` with the shortest digits): exponent form (`1e+06`,
/// `1.5e-05`) when the decimal exponent is below -4 or at least 6.
pub(crate) fn float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let scientific = format!("{value:e}");
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if value == 0.0 || (-4..6).contains(&exp) {
        return format!("{value}");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// A var's value as the CLI's tables show it: strings bare, durations as Go durations,
/// lists as `[a, b]`, a missing value as `missing`.
pub(crate) fn var_value(kind: &str, value: &Value) -> String {
    match (kind, value) {
        ("duration", Value::Number(n)) => n.as_i64().map_or_else(|| n.to_string(), duration),
        ("float", Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), float),
        ("list", Value::Array(items)) => {
            let items: Vec<String> = (items.iter())
                .map(|item| match (item.get("type"), item.get("value")) {
                    (Some(Value::String(kind)), _) if kind == "star" => "*".to_string(),
                    (_, Some(Value::String(s))) => s.clone(),
                    _ => "*".to_string(),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        ("star", _) => "*".to_string(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => "<nil>".to_string(),
        (_, other) => other.to_string(),
    }
}

/// Left-aligns `text` in `width` columns, as Go's `%-<width>s` (by characters; text
/// longer than the column is not cut).
pub(crate) fn pad(text: &str, width: usize) -> String {
    format!("{text:<width$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbrps_print_as_go_prints_a_slice_of_quoted_pairs() {
        let list = [
            Dbrp {
                db: "telegraf".into(),
                rp: "autogen".into(),
            },
            Dbrp {
                db: "a\"b".into(),
                rp: "r".into(),
            },
        ];
        assert_eq!(dbrps(&list), r#"["telegraf"."autogen" "a\"b"."r"]"#);
        assert_eq!(dbrps(&[]), "[]");
    }

    #[test]
    fn times_print_as_rfc822() {
        assert_eq!(
            rfc822("2024-01-02T03:04:05.123456789Z"),
            "02 Jan 24 03:04 UTC"
        );
        assert_eq!(rfc822("0001-01-01T00:00:00Z"), "01 Jan 01 00:00 UTC");
        assert_eq!(rfc822("2017-01-27T17:16:00-05:00"), "27 Jan 17 17:16 -0500");
    }

    #[test]
    fn sizes_print_as_go_humanize_bytes() {
        assert_eq!(bytes(9), "9 B");
        assert_eq!(bytes(1234), "1.2 kB");
        assert_eq!(bytes(83_000_000), "83 MB");
    }

    #[test]
    fn durations_print_as_go_durations() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(300_000_000_000), "5m0s");
        assert_eq!(duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration(1_500_000_000), "1.5s");
        assert_eq!(duration(500_000_000), "500ms");
        assert_eq!(duration(1_500), "1.5µs");
        assert_eq!(duration(-10_000_000_000), "-10s");
    }

    #[test]
    fn floats_print_as_go_percent_v() {
        assert_eq!(float(5.0), "5");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(123456.0), "123456");
        assert_eq!(float(1_000_000.0), "1e+06");
        assert_eq!(float(1.5e7), "1.5e+07");
        assert_eq!(float(0.0001), "0.0001");
        assert_eq!(float(0.00001), "1e-05");
    }
}
