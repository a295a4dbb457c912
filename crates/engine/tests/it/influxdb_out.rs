//! `influxDBOut` against a real InfluxDB 1.x: an `influxd` started on free loopback ports
//! with a throw-away data directory. Without `influxd` on the PATH the tests fail under CI
//! (`CI=true`) and are skipped with a notice elsewhere (`apt-get install influxdb`).

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_alert::http::{post, HttpUrl, Request};
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::executor::Inline;
use tickflow_engine::nodes::influxdb_out::config::InfluxDbConfig;
use tickflow_engine::{Environment, Task};
use tickflow_model::{Fields, Message, Point, Tags, Time};
use tickflow_pipeline::BuildOptions;

/// A running `influxd`, killed and its directory removed on drop.
struct Influxd {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl Influxd {
    /// Starts `influxd`, or `None` (after a notice) when it is not installed outside CI.
    fn start(name: &str) -> Option<Influxd> {
        if Command::new("influxd").arg("version").output().is_err() {
            let message = "influxd not found: install InfluxDB 1.x (apt-get install influxdb)";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("skipping {name}: {message}");
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("tickflow-influxd-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        let (http, rpc) = (free_port(), free_port());
        let d = dir.display();
        let config = format!(
            "reporting-disabled = true\nbind-address = \"127.0.0.1:{rpc}\"\n\
             [meta]\n  dir = \"{d}/meta\"\n\
             [data]\n  dir = \"{d}/data\"\n  wal-dir = \"{d}/wal\"\n  query-log-enabled = false\n\
             [http]\n  bind-address = \"127.0.0.1:{http}\"\n  log-enabled = false\n\
             [monitor]\n  store-enabled = false\n"
        );
        fs::write(dir.join("influxdb.conf"), config).expect("config");
        let log = fs::File::create(dir.join("influxd.log")).expect("log");
        let child = Command::new("influxd")
            .arg("-config")
            .arg(dir.join("influxdb.conf"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("influxd starts");
        let server = Influxd {
            child,
            dir,
            url: format!("http://127.0.0.1:{http}"),
        };
        server.wait_ready();
        Some(server)
    }

    /// Waits until `/query` answers (the client only POSTs, which `/ping` refuses).
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let shown = self.request("/query", "q=SHOW%20DATABASES");
            if shown.is_some_and(|(status, _)| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = fs::read_to_string(self.dir.join("influxd.log")).unwrap_or_default();
        panic!("influxd did not answer /query within 30s:\n{log}");
    }

    /// POSTs to `path?query`; the status and body, or `None` when nothing answered.
    fn request(&self, path: &str, query: &str) -> Option<(u16, String)> {
        let url = HttpUrl::parse(&format!("{}{path}?{query}", self.url)).expect("url");
        let response = post(&Request {
            url: &url,
            headers: &[],
            content_type: None,
            body: b"",
            timeout: Duration::from_secs(5),
        })
        .ok()?;
        Some((
            response.status,
            String::from_utf8_lossy(&response.body).into_owned(),
        ))
    }

    /// The rows of `select` in database `db`, as JSON.
    fn select(&self, db: &str, select: &str) -> serde_json::Value {
        let query = format!(
            "db={db}&q={}",
            select.replace(' ', "%20").replace('*', "%2A")
        );
        let (status, body) = self.request("/query", &query).expect("influxd answers");
        assert_eq!(status, 200, "{body}");
        let result: serde_json::Value = serde_json::from_str(&body).expect("json");
        result["results"][0]["series"][0].clone()
    }

    fn cluster(&self) -> Vec<InfluxDbConfig> {
        vec![InfluxDbConfig {
            name: "test".into(),
            urls: vec![self.url.clone()],
            username: String::new(),
            password: String::new(),
            default: true,
            enabled: true,
            ..InfluxDbConfig::default()
        }]
    }
}

impl Drop for Influxd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A task running `script` inline, writing to `server`.
fn task(script: &str, server: &Influxd) -> (Inline, Arc<Collect>) {
    let program = tickflow_tickscript::parse(script).expect("script parses");
    let pipeline =
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
    let environment = Environment {
        influxdb: server.cluster(),
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
