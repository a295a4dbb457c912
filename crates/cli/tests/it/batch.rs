//! Batch tasks through the binary: `check` and `show`, `replay` of a batch recording
//! (one file per query node) and of a past range against a real InfluxDB.

use tickflow_testkit::influxd::Influxd;

use crate::replay::{row, write};
use crate::{scratch_dir, tickflow};

/// Errors per service from one query, requests per service from the other, joined.
const JOIN: &str = "dbrp \"telegraf\".\"autogen\"\n\
    var errors = batch\n    |query('SELECT sum(value) AS value FROM \"telegraf\".\"autogen\".errors')\n        \
    .period(10s)\n        .every(10s)\n        .groupBy('service')\n\
    var requests = batch\n    |query('SELECT sum(value) AS value FROM \"telegraf\".\"autogen\".requests')\n        \
    .period(10s)\n        .every(10s)\n        .groupBy('service')\n\
    errors\n    |join(requests)\n        .as('errors', 'requests')\n    \
    |eval(lambda: \"errors.value\" / \"requests.value\")\n        .as('rate')\n    \
    |alert()\n        .crit(lambda: \"rate\" > 0.5)\n";

/// One batch per service and period: `value` at 00:00:0N for the given values.
fn source(measurement: &str, values: &[(&str, f64)]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, (service, value))| {
            format!(
                "{{\"name\":\"{measurement}\",\"tags\":{{\"service\":\"{service}\"}},\"points\":[\
                 {{\"fields\":{{\"value\":{value}}},\"time\":\"2024-01-01T00:00:{:02}Z\"}}]}}\n",
                10 * (i / 2)
            )
        })
        .collect()
}

/// The stdout of a run that must have exited 0.
fn succeeded(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    stdout
}

#[test]
fn check_and_show_take_a_batch_script() {
    let dir = scratch_dir("batch-check");
    let script = write(&dir, "join.tick", JOIN);
    let out = tickflow(&["check", &script]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tickflow(&["show", &script]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("batch task\n"), "{stdout}");
    assert!(
        stdout.contains("query2: batch -> batch <- batch0"),
        "{stdout}"
    );
}

#[test]
fn replay_feeds_each_recorded_source_to_its_query_node() {
    let dir = scratch_dir("batch-replay");
    let script = write(&dir, "join.tick", JOIN);
    // File 0 feeds the last query of the script (requests), file 1 the first (errors).
    let requests = [("a", 10.0), ("b", 10.0), ("a", 10.0), ("b", 10.0)];
    let errors = [("a", 1.0), ("b", 9.0), ("a", 8.0), ("b", 2.0)];
    let first = write(&dir, "rec.0.brpl", &source("requests", &requests));
    write(&dir, "rec.1.brpl", &source("errors", &errors));
    let out = tickflow(&["replay", &script, "--data", &first]);
    let stdout = succeeded(&out);
    assert!(stdout.contains("points read: 8 (0 bad lines)"), "{stdout}");
    assert_eq!(row(&stdout, "query1"), (4, 4, 0), "{stdout}");
    assert_eq!(row(&stdout, "join4"), (8, 4, 0), "{stdout}");
    // b at 00:00:00 (0.9) and a at 00:00:10 (0.8) are critical.
    assert!(
        stdout.contains("alerts: CRITICAL 2, WARNING 0, INFO 0, OK 1"),
        "{stdout}"
    );
    let single = write(&dir, "one.brpl", &source("requests", &requests));
    let out = tickflow(&["replay", &script, "--data", &single]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unexpected number of batch collectors. exp 1 got 2"),
        "{stderr}"
    );
}

#[test]
fn replay_runs_the_schedule_over_a_past_range_against_influxdb() {
    let Some(influxd) = Influxd::start("cli-past") else {
        return;
    };
    // One point every 10s from 2024-01-01T00:00:00Z for 10 minutes, the value its index.
    let lines: String = (0..60)
        .map(|i| format!("cpu,host=a usage={i} {}\n", 1_704_067_200 + 10 * i))
        .collect();
    influxd.seed("telegraf", &lines);
    let dir = scratch_dir("batch-past");
    let script = write(
        &dir,
        "mean.tick",
        "dbrp \"telegraf\".\"autogen\"\nbatch\n    \
         |query('SELECT mean(usage) AS usage FROM \"telegraf\".\"autogen\".cpu')\n        \
         .period(1m)\n        .every(1m)\n        .align()\n        .groupBy('host')\n    \
         |alert()\n        .crit(lambda: \"usage\" > 30)\n",
    );
    let out = tickflow(&[
        "replay",
        &script,
        "--influxdb",
        &influxd.url,
        "--start",
        "2024-01-01T00:00:00Z",
        "--stop",
        "2024-01-01T00:10:00Z",
    ]);
    let stdout = succeeded(&out);
    // Ten runs (00:01 … 00:10), each the mean of six points: 2.5, 8.5, … 56.5.
    assert!(stdout.contains("points read: 10 (0 bad lines)"), "{stdout}");
    assert!(
        stdout.contains("alerts: CRITICAL 5, WARNING 0, INFO 0, OK 0"),
        "{stdout}"
    );
}

#[test]
fn a_udf_with_batch_edges_runs_under_a_batch_source() {
    let dir = scratch_dir("batch-udf");
    let script = write(
        &dir,
        "outliers.tick",
        "dbrp \"telegraf\".\"autogen\"\nbatch\n    \
         |query('SELECT value FROM \"telegraf\".\"autogen\".latency').every(1m)\n    \
         @outliers()\n        .field('value')\n        .scale(1.5)\n    |log()\n",
    );
    let points: Vec<String> = [10, 10, 11, 10, 9, 10, 10, 11, 10, 100]
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("{{\"fields\":{{\"value\":{v}}},\"time\":\"2024-01-01T00:00:{i:02}Z\"}}")
        })
        .collect();
    let recording = write(
        &dir,
        "latency.brpl",
        &format!(
            "{{\"name\":\"latency\",\"points\":[{}]}}\n",
            points.join(",")
        ),
    );
    let out = tickflow(&["replay", &script, "--data", &recording]);
    let stdout = succeeded(&out);
    assert_eq!(row(&stdout, "outliers2"), (1, 1, 0), "{stdout}");
    // Only the outlier of the batch is logged.
    let log = String::from_utf8_lossy(&out.stderr);
    let points: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("msg=batch_point"))
        .collect();
    assert_eq!(points.len(), 1, "{log}");
    assert!(
        points[0].contains("field_value=100 time=2024-01-01T00:00:09Z"),
        "{log}"
    );
}
