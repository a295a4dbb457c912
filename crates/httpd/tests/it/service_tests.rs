//! The service-tests API: the list with each service's default options, a test alert
//! through a configured service (recorded by a loopback sink), an unconfigured service's
//! failure, an unknown service and bad options.

use serde_json::{json, Value};
use tickflow::alert::services::TelegramConfig;
use tickflow::HttpConfig;
use tickflow_testkit::sink::Sink;

use crate::TestServer;

fn post(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    let reply = server.send("POST", path, &[], body.to_string().as_bytes());
    (reply.status, reply.json())
}

#[test]
fn services_are_listed_with_their_default_options() {
    let server = TestServer::start(HttpConfig::default());
    let reply = server.send("GET", "/kapacitor/v1/service-tests", &[], b"");
    assert_eq!(reply.status, 200);
    let list = reply.json();
    assert_eq!(
        list["link"],
        json!({"rel": "self", "href": "/kapacitor/v1/service-tests"})
    );
    let slack = &list["services"][0];
    assert_eq!(
        (slack["name"].clone(), slack["link"]["href"].clone()),
        (json!("slack"), json!("/kapacitor/v1/service-tests/slack"))
    );
    assert_eq!(slack["options"]["message"], json!("test slack message"));
    assert_eq!(list["services"][1]["name"], json!("telegram"));
}

#[test]
fn a_test_alert_goes_through_the_configured_service() {
    let sink = Sink::http(1, vec![200], "{\"ok\":true}", || {});
    let sections = tickflow::Config {
        telegram: TelegramConfig {
            enabled: true,
            url: format!("{}/bot", sink.url),
            token: "42:t".into(),
            ..TelegramConfig::default()
        },
        ..tickflow::Config::default()
    };
    let server = TestServer::start_with(HttpConfig::default(), sections);
    let answer = post(
        &server,
        "/kapacitor/v1/service-tests/telegram",
        &json!({"chat-id": "7", "message": "hello"}),
    );
    assert_eq!(answer, (200, json!({"success": true, "message": ""})));
    let recorded = sink.finish();
    assert_eq!(
        recorded[0].request_line,
        "POST /bot42:t/sendMessage HTTP/1.1"
    );
    let body: Value = serde_json::from_str(&recorded[0].body).expect("json body");
    assert_eq!(
        body,
        json!({"chat_id": "7", "text": "hello", "parse_mode": "Markdown"})
    );
}

#[test]
fn failures_unknown_services_and_bad_options_are_answered() {
    let server = TestServer::start(HttpConfig::default());
    assert_eq!(
        post(&server, "/kapacitor/v1/service-tests/slack", &json!({})),
        (
            200,
            json!({
                "success": false,
                "message": "slack: no [[slack]] section for workspace \"\""
            })
        )
    );
    let (status, body) = post(&server, "/kapacitor/v1/service-tests/nope", &json!({}));
    assert_eq!(
        (status, body["error"].clone()),
        (404, json!("service \"nope\" not found"))
    );
    let (status, body) = post(
        &server,
        "/kapacitor/v1/service-tests/slack",
        &json!({"level": "LOUD"}),
    );
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid level \"LOUD\""))
    );
}
