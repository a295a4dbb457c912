//! The comparison rules of conformance/README.md: a `models.Result` (§4.2), an alert
//! document (§5) and the requests an httpPost node makes (§6). Each check returns the
//! first difference as a [`Mismatch`] naming where it is (`series[0].values[2][1]`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Where two outputs first differ, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {what}")]
pub(super) struct Mismatch {
    /// The JSON path of the difference.
    pub path: String,
    /// What differs.
    pub what: String,
}

/// A check's outcome.
pub(super) type Check = Result<(), Mismatch>;

fn mismatch(path: impl Into<String>, what: impl Into<String>) -> Check {
    Err(Mismatch {
        path: path.into(),
        what: what.into(),
    })
}

/// Whether `actual` equals `expected`.
fn same(path: &str, expected: &Value, actual: &Value) -> Check {
    if expected == actual {
        Ok(())
    } else {
        mismatch(path, format!("expected {expected}, got {actual}"))
    }
}

/// Compares two `models.Result` bodies (§4.2).
pub(super) fn result(path: &str, expected: &Value, actual: &Value, ignore_order: bool) -> Check {
    for (side, value) in [("expected", expected), ("actual", actual)] {
        if let Some(error) = value.get("error") {
            return mismatch(path, format!("{side} result has an error: {error}"));
        }
    }
    let expected = series(expected);
    let actual = series(actual);
    if expected.len() != actual.len() {
        return mismatch(
            format!("{path}series"),
            format!("expected {} series, got {}", expected.len(), actual.len()),
        );
    }
    for (i, want) in expected.iter().enumerate() {
        let at = format!("{path}series[{i}]");
        let got = if ignore_order {
            match actual.iter().find(|got| same_series_key(want, got)) {
                Some(got) => got,
                None => {
                    let key = (field(want, "name"), field(want, "tags"));
                    return mismatch(at, format!("no series named {} with tags {}", key.0, key.1));
                }
            }
        } else {
            &actual[i]
        };
        one_series(&at, want, got)?;
    }
    Ok(())
}

/// The `series` of a result; `null` or absent means none.
fn series(result: &Value) -> &[Value] {
    result
        .get("series")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A member of a series, with an absent one read as its empty value.
fn field(series: &Value, name: &str) -> Value {
    match (series.get(name), name) {
        (Some(value), _) => value.clone(),
        (None, "name") => Value::String(String::new()),
        (None, "tags") => Value::Object(Map::new()),
        (None, _) => Value::Array(Vec::new()),
    }
}

fn same_series_key(a: &Value, b: &Value) -> bool {
    field(a, "name") == field(b, "name") && field(a, "tags") == field(b, "tags")
}

fn one_series(path: &str, expected: &Value, actual: &Value) -> Check {
    for member in ["name", "tags", "columns"] {
        same(
            &format!("{path}.{member}"),
            &field(expected, member),
            &field(actual, member),
        )?;
    }
    let columns = field(expected, "columns");
    let time_column = columns
        .as_array()
        .and_then(|c| c.iter().position(|name| name == "time"));
    let (want, got) = (field(expected, "values"), field(actual, "values"));
    let (want, got) = (rows(&want), rows(&got));
    if want.len() != got.len() {
        return mismatch(
            format!("{path}.values"),
            format!("expected {} rows, got {}", want.len(), got.len()),
        );
    }
    for (r, (want, got)) in want.iter().zip(got).enumerate() {
        let at = format!("{path}.values[{r}]");
        let (want, got) = (rows(want), rows(got));
        if want.len() != got.len() {
            return mismatch(
                at,
                format!("expected {} cells, got {}", want.len(), got.len()),
            );
        }
        for (c, (want, got)) in want.iter().zip(got).enumerate() {
            let at = format!("{at}[{c}]");
            if Some(c) == time_column {
                instant(&at, want, got)?;
            } else {
                cell(&at, want, got)?;
            }
        }
    }
    Ok(())
}

fn rows(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// Numbers compare as float64, exactly; everything else as it is.
fn cell(path: &str, expected: &Value, actual: &Value) -> Check {
    match (expected.as_f64(), actual.as_f64()) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => same(path, expected, actual),
    }
}

/// Times compare as instants.
fn instant(path: &str, expected: &Value, actual: &Value) -> Check {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    match (parse(expected), parse(actual)) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => same(path, expected, actual),
    }
}

/// Compares one alert document (§5): every member but `data` exactly (`time` as an
/// instant), `data` as an ordered result; `ignored` members are skipped.
pub(super) fn alert(path: &str, expected: &Value, actual: &Value, ignored: &[String]) -> Check {
    let (Some(want), Some(got)) = (expected.as_object(), actual.as_object()) else {
        return same(path, expected, actual);
    };
    let members = want
        .keys()
        .chain(got.keys().filter(|k| !want.contains_key(*k)));
    for member in members {
        if ignored.iter().any(|i| i == member) {
            continue;
        }
        let at = format!("{path}.{member}");
        let (a, b) = (&want.get(member), &got.get(member));
        match (member.as_str(), a, b) {
            ("data", Some(a), Some(b)) => result(&format!("{at}."), a, b, false)?,
            ("time", Some(a), Some(b)) => instant(&at, a, b)?,
            (_, Some(a), Some(b)) => same(&at, a, b)?,
            (_, Some(_), None) => return mismatch(at, "missing"),
            (_, None, _) => return mismatch(at, "not expected"),
        }
    }
    Ok(())
}

/// Checks that every request carries `headers` (names case-insensitive).
pub(super) fn headers(
    requests: &[BTreeMap<String, String>],
    expected: &BTreeMap<String, String>,
) -> Check {
    for (i, sent) in requests.iter().enumerate() {
        for (name, value) in expected {
            let got = sent
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v);
            if got != Some(value) {
                return mismatch(
                    format!("requests[{i}].headers.{name}"),
                    format!("expected {value:?}, got {got:?}"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cpu(time: &str, value: Value) -> Value {
        json!({"series": [{"name": "cpu", "columns": ["time", "v"], "values": [[time, value]]}]})
    }

    #[test]
    fn numbers_compare_as_floats_and_times_as_instants() {
        let expected = cpu("1971-01-01T00:00:10Z", json!(10.0));
        let actual = cpu("1971-01-01T00:00:10.000000000Z", json!(10));
        assert_eq!(result("", &expected, &actual, false), Ok(()));
        let off = cpu("1971-01-01T00:00:10Z", json!(10.5));
        let err = result("", &expected, &off, false).expect_err("differs");
        assert_eq!(
            err.to_string(),
            "series[0].values[0][1]: expected 10.0, got 10.5"
        );
    }

    #[test]
    fn null_series_is_zero_series_and_absent_tags_are_empty() {
        assert_eq!(
            result("", &json!({"series": null}), &json!({}), false),
            Ok(())
        );
        let with_tags = json!({"series": [{"name": "cpu", "tags": {}}]});
        assert_eq!(
            result("", &json!({"series": [{"name": "cpu"}]}), &with_tags, false),
            Ok(())
        );
    }

    #[test]
    fn series_pair_by_name_and_tags_when_order_is_ignored() {
        let a = json!({"name": "cpu", "tags": {"h": "a"}});
        let b = json!({"name": "cpu", "tags": {"h": "b"}});
        let expected = json!({"series": [a.clone(), b.clone()]});
        let actual = json!({"series": [b, a]});
        assert!(result("", &expected, &actual, false).is_err());
        assert_eq!(result("", &expected, &actual, true), Ok(()));
    }

    #[test]
    fn alert_documents_skip_ignored_members() {
        let expected = json!({"id": "x", "duration": 0, "time": "1971-01-01T00:00:10Z"});
        let actual = json!({"id": "x", "duration": 5, "time": "1971-01-01T00:00:10Z"});
        assert!(alert("", &expected, &actual, &[]).is_err());
        assert_eq!(alert("", &expected, &actual, &["duration".into()]), Ok(()));
    }

    #[test]
    fn every_request_must_carry_the_headers() {
        let want = BTreeMap::from([("my".to_string(), "header".to_string())]);
        let sent = BTreeMap::from([("My".to_string(), "header".to_string())]);
        assert_eq!(headers(std::slice::from_ref(&sent), &want), Ok(()));
        assert!(headers(&[sent, BTreeMap::new()], &want).is_err());
    }
}
