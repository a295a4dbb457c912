//! Batch tasks querying InfluxDB on their schedules, in a task master on wall time: a
//! real `influxd` ([`Influxd`]) for the scenarios, and a scripted HTTP server for the
//! answers a healthy InfluxDB does not give (401, an error member, malformed JSON).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::InfluxDbConfig;
use tickflow_engine::{Environment, MasterConfig, StatsSnapshot, TaskMaster};
use tickflow_pipeline::BuildOptions;
use tickflow_testkit::sink::{closed_address, Sink};

use tickflow_testkit::influxd::Influxd;

use crate::cluster;

/// A master whose tasks query `clusters`, and what its nodes report.
fn master(clusters: Vec<InfluxDbConfig>) -> (TaskMaster, Arc<Collect>) {
    let diagnostics = Arc::new(Collect::default());
    let environment = Environment {
        influxdb: clusters,
        ..Environment::default()
    };
    let master =
        TaskMaster::with_environment(MasterConfig::default(), environment, diagnostics.clone());
    (master, diagnostics)
}

/// Defines task `id` from `script` (a batch task) and starts it.
fn start(master: &TaskMaster, id: &str, script: &str) -> Result<(), String> {
    let program = tickflow_tickscript::parse(script).expect("parses");
    let options = BuildOptions {
        task_type: tickflow_pipeline::task_type(&program).expect("one source"),
        ..BuildOptions::default()
    };
    let pipeline = tickflow_pipeline::build(&program, &options).expect("builds");
    master.define(id, pipeline).expect("defines");
    master.enable(id).map_err(|e| e.to_string())
}

/// The counters of node `node` of running task `id`.
fn node_stats(master: &TaskMaster, id: &str, node: &str) -> StatsSnapshot {
    let stats = master.stats(id).expect("the task runs");
    let found = stats.nodes.into_iter().find(|(name, _)| name == node);
    found.expect("the node exists").1
}

/// Waits up to 20 seconds for `done`.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A cluster named `test` at `url`.
fn cluster_at(url: &str) -> Vec<InfluxDbConfig> {
    vec![InfluxDbConfig {
        name: "test".into(),
        urls: vec![url.into()],
        ..InfluxDbConfig::default()
    }]
}

/// `cpu,host=<host> usage=<usage>` for each of the last five seconds.
fn recent_cpu(host: &str, usage: f64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    (1..=5)
        .map(|ago| format!("cpu,host={host} usage={usage} {}\n", now - ago))
        .collect()
}

const EVERY_200MS: &str = "dbrp \"telegraf\".\"autogen\"\n\
    batch\n    |query('SELECT mean(usage) AS usage FROM \"telegraf\".\"autogen\".cpu')\n        \
    .period(1m)\n        .every(200ms)\n        .groupBy('host')\n";

#[test]
fn a_batch_task_over_a_seeded_database_raises_the_expected_alerts() {
    let Some(server) = Influxd::start("batch-alerts") else {
        return;
    };
    server.seed(
        "telegraf",
        &(recent_cpu("a", 95.0) + &recent_cpu("b", 10.0)),
    );
    let dir = std::env::temp_dir().join(format!("tickflow-batch-alerts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let log = dir.join("alerts.log");
    let _ = std::fs::remove_file(&log);
    let script = format!(
        "{EVERY_200MS}    |alert()\n        .id('cpu:{{{{ index .Tags \"host\" }}}}')\n        \
         .crit(lambda: \"usage\" > 80)\n        .stateChangesOnly()\n        .log('{}')\n",
        log.display()
    );
    let (master, diagnostics) = master(cluster(&server));
    start(&master, "cpu_alert", &script).expect("starts");
    wait_for("two runs", || {
        node_stats(&master, "cpu_alert", "query1").messages_out >= 4
    });
    wait_for("the alert", || {
        std::fs::metadata(&log).is_ok_and(|m| m.len() > 0)
    });
    master.shutdown();
    let text = std::fs::read_to_string(&log).expect("the alert log");
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(events.len(), 1, "state changes only: {text}");
    assert_eq!(events[0]["id"], "cpu:a");
    assert_eq!(events[0]["level"], "CRITICAL");
    assert_eq!(events[0]["data"]["series"][0]["values"][0][1], 95.0);
    assert!(
        diagnostics.errors().is_empty(),
        "{:?}",
        diagnostics.errors()
    );
}

#[test]
fn influxdb_stopped_mid_run_is_counted_and_the_task_goes_on() {
    let Some(mut server) = Influxd::start("batch-stopped") else {
        return;
    };
    server.seed("telegraf", &recent_cpu("a", 50.0));
    let (master, diagnostics) = master(cluster(&server));
    let script = format!("{EVERY_200MS}    |httpOut('out')\n");
    start(&master, "live", &script).expect("starts");
    wait_for("a batch", || {
        node_stats(&master, "live", "query1").messages_out >= 1
    });
    server.kill();
    wait_for("two failed runs", || {
        node_stats(&master, "live", "query1").errors >= 2
    });
    assert!(master.is_running("live"));
    let body = master
        .http_output("live", "out")
        .expect("served")
        .body()
        .expect("json");
    assert!(
        body.contains("\"host\":\"a\""),
        "the last good batch stays: {body}"
    );
    let errors = diagnostics.errors();
    assert!(
        errors[0].starts_with("query1: task live: query \"SELECT mean(usage) AS usage FROM")
            && errors[0].contains("GROUP BY \\\"host\\\""),
        "{errors:?}"
    );
    master.shutdown();
}

/// Runs an every-200ms task against `cluster` until its query has failed once, and
/// returns the first reported error.
fn first_error(cluster: Vec<InfluxDbConfig>) -> String {
    timed_first_error(cluster).0
}

/// [`first_error`], and how long after the start the failure was counted.
fn timed_first_error(cluster: Vec<InfluxDbConfig>) -> (String, Duration) {
    let (master, diagnostics) = master(cluster);
    let script = format!("{EVERY_200MS}    |httpOut('out')\n");
    start(&master, "t", &script).expect("starts");
    let started = Instant::now();
    wait_for("a failed run", || {
        node_stats(&master, "t", "query1").errors >= 1
    });
    let failed_after = started.elapsed();
    assert!(master.is_running("t"));
    master.shutdown();
    let error = diagnostics.errors().into_iter().next().expect("an error");
    (error, failed_after)
}

#[test]
fn an_unreachable_server_is_a_counted_error_naming_task_and_query() {
    let error = first_error(cluster_at(&format!("http://{}", closed_address())));
    assert!(
        error.starts_with("query1: task t: query \"SELECT"),
        "{error}"
    );
    assert!(error.contains("/query"), "{error}");
}

#[test]
fn a_401_is_reported_with_influxdbs_message_and_credentials_are_sent() {
    let sink = Sink::http(1, vec![401], r#"{"error":"authorization failed"}"#, || {});
    let mut cluster = cluster_at(&sink.url);
    cluster[0].username = "kapacitor".into();
    cluster[0].password = "secret".into();
    let error = first_error(cluster);
    assert!(
        error.contains("status 401: {\"error\":\"authorization failed\"}"),
        "{error}"
    );
    let request = &sink.finish()[0];
    assert!(
        request.request_line.starts_with("GET /query?"),
        "{}",
        request.request_line
    );
    for param in [
        "epoch=ns",
        "chunked=true",
        "db=telegraf",
        "rp=autogen",
        "q=SELECT",
    ] {
        assert!(
            request.request_line.contains(param),
            "{param}: {}",
            request.request_line
        );
    }
    assert_eq!(
        request.header("Authorization"),
        Some("Basic a2FwYWNpdG9yOnNlY3JldA==")
    );
}

#[test]
fn a_result_with_an_error_member_is_a_counted_error() {
    let body = r#"{"results":[{"statement_id":0,"error":"database not found: telegraf"}]}"#;
    let sink = Sink::http(1, vec![200], body, || {});
    let error = first_error(cluster_at(&sink.url));
    assert!(
        error.ends_with("influxdb error: database not found: telegraf"),
        "{error}"
    );
    sink.finish();
}

#[test]
fn malformed_json_is_a_counted_error() {
    let sink = Sink::http(1, vec![200], "<html>proxy error</html>", || {});
    let error = first_error(cluster_at(&sink.url));
    assert!(error.contains("malformed response: "), "{error}");
    sink.finish();
}

#[test]
fn a_query_that_is_not_one_select_or_a_bad_cron_fails_the_start() {
    let (master, _) = master(Vec::new());
    let err = start(
        &master,
        "drop",
        "batch|query('SELECT v FROM m; DROP DATABASE x').every(1s)|httpOut('x')",
    )
    .expect_err("two statements");
    assert!(
        err.ends_with("node query1: query must be a single select statement, got 2 statements"),
        "{err}"
    );
    let err = start(
        &master,
        "cron",
        "batch|query('SELECT v FROM m').cron('61 * * * *')",
    )
    .expect_err("no minute 61");
    assert!(
        err.contains("node query1: invalid cron expression \"61 * * * *\": "),
        "{err}"
    );
}

#[test]
fn without_a_configured_cluster_the_default_one_is_queried_and_failures_counted() {
    // Nothing is configured: the task starts against http://localhost:8086, where no
    // InfluxDB holding "telegraf" answers on a test machine, and each run is an error.
    let (master, _) = master(Vec::new());
    let script = format!("{EVERY_200MS}    |httpOut('out')\n");
    start(&master, "implicit", &script).expect("starts without any [[influxdb]]");
    wait_for("a failed run", || {
        node_stats(&master, "implicit", "query1").errors >= 1
    });
    assert!(master.is_running("implicit"));
    master.shutdown();
}

#[test]
fn a_slow_server_is_a_counted_timeout() {
    let sink = Sink::http(1, vec![200], "{}", || {
        std::thread::sleep(Duration::from_millis(1500))
    });
    let mut cluster = cluster_at(&sink.url);
    cluster[0].timeout = tickflow_model::Duration::from_nanos(200_000_000);
    let started = Instant::now();
    let (error, failed_after) = timed_first_error(cluster);
    assert!(error.contains("timeout"), "{error}");
    // Runs missed while waiting are skipped, so the task stops without waiting for the
    // slow server either.
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    // The first run is 200ms after the start; it gives up 200ms later, not after 1.5s.
    assert!(
        failed_after < Duration::from_millis(1200),
        "{failed_after:?}: {error}"
    );
    sink.finish();
}

#[test]
fn query_flux_without_a_token_refuses_to_start_live() {
    let (master, _) = master(cluster_at("http://127.0.0.1:1"));
    let script = "batch|queryFlux('from(bucket: \"b\") |> range(start: -1m)').every(1m)\
                  .cluster('test')|httpOut('x')";
    let err = start(&master, "flux", script).expect_err("no token");
    assert!(
        err.ends_with(
            "node queryFlux1: queryFlux needs an InfluxDB 2.x cluster with a token, and \
             cluster \"test\" has none (set token in its [[influxdb]] section); without one \
             the task can only be replayed"
        ),
        "{err}"
    );
}

/// An InfluxDB 2.x answer to a Flux query: one table per host, annotated CSV.
const FLUX_ANSWER: &str = "\
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string\r
#group,false,false,true,true,false,false,true,true,true\r
#default,_result,,,,,,,,\r
,result,table,_start,_stop,_time,_value,_field,_measurement,host\r
,,0,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,2026-01-01T00:00:10Z,95,usage,cpu,a\r
,,1,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,2026-01-01T00:00:10Z,10,usage,cpu,b\r
\r
";

/// InfluxDB 2.x cannot be installed here (Debian's `influxdb` is 1.6, which has no
/// Flux), so a loopback server stands in for it: it checks what tickflow sends
/// (`/api/v2/query`, org, token, the Flux text, `now`) and answers as InfluxDB 2.x does.
#[test]
fn query_flux_runs_live_against_the_v2_query_api_with_the_token() {
    let sink = Sink::http(1, vec![200], FLUX_ANSWER, || {});
    let mut cluster = cluster_at(&sink.url);
    cluster[0].token = "s3cr3t".into();
    let (master, diagnostics) = master(cluster);
    let script = "batch|queryFlux('from(bucket: \"telegraf\") |> range(start: -1m)')\
                  .every(200ms).org('acme').cluster('test')\
                  |alert().id('cpu:{{ index .Tags \"host\" }}').crit(lambda: \"usage\" > 80)\
                  |httpOut('alerts')";
    start(&master, "flux", script).expect("starts");
    wait_for("the alert node to get both tables", || {
        node_stats(&master, "flux", "alert2").messages_in >= 2
    });
    let alert = node_stats(&master, "flux", "alert2");
    // Later runs find the stand-in gone (it answers once): only those may fail.
    let errors = diagnostics.errors();
    master.shutdown();
    let request = &sink.finish()[0];
    assert_eq!(alert.errors, 0, "{alert:?}");
    assert!(
        errors.iter().all(|e| e.contains("/api/v2/query: ")),
        "{errors:?}"
    );
    assert!(
        request
            .request_line
            .starts_with("POST /api/v2/query?org=acme "),
        "{}",
        request.request_line
    );
    assert_eq!(request.header("Authorization"), Some("Token s3cr3t"));
    assert_eq!(request.header("Accept"), Some("application/csv"));
    let body: serde_json::Value = serde_json::from_str(&request.body).expect("a JSON body");
    assert_eq!(
        body["query"],
        "from(bucket: \"telegraf\") |> range(start: -1m)"
    );
    assert_eq!(body["type"], "flux");
    assert_eq!(body["dialect"]["annotations"][1], "group");
    let now = body["now"].as_str().expect("now");
    assert!(tickflow_engine::replay::parse_time(now).is_some(), "{now}");
}
