//! `tickflow replay --config`: UDFs declared in Kapacitor's `[udf.functions.NAME]`
//! tables — a built-in under another name, agents that cannot start, and an agent
//! without snapshots on a snapshot schedule.

use crate::replay::{assert_same_alerts, printer_pvalues, write};
use crate::{scratch_dir, tickflow};

/// A script calling `@udf()` on 1-minute windows of `temperatures`, and data with one
/// hotend value per second that jumps after 30 minutes.
fn script_and_data(dir: &std::path::Path, udf: &str) -> (String, String) {
    let script = write(
        dir,
        "t.tick",
        &format!(
            "dbrp \"printer\".\"autogen\"\nstream|from().measurement('temperatures')\n\
             |window().period(1m).every(1m)\n@{udf}().field('hotend').size(600).alpha(0.001)\n\
             |log()\n"
        ),
    );
    let lines: String = (0..3600)
        .map(|t| {
            let base = if t < 1800 { 220.0 } else { 205.0 };
            let wobble = ((t * 37) % 11) as f64 / 10.0;
            format!("temperatures hotend={} {t}\n", base + wobble)
        })
        .collect();
    (script, write(dir, "data.lp", &lines))
}

#[test]
fn a_config_can_name_a_built_in() {
    let dir = scratch_dir("udf-config-builtin");
    let (script, data) = script_and_data(&dir, "myTest");
    let config = write(
        &dir,
        "kapacitor.conf",
        "[http]\nbind-address = \":9092\"\n[udf.functions.myTest]\nbuiltin = \"ttest\"\n",
    );
    let out = tickflow(&[
        "replay",
        &script,
        "--data",
        &data,
        "--precision",
        "s",
        "--config",
        &config,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = stdout
        .lines()
        .find(|l| l.starts_with("myTest3"))
        .unwrap_or_else(|| panic!("no myTest3 row in {stdout}"));
    let counts: Vec<&str> = row.split_whitespace().skip(1).take(2).collect();
    assert_eq!(
        counts,
        ["59", "58"],
        "one result per full window after the first"
    );
}

#[test]
fn an_agent_that_cannot_start_is_a_clear_error() {
    let dir = scratch_dir("udf-config-missing");
    let (script, data) = script_and_data(&dir, "tTest");
    let config = write(
        &dir,
        "udf.conf",
        "[udf.functions.tTest]\nprog = \"/nonexistent/python\"\ntimeout = \"1s\"\n",
    );
    let out = tickflow(&["replay", &script, "--data", &data, "--config", &config]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "config {config}: failed to load process info: UDF tTest: cannot start \
             \"/nonexistent/python\": "
        )),
        "{stderr}"
    );
}

#[test]
fn an_invalid_config_names_the_function() {
    let dir = scratch_dir("udf-config-invalid");
    let (script, data) = script_and_data(&dir, "tTest");
    let config = write(
        &dir,
        "udf.conf",
        "[udf.functions.tTest]\nprog = \"python3\"\n",
    );
    let out = tickflow(&["replay", &script, "--data", &data, "--config", &config]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("config {config}: UDF tTest: timeout is too small: 0s\n")
    );
}

/// `tickscripts/udf/ttest.py` without its snapshot method, as the guide's ttest.py is:
/// Kapacitor's Python agent answers a snapshot request with an ErrorResponse and stops.
const TTEST_WITHOUT_SNAPSHOTS: &str = "\
import runpy
import sys

ttest = runpy.run_path(sys.argv[1])
del ttest['TTestHandler'].snapshot
ttest['main']()
";

#[test]
fn an_agent_without_snapshots_is_warned_about_once_and_loses_nothing() {
    let dir = scratch_dir("udf-config-no-snapshots");
    let agent = write(&dir, "ttest_without_snapshots.py", TTEST_WITHOUT_SNAPSHOTS);
    let config = write(
        &dir,
        "udf.conf",
        &format!(
            "[udf.functions.tTest]\nprog = \"python3\"\n\
             args = [\"-u\", {agent:?}, \"tickscripts/udf/ttest.py\"]\n\
             timeout = \"10s\"\nsnapshot-interval = \"1ms\"\n"
        ),
    );
    let (native, _) = printer_pvalues("udf-config-no-snapshots-native", None);
    let (python, stderr) = printer_pvalues("udf-config-no-snapshots-python", Some(&config));
    for node in ["tTest3", "tTest5", "tTest7"] {
        let warning = format!("snapshot failed, no more snapshots are asked of node {node}: ");
        assert_eq!(stderr.matches(&warning).count(), 1, "{node}: {stderr}");
    }
    assert_same_alerts(&native, &python);
}
