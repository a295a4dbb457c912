//! Evaluation rules that golden files show only in passing: what a property call
//! returns, alert handler fallbacks, global functions, and Kapacitor's node IDs.

use tickflow_pipeline::nodes::alert::Handler;
use tickflow_pipeline::{build, BuildOptions, NodeKind, Pipeline};
use tickflow_tickscript::parse;

fn pipeline(src: &str) -> Result<Pipeline, String> {
    let program = parse(src).map_err(|err| err.to_string())?;
    build(&program, &BuildOptions::default()).map_err(|err| err.message(src))
}

fn alert(pipeline: &Pipeline) -> &tickflow_pipeline::nodes::alert::AlertNode {
    pipeline
        .nodes
        .iter()
        .find_map(|node| match &node.kind {
            NodeKind::Alert(alert) => Some(alert),
            _ => None,
        })
        .expect("an alert node")
}

#[test]
fn setting_an_alert_field_keeps_the_handler() {
    // `.crit` sets a field of the alert, so `.mode` still applies to the log handler.
    let p = pipeline("stream|from()|alert().log('/tmp/a.log').crit(lambda: TRUE).mode(0600)")
        .expect("builds");
    assert!(matches!(&alert(&p).handlers[..], [Handler::Log(log)] if log.mode == Some(0o600)));
}

#[test]
fn an_alert_method_returns_the_alert() {
    // `.stateChangesOnly()` is a method of the alert: the object is the alert again, which
    // has `mode` only as a chaining method (the InfluxQL function).
    let err =
        pipeline("stream|from()|alert().log('/tmp/a.log').stateChangesOnly().mode(0600)").err();
    assert_eq!(
        err.as_deref(),
        Some(
            "line 1 char 60: no property method \"mode\" on *pipeline.AlertNode, but chaining method does \
             exist. Use '|' operator instead: 'node|mode(..)'."
        )
    );
}

#[test]
fn chaining_from_a_handler_continues_from_the_alert() {
    let p = pipeline("stream|from()|alert().log('/tmp/a.log')|httpOut('a')").expect("builds");
    assert_eq!(
        p.to_dot("t"),
        "digraph t {\nstream0 -> from1;\nfrom1 -> alert2;\nalert2 -> http_out3;\n}"
    );
}

#[test]
fn every_handler_call_adds_a_handler() {
    let p = pipeline("stream|from()|alert().log('/tmp/a.log').log('/tmp/b.log').post('http://x')")
        .expect("builds");
    let methods: Vec<&str> = alert(&p).handlers.iter().map(Handler::method).collect();
    assert_eq!(methods, ["log", "log", "post"]);
}

#[test]
fn stats_adds_a_noop_only_under_a_childless_node() {
    let p = pipeline("var d = stream|from()\nd|stats(1s)\nd|stats(1s)").expect("builds");
    let names: Vec<&str> = p.nodes.iter().map(|node| node.name.as_str()).collect();
    assert_eq!(names, ["stream0", "from1", "stats2", "noop3", "stats4"]);
    assert_eq!(p.sources.len(), 3);
}

#[test]
fn time_is_the_only_global_function() {
    assert!(pipeline("time(10s)").is_ok());
    assert_eq!(
        pipeline("foo(1)").err().as_deref(),
        Some("line 1 char 1: no global function \"foo\" defined")
    );
    // A declaration of a call is never made unless its value is used.
    assert!(pipeline("var x = foo(1)").is_ok());
}

#[test]
fn a_lone_list_argument_is_spread() {
    let p =
        pipeline("var fields = ['a', 'b']\nstream|from()|changeDetect(fields)").expect("builds");
    let NodeKind::ChangeDetect(node) = &p.nodes[2].kind else {
        panic!("not changeDetect")
    };
    assert_eq!(node.fields, ["a", "b"]);
}

#[test]
fn a_bare_name_statement_is_never_resolved() {
    // `1.5s` is `1.5` then the statement `s`, which Kapacitor leaves alone.
    assert!(pipeline("var x = 1.5s").is_ok());
}

#[test]
fn arguments_are_evaluated_before_the_target_name() {
    let err = pipeline("nosuch|window(undefinedToo)").err();
    assert_eq!(
        err.as_deref(),
        Some("name \"undefinedToo\" is undefined. Names in scope: stream,time")
    );
}
