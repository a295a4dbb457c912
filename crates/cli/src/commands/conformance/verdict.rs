//! Whether a run produced what its case expects, by the case's kind
//! (conformance/README.md §4–§8).

use serde_json::Value;

use super::case::{AlertCompare, Case, Kind};
use super::compare::{self, Check, Mismatch};
use super::execute::Actual;
use super::sink::Request;

/// The first way `actual` differs from what `case` expects.
pub(super) fn verdict(case: &Case, actual: &Actual) -> Check {
    wall_time(case, actual)?;
    match case.kind {
        Kind::Error => {
            stages(&case.expected, actual)?;
            start_message(case, actual)
        }
        _ if actual.errors.any() => fail("task", actual.messages.join("; ")),
        Kind::HttpOut => httpout(&case.expected, case.ignore_series_order, actual),
        Kind::Alert => {
            requests(case, &actual.requests)?;
            alerts(case, &actual.requests)?;
            expected_httpout(case, actual)
        }
        Kind::HttpPost => {
            requests(case, &actual.requests)?;
            posts(&case.expected, &actual.requests)?;
            expected_httpout(case, actual)
        }
        Kind::Points => super::points::points(&case.expected, &actual.requests),
    }
}

fn fail(path: impl Into<String>, what: impl Into<String>) -> Check {
    Err(Mismatch {
        path: path.into(),
        what: what.into(),
    })
}

/// The run took no longer than the case's `max_wall_time` (batch README §7).
fn wall_time(case: &Case, actual: &Actual) -> Check {
    let Some(text) = &case.max_wall_time else {
        return Ok(());
    };
    let max = super::execute::duration(text).map_err(|err| Mismatch {
        path: "max_wall_time".into(),
        what: err.to_string(),
    })?;
    match actual.wall_time <= max {
        true => Ok(()),
        false => fail(
            "wall_time",
            format!("the run took {:?}, more than {text}", actual.wall_time),
        ),
    }
}

/// The start error ends with the case's `start_error_message` (batch README §1).
fn start_message(case: &Case, actual: &Actual) -> Check {
    let Some(expected) = &case.start_error_message else {
        return Ok(());
    };
    match &actual.errors.start {
        Some(message) if message.ends_with(expected.as_str()) => Ok(()),
        Some(message) => fail(
            "start_error_message",
            format!("expected a message ending in {expected:?}, got {message:?}"),
        ),
        None => fail("start_error_message", "the task started"),
    }
}

/// An error case: each stage named in `expected` failed or not as expected.
fn stages(expected: &Value, actual: &Actual) -> Check {
    let errors = &actual.errors;
    for (stage, failed) in [
        ("define_error", errors.define.is_some()),
        ("start_error", errors.start.is_some()),
        ("run_error", errors.run.is_some()),
    ] {
        if let Some(want) = expected.get(stage).and_then(Value::as_bool) {
            if want != failed {
                return fail(stage, format!("expected {want}, got {failed}"));
            }
        }
    }
    Ok(())
}

/// The httpOut body against `expected`.
fn httpout(expected: &Value, ignore_order: bool, actual: &Actual) -> Check {
    let Some(body) = &actual.httpout else {
        return fail("httpout", "the task has no such httpOut endpoint");
    };
    let body: Value = match serde_json::from_str(body) {
        Ok(body) => body,
        Err(err) => return fail("httpout", format!("not JSON ({err}): {body}")),
    };
    compare::result("httpout.", expected, &body, ignore_order)
}

fn expected_httpout(case: &Case, actual: &Actual) -> Check {
    match &case.expected_httpout {
        Some(expected) => httpout(expected, case.ignore_series_order, actual),
        None => Ok(()),
    }
}

/// The request count and headers.
fn requests(case: &Case, requests: &[Request]) -> Check {
    if let Some(count) = case.expected_post_count {
        if requests.len() != count {
            return fail(
                "requests",
                format!("expected {count} requests, got {}", requests.len()),
            );
        }
    }
    match &case.expected_request_headers {
        Some(expected) => {
            let sent: Vec<_> = requests.iter().map(|r| r.headers.clone()).collect();
            compare::headers(&sent, expected)
        }
        None => Ok(()),
    }
}

/// A request body as JSON.
fn body_json(index: usize, request: &Request) -> Result<Value, Mismatch> {
    serde_json::from_slice(&request.body).map_err(|err| Mismatch {
        path: format!("requests[{index}].body"),
        what: format!(
            "not JSON ({err}): {}",
            String::from_utf8_lossy(&request.body)
        ),
    })
}

/// The alert documents, matched as the case says.
fn alerts(case: &Case, requests: &[Request]) -> Check {
    let compare_mode = case.alert_compare.unwrap_or(AlertCompare::Ordered);
    let expected = match (&case.expected, compare_mode) {
        (_, AlertCompare::CountOnly) | (Value::Null, _) => return Ok(()),
        (Value::Array(expected), _) => expected,
        (other, _) => return fail("expected", format!("not a list of alerts: {other}")),
    };
    let bodies = requests
        .iter()
        .enumerate()
        .map(|(i, r)| body_json(i, r))
        .collect::<Result<Vec<_>, _>>()?;
    if bodies.len() != expected.len() {
        return fail(
            "requests",
            format!("expected {} alerts, got {}", expected.len(), bodies.len()),
        );
    }
    let ignored = &case.ignore_alert_fields;
    match compare_mode {
        AlertCompare::Ordered => {
            expected
                .iter()
                .zip(&bodies)
                .enumerate()
                .try_for_each(|(i, (want, got))| {
                    compare::alert(&format!("requests[{i}]"), want, got, ignored)
                })
        }
        _ => unordered(expected, &bodies, ignored),
    }
}

/// Each expected alert matches a distinct request.
fn unordered(expected: &[Value], bodies: &[Value], ignored: &[String]) -> Check {
    let mut used = vec![false; bodies.len()];
    for (i, want) in expected.iter().enumerate() {
        let found = (0..bodies.len())
            .find(|&j| !used[j] && compare::alert("", want, &bodies[j], ignored).is_ok());
        match found {
            Some(j) => used[j] = true,
            None => {
                return fail(
                    format!("expected[{i}]"),
                    format!("no request matches {want}"),
                )
            }
        }
    }
    Ok(())
}

/// The httpPost requests, in arrival order: body (a result) or raw body, and path.
fn posts(expected: &Value, requests: &[Request]) -> Check {
    let Value::Array(expected) = expected else {
        return Ok(());
    };
    if expected.len() != requests.len() {
        let counts = (expected.len(), requests.len());
        return fail(
            "requests",
            format!("expected {} requests, got {}", counts.0, counts.1),
        );
    }
    for (i, (want, got)) in expected.iter().zip(requests).enumerate() {
        let at = format!("requests[{i}]");
        if let Some(path) = want.get("path").and_then(Value::as_str) {
            if path != got.path {
                return fail(
                    format!("{at}.path"),
                    format!("expected {path:?}, got {:?}", got.path),
                );
            }
        }
        if let Some(raw) = want.get("raw_body").and_then(Value::as_str) {
            let body = String::from_utf8_lossy(&got.body);
            if raw != body {
                return fail(
                    format!("{at}.body"),
                    format!("expected {raw:?}, got {body:?}"),
                );
            }
        }
        if let Some(body) = want.get("body") {
            compare::result(&format!("{at}.body."), body, &body_json(i, got)?, false)?;
        }
    }
    Ok(())
}
