//! `tickflow replay`: a real script over a generated line protocol file, checked through
//! the summary's counts; unsupported nodes and bad lines.

use std::fmt::Write as _;
use std::path::Path;

use crate::{root, scratch_dir, tickflow};

/// Writes `name` into `dir` and returns its path as a string.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path.to_str().expect("utf-8 path").to_string()
}

/// One `temperatures` point per second for `seconds`, hotend alternating 200 and 230,
/// and one `other` point per minute.
fn data(seconds: i64) -> String {
    let mut text = String::new();
    for t in 0..seconds {
        let hotend = if t % 2 == 0 { 200 } else { 230 };
        let _ = writeln!(text, "temperatures,printer=p1 hotend={hotend} {t}");
        if t % 60 == 0 {
            let _ = writeln!(text, "other value=1 {t}");
        }
    }
    text
}

/// The summary row of `node`: messages in, out and errors.
pub(crate) fn row(stdout: &str, node: &str) -> (u64, u64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(node))
        .unwrap_or_else(|| panic!("no row for {node} in {stdout}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(3)
        .map(|v| v.parse().expect("a count"))
        .collect();
    (n[0], n[1], n[2])
}

#[test]
fn a_window_and_where_script_reports_each_nodes_counts() {
    let dir = scratch_dir("replay-window");
    let script = write(
        &dir,
        "hot.tick",
        "dbrp \"printer\".\"autogen\"\n\
         stream\n    |from().measurement('temperatures')\n    |where(lambda: \"hotend\" > 210)\n\
             |window().period(5m).every(5m)\n    |log()\n",
    );
    let data = write(&dir, "data.lp", &data(3600));
    let out = tickflow(&["replay", &script, "--data", &data, "--precision", "s"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("points read: 3660 (0 bad lines)\npoints fed: 3660\n"),
        "{stdout}"
    );
    assert!(stdout.contains(" points/s\n"), "{stdout}");
    assert_eq!(row(&stdout, "stream0"), (3660, 3660, 0));
    assert_eq!(row(&stdout, "from1"), (3660, 3600, 0));
    assert_eq!(row(&stdout, "where2"), (3600, 1800, 0));
    // Twelve 5m windows open in the hour; the last never closes.
    assert_eq!(row(&stdout, "window3"), (1800, 11, 0));
    assert_eq!(row(&stdout, "log4"), (11, 11, 0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("msg=begin_batch").count(), 11, "{stderr}");
}

#[test]
fn other_dbrps_are_not_fed_and_bad_lines_are_reported() {
    let dir = scratch_dir("replay-dbrp");
    let script = write(
        &dir,
        "filter.tick",
        "dbrp \"printer\".\"autogen\"\nstream|from()|where(lambda: \"hotend\" > 210)\n",
    );
    let data = write(
        &dir,
        "data.srpl",
        "printer\nautogen\ntemperatures hotend=220 1\n\
         other\nautogen\ntemperatures hotend=220 2\n\
         printer\nautogen\ntemperatures hotend=2.2.0 3\n\
         printer\nautogen\ntemperatures air=20 4\n",
    );
    let out = tickflow(&["replay", &script, "--data", &data]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "data.srpl: line 9: unable to parse 'temperatures hotend=2.2.0 3': invalid number"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("node where2: left reference value \"hotend\" is missing value"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("points read: 3 (1 bad lines)\npoints fed: 2\n"),
        "{stdout}"
    );
    assert_eq!(row(&stdout, "where2"), (2, 1, 1));
}

#[test]
fn a_script_with_nodes_the_engine_lacks_fails_clearly() {
    let dir = scratch_dir("replay-unsupported");
    let script = write(
        &dir,
        "autoscales.tick",
        "stream\n    |from()\n    |k8sAutoscale()\n",
    );
    let data = write(&dir, "data.lp", &data(10));
    let out = tickflow(&["replay", &script, "--data", &data]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "autoscales.tick: node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// The hours (since the start of the data) of the CRITICAL events in an alert log.
fn critical_hours(log: &str) -> Vec<f64> {
    const START: i64 = 1_451_606_400; // 2016-01-01T00:00:00Z
    log.lines()
        .filter(|line| line.contains("\"level\":\"CRITICAL\""))
        .map(|line| {
            let event: serde_json::Value =
                serde_json::from_str(line).expect("an alert document per line");
            let time = event["time"].as_str().expect("a time");
            let secs = chrono::DateTime::parse_from_rfc3339(time)
                .expect("RFC 3339")
                .timestamp();
            (secs - START) as f64 / 3600.0
        })
        .collect()
}

/// `tickscripts/print_temps.tick` with its logs in `dir`.
pub(crate) fn printer_script(dir: &Path) -> String {
    let script =
        std::fs::read_to_string(root().join("tickscripts/print_temps.tick")).expect("read script");
    let script = script.replace("/tmp/tickflow/", &format!("{}/", dir.display()));
    write(dir, "print_temps.tick", &script)
}

/// Each sensor's anomaly is a CRITICAL alert in its failure log, in its hour.
pub(crate) fn assert_anomalies_found(dir: &Path) {
    for (sensor, from, to) in [
        ("hotend", 1.0, 1.5),
        ("bed", 8.0, 8.5),
        ("air", 12.0, 12.75),
    ] {
        let log = std::fs::read_to_string(dir.join(format!("{sensor}_failure.log")))
            .unwrap_or_else(|e| panic!("{sensor}_failure.log: {e}"));
        let hours = critical_hours(&log);
        assert!(
            hours.iter().any(|h| (from..=to).contains(h)),
            "{sensor}: no CRITICAL alert between {from} h and {to} h, got {hours:?}"
        );
    }
}

#[test]
fn the_printer_script_finds_the_three_anomalies() {
    let dir = scratch_dir("replay-printer");
    let script = printer_script(&dir);
    let data = root().join("testdata/printer_24h.lp");
    let out = tickflow(&[
        "replay",
        &script,
        "--data",
        data.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_anomalies_found(&dir);
    // The summary counts the alerts the logs hold, level by level.
    let logs: String = ["hotend", "bed", "air"]
        .iter()
        .map(|sensor| {
            std::fs::read_to_string(dir.join(format!("{sensor}_failure.log"))).expect("log")
        })
        .collect();
    let count = |level: &str| logs.matches(&format!("\"level\":\"{level}\"")).count();
    let expected = format!(
        "alerts: CRITICAL {}, WARNING 0, INFO 0, OK {}\n",
        count("CRITICAL"),
        count("OK")
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&expected), "{expected} in {stdout}");
}

/// `(time, pvalue)` of every alert event in an alert log.
fn pvalues(log: &str) -> Vec<(String, f64)> {
    log.lines()
        .map(|line| {
            let event: serde_json::Value =
                serde_json::from_str(line).expect("an alert document per line");
            let series = &event["data"]["series"][0];
            let columns = series["columns"].as_array().expect("columns");
            let at = columns
                .iter()
                .position(|c| c == "pvalue")
                .expect("a pvalue column");
            let pvalue = series["values"][0][at].as_f64().expect("a pvalue");
            (event["time"].as_str().expect("a time").to_string(), pvalue)
        })
        .collect()
}

/// Replays the printer script with `config` (the native tTest when `None`) from the
/// repository's root; returns each sensor's alert pvalues and tickflow's stderr.
pub(crate) fn printer_pvalues(
    name: &str,
    config: Option<&str>,
) -> ([Vec<(String, f64)>; 3], String) {
    let dir = scratch_dir(name);
    let script = printer_script(&dir);
    let mut args = vec![
        "replay".to_string(),
        script,
        "--data".into(),
        "testdata/printer_24h.lp".into(),
    ];
    if let Some(config) = config {
        args.extend(["--config".to_string(), config.to_string()]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("tickflow runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    assert_anomalies_found(&dir);
    let pvalues = ["hotend", "bed", "air"].map(|sensor| {
        let log = std::fs::read_to_string(dir.join(format!("{sensor}_failure.log")))
            .expect("alert log written");
        pvalues(&log)
    });
    (pvalues, stderr)
}

/// Asserts that two runs alerted at the same times with pvalues within 1e-9.
pub(crate) fn assert_same_alerts(
    native: &[Vec<(String, f64)>; 3],
    other: &[Vec<(String, f64)>; 3],
) {
    for (native, other) in native.iter().zip(other) {
        assert!(!native.is_empty());
        assert_eq!(native.len(), other.len(), "{native:?} vs {other:?}");
        for ((t1, p1), (t2, p2)) in native.iter().zip(other) {
            assert_eq!(t1, t2);
            assert!((p1 - p2).abs() <= 1e-9, "{t1}: native {p1}, other {p2}");
        }
    }
}

#[test]
fn the_python_agent_agrees_with_the_native_ttest() {
    let (native, _) = printer_pvalues("replay-native-ttest", None);
    let (python, _) = printer_pvalues("replay-python-ttest", Some("tickscripts/print_temps.conf"));
    assert_same_alerts(&native, &python);
}
