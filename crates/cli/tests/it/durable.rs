//! The durable server as users meet it: the real binary on a data dir, killed with
//! SIGKILL and started again, its alert logs compared with a run that was never killed;
//! and the faults a data dir can have (a torn WAL tail, a damaged snapshot, a dir in
//! use, a full disk).

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::replay::{printer_script, write};
use crate::server::{post, request, Running};
use crate::{root, scratch_dir, tickflow};

/// Lines per POSTed batch of the printer data.
const BATCH: usize = 2000;

/// The printer data in batches of [`BATCH`] lines.
fn batches() -> Vec<String> {
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    let lines: Vec<&str> = data.lines().collect();
    lines.chunks(BATCH).map(|c| c.join("\n")).collect()
}

/// A config snapshotting often, so restarts restore snapshots and replay short tails.
fn config(dir: &Path) -> String {
    write(
        dir,
        "durable.conf",
        "[storage]\nsnapshot-interval = \"50ms\"\n",
    )
}

/// `tickflow run print_temps.tick` on `data` with `config` and any `extra` args.
fn start(dir: &Path, data: &Path, extra: &[&str]) -> Running {
    let script = dir.join("print_temps.tick");
    let config = dir.join("durable.conf");
    let mut args = vec![
        "run",
        script.to_str().expect("utf-8"),
        "--config",
        config.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
    ];
    args.extend(extra);
    Running::start(&args)
}

fn write_batch(address: SocketAddr, batch: &str) -> (u16, String) {
    post(address, "/write?db=printer&rp=autogen", batch.as_bytes())
}

/// Sends a whole write request and returns without reading the answer.
fn send_unanswered(address: SocketAddr, batch: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "POST /write?db=printer&rp=autogen HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{batch}",
        batch.len()
    )
    .expect("send");
    stream
}

/// The three alert logs of a run in `dir`.
fn alert_logs(dir: &Path) -> Vec<String> {
    ["hotend", "bed", "air"]
        .iter()
        .map(|sensor| {
            std::fs::read_to_string(dir.join(format!("{sensor}_failure.log"))).unwrap_or_default()
        })
        .collect()
}

/// A run's scratch dir with the printer script and config.
fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(name);
    printer_script(&dir);
    config(&dir);
    let data = dir.join("data");
    (dir, data)
}

#[test]
fn alerts_after_twenty_kills_are_those_of_an_uninterrupted_run() {
    let batches = batches();
    let (calm_dir, calm_data) = setup("durable-calm");
    let calm = start(&calm_dir, &calm_data, &[]);
    for batch in &batches {
        assert_eq!(write_batch(calm.address, batch).0, 204);
    }
    let (status, stderr) = calm.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let expected = alert_logs(&calm_dir);
    assert!(
        expected.iter().all(|log| log.contains("CRITICAL")),
        "every sensor alerts: {expected:?}"
    );

    let (dir, data) = setup("durable-killed");
    let mut next = 0;
    // Twenty moments, fixed: after batches 2, 4, …, 40; at odd ones the kill comes while
    // a write is in flight, so its client never learns whether it was taken.
    for moment in 0..20 {
        let kill_at = 2 * (moment + 1);
        let running = start(&dir, &data, &[]);
        while next < kill_at {
            let (status, text) = write_batch(running.address, &batches[next]);
            assert_eq!(status, 204, "batch {next}: {text}");
            next += 1;
        }
        let in_flight = (moment % 2 == 1).then(|| send_unanswered(running.address, &batches[next]));
        running.kill();
        drop(in_flight);
    }
    let running = start(&dir, &data, &[]);
    for (i, batch) in batches.iter().enumerate().skip(next) {
        let (status, text) = write_batch(running.address, batch);
        assert_eq!(status, 204, "batch {i}: {text}");
    }
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_same_logs(&alert_logs(&dir), &expected);
}

/// Each log equals its expected one; a difference is shown by its first line.
fn assert_same_logs(actual: &[String], expected: &[String]) {
    for (actual, expected) in actual.iter().zip(expected) {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e);
        assert!(
            actual == expected,
            "{} lines, expected {}; first difference at line {first:?}:\n{}\nexpected\n{}",
            actual.lines().count(),
            expected.lines().count(),
            first
                .and_then(|i| actual.lines().nth(i))
                .unwrap_or_default(),
            first
                .and_then(|i| expected.lines().nth(i))
                .unwrap_or_default(),
        );
    }
}

#[test]
fn a_torn_wal_tail_is_cut_with_a_warning_and_the_whole_records_kept() {
    let (dir, data) = setup("durable-torn");
    std::fs::write(
        dir.join("durable.conf"),
        "[storage]\nsnapshot-interval = \"1h\"\n",
    )
    .expect("config");
    let batches = batches();
    let running = start(&dir, &data, &[]);
    for batch in &batches[..3] {
        assert_eq!(write_batch(running.address, batch).0, 204);
    }
    running.kill();
    let segment = data.join("wal/00000000000000000001.wal");
    let whole = std::fs::metadata(&segment).expect("segment").len();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&segment)
        .expect("segment");
    file.write_all(&[200, 0, 0, 0, 1, 2, 3])
        .expect("a torn record");
    drop(file);
    let mut running = start(&dir, &data, &[]);
    let warning = running.wait_for("tickflow: warning: wal segment");
    assert_eq!(
        warning,
        format!("tickflow: warning: wal segment {segment:?} had a torn tail (header cut short): cut 7 bytes at byte {whole}, its last whole record")
    );
    let replayed = running.wait_for("tickflow: data dir ");
    assert!(
        replayed.contains("3 writes (6000 points) replayed"),
        "{replayed}"
    );
    assert_eq!(write_batch(running.address, &batches[3]).0, 204);
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("tickflow: task print_temps drained after 8000 points"),
        "{stderr}"
    );
}

#[test]
fn a_damaged_snapshot_keeps_its_task_down_until_its_state_is_reset() {
    let (dir, data) = setup("durable-snapshot");
    let other = write(
        &dir,
        "cpu.tick",
        "dbrp \"db\".\"autogen\"\nstream|from().measurement('cpu')|window().period(1h).every(1h)",
    );
    let running = start(&dir, &data, &[&other]);
    assert_eq!(write_batch(running.address, &batches()[0]).0, 204);
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let snapshot = data.join("snapshots/print_temps.snap");
    let mut bytes = std::fs::read(&snapshot).expect("saved at shutdown");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&snapshot, bytes).expect("damaged");

    let mut running = start(&dir, &data, &[&other]);
    let line = running.wait_for("tickflow: task print_temps not started: ");
    assert_eq!(
        line,
        format!(
            "tickflow: task print_temps not started: snapshot of task \"print_temps\" in {snapshot:?} is unreadable: checksum mismatch"
        )
    );
    assert_eq!(get(running.address, "tasks/cpu")["executing"], true);
    let task = get(running.address, "tasks/print_temps");
    assert_eq!(task["executing"], false);
    assert!(
        task["error"]
            .as_str()
            .is_some_and(|e| e.ends_with("checksum mismatch")),
        "{task}"
    );
    running.kill();

    let mut running = start(&dir, &data, &[&other, "--reset-state", "print_temps"]);
    let restored = running.wait_for("tickflow: data dir ");
    assert!(
        restored.contains("2 tasks restored (2 started)"),
        "{restored}"
    );
    assert_eq!(get(running.address, "tasks/print_temps")["executing"], true);
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn a_second_server_on_a_data_dir_in_use_refuses_to_start() {
    let (dir, data) = setup("durable-locked");
    let running = start(&dir, &data, &[]);
    let data_arg = data.to_str().expect("utf-8");
    let out = tickflow(&["serve", "--data-dir", data_arg, "--bind", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "data dir {data:?} is in use by another tickflow (lock file {:?} is held): stop it or give this one another --data-dir",
            data.join("LOCK")
        )),
        "{stderr}"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn a_full_disk_refuses_writes_with_507_and_the_server_recovers() {
    let (dir, data) = setup("durable-full");
    std::fs::write(
        dir.join("durable.conf"),
        "[storage]\nsnapshot-interval = \"1h\"\n",
    )
    .expect("config");
    let script = dir.join("print_temps.tick");
    // No file of the server may grow past 2 MiB; SIGXFSZ ignored, a write past it fails.
    let mut command = Command::new("bash");
    command.args([
        "-c",
        "trap '' XFSZ; exec prlimit --fsize=2097152 \"$@\"",
        "bash",
        env!("CARGO_BIN_EXE_tickflow"),
        "run",
        script.to_str().expect("utf-8"),
        "--data-dir",
        data.to_str().expect("utf-8"),
    ]);
    let running = Running::launch(command);
    let batches = batches();
    let mut accepted = 0;
    let refused = batches.iter().find_map(|batch| {
        let (status, text) = write_batch(running.address, batch);
        match status {
            204 => {
                accepted += BATCH;
                None
            }
            _ => Some((status, text)),
        }
    });
    let (status, text) = refused.expect("the WAL segment reaches the limit");
    assert_eq!(status, 507, "{text}");
    assert!(
        text.starts_with("write not accepted, the write-ahead log cannot take it: ")
            && text.contains("File too large"),
        "{text}"
    );
    assert_eq!(
        request(running.address, "GET", "/kapacitor/v1/ping", b"").0,
        204
    );
    // The next write starts a new segment, which has room again.
    let (status, text) = write_batch(running.address, &batches[0]);
    assert_eq!(status, 204, "{text}");
    accepted += BATCH;
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "tickflow: task print_temps drained after {accepted} points"
        )),
        "{stderr}"
    );
}

#[test]
fn a_restart_keeps_api_tasks_their_status_and_vars_topic_handlers_and_topic_state() {
    let dir = scratch_dir("durable-api");
    let data = dir.join("data");
    let data_arg = data.to_str().expect("utf-8");
    let running = Running::start(&["serve", "--data-dir", data_arg]);
    let hot = serde_json::json!({
        "id": "hot",
        "script": "dbrp \"db\".\"autogen\"\nvar limit = 10\nstream|from().measurement('cpu')\
                   |alert().id('cpu').crit(lambda: \"value\" > limit).topic('ops')",
        "vars": {"limit": {"type": "int", "value": 5}},
        "status": "enabled",
    });
    let idle = serde_json::json!({
        "id": "idle",
        "script": "dbrp \"db\".\"autogen\"\nstream|from().measurement('mem')",
        "status": "disabled",
    });
    for task in [hot, idle] {
        let (status, text) = post(
            running.address,
            "/kapacitor/v1/tasks",
            task.to_string().as_bytes(),
        );
        assert_eq!(status, 200, "{text}");
    }
    let log = dir.join("ops.log");
    let handler = serde_json::json!({"id": "to-log", "kind": "log", "options": {"path": log}});
    let (status, text) = post(
        running.address,
        "/kapacitor/v1/alerts/topics/ops/handlers",
        handler.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(write_db(running.address, "cpu value=7 1\n"), 204);
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");

    let running = Running::start(&["serve", "--data-dir", data_arg]);
    let hot = get(running.address, "tasks/hot");
    assert_eq!(
        (&hot["status"], &hot["executing"]),
        (&"enabled".into(), &true.into())
    );
    assert_eq!(hot["vars"]["limit"]["value"], 5, "{hot}");
    assert_eq!(get(running.address, "tasks/idle")["status"], "disabled");
    let handlers = get(running.address, "alerts/topics/ops/handlers");
    assert_eq!(handlers["handlers"][0]["id"], "to-log", "{handlers}");
    let event = get(running.address, "alerts/topics/ops/events/cpu");
    assert_eq!(event["state"]["level"], "CRITICAL", "{event}");
    // The restored alert node knows the event is CRITICAL: a recovery is an OK with
    // previousLevel CRITICAL, delivered by the restored handler.
    assert_eq!(write_db(running.address, "cpu value=1 2\n"), 204);
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let lines = std::fs::read_to_string(&log).expect("handler log");
    let levels: Vec<&str> = lines
        .lines()
        .map(|l| {
            if l.contains("\"level\":\"OK\"") {
                "OK"
            } else {
                "CRITICAL"
            }
        })
        .collect();
    assert_eq!(levels, ["CRITICAL", "OK"], "{lines}");
    assert!(
        lines
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("\"previousLevel\":\"CRITICAL\"")),
        "{lines}"
    );
}

#[test]
fn a_restart_keeps_templates_and_the_tasks_made_from_them_linked() {
    let dir = scratch_dir("durable-templates");
    let data = dir.join("data");
    let data_arg = data.to_str().expect("utf-8");
    let running = Running::start(&["serve", "--data-dir", data_arg]);
    let template = serde_json::json!({
        "id": "by_measurement",
        "script": "var m string\nstream|from().measurement(m)|httpOut('out')",
    });
    let (status, text) = post(
        running.address,
        "/kapacitor/v1/templates",
        template.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let task = serde_json::json!({
        "id": "cpu",
        "template-id": "by_measurement",
        "dbrps": [{"db": "db", "rp": "autogen"}],
        "vars": {"m": {"type": "string", "value": "cpu"}},
        "status": "enabled",
    });
    let (status, text) = post(
        running.address,
        "/kapacitor/v1/tasks",
        task.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");

    let running = Running::start(&["serve", "--data-dir", data_arg]);
    let saved = get(running.address, "templates/by_measurement");
    assert_eq!(saved["vars"]["m"]["type"], "string", "{saved}");
    let cpu = get(running.address, "tasks/cpu");
    assert_eq!(cpu["template-id"], "by_measurement", "{cpu}");
    assert_eq!(cpu["executing"], true, "{cpu}");
    // Still linked: updating the template redefines the restored task.
    let update = serde_json::json!({
        "script": "var m string\nstream|from().measurement(m)|httpOut('renamed')",
    });
    let (status, text) = request(
        running.address,
        "PATCH",
        "/kapacitor/v1/templates/by_measurement",
        update.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let cpu = get(running.address, "tasks/cpu");
    assert!(
        cpu["script"]
            .as_str()
            .is_some_and(|s| s.contains("renamed")),
        "{cpu}"
    );
    let (status, text) = request(
        running.address,
        "DELETE",
        "/kapacitor/v1/templates/by_measurement",
        b"",
    );
    assert_eq!(status, 204, "{text}");
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");

    let running = Running::start(&["serve", "--data-dir", data_arg]);
    let (status, _) = request(
        running.address,
        "GET",
        "/kapacitor/v1/templates/by_measurement",
        b"",
    );
    assert_eq!(status, 404, "a deleted template stays deleted");
    let cpu = get(running.address, "tasks/cpu");
    assert!(
        cpu["script"]
            .as_str()
            .is_some_and(|s| s.contains("renamed")),
        "the task keeps its updated script: {cpu}"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// `GET /kapacitor/v1/<path>` as JSON.
fn get(address: SocketAddr, path: &str) -> serde_json::Value {
    let (status, text) = request(address, "GET", &format!("/kapacitor/v1/{path}"), b"");
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

fn write_db(address: SocketAddr, body: &str) -> u16 {
    post(address, "/write?db=db&rp=autogen", body.as_bytes()).0
}
