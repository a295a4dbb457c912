//! The tasks API: create, get, list, update, delete, with Kapacitor's shapes and errors.

use serde_json::{json, Value};
use tickflow::HttpConfig;

use crate::TestServer;

const SCRIPT: &str = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')";

fn post(server: &TestServer, body: &Value) -> crate::Reply {
    server.send(
        "POST",
        "/kapacitor/v1/tasks",
        &[],
        body.to_string().as_bytes(),
    )
}

fn patch(server: &TestServer, id: &str, body: &Value) -> crate::Reply {
    let path = format!("/kapacitor/v1/tasks/{id}");
    server.send("PATCH", &path, &[], body.to_string().as_bytes())
}

fn error_of(reply: &crate::Reply) -> (u16, String) {
    let json = reply.json();
    assert_eq!(json["error"], json["message"]);
    (
        reply.status,
        json["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_created_task_has_kapacitors_shape() {
    let server = TestServer::start(HttpConfig::default());
    let reply = post(&server, &json!({"id": "cpu_alert", "script": SCRIPT}));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = reply.text();
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("    \"") && !l.starts_with("     "))
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(
        keys,
        [
            "link",
            "id",
            "template-id",
            "type",
            "dbrps",
            "script",
            "vars",
            "dot",
            "status",
            "executing",
            "error",
            "failures",
            "restarts",
            "dropped-points",
            "stats",
            "created",
            "modified",
            "last-enabled"
        ]
    );
    assert!(
        text.contains("\"dot\": \"digraph cpu_alert {\\nstream0 -\\u003e from1;\\n}\""),
        "{text}"
    );
    let task = reply.json();
    assert_eq!(
        task["link"],
        json!({"rel": "self", "href": "/kapacitor/v1/tasks/cpu_alert"})
    );
    assert_eq!(task["type"], "stream");
    assert_eq!(task["dbrps"], json!([{"db": "telegraf", "rp": "autogen"}]));
    assert_eq!(
        task["script"],
        "dbrp \"telegraf\".\"autogen\"\n\nstream\n    |from()\n        .measurement('cpu')\n"
    );
    assert_eq!(
        (task["status"].clone(), task["executing"].clone()),
        (json!("disabled"), json!(false))
    );
    assert_eq!(
        (task["stats"].clone(), task["vars"].clone()),
        (json!({}), json!({}))
    );
    assert_eq!(task["last-enabled"], "0001-01-01T00:00:00Z");

    let raw = server.send(
        "GET",
        "/kapacitor/v1/tasks/cpu_alert?script-format=raw",
        &[],
        b"",
    );
    assert_eq!(raw.json()["script"], SCRIPT);
}

#[test]
fn create_refuses_what_kapacitor_refuses() {
    let server = TestServer::start(HttpConfig::default());
    assert_eq!(
        post(&server, &json!({"id": "a", "script": SCRIPT})).status,
        200
    );
    let cases = [
        (
            json!({"id": "a", "script": SCRIPT}),
            "task a already exists",
        ),
        (
            json!({"id": "a b", "script": SCRIPT}),
            "task ID must contain only letters, numbers, '-', '.' and '_'. \"a b\"",
        ),
        (json!({"id": "b"}), "must provide TICKscript"),
        (
            json!({"id": "b", "script": "stream|from()"}),
            "must specify dbrp",
        ),
        (
            json!({"id": "b", "script": SCRIPT, "dbrps": [{"db": "x", "rp": "y"}]}),
            "cannot specify dbrp in both implicitly and explicitly",
        ),
        (
            json!({"id": "b", "script": SCRIPT, "vars": {"x": {"type": "int", "value": "1"}}}),
            "invalid var x: value \"1\" is not a valid int",
        ),
        (
            json!({"id": "b", "template-id": "t"}),
            "unknown template t: err: no template exists",
        ),
    ];
    for (body, message) in cases {
        assert_eq!(
            error_of(&post(&server, &body)),
            (400, message.to_string()),
            "{body}"
        );
    }
    let bad = post(
        &server,
        &json!({"id": "b", "script": "stream|from().peroid(1m)"}),
    );
    let (status, message) = error_of(&bad);
    assert_eq!(status, 400);
    assert!(message.starts_with("invalid TICKscript: "), "{message}");
    let not_json = server.send("POST", "/kapacitor/v1/tasks", &[], b"{");
    assert_eq!(error_of(&not_json), (400, "invalid JSON".into()));
}

#[test]
fn a_task_that_cannot_start_stays_stored_with_its_error() {
    let server = TestServer::start(HttpConfig::default());
    let script = "dbrp \"db\".\"rp\"\nstream|from()|k8sAutoscale()";
    let reply = post(
        &server,
        &json!({"id": "m", "script": script, "status": "enabled"}),
    );
    assert_eq!(
        error_of(&reply),
        (
            500,
            "node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet".into()
        )
    );
    let task = server.send("GET", "/kapacitor/v1/tasks/m", &[], b"").json();
    assert_eq!(
        (task["status"].clone(), task["executing"].clone()),
        (json!("enabled"), json!(false))
    );
    assert_eq!(
        task["error"],
        "node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet"
    );
}

#[test]
fn enabling_shows_stats_and_the_running_dot() {
    let server = TestServer::start(HttpConfig::default());
    let created = post(
        &server,
        &json!({"id": "t", "script": SCRIPT, "status": "enabled"}),
    );
    assert_eq!(created.json()["executing"], true);
    assert_eq!(
        server
            .write("db=telegraf&rp=autogen", "cpu value=1 1\ncpu value=2 2\n")
            .status,
        204
    );
    // Routing is done when the write returns; the node threads catch up soon after.
    let mut task = Value::Null;
    for _ in 0..100 {
        task = server.send("GET", "/kapacitor/v1/tasks/t", &[], b"").json();
        if task["stats"]["node-stats"]["from1"]["emitted"] == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        task["stats"]["node-stats"]["stream0"]["collected"], 2,
        "{task}"
    );
    assert_eq!(task["stats"]["node-stats"]["from1"]["emitted"], 2, "{task}");
    assert!(task["stats"]["task-stats"]["throughput"].is_number());
    let dot = task["dot"].as_str().unwrap_or_default();
    assert!(
        dot.starts_with("digraph t {\ngraph [throughput=\""),
        "{dot}"
    );
    assert!(dot.contains("stream0 -> from1 [processed=\"2\"];"), "{dot}");

    let disabled = patch(&server, "t", &json!({"status": "disabled"})).json();
    assert_eq!(
        (
            disabled["status"].clone(),
            disabled["executing"].clone(),
            disabled["stats"].clone()
        ),
        (json!("disabled"), json!(false), json!({}))
    );
    let enabled = patch(&server, "t", &json!({"status": "enabled"})).json();
    assert_eq!(enabled["executing"], true);
    assert_ne!(enabled["last-enabled"], "0001-01-01T00:00:00Z");
}

#[test]
fn list_filters_sorts_and_restricts_fields() {
    let server = TestServer::start(HttpConfig::default());
    for id in ["cpu_b", "cpu_a", "mem"] {
        assert_eq!(
            post(&server, &json!({"id": id, "script": SCRIPT})).status,
            200
        );
    }
    let all = server.send("GET", "/kapacitor/v1/tasks", &[], b"").json();
    let ids: Vec<&str> = all["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, ["cpu_a", "cpu_b", "mem"]);
    assert_eq!(all["tasks"][0]["stats"], Value::Null);
    assert!(all["tasks"][0].get("template-id").is_none());

    let some = server
        .send(
            "GET",
            "/kapacitor/v1/tasks?pattern=cpu*&fields=status&offset=1",
            &[],
            b"",
        )
        .json();
    assert_eq!(
        some,
        json!({"tasks": [{"id": "cpu_b", "link": {"rel": "self", "href": "/kapacitor/v1/tasks/cpu_b"}, "status": "disabled"}]})
    );
    let none = server
        .send("GET", "/kapacitor/v1/tasks?pattern=zzz", &[], b"")
        .json();
    assert_eq!(none, json!({"tasks": []}));
    let bad = server.send("GET", "/kapacitor/v1/tasks?fields=colour", &[], b"");
    assert_eq!(error_of(&bad), (400, "unsupported field \"colour\"".into()));
    let bad = server.send("GET", "/kapacitor/v1/tasks?limit=ten", &[], b"");
    assert_eq!(bad.status, 400);
    assert!(error_of(&bad)
        .1
        .starts_with("invalid limit parameter \"ten\" must be an integer: "));
}

#[test]
fn update_rename_delete_and_not_found() {
    let server = TestServer::start(HttpConfig::default());
    assert_eq!(
        post(
            &server,
            &json!({"id": "a", "script": SCRIPT, "status": "enabled"})
        )
        .status,
        200
    );
    let new_script = "dbrp \"other\".\"autogen\"\nstream|from().measurement('mem')";
    let updated = patch(&server, "a", &json!({"script": new_script})).json();
    assert_eq!(updated["dbrps"], json!([{"db": "other", "rp": "autogen"}]));
    assert_eq!(updated["executing"], true);
    let renamed = patch(&server, "a", &json!({"id": "b"})).json();
    assert_eq!(
        (renamed["id"].clone(), renamed["executing"].clone()),
        (json!("b"), json!(true))
    );
    let missing = server.send("GET", "/kapacitor/v1/tasks/a", &[], b"");
    assert_eq!(error_of(&missing), (404, "no task exists".into()));
    let reply = patch(&server, "a", &json!({"status": "enabled"}));
    assert_eq!(
        error_of(&reply),
        (404, "task does not exist, cannot update".into())
    );
    let reply = server.send("PATCH", "/kapacitor/v1/tasks/b", &[], b"nope");
    assert_eq!(error_of(&reply), (400, "invalid JSON".into()));
    let reply = server.send("GET", "/kapacitor/v1/tasks/b?dot-view=pretty", &[], b"");
    assert_eq!(
        error_of(&reply),
        (400, "invalid dot-view parameter \"pretty\"".into())
    );
    let reply = server.send("GET", "/kapacitor/v1/tasks/", &[], b"");
    assert_eq!(
        error_of(&reply),
        (400, "must specify task id on path".into())
    );
    for _ in 0..2 {
        let deleted = server.send("DELETE", "/kapacitor/v1/tasks/b", &[], b"");
        assert_eq!((deleted.status, deleted.body.len()), (204, 0));
    }
    assert!(server.stop().is_empty());
}

#[test]
fn http_out_endpoints_serve_the_latest_rows_while_the_task_runs() {
    let server = TestServer::start(HttpConfig::default());
    let script = format!("{SCRIPT}|httpOut('latest')");
    let created = post(
        &server,
        &json!({"id": "t", "script": script, "status": "enabled"}),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let path = "/kapacitor/v1/tasks/t/latest";
    let empty = server.send("GET", path, &[], b"");
    assert_eq!(
        (empty.status, empty.text()),
        (200, "{\"series\":null}".into())
    );
    assert_eq!(
        server
            .write(
                "db=telegraf&rp=autogen",
                "cpu,host=a value=1 1\ncpu,host=a value=2 2\n"
            )
            .status,
        204
    );
    let expected = "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"value\"],\
                    \"values\":[[\"1970-01-01T00:00:00.000000002Z\",2]]}]}";
    let mut latest = String::new();
    for _ in 0..100 {
        latest = server.send("GET", path, &[], b"").text();
        if latest == expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(latest, expected);
    assert_eq!(
        patch(&server, "t", &json!({"status": "disabled"})).status,
        200
    );
    let gone = server.send("GET", path, &[], b"");
    assert_eq!(error_of(&gone), (404, "no task exists".into()));
    let unknown = server.send("GET", "/kapacitor/v1/tasks/nope/latest", &[], b"");
    assert_eq!(error_of(&unknown), (404, "no task exists".into()));
}
