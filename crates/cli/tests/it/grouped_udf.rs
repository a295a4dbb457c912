//! Native UDFs keep their state per group (issue 21): the printer script grouped by
//! printer over three printers, anomalies in p2 only, alerts exactly as when each printer
//! is replayed alone; the Python agent (`tickscripts/udf/ttest.py`) alerts the same.

use std::path::Path;
use std::process::Command;

use crate::replay::write;
use crate::{root, scratch_dir};

const SENSORS: [&str; 3] = ["hotend", "bed", "air"];

/// `tickscripts/print_temps.tick` grouped by printer, each alert id naming its printer,
/// logging into `dir`.
fn grouped_script(dir: &Path) -> String {
    let script =
        std::fs::read_to_string(root().join("tickscripts/print_temps.tick")).expect("read script");
    let mut script = script
        .replace("/tmp/tickflow/", &format!("{}/", dir.display()))
        .replace(
            ".measurement('temperatures')",
            ".measurement('temperatures')\n        .groupBy('printer')",
        );
    for sensor in SENSORS {
        script = script.replace(
            &format!(".id('{sensor}')"),
            &format!(".id('{sensor}-{{{{ index .Tags \"printer\" }}}}')"),
        );
    }
    write(dir, "grouped.tick", &script)
}

/// Two hours of three printers (past the hotend anomaly at 1 h), anomalies in p2 only.
fn printers_file(dir: &Path) -> String {
    let path = dir.join("printers.lp");
    let out = Command::new("python3")
        .arg(root().join("testdata/printer_data.py"))
        .args([
            "--printers",
            "3",
            "--anomalous",
            "2",
            "--seconds",
            "7200",
            "--out",
        ])
        .arg(&path)
        .output()
        .expect("python3 runs testdata/printer_data.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.to_str().expect("utf-8 path").to_string()
}

/// Replays `data` through the grouped script with `config`; returns each sensor's log.
fn replay(name: &str, data: &str, config: Option<&str>) -> [Vec<String>; 3] {
    let dir = scratch_dir(name);
    let script = grouped_script(&dir);
    let mut args = vec!["replay", &script, "--data", data];
    if let Some(config) = config {
        args.extend(["--config", config]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("tickflow runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    SENSORS.map(|sensor| {
        let log =
            std::fs::read_to_string(dir.join(format!("{sensor}_failure.log"))).unwrap_or_default();
        log.lines().map(str::to_string).collect()
    })
}

/// The lines of `log` about printer `printer`.
fn of_printer(log: &[String], printer: &str) -> Vec<String> {
    let id = format!("-{printer}\",");
    log.iter().filter(|l| l.contains(&id)).cloned().collect()
}

#[test]
fn grouped_alerts_are_each_printers_alone() {
    let dir = scratch_dir("grouped-udf-data");
    let data = printers_file(&dir);
    let grouped = replay("grouped-udf-all", &data, None);
    assert!(
        grouped[0].iter().any(|l| l.contains("CRITICAL")),
        "the hotend anomaly of p2"
    );
    for printer in ["p1", "p2", "p3"] {
        let alone_data = dir.join(format!("{printer}.lp"));
        let tag = format!("printer={printer} ");
        let text = std::fs::read_to_string(&data).expect("read data");
        let lines: String = text
            .lines()
            .filter(|l| l.contains(&tag))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&alone_data, lines).expect("write one printer");
        let alone = replay(
            &format!("grouped-udf-{printer}"),
            alone_data.to_str().expect("utf-8 path"),
            None,
        );
        for (sensor, (grouped, alone)) in SENSORS.iter().zip(grouped.iter().zip(&alone)) {
            assert_eq!(&of_printer(grouped, printer), alone, "{printer} {sensor}");
            if printer != "p2" {
                assert!(
                    alone.is_empty(),
                    "{printer} {sensor} has no anomaly: {alone:?}"
                );
            }
        }
    }
}

#[test]
fn the_python_agent_keeps_state_per_group_too() {
    let dir = scratch_dir("grouped-udf-python-data");
    let data = printers_file(&dir);
    let native = replay("grouped-udf-native", &data, None);
    let python = replay(
        "grouped-udf-python",
        &data,
        Some("tickscripts/print_temps.conf"),
    );
    let times = |log: &Vec<String>| -> Vec<String> {
        (log.iter())
            .map(|l| {
                let event: serde_json::Value = serde_json::from_str(l).expect("alert document");
                format!("{} {} {}", event["id"], event["time"], event["level"])
            })
            .collect()
    };
    for (native, python) in native.iter().zip(&python) {
        assert_eq!(times(native), times(python));
    }
}
