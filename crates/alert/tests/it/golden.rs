//! The worked example of kapacitor-compat.md, alert-data §6, written through the log handler and compared
//! byte for byte with `testdata/alert/*.jsonl`. `UPDATE_EXPECT=1 cargo test -p
//! tickflow-alert` rewrites the files; they must stay identical to the spec's text.

use expect_test::expect_file;
use tickflow_alert::{AlertData, Handler, JsonWriter, Level, LogHandler, Row};
use tickflow_model::{Duration, Fields, Point, Tags, Time};

use crate::temp_dir;

/// The default `{{ json . }}` details of the example, as Go's `html/template` renders them.
fn default_details(event: &AlertData, value: f64) -> String {
    let mut w = JsonWriter::new();
    w.begin_object()
        .key("Name")
        .string("cpu")
        .key("TaskName")
        .string("cpu_alert")
        .key("Group")
        .string("host=serverA")
        .key("Tags")
        .begin_object()
        .key("host")
        .string("serverA")
        .end_object()
        .key("ServerInfo")
        .begin_object()
        .key("Hostname")
        .string("localhost")
        .key("ClusterID")
        .string("f4c77777-a43d-439a-ba56-b08cbb0993fe")
        .key("ServerID")
        .string("af80a060-3226-41e2-b1cd-548a1467b491")
        .end_object()
        .key("ID")
        .string(&event.id)
        .key("Fields")
        .begin_object()
        .key("value");
    w.float(value).expect("finite");
    w.end_object()
        .key("Level")
        .string(event.level.as_str())
        .key("Time")
        .string(&event.time.to_rfc3339())
        .key("Duration")
        .int(event.duration.nanos())
        .key("Message")
        .string(&event.message)
        .end_object();
    // html/template escapes the quotes of the JSON (the only special character in it here).
    w.finish().replace('"', "&#34;") + "\n"
}

/// The two events of the example: CRITICAL at 00:00:10, recovery at 00:00:20.
fn example_events(with_details: bool) -> Vec<AlertData> {
    let first = Time::from_nanos(1_704_067_210_000_000_000);
    let steps = [
        (95.5, Level::Critical, Level::Ok),
        (80.0, Level::Ok, Level::Critical),
    ];
    steps
        .iter()
        .enumerate()
        .map(|(i, &(value, level, previous_level))| {
            let duration = Duration::from_nanos(10_000_000_000 * i as i64);
            let mut point = Point::new("cpu", first + duration);
            point.tags = Tags::from_pairs([("host", "serverA")]);
            point.fields = Fields::from_pairs([("value", value)]);
            let id = "cpu:host=serverA".to_string();
            let mut event = AlertData {
                message: format!("{id} is {level}"),
                id,
                details: String::new(),
                time: point.time,
                duration,
                level,
                data: vec![Row::from_point(&point)],
                previous_level,
                recoverable: true,
            };
            if with_details {
                event.details = default_details(&event, value);
            }
            event
        })
        .collect()
}

/// What the log handler writes for `events`.
fn logged(test: &str, events: &[AlertData]) -> String {
    let path = temp_dir(test).join("alerts.log");
    let handler = LogHandler::new(&path);
    for event in events {
        handler.handle(event).expect("logged");
    }
    std::fs::read_to_string(&path).expect("log written")
}

#[test]
fn worked_example_with_default_details() {
    let log = logged("golden-details", &example_events(true));
    expect_file!["../../../../testdata/alert/log_default_details.jsonl"].assert_eq(&log);
}

#[test]
fn worked_example_with_empty_details() {
    let log = logged("golden-empty", &example_events(false));
    expect_file!["../../../../testdata/alert/log_empty_details.jsonl"].assert_eq(&log);
}
