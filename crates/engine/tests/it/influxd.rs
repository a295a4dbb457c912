//! [`Influxd`]: a real InfluxDB 1.x for tests, `influxd` started on free loopback ports
//! with a throw-away data directory. Without `influxd` on the PATH the tests fail under CI
//! (`CI=true`) and are skipped with a notice elsewhere (`apt-get install influxdb`).

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tickflow_alert::http::{post, HttpUrl, Request};
use tickflow_engine::nodes::influxdb_out::config::InfluxDbConfig;

/// A running `influxd`, killed and its directory removed on drop.
pub struct Influxd {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Influxd {
    /// Starts `influxd`, or `None` (after a notice) when it is not installed outside CI.
    pub fn start(name: &str) -> Option<Influxd> {
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
        let child = spawn(&dir);
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
    pub fn request(&self, path: &str, query: &str) -> Option<(u16, String)> {
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
    pub fn select(&self, db: &str, select: &str) -> serde_json::Value {
        let query = format!(
            "db={db}&q={}",
            select.replace(' ', "%20").replace('*', "%2A")
        );
        let (status, body) = self.request("/query", &query).expect("influxd answers");
        assert_eq!(status, 200, "{body}");
        let result: serde_json::Value = serde_json::from_str(&body).expect("json");
        result["results"][0]["series"][0].clone()
    }

    /// Creates database `db` and writes line protocol `lines` (precision `s`) into it.
    pub fn seed(&self, db: &str, lines: &str) {
        let (status, body) = self
            .request("/query", &format!("q=CREATE%20DATABASE%20{db}"))
            .expect("influxd answers");
        assert_eq!(status, 200, "{body}");
        let url = HttpUrl::parse(&format!("{}/write?db={db}&precision=s", self.url)).expect("url");
        let response = post(&Request {
            url: &url,
            headers: &[],
            content_type: None,
            body: lines.as_bytes(),
            timeout: Duration::from_secs(5),
        })
        .expect("influxd answers");
        assert_eq!(
            response.status,
            204,
            "{:?}",
            String::from_utf8_lossy(&response.body)
        );
    }

    /// Kills the server (its directory stays until drop).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the killed server again on the same port and data, and waits for it.
    pub fn restart(&mut self) {
        self.child = spawn(&self.dir);
        self.wait_ready();
    }

    /// The cluster configuration pointing at this server.
    pub fn cluster(&self) -> Vec<InfluxDbConfig> {
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

/// Runs `influxd` with the configuration in `dir`, logging to `dir/influxd.log`.
fn spawn(dir: &std::path::Path) -> Child {
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("influxd.log"))
        .expect("log");
    Command::new("influxd")
        .arg("-config")
        .arg(dir.join("influxdb.conf"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("influxd starts")
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
