//! `tickflow run` against hostile clients and timestamps, on loopback: slow bodies do
//! not stall other writers, an over-limit body gets a 413 the client reads, a body of
//! bad lines gets a bounded 400, and a point in the year 2200 in the printer day neither
//! stalls the task (with the time guard it is refused; without, the points behind it are
//! dropped as late, so the window holds none of them). `tickflow replay --max-future`
//! refuses the same point by its line.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::replay::{printer_script, write};
use crate::server::{poll, post, request, Running};
use crate::{root, scratch_dir};

const WRITE: &str = "/write?db=printer&rp=autogen";

/// A line of the printer's measurement in the year 2200.
const YEAR_2200: &str = "temperatures air=70,bed=90,hotend=220 7258118400000000000";

/// `tickflow run print_temps.tick` in a fresh directory, with `config` when not empty.
fn run_printer(test: &str, config: &str) -> (std::path::PathBuf, Running) {
    let dir = scratch_dir(test);
    let script = printer_script(&dir);
    let config = write(&dir, "tickflow.conf", config);
    let running = Running::start(&["run", &script, "--config", &config]);
    (dir, running)
}

/// Opens a write whose body (of `length` bytes) never comes past its first bytes.
fn slow_body(running: &Running, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(running.address).expect("connect");
    write!(
        stream,
        "POST {WRITE} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\ntemper"
    )
    .expect("send head");
    stream
}

#[test]
fn eight_slow_bodies_do_not_stall_a_ninth_writer() {
    let (_dir, running) = run_printer("hostile-slow", "[http]\nread-timeout = \"3s\"\n");
    let slow: Vec<TcpStream> = (0..8).map(|_| slow_body(&running, 1000)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    for chunk in data.lines().take(5000).collect::<Vec<_>>().chunks(1000) {
        let started = Instant::now();
        let (status, text) = post(running.address, WRITE, chunk.join("\n").as_bytes());
        assert_eq!(status, 204, "{text}");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "a write took {took:?}");
    }
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("task print_temps drained after 5000 points"),
        "{stderr}"
    );
}

#[test]
fn a_body_over_the_limit_gets_a_413_the_client_reads() {
    let (_dir, running) = run_printer("hostile-large", "");
    // 40 MB, over the 25 MB default, sent whole before the reply is read.
    let body = vec![b'x'; 40_000_000];
    assert_eq!(
        post(running.address, WRITE, &body),
        (413, "http: request body too large\n".to_string())
    );
    // A client that waits for 100 Continue is answered before it sends anything.
    let mut stream = TcpStream::connect(running.address).expect("connect");
    write!(
        stream,
        "POST {WRITE} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\
         Content-Length: 40000000\r\n\r\n"
    )
    .expect("send head");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.ends_with("\r\n\r\nhttp: request body too large\n"),
        "{answer}"
    );
}

#[test]
fn a_body_of_bad_lines_gets_a_bounded_400() {
    let (_dir, running) = run_printer("hostile-bad-lines", "");
    let line = format!("temperatures {} 1\n", "x".repeat(200));
    let lines = 24_000_000 / line.len();
    let body = line.repeat(lines);
    let (status, text) = post(running.address, WRITE, body.as_bytes());
    assert_eq!(status, 400);
    assert!(text.len() < 4096, "a reply of {} bytes", text.len());
    let first = text.lines().next().expect("a line");
    assert_eq!(
        first,
        format!(
            "unable to parse 'temperatures {}...': invalid field format",
            "x".repeat(87)
        )
    );
    assert!(
        text.ends_with(&format!("and {} more lines refused\n", lines - 20)),
        "{text}"
    );
}

/// Posts the printer day in chunks of 5000 lines, `far` inserted after line `at`;
/// returns each reply that is not a 204.
fn post_printer_day(running: &Running, far: &str, at: usize) -> Vec<(u16, String)> {
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    let mut lines: Vec<&str> = data.lines().collect();
    lines.insert(at, far);
    let mut refused = Vec::new();
    for chunk in lines.chunks(5000) {
        let reply = post(running.address, WRITE, chunk.join("\n").as_bytes());
        if reply.0 != 204 {
            refused.push(reply);
        }
    }
    refused
}

/// The `late` counter of the printer task's window node.
fn window_late(running: &Running) -> u64 {
    let path = "/kapacitor/v1/tasks/print_temps";
    let (status, body) = request(running.address, "GET", path, b"");
    assert_eq!(status, 200, "{body}");
    let task: Value = serde_json::from_str(&body).expect("task JSON");
    task["stats"]["node-stats"]["window2"]["late"]
        .as_u64()
        .unwrap_or_default()
}

/// How many alert events the printer script logged.
fn alert_events(dir: &std::path::Path) -> usize {
    ["hotend", "bed", "air"]
        .iter()
        .map(|sensor| {
            let log = std::fs::read_to_string(dir.join(format!("{sensor}_failure.log")))
                .unwrap_or_default();
            log.lines().count()
        })
        .sum()
}

#[test]
fn a_far_future_point_is_refused_by_the_time_guard_and_the_day_alerts_in_full() {
    let (dir, running) = run_printer("hostile-guarded", "[http]\nmax-future = \"1h\"\n");
    let refused = post_printer_day(&running, YEAR_2200, 1000);
    assert_eq!(refused.len(), 1, "{refused:?}");
    let (status, text) = &refused[0];
    assert_eq!(*status, 400);
    assert!(
        text.starts_with("point time 2200-01-01T00:00:00Z is more than 3600s after the clock (")
            && text.ends_with(&format!("): '{YEAR_2200}'\n")),
        "{text}"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(alert_events(&dir), 19);
}

#[test]
fn replay_max_future_refuses_the_far_point_by_its_line_and_the_day_alerts_in_full() {
    let dir = scratch_dir("hostile-replay-guard");
    let script = printer_script(&dir);
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    let mut lines: Vec<&str> = data.lines().collect();
    lines.insert(1000, YEAR_2200);
    let file = write(&dir, "day.lp", &lines.join("\n"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(["replay", &script, "--data", &file, "--max-future", "1h"])
        .output()
        .expect("tickflow runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let expected =
        "day.lp: line 1001: point time 2200-01-01T00:00:00Z is more than 3600s after the clock (";
    let refused: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("point time"))
        .collect();
    assert!(
        refused.len() == 1
            && refused[0].contains(expected)
            && refused[0].ends_with(&format!("): '{YEAR_2200}'")),
        "{stderr}"
    );
    assert_eq!(alert_events(&dir), 19);
}

#[test]
fn without_the_guard_a_far_future_point_is_named_and_the_points_behind_it_are_late() {
    let (_dir, running) = run_printer("hostile-unguarded", "");
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    let lines: Vec<&str> = data.lines().collect();
    let (head, rest) = lines.split_at(1000);
    let mut first = head.to_vec();
    first.push(YEAR_2200);
    assert_eq!(
        post(running.address, WRITE, first.join("\n").as_bytes()).0,
        204
    );
    // The window holds none of the points behind the far one: each is dropped as late
    // as the task reads it (the window's own test checks its buffer stays at two
    // points; the resident size is too noisy beside other tests to show it).
    for chunk in rest.chunks(5000) {
        let body = chunk.join("\n");
        assert_eq!(post(running.address, WRITE, body.as_bytes()).0, 204);
    }
    poll("every point behind the far one to be late", || {
        window_late(&running) == rest.len() as u64
    });
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "node window2: task print_temps: point of group \"nil\" at 2200-01-01T00:00:00Z \
             is more than 1000 windows ahead"
        ),
        "{stderr}"
    );
}
