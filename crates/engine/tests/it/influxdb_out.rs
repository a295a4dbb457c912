//! `influxDBOut` against a real InfluxDB 1.x ([`Influxd`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::executor::Inline;
use tickflow_engine::InfluxDbConfig;
use tickflow_engine::{Environment, Task};
use tickflow_model::{Fields, Message, Point, Tags, Time};
use tickflow_pipeline::BuildOptions;

use tickflow_testkit::influxd::Influxd;

use crate::cluster;

/// A task running `script` inline, writing to `server`.
fn task(script: &str, server: &Influxd) -> (Inline, Arc<Collect>) {
    task_on(script, cluster(server))
}

/// A task running `script` inline, writing to `clusters`.
fn task_on(script: &str, clusters: Vec<InfluxDbConfig>) -> (Inline, Arc<Collect>) {
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let environment = Environment {
        influxdb: clusters,
        ..Environment::default()
    };
    let task = Task::build_with(&pipeline, "t", &environment).expect("task builds");
    let diagnostics = Arc::new(Collect::default());
    (Inline::new(task.dag, diagnostics.clone()), diagnostics)
}

/// `cpu,host=<host> value=<value>` at `secs` seconds past 2023-11-14T22:13:20Z.
fn cpu(secs: i64, host: &str, value: f64) -> Message {
    let mut point = Point::new(
        "cpu",
        Time::from_nanos((1_700_000_000 + secs) * 1_000_000_000),
    );
    point.tags = Tags::from_pairs([("host", host)]);
    point.fields = Fields::from_pairs([("value", value)]);
    Message::Point(point)
}

#[test]
fn influxdb_out_writes_points_that_a_query_reads_back() {
    let Some(server) = Influxd::start("write") else {
        return;
    };
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |influxDBOut()\n        \
        .database('tickflow')\n        .retentionPolicy('autogen')\n        .measurement('cpu_out')\n        \
        .tag('source', 'tickflow')\n        .precision('s')\n        .buffer(2)\n        .create()\n";
    let (mut run, diagnostics) = task(script, &server);
    run.push(vec![cpu(0, "a", 1.5), cpu(1, "b", 2.5), cpu(2, "a", 3.5)])
        .expect("runs");
    run.finish().expect("finishes");
    assert!(
        diagnostics.errors().is_empty(),
        "{:?}",
        diagnostics.errors()
    );
    let series = server.select("tickflow", "SELECT * FROM cpu_out");
    assert_eq!(
        series["columns"],
        serde_json::json!(["time", "host", "source", "value"])
    );
    assert_eq!(
        series["values"],
        serde_json::json!([
            ["2023-11-14T22:13:20Z", "a", "tickflow", 1.5],
            ["2023-11-14T22:13:21Z", "b", "tickflow", 2.5],
            ["2023-11-14T22:13:22Z", "a", "tickflow", 3.5]
        ])
    );
}

#[test]
fn influxdb_out_flushes_on_the_interval_before_the_buffer_fills() {
    let Some(server) = Influxd::start("interval") else {
        return;
    };
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |influxDBOut()\n        \
        .database('slow')\n        .create()\n        .flushInterval(100ms)\n";
    let (mut run, diagnostics) = task(script, &server);
    run.push(vec![cpu(0, "a", 1.0)]).expect("runs");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut series = serde_json::Value::Null;
    while series.is_null() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        series = server.select("slow", "SELECT * FROM cpu");
    }
    assert_eq!(
        series["values"][0][2], 1.0,
        "written before finish: {series}"
    );
    run.finish().expect("finishes");
    assert!(
        diagnostics.errors().is_empty(),
        "{:?}",
        diagnostics.errors()
    );
}

#[test]
fn influxdb_out_reports_a_refused_write_and_goes_on() {
    let Some(server) = Influxd::start("refused") else {
        return;
    };
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |influxDBOut()\n        \
        .database('missing')\n";
    let (mut run, diagnostics) = task(script, &server);
    run.push(vec![cpu(0, "a", 1.0)])
        .expect("a failed write is not fatal");
    run.finish().expect("finishes");
    let errors = diagnostics.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("status 404") && errors[0].contains("database not found"),
        "{errors:?}"
    );
}

#[test]
fn influxdb_out_writes_again_once_influxdb_is_back() {
    let Some(mut server) = Influxd::start("retry") else {
        return;
    };
    let mut clusters = cluster(&server);
    clusters[0].write_retry_interval = tickflow_model::Duration::from_nanos(100_000_000);
    let script = "stream\n    |from()\n        .measurement('cpu')\n    |influxDBOut()\n        \
        .database('back')\n        .create()\n        .buffer(1)\n";
    let (mut run, diagnostics) = task_on(script, clusters);
    run.push(vec![cpu(0, "a", 1.0)]).expect("runs");
    wait_for_rows(&server, "back", 1);
    server.kill();
    run.push(vec![cpu(1, "a", 2.0), cpu(2, "a", 3.0)])
        .expect("a failed write is not fatal");
    server.restart();
    let series = wait_for_rows(&server, "back", 3);
    run.finish().expect("finishes");
    assert_eq!(
        series["values"],
        serde_json::json!([
            ["2023-11-14T22:13:20Z", "a", 1],
            ["2023-11-14T22:13:21Z", "a", 2],
            ["2023-11-14T22:13:22Z", "a", 3]
        ]),
        "every point arrives once influxd is back"
    );
    let errors = diagnostics.errors();
    assert!(!errors.is_empty(), "the failures are counted");
    assert!(
        errors.iter().all(|e| e.contains("will retry")),
        "{errors:?}"
    );
}

/// Waits up to 20 seconds until `db`'s `cpu` has `rows` rows, and returns them.
fn wait_for_rows(server: &Influxd, db: &str, rows: usize) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let series = server.select(db, "SELECT * FROM cpu");
        if series["values"].as_array().map_or(0, Vec::len) >= rows || Instant::now() > deadline {
            return series;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
