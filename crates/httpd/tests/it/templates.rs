//! The templates API as Kapacitor's client uses it: define a template, read its vars,
//! make tasks from it with `template-id` and `vars`, write to them, update the template
//! (which reloads its tasks) and delete it.

use serde_json::{json, Value};
use tickflow::HttpConfig;

use crate::TestServer;

const TEMPLATES: &str = "/kapacitor/v1/templates";

/// The template of Kapacitor's "Template tasks" guide.
const GENERIC_MEAN_ALERT: &str =
    include_str!("../../../../testdata/templates/generic_mean_alert.tick");

/// A template whose tasks serve what passes a threshold.
const ABOVE: &str = "dbrp \"db\".\"autogen\"
var measurement string
var threshold float
stream
    |from().measurement(measurement)
    |where(lambda: \"value\" > threshold)
    |httpOut('out')
";

/// `f()` once it returns what `done` accepts, polling for up to two seconds.
fn eventually<T: std::fmt::Debug>(mut f: impl FnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let mut value = f();
    for _ in 0..100 {
        if done(&value) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        value = f();
    }
    value
}

fn send_json(server: &TestServer, method: &str, path: &str, body: &Value) -> crate::Reply {
    server.send(method, path, &[], body.to_string().as_bytes())
}

fn define(server: &TestServer, id: &str, script: &str) -> Value {
    let body = json!({"id": id, "type": "stream", "script": script});
    let reply = send_json(server, "POST", TEMPLATES, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

/// The values `GET /tasks/<task>/out` serves, one per row.
fn served(server: &TestServer, task: &str) -> Vec<Value> {
    let reply = server.send("GET", &format!("/kapacitor/v1/tasks/{task}/out"), &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let series = reply.json()["series"].clone();
    (series.as_array().into_iter().flatten())
        .flat_map(|s| s["values"].as_array().cloned().unwrap_or_default())
        .map(|row| row[1].clone())
        .collect()
}

#[test]
fn the_guides_template_defines_shows_its_vars_and_runs_as_a_task() {
    let server = TestServer::start(HttpConfig::default());
    let template = define(&server, "generic_mean_alert", GENERIC_MEAN_ALERT);
    assert_eq!(
        template["link"]["href"],
        "/kapacitor/v1/templates/generic_mean_alert"
    );
    assert_eq!(template["type"], "stream");
    assert_eq!(template["error"], "");
    let shown = server.send("GET", &format!("{TEMPLATES}/generic_mean_alert"), &[], b"");
    let vars = shown.json()["vars"].clone();
    assert_eq!(
        vars["field"],
        json!({"type": "string", "value": null, "description": "Which field to process"})
    );
    assert_eq!(vars["window"]["value"], json!(300_000_000_000_i64));

    let task = json!({
        "id": "cpu_alert",
        "template-id": "generic_mean_alert",
        "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "vars": {
            "measurement": {"type": "string", "value": "cpu"},
            "where_filter": {"type": "lambda", "value": "\"cpu\" == 'cpu-total'"},
            "groups": {"type": "list", "value": [{"type": "string", "value": "host"}, {"type": "string", "value": "dc"}]},
            "field": {"type": "string", "value": "usage_idle"},
            "warn": {"type": "lambda", "value": "\"mean\" < 30.0"},
            "crit": {"type": "lambda", "value": "\"mean\" < 10.0"},
            "window": {"type": "duration", "value": "1m"},
            "slack_channel": {"type": "string", "value": "#alerts_testing"}
        },
        "status": "enabled",
    });
    let reply = send_json(&server, "POST", "/kapacitor/v1/tasks", &task);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["template-id"], "generic_mean_alert");
    let written = server.write(
        "db=telegraf&rp=autogen&precision=s",
        "cpu,cpu=cpu-total,host=a,dc=x usage_idle=50 1\ncpu,cpu=cpu0,host=a,dc=x usage_idle=5 2\n",
    );
    assert_eq!(written.status, 204);
    let task = eventually(
        || {
            server
                .send("GET", "/kapacitor/v1/tasks/cpu_alert", &[], b"")
                .json()
        },
        |task| task["stats"]["node-stats"]["from1"]["collected"] == 2,
    );
    assert_eq!(task["executing"], true);
    assert_eq!(task["stats"]["node-stats"]["from1"]["collected"], 2);
    assert_eq!(task["stats"]["node-stats"]["from1"]["emitted"], 1);
    let listed = server.send("GET", "/kapacitor/v1/tasks", &[], b"").json();
    assert_eq!(listed["tasks"][0]["template-id"], "generic_mean_alert");
}

/// The guide's template with its dbrp in the script ("Specifying dbrp implicitly").
fn implicit() -> String {
    format!("dbrp \"telegraf\".\"autogen\"\n\n{GENERIC_MEAN_ALERT}")
}

#[test]
fn the_guides_memory_task_uses_a_template_that_names_its_dbrp() {
    let server = TestServer::start(HttpConfig::default());
    // `kapacitor define-template` without `-type`: the type is the script's.
    let body = json!({"id": "implicit_generic_mean_alert", "script": implicit()});
    let reply = send_json(&server, "POST", TEMPLATES, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["type"], "stream");
    let task = json!({
        "id": "mem_alert",
        "template-id": "implicit_generic_mean_alert",
        "vars": {
            "measurement": {"type" : "string", "value" : "mem" },
            "groups": {"type": "list", "value": [{"type":"star", "value":"*"}]},
            "field": {"type" : "string", "value" : "used_percent" },
            "warn": {"type" : "lambda", "value" : "\"mean\" > 80.0" },
            "crit": {"type" : "lambda", "value" : "\"mean\" > 90.0" },
            "window": {"type" : "duration", "value" : "10m" },
            "slack_channel": {"type" : "string", "value" : "#alerts_testing" }
        },
        "status": "enabled",
    });
    let reply = send_json(&server, "POST", "/kapacitor/v1/tasks", &task);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let created = reply.json();
    assert_eq!(
        created["dbrps"],
        json!([{"db": "telegraf", "rp": "autogen"}])
    );
    assert_eq!(
        created["vars"]["window"]["value"],
        json!(600_000_000_000_i64)
    );
    server.write(
        "db=telegraf&rp=autogen&precision=s",
        "mem,host=a used_percent=95 1\n",
    );
    let task = eventually(
        || {
            server
                .send("GET", "/kapacitor/v1/tasks/mem_alert", &[], b"")
                .json()
        },
        |task| task["stats"]["node-stats"]["from1"]["collected"] == 1,
    );
    assert_eq!(task["stats"]["node-stats"]["from1"]["emitted"], 1);
}

#[test]
fn updating_a_template_reloads_its_tasks() {
    let server = TestServer::start(HttpConfig::default());
    define(&server, "above", ABOVE);
    let task = |id: &str, threshold: f64| {
        json!({
            "id": id,
            "template-id": "above",
            "vars": {
                "measurement": {"type": "string", "value": "cpu"},
                "threshold": {"type": "float", "value": threshold},
            },
            "status": "enabled",
        })
    };
    for (id, threshold) in [("low", 1.0), ("high", 50.0)] {
        let reply = send_json(&server, "POST", "/kapacitor/v1/tasks", &task(id, threshold));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let missing = json!({"id": "x", "template-id": "above", "status": "enabled"});
    let reply = send_json(&server, "POST", "/kapacitor/v1/tasks", &missing);
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap_or_default()
            .contains("missing value for var"),
        "{}",
        reply.text()
    );
    server.write("db=db&rp=autogen&precision=s", "cpu value=10 1\n");
    let low = eventually(|| served(&server, "low"), |v| !v.is_empty());
    assert_eq!(low, [json!(10)]);
    assert_eq!(served(&server, "high"), Vec::<Value>::new());

    let below = ABOVE.replace("\"value\" > threshold", "\"value\" < threshold");
    let reply = send_json(
        &server,
        "PATCH",
        &format!("{TEMPLATES}/above"),
        &json!({"script": below}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.write("db=db&rp=autogen&precision=s", "cpu value=20 2\n");
    // Restarted with the new script: fresh state, and only what is below the threshold.
    let high = eventually(|| served(&server, "high"), |v| !v.is_empty());
    assert_eq!(high, [json!(20)]);
    assert_eq!(served(&server, "low"), Vec::<Value>::new());

    let broken = ABOVE.replace("var threshold float", "var threshold float\nvar other int");
    let reply = send_json(
        &server,
        "PATCH",
        &format!("{TEMPLATES}/above"),
        &json!({"script": broken}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(
        (reply.json()["error"].as_str().unwrap_or_default())
            .starts_with("error updating associated task high: "),
        "{}",
        reply.text()
    );

    let list = server
        .send("GET", &format!("{TEMPLATES}?fields=vars"), &[], b"")
        .json();
    let listed = &list["templates"][0];
    assert_eq!(listed["id"], "above");
    assert_eq!(listed["vars"]["threshold"]["type"], "float");
    assert!(listed.get("script").is_none(), "{listed}");
    let all = server.send("GET", TEMPLATES, &[], b"").json();
    assert!(all["templates"][0].get("vars").is_none());
    assert!(all["templates"][0]["script"].as_str().is_some());

    assert_eq!(
        server
            .send("DELETE", &format!("{TEMPLATES}/above"), &[], b"")
            .status,
        204
    );
    let gone = server.send("GET", &format!("{TEMPLATES}/above"), &[], b"");
    assert_eq!(
        (gone.status, gone.json()["error"].clone()),
        (404, json!("no template exists"))
    );
    // Orphaned tasks go on as they are, as in Kapacitor.
    let orphan = server
        .send("GET", "/kapacitor/v1/tasks/high", &[], b"")
        .json();
    assert_eq!(
        (orphan["executing"].clone(), orphan["template-id"].clone()),
        (json!(true), json!("above"))
    );
}

#[test]
fn template_requests_are_refused_with_kapacitors_messages() {
    let server = TestServer::start(HttpConfig::default());
    define(&server, "t", ABOVE);
    for (method, path, body, status, error) in [
        (
            "POST",
            TEMPLATES.to_string(),
            json!({"id": "t", "type": "stream", "script": ABOVE}),
            400,
            "template t already exists",
        ),
        (
            "POST",
            TEMPLATES.to_string(),
            json!({"id": "u", "type": "table", "script": ABOVE}),
            400,
            "unknown type \"table\"",
        ),
        (
            "POST",
            TEMPLATES.to_string(),
            json!({"id": "u", "type": "stream"}),
            400,
            "must provide TICKscript",
        ),
        (
            "PATCH",
            format!("{TEMPLATES}/none"),
            json!({}),
            404,
            "template does not exist, cannot update",
        ),
        (
            "GET",
            format!("{TEMPLATES}/"),
            json!({}),
            400,
            "must specify template id on path",
        ),
        (
            "POST",
            "/kapacitor/v1/tasks".into(),
            json!({"template-id": "none", "vars": {}}),
            400,
            "unknown template none: err: no template exists",
        ),
    ] {
        let reply = send_json(&server, method, &path, &body);
        assert_eq!(
            (reply.status, reply.json()["error"].clone()),
            (status, json!(error)),
            "{method} {path}"
        );
    }
}
