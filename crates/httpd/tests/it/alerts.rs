//! The alerts API: a handler defined over HTTP receives a task's `.topic()` events, and
//! the topic, its events and handlers read back in Kapacitor's shapes.

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use tickflow::HttpConfig;

use crate::TestServer;

const TOPIC: &str = "/kapacitor/v1/alerts/topics/cpu";

/// A loopback listener whose connections' contents arrive on the returned channel.
fn receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("loopback port");
    let address = listener.local_addr().expect("address").to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut text = String::new();
            if stream.and_then(|mut s| s.read_to_string(&mut text)).is_ok()
                && tx.send(text).is_err()
            {
                return;
            }
        }
    });
    (address, rx)
}

fn send_json(server: &TestServer, method: &str, path: &str, body: &Value) -> crate::Reply {
    server.send(method, path, &[], body.to_string().as_bytes())
}

#[test]
fn a_handler_defined_over_the_api_receives_the_topics_alerts() {
    let server = TestServer::start(HttpConfig::default());
    let (address, alerts) = receiver();
    let handler = json!({"id": "tcp", "kind": "tcp", "options": {"address": address}});
    let reply = send_json(&server, "POST", &format!("{TOPIC}/handlers"), &handler);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({
            "link": {"rel": "self", "href": format!("{TOPIC}/handlers/tcp")},
            "id": "tcp", "kind": "tcp", "options": {"address": address}, "match": "",
        })
    );
    let script = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')\
                  |alert().id('cpu').crit(lambda: \"value\" > 90).details('').topic('cpu')";
    let task = json!({"id": "t", "script": script, "status": "enabled"});
    let reply = send_json(&server, "POST", "/kapacitor/v1/tasks", &task);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = server.write("db=telegraf&rp=autogen&precision=s", "cpu value=95 60\n");
    assert_eq!(reply.status, 204, "{}", reply.text());

    let alert = alerts
        .recv_timeout(Duration::from_secs(20))
        .expect("the alert arrives");
    assert_eq!(
        alert,
        "{\"id\":\"cpu\",\"message\":\"cpu is CRITICAL\",\"details\":\"\",\
         \"time\":\"1970-01-01T00:01:00Z\",\"duration\":0,\"level\":\"CRITICAL\",\
         \"data\":{\"series\":[{\"name\":\"cpu\",\"columns\":[\"time\",\"value\"],\
         \"values\":[[\"1970-01-01T00:01:00Z\",95]]}]},\"previousLevel\":\"OK\",\
         \"recoverable\":true}\n\n"
    );

    let topic = server.send("GET", TOPIC, &[], b"");
    assert_eq!(
        topic.json(),
        json!({
            "link": {"rel": "self", "href": TOPIC},
            "id": "cpu",
            "level": "CRITICAL",
            "events-link": {"rel": "events", "href": format!("{TOPIC}/events")},
            "handlers-link": {"rel": "handlers", "href": format!("{TOPIC}/handlers")},
        })
    );
    let event = json!({
        "link": {"rel": "self", "href": format!("{TOPIC}/events/cpu")},
        "id": "cpu",
        "state": {"level": "CRITICAL", "message": "cpu is CRITICAL", "details": "",
                  "time": "1970-01-01T00:01:00Z", "duration": "0s"},
    });
    let events = server.send("GET", &format!("{TOPIC}/events"), &[], b"");
    assert_eq!(
        events.json(),
        json!({"link": {"rel": "self", "href": format!("{TOPIC}/events")},
               "topic": "cpu", "events": [event.clone()]})
    );
    let one = server.send("GET", &format!("{TOPIC}/events/cpu"), &[], b"");
    assert_eq!(one.json(), event);
    let list = server.send(
        "GET",
        "/kapacitor/v1/alerts/topics?min-level=warning",
        &[],
        b"",
    );
    assert_eq!(list.json()["topics"][0]["id"], "cpu");
    let none = server.send("GET", "/kapacitor/v1/alerts/topics?pattern=mem*", &[], b"");
    assert_eq!(none.json()["topics"], json!([]));
}

#[test]
fn handlers_are_listed_replaced_and_deleted() {
    let server = TestServer::start(HttpConfig::default());
    let handlers = format!("{TOPIC}/handlers");
    let log = |path: &str| json!({"id": "log", "kind": "log", "options": {"path": path}});
    let reply = send_json(&server, "POST", &handlers, &log("/tmp/tickflow-api-a.log"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let again = send_json(&server, "POST", &handlers, &log("/tmp/tickflow-api-a.log"));
    assert_eq!(
        (again.status, again.json()["error"].clone()),
        (
            400,
            json!("handler \"log\" already exists on topic \"cpu\"")
        )
    );
    let bad = send_json(
        &server,
        "POST",
        &handlers,
        &json!({"id": "k", "kind": "aggregate"}),
    );
    assert_eq!(
        (bad.status, bad.json()["error"].clone()),
        (
            400,
            json!(
                "unsupported handler kind \"aggregate\", expected one of log, post, tcp, exec, \
                 mqtt, slack, telegram, victorops, pagerduty, pagerduty2, opsgenie2, alerta, \
                 teams, discord, bigpanda, pushover, opsgenie, talk, hipchat, servicenow, \
                 zenoss, sensu, email, snmptrap, kafka"
            )
        )
    );
    let put = send_json(
        &server,
        "PUT",
        &format!("{handlers}/log"),
        &log("/tmp/tickflow-api-b.log"),
    );
    assert_eq!(put.status, 200, "{}", put.text());
    let listed = server.send("GET", &handlers, &[], b"").json();
    assert_eq!(listed["topic"], "cpu");
    assert_eq!(
        listed["handlers"][0]["options"]["path"],
        "/tmp/tickflow-api-b.log"
    );
    let renamed = send_json(
        &server,
        "PUT",
        &format!("{handlers}/other"),
        &log("/tmp/x.log"),
    );
    assert_eq!(
        (renamed.status, renamed.json()["error"].clone()),
        (
            400,
            json!("handler id \"log\" does not match the path's \"other\"")
        )
    );
    let other = json!({"kind": "log", "options": {"path": "/tmp/x.log"}});
    let missing = send_json(&server, "PUT", &format!("{handlers}/other"), &other);
    assert_eq!(
        (missing.status, missing.json()["error"].clone()),
        (
            404,
            json!("handler \"other\" does not exist on topic \"cpu\"")
        )
    );
    let deleted = server.send("DELETE", &format!("{handlers}/log"), &[], b"");
    assert_eq!(deleted.status, 204);
    assert_eq!(
        server
            .send("GET", &format!("{handlers}/log"), &[], b"")
            .status,
        404
    );
    assert_eq!(
        server.send("GET", &handlers, &[], b"").json()["handlers"],
        json!([])
    );
    assert_eq!(server.send("DELETE", TOPIC, &[], b"").status, 204);
    let gone = server.send("GET", TOPIC, &[], b"");
    assert_eq!(
        (gone.status, gone.json()["error"].clone()),
        (404, json!("topic \"cpu\" does not exist"))
    );
}

#[test]
fn a_handler_is_patched_with_json_patch() {
    let server = TestServer::start(HttpConfig::default());
    let handlers = format!("{TOPIC}/handlers");
    let log = json!({"id": "log", "kind": "log", "options": {"path": "/tmp/tickflow-patch-a.log"}});
    assert_eq!(send_json(&server, "POST", &handlers, &log).status, 200);
    let path = format!("{handlers}/log");
    let patch = json!([
        {"op": "replace", "path": "/options/path", "value": "/tmp/tickflow-patch-b.log"},
        {"op": "replace", "path": "/match", "value": "level() >= WARNING"},
    ]);
    let patched = send_json(&server, "PATCH", &path, &patch);
    assert_eq!(patched.status, 200, "{}", patched.text());
    let handler = server.send("GET", &path, &[], b"").json();
    assert_eq!(
        (handler["options"]["path"].clone(), handler["match"].clone()),
        (
            json!("/tmp/tickflow-patch-b.log"),
            json!("level() >= WARNING")
        )
    );
    let errors = [
        (json!([{"op": "replace", "path": "/id", "value": "x"}]), 400),
        (json!([{"op": "remove", "path": "/nope"}]), 400),
        (
            json!([{"op": "replace", "path": "/match", "value": "level() =="}]),
            400,
        ),
        (json!({"op": "add"}), 400),
    ];
    for (body, status) in errors {
        let reply = send_json(&server, "PATCH", &path, &body);
        assert_eq!(reply.status, status, "{body}: {}", reply.text());
    }
    let rename = send_json(
        &server,
        "PATCH",
        &path,
        &json!([{"op": "replace", "path": "/id", "value": "x"}]),
    );
    assert_eq!(
        rename.json()["error"],
        json!("a patch cannot change the handler id \"log\" (to \"x\")")
    );
    let missing = send_json(&server, "PATCH", &format!("{handlers}/none"), &patch);
    assert_eq!(missing.status, 404);
    let unchanged = server.send("GET", &path, &[], b"").json();
    assert_eq!(unchanged["match"], json!("level() >= WARNING"));
}
