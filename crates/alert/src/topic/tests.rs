//! The hub's state, handler definitions and delivery.

use serde_json::json;
use tickflow_model::{Duration, Time};

use super::*;

fn event(id: &str, level: Level, seconds: i64) -> AlertData {
    AlertData {
        id: id.into(),
        message: format!("{id} is {level}"),
        details: String::new(),
        time: Time::from_nanos(seconds * 1_000_000_000),
        duration: Duration::ZERO,
        level,
        data: Vec::new(),
        previous_level: Level::Ok,
        recoverable: true,
    }
}

fn log_spec(id: &str, path: &std::path::Path) -> HandlerSpec {
    HandlerSpec {
        id: id.into(),
        kind: "log".into(),
        options: json!({ "path": path.display().to_string() })
            .as_object()
            .cloned()
            .expect("object"),
        match_expr: String::new(),
    }
}

fn temp_log(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir()
        .join(format!("tickflow-topic-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn a_topic_keeps_the_last_state_of_each_event_and_sets_previous_levels() {
    let hub = TopicHub::default();
    let mut first = event("cpu", Level::Critical, 1);
    assert!(hub.publish("system", &mut first).is_empty());
    assert_eq!(first.previous_level, Level::Ok);
    let mut second = event("cpu", Level::Warning, 2);
    hub.publish("system", &mut second);
    assert_eq!(second.previous_level, Level::Critical);
    hub.publish("system", &mut event("mem", Level::Ok, 3));
    hub.publish("app", &mut event("cpu", Level::Info, 3));

    let topics = hub.topics();
    let summary: Vec<(&str, Level)> = topics.iter().map(|t| (t.id.as_str(), t.level)).collect();
    assert_eq!(summary, [("app", Level::Info), ("system", Level::Warning)]);
    let state = hub.event("system", "cpu").expect("recorded");
    assert_eq!(
        (state.level, state.message.as_str(), state.time.nanos()),
        (Level::Warning, "cpu is WARNING", 2_000_000_000)
    );
    let ids: Vec<String> = hub
        .events("system")
        .expect("topic exists")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["cpu", "mem"]);
    assert_eq!(hub.previous_level("system", "cpu"), Level::Warning);
    assert_eq!(hub.previous_level("other", "cpu"), Level::Ok);
    assert!(hub.events("other").is_none());

    assert!(hub.delete_topic("system"));
    assert!(!hub.delete_topic("system"));
    assert!(hub.topic("system").is_none());
    let mut again = event("cpu", Level::Critical, 4);
    hub.publish("system", &mut again);
    assert_eq!(
        again.previous_level,
        Level::Ok,
        "a deleted topic starts afresh"
    );
}

#[test]
fn defined_handlers_receive_the_topics_events() {
    let hub = TopicHub::default();
    let services = Services::default();
    let path = temp_log("events.log");
    hub.define("system", log_spec("log", &path), &services, Define::Create)
        .expect("defined");
    hub.publish("system", &mut event("cpu", Level::Critical, 1));
    hub.publish("other", &mut event("cpu", Level::Critical, 1));
    hub.publish("system", &mut event("cpu", Level::Ok, 2));
    assert!(hub.close().is_empty());
    let log = std::fs::read_to_string(&path).expect("log written");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("\"level\":\"CRITICAL\"")
            && lines[0].contains("\"previousLevel\":\"OK\"")
    );
    assert!(
        lines[1].contains("\"level\":\"OK\"")
            && lines[1].contains("\"previousLevel\":\"CRITICAL\"")
    );
    assert!(
        hub.handlers("system").is_empty(),
        "close stops the handlers"
    );
}

#[test]
fn handlers_are_created_replaced_and_removed_by_id() {
    let hub = TopicHub::default();
    let services = Services::default();
    let first = log_spec("h", &temp_log("first.log"));
    hub.define("t", first.clone(), &services, Define::Create)
        .expect("created");
    let err = hub
        .define("t", first.clone(), &services, Define::Create)
        .expect_err("exists");
    assert_eq!(
        err.to_string(),
        "handler \"h\" already exists on topic \"t\""
    );
    let err = hub
        .define(
            "t",
            log_spec("x", &temp_log("x.log")),
            &services,
            Define::Replace,
        )
        .expect_err("missing");
    assert_eq!(
        err.to_string(),
        "handler \"x\" does not exist on topic \"t\""
    );
    let second = log_spec("h", &temp_log("second.log"));
    hub.define("t", second.clone(), &services, Define::Replace)
        .expect("replaced");
    assert_eq!(hub.handler("t", "h"), Some(second));
    assert_eq!(hub.topic("t").map(|t| t.level), Some(Level::Ok));
    let mut bad = first;
    bad.kind = "aggregate".into();
    assert!(matches!(
        hub.define("t", bad, &services, Define::Upsert),
        Err(DefineError::Spec(SpecError::Kind { .. }))
    ));
    assert!(hub.remove_handler("t", "h"));
    assert!(!hub.remove_handler("t", "h"));
    assert!(hub.handlers("t").is_empty());
}

#[test]
fn failing_handlers_are_reported_to_the_next_publisher_and_never_block_it() {
    let hub = TopicHub::default();
    let services = Services::default();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("loopback port");
    let spec = HandlerSpec {
        id: "tcp".into(),
        kind: "tcp".into(),
        options: json!({ "address": closed.to_string() })
            .as_object()
            .cloned()
            .expect("object"),
        match_expr: String::new(),
    };
    hub.define("t", spec, &services, Define::Create)
        .expect("defined");
    let mut errors = Vec::new();
    for second in 0..3 {
        errors.extend(hub.publish("t", &mut event("e", Level::Critical, second)));
    }
    errors.extend(hub.close());
    assert_eq!(errors.len(), 3, "{errors:?}");
    let prefix = format!("topic \"t\" handler \"tcp\": tcp to \"{closed}\" failed: ");
    assert!(
        errors.iter().all(|e| e.to_string().starts_with(&prefix)),
        "{errors:?}"
    );
}

#[test]
fn a_match_expression_filters_the_events_a_handler_receives() {
    let hub = TopicHub::default();
    let services = Services::default();
    let path = temp_log("matched.log");
    let mut spec = log_spec("crit", &path);
    spec.match_expr = "changed() AND level() == CRITICAL".into();
    hub.define("t", spec, &services, Define::Create)
        .expect("created");
    for (id, level) in [
        ("a", Level::Warning),
        ("b", Level::Critical),
        ("b", Level::Critical),
        ("c", Level::Ok),
    ] {
        assert!(hub.publish("t", &mut event(id, level, 1)).is_empty());
    }
    assert!(hub.close().is_empty());
    let text = std::fs::read_to_string(&path).expect("log written");
    let ids: Vec<&str> = text
        .lines()
        .map(|line| {
            if line.contains("\"id\":\"b\"") {
                "b"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(ids, ["b"], "only b's change to CRITICAL: {text}");
}
