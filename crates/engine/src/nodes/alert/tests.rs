//! The alert node's tests: levels, resets, state changes, flapping, handlers, topics,
//! inhibitors and snapshots.

use tickflow_model::{FieldValue, Tags};
use tickflow_pipeline::{BuildOptions, NodeKind};

use super::*;
use crate::nodes::testing::{assert_resumes, point, points, run};

/// The alert node of `stream|from()|alert()<properties>`.
fn alert(properties: &str) -> Alert {
    alert_with(properties, &Services::default())
}

/// [`alert`] with these services.
fn alert_with(properties: &str, services: &Services) -> Alert {
    let script = format!("stream|from()|alert(){properties}");
    let program = tickflow_tickscript::parse(&script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let node = &pipeline.nodes[2];
    let NodeKind::Alert(spec) = &node.kind else {
        panic!("not an alert node")
    };
    let compile = |l: &tickflow_pipeline::Lambda| {
        Lambda::compile(&l.expr).map_err(|source| TaskError::Lambda {
            node: node.name.clone(),
            source,
        })
    };
    Alert::new(spec, &node.name, "task", services, None, compile).expect("alert node")
}

/// `cpu,host=a value=…` at 0s, 1s, …
fn values(values: &[f64]) -> Vec<Message> {
    host_values(0, "a", values)
}

/// `cpu,host=<host> value=…` grouped by host, at `start` seconds and every second on.
fn host_values(start: i64, host: &str, values: &[f64]) -> Vec<Message> {
    values
        .iter()
        .zip(start..)
        .map(|(v, secs)| {
            let mut p = point(secs, &[("host", host)], &[("value", FieldValue::Float(*v))]);
            p.set_dimensions(tickflow_model::Dimensions::by_tags(["host"]));
            Message::Point(p)
        })
        .collect()
}

/// The time, level and duration (seconds) fields of every emitted point.
fn events(out: Vec<Message>) -> Vec<(i64, String, i64)> {
    points(out)
        .iter()
        .map(|p| {
            let field = |key: &str| p.fields.get(key).cloned();
            let duration = match field("d") {
                Some(FieldValue::Integer(nanos)) => nanos / 1_000_000_000,
                _ => -1,
            };
            let level = field("level").map(|l| l.to_string()).unwrap_or_default();
            (p.time.nanos() / 1_000_000_000, level, duration)
        })
        .collect()
}

/// Runs the alert node of `properties` through `first`, then checks that one restored
/// from its snapshot goes on as it does for `rest`; returns the events of `rest`.
fn resumes(properties: &str, first: Vec<Message>, rest: Vec<Message>) -> Vec<(i64, String, i64)> {
    let (out, errors) = assert_resumes(|| alert(properties), first, rest);
    assert!(errors.is_empty(), "{errors:?}");
    events(out)
}

#[test]
fn a_restored_node_reports_the_full_duration_of_an_event() {
    let properties = ".crit(lambda: \"value\" > 10).levelField('level').durationField('d')";
    let first = [
        host_values(0, "a", &[0.0, 20.0, 30.0]),
        host_values(0, "b", &[20.0]),
    ]
    .concat();
    let rest = [
        host_values(3, "a", &[25.0, 0.0]),
        host_values(3, "b", &[0.0]),
    ]
    .concat();
    let got = resumes(properties, first, rest);
    assert_eq!(
        got,
        [
            (3, "CRITICAL".into(), 2),
            (4, "OK".into(), 3),
            (3, "OK".into(), 3)
        ]
    );
}

#[test]
fn a_restored_node_holds_its_groups_inhibitors_again() {
    let properties = ".crit(lambda: \"value\" > 10).inhibit('system', 'host')";
    let mut saved = alert(properties);
    let first = [host_values(0, "a", &[20.0]), host_values(0, "b", &[0.0])].concat();
    run(&mut saved, first);
    let snapshot = saved.snapshot().expect("state");
    let services = Services::default();
    let mut restored = alert_with(properties, &services);
    restored.restore(snapshot.clone()).expect("restores");
    assert_eq!(restored.snapshot(), Some(snapshot));
    let host = |h: &str| Tags::from_pairs([("host", h)]);
    let inhibits = |h: &str| services.inhibitors.inhibits("system", &host(h));
    assert_eq!((inhibits("a"), inhibits("b")), (true, false));
    run(&mut restored, host_values(1, "a", &[0.0]));
    assert!(!inhibits("a"), "the recovery turns it off");
}

#[test]
fn a_snapshot_of_another_history_length_is_refused() {
    let mut saved = alert(".crit(lambda: \"value\" > 10).history(5)");
    run(&mut saved, values(&[20.0]));
    let snapshot = saved.snapshot().expect("state");
    let err = alert(".crit(lambda: \"value\" > 10)")
        .restore(snapshot)
        .expect_err("history differs");
    assert_eq!(
        err.to_string(),
        "invalid snapshot: alert history of 5 levels, the node keeps 21"
    );
}

#[test]
fn a_restored_node_goes_on_flapping() {
    let properties = ".crit(lambda: \"value\" > 10).flapping(0.25, 0.5).history(5)\
                      .levelField('level').durationField('d')";
    let first = host_values(0, "a", &[20.0, 0.0, 20.0, 0.0]);
    let rest = host_values(4, "a", &[20.0, 20.0, 20.0, 20.0, 20.0, 20.0]);
    let got = resumes(properties, first, rest);
    // Flapping hides the alert until the history settles; the duration counts from
    // the last trigger after OK that was sent, at 0s (kapacitor-compat.md, nodes §8.4).
    assert_eq!(got, [(8, "CRITICAL".into(), 8), (9, "CRITICAL".into(), 9)]);
}

#[test]
fn a_restored_node_keeps_the_state_changes_interval() {
    let properties = ".crit(lambda: \"value\" > 10).stateChangesOnly(2s)\
                      .levelField('level').durationField('d')";
    let first = host_values(0, "a", &[20.0, 20.0]);
    let rest = host_values(2, "a", &[20.0, 20.0, 20.0, 0.0]);
    let got = resumes(properties, first, rest);
    assert_eq!(
        got,
        [
            (2, "CRITICAL".into(), 2),
            (4, "CRITICAL".into(), 4),
            (5, "OK".into(), 5)
        ]
    );
}

#[test]
fn a_restored_node_keeps_the_state_of_its_level_lambdas() {
    let properties = ".warn(lambda: count() > 2)\
                      .crit(lambda: sigma(\"value\") > 1.4).critReset(lambda: count() > 1)\
                      .levelField('level').durationField('d')";
    let first = host_values(0, "a", &[1.0, 2.0]);
    let rest = host_values(2, "a", &[1.5, 1.6, 9.0, 1.5, 1.5]);
    let got = resumes(properties, first, rest);
    assert_eq!(
        got,
        [
            (2, "WARNING".into(), 0),
            (3, "WARNING".into(), 1),
            (4, "CRITICAL".into(), 2),
            (5, "CRITICAL".into(), 3),
            (6, "WARNING".into(), 4)
        ]
    );
}

/// The level field of every emitted point.
fn levels(alert: &mut Alert, input: &[f64]) -> Vec<String> {
    let (out, errors) = run(alert, values(input));
    assert!(errors.is_empty(), "{errors:?}");
    points(out)
        .iter()
        .map(|p| {
            p.fields
                .get("level")
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn resets_hold_a_level_until_they_pass() {
    let mut node = alert(
        ".info(lambda: \"value\" > 60).infoReset(lambda: \"value\" < 50)\
         .warn(lambda: \"value\" > 70).warnReset(lambda: \"value\" < 60)\
         .crit(lambda: \"value\" > 80).critReset(lambda: \"value\" < 70).levelField('level')",
    );
    let got = levels(&mut node, &[61.0, 73.0, 64.0, 85.0, 62.0, 56.0, 47.0]);
    assert_eq!(
        got,
        ["INFO", "WARNING", "WARNING", "CRITICAL", "INFO", "INFO", "OK"]
    );
}

#[test]
fn state_changes_only_sends_alerts_and_recoveries() {
    let mut node = alert(".crit(lambda: \"value\" < 93).stateChangesOnly().levelField('level')");
    let got = levels(&mut node, &[95.0, 90.0, 91.0, 95.0, 90.0, 96.0]);
    assert_eq!(got, ["CRITICAL", "OK", "CRITICAL", "OK"]);
}

#[test]
fn state_changes_only_with_an_interval_repeats_and_counts_duration() {
    let mut node = alert(".crit(lambda: \"value\" > 10).stateChangesOnly(2s).durationField('d')");
    let (out, _) = run(
        &mut node,
        values(&[
            0.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 0.0,
        ]),
    );
    let got: Vec<(i64, i64)> = points(out)
        .iter()
        .map(|p| {
            (
                p.time.nanos() / 1_000_000_000,
                p.fields
                    .get("d")
                    .and_then(FieldValue::as_f64)
                    .unwrap_or(-1.0) as i64
                    / 1_000_000_000,
            )
        })
        .collect();
    assert_eq!(got, [(1, 0), (3, 2), (5, 4), (7, 6), (9, 8), (10, 9)]);
}

#[test]
fn no_recoveries_hides_ok_events() {
    let mut node = alert(".crit(lambda: \"value\" > 10).noRecoveries().levelField('level')");
    assert_eq!(
        levels(&mut node, &[20.0, 0.0, 20.0]),
        ["CRITICAL", "CRITICAL"]
    );
}

#[test]
fn events_reach_the_log_handler_as_kapacitor_documents() {
    let dir = std::env::temp_dir().join(format!("tickflow-alert-node-{}", std::process::id()));
    let path = dir.join("alerts.log");
    let _ = std::fs::remove_file(&path);
    let mut node = alert(&format!(".id('cpu-{{{{ index .Tags \"host\" }}}}').crit(lambda: \"value\" > 10).details('').log('{}')", path.display()));
    run(&mut node, values(&[20.0, 0.0]));
    drop(node);
    let log = std::fs::read_to_string(&path).expect("log written");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        "{\"id\":\"cpu-a\",\"message\":\"cpu-a is CRITICAL\",\"details\":\"\",\"time\":\"1970-01-01T00:00:00Z\",\"duration\":0,\"level\":\"CRITICAL\",\"data\":{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1970-01-01T00:00:00Z\",20]]}]},\"previousLevel\":\"OK\",\"recoverable\":true}"
    );
    assert!(
        lines[1].contains("\"level\":\"OK\"")
            && lines[1].contains("\"previousLevel\":\"CRITICAL\"")
            && lines[1].contains("\"duration\":1000000000")
    );
}

/// Runs `script` as task `t` over `values` of `cpu,host=a value=…` at 0s, 1s, …, and
/// returns the errors the task reported.
fn run_task(script: &str, services: &Services, input: &[f64]) -> Vec<String> {
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let environment = crate::Environment {
        services: services.clone(),
        ..crate::Environment::default()
    };
    let task = crate::Task::build_with(&pipeline, "t", &environment).expect("task builds");
    let diagnostics = std::sync::Arc::new(crate::diagnostics::Collect::default());
    let mut inline = crate::executor::Inline::new(task.dag, diagnostics.clone());
    // One point at a time, so each reaches every branch before the next (inhibitors).
    for message in values(input) {
        inline.push(vec![message]).expect("runs");
    }
    inline.finish().expect("finishes");
    diagnostics.errors()
}

#[test]
fn failing_handlers_are_reported_and_the_others_still_deliver() {
    let dir = std::env::temp_dir().join(format!("tickflow-alert-fail-{}", std::process::id()));
    let path = dir.join("alerts.log");
    let _ = std::fs::remove_file(&path);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("loopback port");
    let script = format!(
        "stream|from()|alert().crit(lambda: \"value\" > 10).details('')\
         .tcp('{closed}').exec('/nonexistent/handler').log('{}')",
        path.display()
    );
    let errors = run_task(&script, &Services::default(), &[20.0, 0.0, 30.0]);
    let log = std::fs::read_to_string(&path).expect("log written");
    assert_eq!(log.lines().count(), 3, "{log}");
    assert_eq!(errors.len(), 6, "{errors:?}");
    let tcp = format!("alert2: tcp to \"{closed}\" failed: ");
    let exec = "alert2: exec \"/nonexistent/handler\" failed: ";
    assert_eq!(errors.iter().filter(|e| e.starts_with(&tcp)).count(), 3);
    assert_eq!(errors.iter().filter(|e| e.starts_with(exec)).count(), 3);
}

#[test]
fn an_unconfigured_service_lets_the_task_start_and_fails_each_event() {
    let script = "stream|from()|alert().crit(lambda: \"value\" > 10).details('')\
                  .slack().channel('#ops').telegram()";
    let errors = run_task(script, &Services::default(), &[20.0, 0.0, 30.0]);
    let count = |text: &str| errors.iter().filter(|e| *e == text).count();
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert_eq!(
        count("alert2: slack: no [[slack]] section for workspace \"\""),
        3
    );
    assert_eq!(count("alert2: telegram: service is not enabled"), 3);
}

#[test]
fn events_published_to_a_topic_reach_its_handlers_and_state() {
    let dir = std::env::temp_dir().join(format!("tickflow-topic-node-{}", std::process::id()));
    let path = dir.join("topic.log");
    let _ = std::fs::remove_file(&path);
    let services = Services::default();
    let options = serde_json::json!({ "path": path.display().to_string() });
    let spec = tickflow_alert::HandlerSpec {
        id: "log".into(),
        kind: "log".into(),
        options: options.as_object().cloned().expect("object"),
        match_expr: String::new(),
    };
    let hub = &services.topics;
    hub.define("cpu", spec, &services, tickflow_alert::Define::Create)
        .expect("handler defined");
    let script =
        "stream|from()|alert().id('x').crit(lambda: \"value\" > 10).details('').topic('cpu')";
    let errors = run_task(script, &services, &[20.0, 30.0, 0.0]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(hub.close().is_empty());
    let log = std::fs::read_to_string(&path).expect("log written");
    let previous: Vec<bool> = log
        .lines()
        .map(|l| l.contains("\"previousLevel\":\"CRITICAL\""))
        .collect();
    assert_eq!(previous, [false, true, true], "{log}");
    let state = hub.event("cpu", "x").expect("state kept");
    assert_eq!(
        (state.level, state.message.as_str()),
        (Level::Ok, "x is OK")
    );
    assert!(
        hub.topic("main:t:alert2").is_none(),
        "no anonymous topic without handlers"
    );
}

#[test]
fn topic_handler_errors_are_reported_under_the_node() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("loopback port");
    let services = Services::default();
    let options = serde_json::json!({ "address": closed.to_string() });
    let spec = tickflow_alert::HandlerSpec {
        id: "tcp".into(),
        kind: "tcp".into(),
        options: options.as_object().cloned().expect("object"),
        match_expr: String::new(),
    };
    services
        .topics
        .define("cpu", spec, &services, tickflow_alert::Define::Create)
        .expect("handler defined");
    let script = "stream|from()|alert().crit(lambda: TRUE).topic('cpu')";
    let mut errors = run_task(script, &services, &[1.0, 2.0, 3.0]);
    errors.extend(services.topics.close().iter().map(|e| e.to_string()));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors
        .iter()
        .all(|e| e.contains("topic \"cpu\" handler \"tcp\": tcp to ")));
}

#[test]
fn mqtt_handlers_publish_the_message_to_the_configured_broker() {
    let Some(broker) = tickflow_testkit::mosquitto::Mosquitto::start() else {
        return;
    };
    let url = format!("tcp://{}", broker.address);
    let config = tickflow_alert::MqttBroker::new("local", &url).expect("url");
    let services = Services {
        mqtt: tickflow_alert::MqttBrokers::new(vec![config]).expect("broker"),
        ..Services::default()
    };
    let mut subscriber =
        tickflow_alert::mqtt::Subscriber::connect(&broker.address, "watch", "alerts", 1)
            .expect("subscribed");
    let script = "stream|from()|alert().id('cpu').crit(lambda: \"value\" > 10)\
                  .mqtt('alerts').brokerName('local').qos(1).retained(TRUE)";
    let errors = run_task(script, &services, &[20.0, 0.0]);
    assert!(errors.is_empty(), "{errors:?}");
    let wait = std::time::Duration::from_secs(10);
    let messages: Vec<(Vec<u8>, bool)> = (0..2)
        .map(|_| subscriber.next(wait).expect("a message"))
        .map(|m| (m.payload, m.retain))
        .collect();
    assert_eq!(
        messages,
        [
            (b"cpu is CRITICAL".to_vec(), false),
            (b"cpu is OK".to_vec(), false)
        ]
    );
    let mut late = tickflow_alert::mqtt::Subscriber::connect(&broker.address, "late", "alerts", 0)
        .expect("subscribed");
    let kept = late.next(wait).expect("the retained message");
    assert_eq!((kept.payload, kept.retain), (b"cpu is OK".to_vec(), true));
    let script = "stream|from()|alert().crit(lambda: TRUE).mqtt('a').brokerName('other')";
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let environment = crate::Environment {
        services,
        ..crate::Environment::default()
    };
    let err = crate::Task::build_with(&pipeline, "t", &environment)
        .err()
        .expect("unknown broker");
    assert_eq!(
        err.to_string(),
        "node alert2: unknown mqtt broker \"other\""
    );
}

#[test]
fn message_templates_call_methods_on_the_alert_data() {
    let mut node = alert(
        ".crit(lambda: \"value\" > 10).messageField('m')\
         .message('{{ .ID }} at {{ .Time.Local.Format \"2006-01-02T15:04:05Z07:00\" }} \
         for {{ .Duration.Seconds }}s, {{ printf \"%.1f\" (index .Fields \"value\") }}')",
    );
    let (out, errors) = run(&mut node, values(&[20.0, 30.5]));
    assert!(errors.is_empty(), "{errors:?}");
    let messages: Vec<String> = points(out)
        .iter()
        .filter_map(|p| p.fields.get("m").map(|m| m.to_string()))
        .collect();
    assert_eq!(
        messages,
        [
            "cpu:host=a at 1970-01-01T00:00:00Z for 0s, 20.0",
            "cpu:host=a at 1970-01-01T00:00:01Z for 1s, 30.5"
        ]
    );
}

#[test]
fn template_errors_name_the_node_and_the_property() {
    let script = "stream|from()|alert().crit(lambda: TRUE).message('{{ .ID }} {{ .Nope ')";
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let err = crate::Task::build(&pipeline, "t")
        .err()
        .expect("the message does not parse");
    assert_eq!(
        err.to_string(),
        "node alert2: .message() template \"{{ .ID }} {{ .Nope \": 1:11: unclosed action"
    );
    // A template that fails on the data stops the node, as in Kapacitor.
    let mut node = alert(".crit(lambda: TRUE).id('{{ .Level }}')");
    let (stats, diagnostics, mut out) = (
        crate::stats::NodeStats::default(),
        crate::diagnostics::Collect::default(),
        Vec::new(),
    );
    let mut ctx = Context::new(&mut out, &stats, "alert2", &diagnostics, false);
    let err = node
        .messages(0, &mut values(&[1.0]), &mut ctx)
        .expect_err("the id cannot be rendered");
    assert_eq!(
        err.to_string(),
        ".id() template \"{{ .Level }}\": 1:4: can't evaluate field Level in type kapacitor.idInfo"
    );
}

#[test]
fn an_alert_holding_nan_is_reported_once_and_the_task_goes_on() {
    let dir = std::env::temp_dir().join(format!("tickflow-alert-nan-{}", std::process::id()));
    let path = dir.join("alerts.log");
    let _ = std::fs::remove_file(&path);
    // The default details are `{{ json . }}`, which cannot encode NaN either.
    let mut node = alert(&format!(
        ".crit(lambda: \"value\" > 10 OR \"value\" != \"value\").log('{}')",
        path.display()
    ));
    let (out, errors) = run(&mut node, values(&[f64::NAN, 0.0, 20.0]));
    drop(node);
    assert_eq!(
        errors,
        ["node1: alert \"cpu:host=a\" was not sent to its handlers: json: unsupported value: NaN"]
    );
    assert_eq!(events(out).len(), 3, "every event still goes downstream");
    let log = std::fs::read_to_string(&path).expect("log written");
    let levels: Vec<bool> = log
        .lines()
        .map(|l| l.contains("\"level\":\"CRITICAL\""))
        .collect();
    assert_eq!(
        levels,
        [false, true],
        "the OK after the NaN alert and the next CRITICAL"
    );
}

#[test]
fn post_endpoints_come_from_the_services() {
    let script = "stream|from()|alert().crit(lambda: TRUE).post().endpoint('test')";
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let err = crate::Task::build(&pipeline, "t")
        .err()
        .expect("no endpoint configured");
    assert_eq!(
        err.to_string(),
        "node alert2: unknown httppost endpoint \"test\""
    );
    let services = Services {
        http_post: vec![tickflow_alert::HttpPostEndpoint {
            name: "test".into(),
            url: "ftp://example.com/".into(),
            ..Default::default()
        }],
        ..Services::default()
    };
    let environment = crate::Environment {
        services,
        ..crate::Environment::default()
    };
    let err = crate::Task::build_with(&pipeline, "t", &environment)
        .err()
        .expect("not http");
    assert_eq!(
        err.to_string(),
        "node alert2: unsupported url \"ftp://example.com/\": expected http:// or https://"
    );
}

#[test]
fn an_active_inhibitor_keeps_events_of_its_category_from_the_handlers() {
    let dir = std::env::temp_dir().join(format!("tickflow-inhibit-{}", std::process::id()));
    let path = dir.join("alerts.log");
    let _ = std::fs::remove_file(&path);
    let script = format!(
        "var data = stream|from().measurement('cpu')\n\
         data|alert().crit(lambda: \"value\" > 10).inhibit('system', 'host')\n\
         data|alert().category('system').crit(lambda: \"value\" > 5).details('').log('{}')",
        path.display()
    );
    let errors = run_task(&script, &Services::default(), &[20.0, 7.0, 0.0]);
    assert!(errors.is_empty(), "{errors:?}");
    let log = std::fs::read_to_string(&path).expect("log written");
    let levels: Vec<(&str, &str)> = log
        .lines()
        .map(|line| {
            let field = |key: &str| {
                let start = line.find(&format!("\"{key}\":\"")).expect(key) + key.len() + 4;
                let end = start + line[start..].find('"').expect("closing quote");
                &line[start..end]
            };
            (field("level"), field("previousLevel"))
        })
        .collect();
    // 20: inhibited; 7: the inhibitor recovered, so CRITICAL goes out; 0: recovery.
    assert_eq!(levels, [("CRITICAL", "OK"), ("OK", "CRITICAL")]);
}

#[test]
fn the_nodes_stats_count_what_its_handlers_sent_and_failed() {
    let dir = std::env::temp_dir().join(format!("tickflow-alert-stats-{}", std::process::id()));
    let path = dir.join("alerts.log");
    let _ = std::fs::remove_file(&path);
    // Two events (CRITICAL, then OK) to a log file and to an unconfigured Slack.
    let mut node = alert(&format!(
        ".crit(lambda: \"value\" > 10).log('{}').slack()",
        path.display()
    ));
    let (stats, diagnostics, mut out) = (
        crate::stats::NodeStats::default(),
        crate::diagnostics::Collect::default(),
        Vec::new(),
    );
    let mut ctx = Context::new(&mut out, &stats, "alert2", &diagnostics, false);
    node.messages(0, &mut values(&[20.0, 0.0]), &mut ctx)
        .expect("no fatal error");
    node.finish(&mut ctx).expect("finished");
    let delivery = stats.snapshot().delivery;
    assert_eq!(
        (delivery.sent, delivery.failed, delivery.dropped),
        (2, 2, 0)
    );
    assert_eq!(diagnostics.errors().len(), 2, "each failure is reported");
}
