//! A `points` case (conformance/README.md §7): the last write request an `influxDBOut`
//! node sent to the sink, which stands in for InfluxDB 1.x, against the case's
//! `expected`.
//!
//! The request's query parameters `db`, `rp` and `precision` are compared with
//! `expected.database`, `expected.retention_policy` and `expected.precision`, and its
//! line-protocol body, parsed with that precision, with `expected.points`: each point as
//! `{"name", "tags", "fields", "time"}`, the time in RFC 3339. Field types matter: an
//! integer field is a JSON integer (`10`), a float a JSON float (`10.0`), so
//! `count=10i` and `count=10` differ as they do for InfluxDB.

use serde_json::{json, Map, Value};
use tickflow_line_protocol::{Parser, Precision};
use tickflow_model::{FieldValue, Point, Time};

use super::compare::{Check, Mismatch};
use super::sink::Request;

/// The last write request against `expected`.
pub(super) fn points(expected: &Value, requests: &[Request]) -> Check {
    let Some((index, write)) = requests.iter().enumerate().rev().find(|(_, r)| is_write(r)) else {
        return fail("requests", "influxDBOut sent no write request");
    };
    let at = format!("requests[{index}]");
    let params = query_params(&write.path);
    for (key, member) in [
        ("db", "database"),
        ("rp", "retention_policy"),
        ("precision", "precision"),
    ] {
        let want = expected.get(member).and_then(Value::as_str);
        let got = params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        if want.is_some() && want != got {
            return fail(
                format!("{at}.{key}"),
                format!("expected {want:?}, got {got:?}"),
            );
        }
    }
    let precision_text = params
        .iter()
        .find(|(k, _)| k == "precision")
        .map_or("", |(_, v)| v.as_str());
    let precision: Precision = precision_text
        .parse()
        .map_err(|err| mismatch(format!("{at}.precision"), format!("{err}")))?;
    let got = parse_body(&at, precision, &write.body)?;
    let want = expected.get("points").cloned().unwrap_or(Value::Null);
    match want == got {
        true => Ok(()),
        false => fail(
            format!("{at}.body"),
            format!("expected points {want}, got {got}"),
        ),
    }
}

/// Whether `request` is an InfluxDB write (`POST /write?...`).
fn is_write(request: &Request) -> bool {
    request.method == "POST" && request.path.split('?').next() == Some("/write")
}

/// The decoded query parameters of a request target.
fn query_params(target: &str) -> Vec<(String, String)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The body's points as JSON, or the first line that does not parse.
fn parse_body(at: &str, precision: Precision, body: &[u8]) -> Result<Value, Mismatch> {
    let parsed = Parser::new(precision, Time::from_nanos(0)).parse(body);
    if let Some(bad) = parsed.errors.first() {
        return Err(mismatch(format!("{at}.body"), bad.to_string()));
    }
    Ok(Value::Array(parsed.points.iter().map(point_json).collect()))
}

/// One point as the case writes it.
fn point_json(point: &Point) -> Value {
    let tags: Map<String, Value> = point
        .tags
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    let fields: Map<String, Value> = point
        .fields
        .iter()
        .map(|(k, v)| (k.to_string(), field_json(v)))
        .collect();
    json!({
        "name": &*point.name,
        "tags": tags,
        "fields": fields,
        "time": point.time.to_rfc3339(),
    })
}

/// A field value with its type kept: integers as JSON integers, floats as floats.
fn field_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Float(f) => json!(f),
        FieldValue::Integer(i) => json!(i),
        FieldValue::Unsigned(u) => json!(u),
        FieldValue::String(s) => json!(&***s),
        FieldValue::Boolean(b) => json!(b),
    }
}

fn mismatch(path: impl Into<String>, what: impl Into<String>) -> Mismatch {
    Mismatch {
        path: path.into(),
        what: what.into(),
    }
}

fn fail(path: impl Into<String>, what: impl Into<String>) -> Check {
    Err(mismatch(path, what))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn write(path: &str, body: &str) -> Request {
        Request {
            method: "POST".into(),
            path: path.into(),
            headers: BTreeMap::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn expected(count: Value) -> Value {
        json!({
            "database": "db",
            "retention_policy": "rp",
            "precision": "s",
            "points": [{
                "name": "m",
                "tags": {"key": "value"},
                "fields": {"count": count},
                "time": "1971-01-01T00:00:10Z",
            }],
        })
    }

    #[test]
    fn the_last_write_is_compared_with_its_types() {
        let requests = [
            write(
                "/write?db=db&rp=rp&precision=s",
                "m,key=value count=3i 31536005\n",
            ),
            write(
                "/write?db=db&rp=rp&precision=s",
                "m,key=value count=10i 31536010\n",
            ),
        ];
        assert_eq!(points(&expected(json!(10)), &requests), Ok(()));
        let float = points(&expected(json!(10.0)), &requests).unwrap_err();
        assert_eq!(float.path, "requests[1].body");
    }

    #[test]
    fn parameters_and_missing_writes_are_reported() {
        let requests = [write("/write?db=other&rp=rp&precision=s", "m count=1i 1\n")];
        let err = points(&expected(json!(1)), &requests).unwrap_err();
        assert_eq!(err.path, "requests[0].db");
        assert!(err.what.contains("\"other\""), "{}", err.what);
        let err = points(&expected(json!(1)), &[]).unwrap_err();
        assert_eq!(err.what, "influxDBOut sent no write request");
    }
}
