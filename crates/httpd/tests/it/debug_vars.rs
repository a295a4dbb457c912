//! `/kapacitor/v1/debug/vars` read as Telegraf's kapacitor input reads it (its `stats`
//! struct: the top-level counts, `memstats`, and the `kapacitor` map of `{name, tags,
//! values}` whose `avg_exec_time_ns` must parse as a Go duration), and the route table
//! of `/kapacitor/v1/:routes` walked against the router.

use serde_json::{json, Value};
use tickflow::HttpConfig;
use tickflow_httpd::routes::ROUTES;

use crate::TestServer;

/// Whether `text` is a duration Go's `time.ParseDuration` accepts, as this endpoint
/// writes them: a decimal number and one unit.
fn go_duration(text: &str) -> bool {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    number.parse::<f64>().is_ok() && ["ns", "µs", "ms", "s"].contains(&unit)
}

/// The statistics named `name`, as Telegraf would store them under `kapacitor_<name>`.
fn named(vars: &Value, name: &str) -> Vec<Value> {
    let stats = vars["kapacitor"].as_object().expect("kapacitor is a map");
    stats
        .values()
        .filter(|s| s["name"] == name)
        .cloned()
        .collect()
}

#[test]
fn stats_have_the_shape_telegraf_reads() {
    let server = TestServer::start(HttpConfig::default());
    let script = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')\
                  |alert().crit(lambda: \"value\" > 5)";
    let task = json!({"id": "t", "script": script, "status": "enabled"});
    let reply = server.send(
        "POST",
        "/kapacitor/v1/tasks",
        &[],
        task.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.write(
        "db=telegraf&rp=autogen",
        "cpu value=10 1\ncpu value=1 2\nmem value=1 3\n",
    );
    // No rp and no default retention policy: no task reads these.
    server.write("db=telegraf", "cpu value=10 4\n");

    let mut vars = Value::Null;
    for _ in 0..100 {
        vars = server
            .send("GET", "/kapacitor/v1/debug/vars", &[], b"")
            .json();
        let alert = named(&vars, "nodes")
            .into_iter()
            .find(|n| n["tags"]["node"] == "alert2");
        if alert.is_some_and(|a| a["values"]["collected"] == 2) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        (
            vars["num_tasks"].clone(),
            vars["num_enabled_tasks"].clone(),
            vars["num_subscriptions"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );
    assert_eq!(vars["version"], tickflow_httpd::VERSION);
    assert!(vars["cluster_id"].is_string() && vars["server_id"].is_string());
    assert!(
        vars["memstats"]["Alloc"].as_u64().is_some_and(|n| n > 0),
        "{}",
        vars["memstats"]
    );
    for stat in vars["kapacitor"].as_object().expect("map").values() {
        assert!(stat["name"].is_string(), "{stat}");
        assert!(
            stat["tags"]
                .as_object()
                .expect("tags")
                .values()
                .all(Value::is_string),
            "{stat}"
        );
        assert!(stat["values"].is_object(), "{stat}");
        if let Some(average) = stat["values"].get("avg_exec_time_ns") {
            assert!(go_duration(average.as_str().unwrap_or_default()), "{stat}");
        }
    }
    let ingress = named(&vars, "ingress");
    let cpu = ingress
        .iter()
        .find(|i| i["tags"]["measurement"] == "cpu" && i["tags"]["retention_policy"] == "autogen")
        .expect("cpu ingress");
    assert_eq!(cpu["tags"]["database"], "telegraf");
    assert_eq!(cpu["tags"]["task_master"], "main");
    assert_eq!(cpu["values"]["points_received"], 2);
    let alert = named(&vars, "nodes")
        .into_iter()
        .find(|n| n["tags"]["node"] == "alert2");
    let alert = alert.expect("alert node");
    assert_eq!(
        alert["tags"],
        json!({"task": "t", "node": "alert2", "type": "stream", "kind": "alert"})
    );
    assert_eq!(alert["values"]["crits_triggered"], 1);
    assert_eq!(alert["values"]["oks_triggered"], 1);
    let edges = named(&vars, "edges");
    assert!(
        edges
            .iter()
            .any(|e| e["tags"]["parent"] == "from1" && e["tags"]["child"] == "alert2"),
        "{edges:?}"
    );
    let unrouted = named(&vars, "unrouted");
    assert_eq!(unrouted[0]["values"]["points"], 1);
    let health = named(&vars, "tasks");
    assert_eq!(
        health[0]["values"],
        json!({"failures": 0, "restarts": 0, "dropped_points": 0})
    );
}

#[test]
fn every_listed_route_is_answered() {
    let server = TestServer::start(HttpConfig::default());
    let listed = server.send("GET", "/kapacitor/v1/:routes", &[], b"").json();
    assert_eq!(listed["/kapacitor/v1/ping"], json!(["GET", "HEAD"]));
    assert_eq!(listed.as_object().map(|o| o.len()), Some(ROUTES.len()));
    for (pattern, methods) in ROUTES {
        let path = pattern
            .split('/')
            .map(|s| if s.starts_with('<') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in *methods {
            let reply = server.send(method, &path, &[], b"");
            let not_routed = reply.status == 404 && reply.text().contains("\"Not Found\"");
            assert!(!not_routed, "{method} {path}: {}", reply.text());
        }
    }
}
