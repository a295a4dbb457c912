//! Alert handlers and `httpPost` against the shared conformance cases: the case's script
//! and recording run through a task whose `${SINK_URL}` is a local sink, and the requests
//! are compared with the case's expectation (README §5–§6 rules: numbers as floats,
//! `ordered`/`count_only`, `raw_body`, `path`, required headers).
//!
//! Only the cases whose nodes the engine runs today are listed; their `|httpOut()` is cut
//! from the script (httpOut content is the conformance runner's business).

use std::sync::Arc;

use serde_json::Value;
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::replay::{parse_srpl, rebase, run};
use tickflow_engine::{HttpPostEndpoint, Services, Task};
use tickflow_line_protocol::Precision;
use tickflow_pipeline::BuildOptions;
use tickflow_testkit::sink::{Recorded, Sink};
use tickflow_testkit::{conformance_cases, root, ConformanceCase};

/// The script without its `|httpOut(...)` line.
fn without_http_out(script: &str) -> String {
    script
        .lines()
        .filter(|line| !line.trim_start().starts_with("|httpOut("))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `httppost` endpoints of the case's `config`, with `${SINK_URL}` replaced.
fn services(case: &ConformanceCase, sink_url: &str) -> Services {
    let endpoints = case.json["config"]["httppost"].as_array().cloned();
    let text = |v: &Value| {
        v.as_str()
            .unwrap_or_default()
            .replace("${SINK_URL}", sink_url)
    };
    let http_post = endpoints
        .unwrap_or_default()
        .iter()
        .map(|e| HttpPostEndpoint {
            name: text(&e["endpoint"]),
            url: text(&e["url"]),
            headers: e["headers"]
                .as_object()
                .map(|h| h.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                .unwrap_or_default(),
            row_template: e["row_template"].as_str().map(str::to_owned),
        })
        .collect();
    Services {
        http_post,
        ..Services::default()
    }
}

/// Runs case `name` against a sink and returns what the sink received.
fn run_case(name: &str) -> (ConformanceCase, Vec<Recorded>) {
    let case = conformance_cases()
        .expect("the shared conformance corpus is beside the workspace")
        .into_iter()
        .find(|c| c.json["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let count = case.json["expected_post_count"]
        .as_u64()
        .expect("post count") as usize;
    let statuses = case.json["sink_status_codes"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .filter_map(|c| c.as_u64())
                .map(|c| c as u16)
                .collect()
        })
        .unwrap_or_default();
    let sink = Sink::http(count, statuses, "", || {});
    let script = without_http_out(&case.tickscript().replace("${SINK_URL}", &sink.url));
    let program = tickflow_tickscript::parse(&script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let task_id = case.json["task_id"].as_str().expect("task id");
    let task = Task::build_with(&pipeline, task_id, &services(&case, &sink.url)).expect("task");
    let recording = case.json["recording"].as_str().expect("recording");
    let path = root()
        .join("../shared/conformance/recordings")
        .join(recording);
    let bytes = std::fs::read(&path).expect("recording");
    let mut data = parse_srpl(&bytes, Precision::Second);
    rebase(&mut data.points);
    run(task, data.points, Arc::new(Collect::default())).expect("replay runs");
    (case, sink.finish())
}

/// JSON with every number as a float, as the Go harness decodes it.
fn floats(value: Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(floats).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, floats(v))).collect()),
        other => other,
    }
}

fn body_json(request: &Recorded) -> Value {
    floats(serde_json::from_str(&request.body).expect("json body"))
}

/// Checks count, headers and, per the case's comparison mode, the bodies.
fn check(name: &str) {
    let (case, requests) = run_case(name);
    let expected_count = case.json["expected_post_count"].as_u64().expect("count") as usize;
    assert_eq!(requests.len(), expected_count, "{name}: request count");
    if let Some(headers) = case.json["expected_request_headers"].as_object() {
        for request in &requests {
            for (key, value) in headers {
                assert_eq!(request.header(key), value.as_str(), "{name}: header {key}");
            }
        }
    }
    let Some(expected) = case.json["expected"].as_array() else {
        return;
    };
    assert_eq!(expected.len(), requests.len(), "{name}: expected documents");
    for (i, (want, got)) in expected.iter().zip(&requests).enumerate() {
        if let Some(raw) = want["raw_body"].as_str() {
            assert_eq!(got.body, raw, "{name}: request {i}");
            continue;
        }
        if let Some(path) = want["path"].as_str() {
            assert_eq!(
                got.request_line,
                format!("POST {path} HTTP/1.1"),
                "{name}: {i}"
            );
        }
        let want = floats(want.get("body").unwrap_or(want).clone());
        assert_eq!(body_json(got), want, "{name}: request {i}");
    }
}

#[test]
fn alert_no_recoveries() {
    check("TestStream_Alert_NoRecoveries");
}

#[test]
fn alert_with_reset() {
    check("TestStream_Alert_WithReset_0");
}

#[test]
fn alert_duration() {
    check("TestStream_AlertDuration");
}

#[test]
fn alert_flapping() {
    check("TestStream_AlertFlapping");
}

#[test]
fn http_post_url_template() {
    check("TestStream_HttpPost_URL_Template");
}

#[test]
fn http_post_endpoint_custom_body() {
    check("TestStream_HttpPostEndpoint_CustomBody");
}

#[test]
fn alert_complex_where() {
    check("TestStream_AlertComplexWhere");
}

#[test]
fn http_post_endpoint_status_codes() {
    check("TestStream_HttpPostEndpoint_StatusCodes");
}
