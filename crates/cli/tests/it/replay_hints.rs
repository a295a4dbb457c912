//! What replay tells a new user: the precision that fits data read at the wrong one,
//! where the alerts went, and `--fresh-logs` emptying the log files before a run.

use crate::replay::write;
use crate::{scratch_dir, tickflow};

/// An alert on every point, logged to `log`.
fn script(log: &str) -> String {
    format!(
        "dbrp \"db\".\"autogen\"\nstream\n    |from().measurement('m')\n    \
         |alert()\n        .crit(lambda: TRUE)\n        .log('{log}')\n        \
         .post('http://127.0.0.1:9/x')\n"
    )
}

#[test]
fn seconds_read_as_nanoseconds_name_the_precision_and_alerts_name_their_handlers() {
    let dir = scratch_dir("replay-hints");
    let log = dir.join("a.log").display().to_string();
    let script = write(&dir, "a.tick", &script(&log));
    let data = write(&dir, "d.lp", "m v=1 1451606400\nm v=2 1451606460\n");
    let out = tickflow(&["replay", &script, "--data", &data]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{data}: warning: the first point is at 1970-01-01T00:00:01.4516064Z with \
             precision n; the timestamps look like precision s: try --precision s\n"
        )),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!(
            "alerts went to:\n  alert2: log {log}, post http://127.0.0.1:9/x\n"
        )),
        "{stdout}"
    );
    let out = tickflow(&["replay", &script, "--data", &data, "--precision", "s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning: the first point"), "{stderr}");
}

#[test]
fn fresh_logs_empties_the_log_files_first() {
    let dir = scratch_dir("replay-fresh-logs");
    let log = dir.join("a.log").display().to_string();
    let script = write(&dir, "a.tick", &script(&log));
    let data = write(&dir, "d.lp", "m v=1 1\nm v=2 2\n");
    let lines = || std::fs::read_to_string(&log).expect("log").lines().count();
    for _ in 0..2 {
        tickflow(&["replay", &script, "--data", &data, "--precision", "s"]);
    }
    assert_eq!(lines(), 4, "log handlers append across runs");
    tickflow(&[
        "replay",
        &script,
        "--data",
        &data,
        "--precision",
        "s",
        "--fresh-logs",
    ]);
    assert_eq!(lines(), 2);
}
