//! `tickflow run` and `tickflow serve` as users run them: the real binary on a loopback
//! port, fed over real HTTP, stopped with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::replay::{assert_anomalies_found, printer_script, write};
use tickflow_testkit::influxd::Influxd;

use crate::{root, scratch_dir, tickflow};

/// A running `tickflow` server, killed if a test fails before stopping it.
pub(crate) struct Running {
    child: Child,
    pub(crate) address: SocketAddr,
    stderr: mpsc::Receiver<String>,
    /// The stderr lines read so far.
    seen: Vec<String>,
}

impl Running {
    /// Starts `tickflow <args> --bind 127.0.0.1:0` and waits for its listening line;
    /// without a `--data-dir` among `args`, on a fresh data dir of its own.
    pub(crate) fn start(args: &[&str]) -> Running {
        let own_dir = (!args.contains(&"--data-dir")).then(fresh_data_dir);
        let own_dir = own_dir
            .iter()
            .flat_map(|dir| ["--data-dir".as_ref(), dir.as_os_str()]);
        let mut command = Command::new(env!("CARGO_BIN_EXE_tickflow"));
        command.args(args).args(own_dir);
        Running::launch(command)
    }

    /// Runs `command` (which starts tickflow with `args`) with `--bind 127.0.0.1:0` and
    /// waits for its listening line.
    pub(crate) fn launch(mut command: Command) -> Running {
        let mut child = command
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tickflow starts");
        let (tx, stderr) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr piped");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut running = Running {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
            seen: Vec::new(),
        };
        let line = running.wait_for("tickflow: listening on ");
        running.address = line["tickflow: listening on ".len()..]
            .parse()
            .expect("an address");
        running
    }

    /// The first stderr line starting with `prefix` (waiting at most 60 s for it).
    pub(crate) fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.starts_with(prefix)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no stderr line starting with {prefix:?} in {:?}", self.seen),
            }
        }
    }

    /// Sends SIGTERM and waits (at most 120 s) for the exit; returns it and the rest of
    /// stderr.
    pub(crate) fn terminate(self) -> (ExitStatus, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        self.exit()
    }

    /// The process id, to send it signals.
    pub(crate) fn child_id(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL, as a crash or the OOM killer would, and waits
    /// for it to be gone.
    pub(crate) fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Whether the process has exited.
    pub(crate) fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_some()
    }

    /// Waits (two minutes at most) for the process to exit on its own; its exit status
    /// and the stderr lines not yet read.
    pub(crate) fn exit(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "tickflow did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(50));
        let rest: Vec<String> = self.stderr.try_iter().collect();
        (status, rest.join("\n"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A data dir no other server uses.
fn fresh_data_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    scratch_dir(&format!("data-{n}"))
}

/// POSTs `body` to `path` and returns the status and body.
pub(crate) fn post(address: SocketAddr, path: &str, body: &[u8]) -> (u16, String) {
    request(address, "POST", path, body)
}

/// Sends `method path` with `body` and returns the status and body.
pub(crate) fn request(address: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("send head");
    stream.write_all(body).expect("send body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Checks the run's exit and that it drained every point of the day.
fn assert_clean_stop(running: Running) {
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("tickflow: task print_temps drained after 86402 points"),
        "{stderr}"
    );
}

#[test]
fn run_finds_the_printer_anomalies_in_data_posted_over_http() {
    let dir = scratch_dir("server-printer");
    let script = printer_script(&dir);
    let mut running = Running::start(&["run", &script]);
    let dag = running.wait_for("tickflow: task print_temps: ");
    assert!(
        dag.contains("executing stream task on \"printer\".\"autogen\": stream0 -> from1, from1 -> window2, window2 -> tTest3"),
        "{dag}"
    );
    let data = std::fs::read_to_string(root().join("testdata/printer_24h.lp")).expect("data");
    let lines: Vec<&str> = data.lines().collect();
    for chunk in lines.chunks(5000) {
        let body = chunk.join("\n");
        let (status, text) = post(
            running.address,
            "/write?db=printer&rp=autogen",
            body.as_bytes(),
        );
        assert_eq!(status, 204, "{text}");
    }
    assert_clean_stop(running);
    assert_anomalies_found(&dir);
}

#[test]
fn run_finds_the_printer_anomalies_posted_by_the_generator() {
    let dir = scratch_dir("server-generator");
    let script = printer_script(&dir);
    let running = Running::start(&["run", &script]);
    let url = format!("http://{}/write?db=printer&rp=autogen", running.address);
    let out = Command::new("python3")
        .arg(root().join("testdata/printer_data.py"))
        .args(["--url", &url])
        .output()
        .expect("python3 runs testdata/printer_data.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean_stop(running);
    assert_anomalies_found(&dir);
}

#[test]
fn serve_reads_its_config_and_takes_tasks_over_the_api() {
    let dir = scratch_dir("server-serve");
    let config = write(
        &dir,
        "kapacitor.conf",
        "[http]\nmax-body-size = 100\n[udf]\n[udf.functions]\n",
    );
    let running = Running::start(&["serve", "--config", &config]);
    let task = serde_json::json!({
        "id": "cpu",
        "script": "dbrp \"db\".\"autogen\"\nstream|from().measurement('cpu')",
        "status": "enabled",
    });
    let (status, text) = post(
        running.address,
        "/kapacitor/v1/tasks",
        task.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let (status, text) = post(
        running.address,
        "/write?db=db&rp=autogen",
        b"cpu value=1 1\n",
    );
    assert_eq!((status, text.as_str()), (204, ""));
    let (status, text) = post(running.address, "/write?db=db", &[b'#'; 101]);
    assert_eq!(
        (status, text.as_str()),
        (413, "http: request body too large\n")
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("tickflow: task cpu drained after 1 points"),
        "{stderr}"
    );
}

#[test]
fn run_refuses_bad_scripts_and_configs_before_serving() {
    let dir = scratch_dir("server-refuse");
    let script = write(&dir, "typo.tick", "stream|from().peroid(1m)\n");
    let out = tickflow(&["run", &script, "--bind", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("typo.tick:1:"), "{stderr}");

    let unsupported = write(
        &dir,
        "autoscales.tick",
        "dbrp \"db\".\"rp\"\nstream|from()|k8sAutoscale()\n",
    );
    let out = tickflow(&["run", &unsupported, "--bind", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "autoscales.tick: node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet"
        ),
        "{stderr}"
    );

    let config = write(&dir, "bad.conf", "[http]\nwrite-timeout = \"soon\"\n");
    let out = tickflow(&["serve", "--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid write-timeout \"soon\""),
        "{stderr}"
    );
    let missing: PathBuf = dir.join("missing.conf");
    let out = tickflow(&["serve", "--config", missing.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
}

/// Polls `done` every 100 ms for at most 60 s.
pub(crate) fn poll(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn run_gets_the_printer_data_written_into_influxdb_through_its_own_subscription() {
    let Some(influxd) = Influxd::start("cli-subscription") else {
        return;
    };
    influxd.write("printer", "n", b"");
    let dir = scratch_dir("server-subscription");
    let script = printer_script(&dir);
    let config = write(
        &dir,
        "kapacitor.conf",
        &format!(
            "[[influxdb]]\nname = \"local\"\nurls = [\"{}\"]\nkapacitor-hostname = \"127.0.0.1\"\n",
            influxd.url
        ),
    );
    let running = Running::start(&["run", "--config", &config, &script]);
    let name = format!("tickflow-127.0.0.1-{}", running.address.port());
    poll("the subscription", || {
        influxd.subscriptions("printer") == [name.clone()]
    });
    let data = std::fs::read(root().join("testdata/printer_24h.lp")).expect("data");
    let collected = || {
        let (_, body) = request(
            running.address,
            "GET",
            "/kapacitor/v1/tasks/print_temps",
            b"",
        );
        let task: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        task["stats"]["node-stats"]["stream0"]["collected"].as_u64()
    };
    // InfluxDB forwards a subscription's writes concurrently, so two writes in flight
    // may arrive in either order: each chunk is written once the last has arrived.
    let mut sent = 0;
    for chunk in data.split(|&b| b == b'\n').collect::<Vec<_>>().chunks(5000) {
        influxd.write("printer", "n", &chunk.join(&b'\n'));
        sent += chunk.iter().filter(|line| !line.is_empty()).count() as u64;
        poll("the chunk through the subscription", || {
            collected() == Some(sent)
        });
    }
    assert_eq!(sent, 86402);
    assert_clean_stop(running);
    assert_anomalies_found(&dir);
    assert!(
        influxd.subscriptions("printer").is_empty(),
        "dropped when tickflow stops"
    );
}

#[test]
fn serve_runs_a_batch_task_over_the_api_against_influxdb() {
    let Some(influxd) = Influxd::start("cli-batch") else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    influxd.seed("telegraf", &format!("cpu,host=a usage=97 {}\n", now - 2));
    let dir = scratch_dir("server-batch");
    let config = write(
        &dir,
        "kapacitor.conf",
        &format!(
            "[[influxdb]]\nname = \"local\"\nurls = [\"{}\"]\ndisable-subscriptions = true\n",
            influxd.url
        ),
    );
    let running = Running::start(&["serve", "--config", &config]);
    let script = "dbrp \"telegraf\".\"autogen\"\nbatch\n    |query('SELECT max(usage) AS usage FROM \"telegraf\".\"autogen\".cpu')\n        .period(1m)\n        .every(100ms)\n        .groupBy('host')\n    |httpOut('last')\n";
    let task =
        serde_json::json!({"id": "cpu", "type": "stream", "script": script, "status": "enabled"});
    let (status, text) = post(
        running.address,
        "/kapacitor/v1/tasks",
        task.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let created: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(created["type"], "batch", "the type is the script's");
    poll("a batch", || {
        let (_, body) = request(running.address, "GET", "/kapacitor/v1/tasks/cpu/last", b"");
        body.contains("\"usage\"")
    });
    let (_, body) = request(running.address, "GET", "/kapacitor/v1/tasks/cpu/last", b"");
    let out: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(out["series"][0]["tags"]["host"], "a", "{body}");
    assert_eq!(out["series"][0]["values"][0][1], 97.0, "{body}");
    let (_, body) = request(running.address, "GET", "/kapacitor/v1/tasks/cpu", b"");
    let task: serde_json::Value = serde_json::from_str(&body).expect("json");
    let dot = task["dot"].as_str().expect("a graph");
    assert!(dot.contains(" batches/s\"]"), "{dot}");
    assert!(
        task["stats"]["task-stats"]["throughput"].as_f64() > Some(0.0),
        "{body}"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
}
