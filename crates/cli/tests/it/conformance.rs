//! The Kapacitor conformance corpus through `tickflow conformance`: every case the engine
//! runs must pass; the others are reported as skipped with their reason.

use std::process::Command;

use super::root;

/// The names in `testdata/conformance/known-failures.txt`.
fn known_failures() -> Vec<String> {
    let path = root().join("testdata/conformance/known-failures.txt");
    let text = std::fs::read_to_string(&path).expect("known failures are listed");
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn conformance_cases_that_run_pass_except_the_known_failures() {
    if tickflow_testkit::conformance_cases().is_none() {
        println!("conformance: ../shared/conformance is not there; skipped");
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .arg("conformance")
        .current_dir(root())
        .output()
        .expect("tickflow runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout.lines().last().unwrap_or_default();
    println!("conformance (engine): {summary}");
    let failed: Vec<String> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(String::from)
        .collect();
    assert_eq!(
        failed,
        known_failures(),
        "failures differ from testdata/conformance/known-failures.txt:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn print_actual_shows_what_a_run_produced() {
    let Some(cases) = tickflow_testkit::conformance_cases() else {
        return;
    };
    let case = cases
        .iter()
        .find(|c| c.name.ends_with("TestStream_Window_Overlapping.json"))
        .expect("the corpus has TestStream_Window");
    let output = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(["conformance", "--print-actual", &case.name])
        .output()
        .expect("tickflow runs");
    let actual: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(actual["name"], "TestStream_Window_Overlapping");
    assert_eq!(actual["requests"], serde_json::json!([]));
    assert_eq!(actual["errors"]["run_error"], false);
    assert_eq!(
        actual["httpout"]["series"][0]["values"][0][0],
        "1971-01-01T00:00:00Z"
    );
}

#[test]
fn print_actual_shows_a_failed_stage_as_its_message() {
    let case = root().join("../shared/conformance/batch/cases/TestBatch_InvalidQuery__0.json");
    if !case.is_file() {
        println!("conformance: the batch corpus is not there; skipped");
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(["conformance", "--print-actual"])
        .arg(&case)
        .output()
        .expect("tickflow runs");
    let actual: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    assert_eq!(actual["errors"]["define_error"], false);
    assert_eq!(
        actual["errors"]["start_error"],
        "node query1: query must be a single select statement, got 2 statements"
    );
}

/// The `points` kind (README §7), on a case written in the shape of Kapacitor's
/// `TestStream_InfluxDBOut`, which the shared corpus lacks: influxDBOut's last write, with
/// its parameters and typed fields, is what the case expects.
#[test]
fn a_points_case_compares_influxdb_out_writes() {
    let case = root().join("testdata/conformance/points/cases/TestStream_InfluxDBOut.json");
    let output = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(["conformance", "-v"])
        .arg(&case)
        .output()
        .expect("tickflow runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with("1 passed, 0 failed, 0 skipped\n"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(["conformance", "--print-actual"])
        .arg(&case)
        .output()
        .expect("tickflow runs");
    let actual: serde_json::Value =
        serde_json::from_slice(&actual.stdout).expect("one JSON object");
    let writes = actual["requests"].as_array().expect("requests");
    let last = writes.last().expect("a write");
    assert_eq!(last["path"], "/write?db=db&rp=rp&precision=s");
    assert_eq!(last["body"], "m,key=value count=10i 31536010\n");
}
