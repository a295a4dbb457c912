//! [`Influxd`]: a real InfluxDB 1.x (Debian's `influxdb`) for tests, `influxd` started
//! on free loopback ports with a throw-away data directory, killed and removed on drop.
//! Without `influxd` on the PATH [`Influxd::start`] panics under CI (`CI=true`) and
//! returns `None` with a notice elsewhere (`.ci/run` installs it).
//!
//! Requests go over a plain [`TcpStream`] (`Connection: close`, a `Content-Length` or
//! chunked answer): enough for InfluxDB's small answers in tests.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        let (http, rpc) = (crate::free_port(), crate::free_port());
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
        self.post(&format!("{path}?{query}"), b"")
    }

    /// POSTs `body` to `target` (path and query); the status and body, or `None` when
    /// nothing answered.
    pub fn post(&self, target: &str, body: &[u8]) -> Option<(u16, String)> {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body).ok()?;
        read_response(BufReader::new(stream))
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

    /// Creates database `db` and writes line protocol `lines` (precision `s`, none for
    /// an empty text) into it.
    pub fn seed(&self, db: &str, lines: &str) {
        self.write(db, "s", lines.as_bytes());
    }

    /// Creates database `db` and writes line protocol `lines` with `precision` into it.
    pub fn write(&self, db: &str, precision: &str, lines: &[u8]) {
        let (status, body) = self
            .request("/query", &format!("q=CREATE%20DATABASE%20{db}"))
            .expect("influxd answers");
        assert_eq!(status, 200, "{body}");
        if lines.is_empty() {
            return;
        }
        let target = format!("/write?db={db}&precision={precision}");
        let (status, body) = self.post(&target, lines).expect("influxd answers");
        assert_eq!(status, 204, "{body}");
    }

    /// The names of the subscriptions on database `db`.
    pub fn subscriptions(&self, db: &str) -> Vec<String> {
        let (_, body) = self
            .request("/query", "q=SHOW%20SUBSCRIPTIONS")
            .expect("influxd answers");
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        let series = json["results"][0]["series"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        series
            .iter()
            .filter(|s| s["name"] == db)
            .flat_map(|s| s["values"].as_array().cloned().unwrap_or_default())
            .filter_map(|row| row[1].as_str().map(String::from))
            .collect()
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

/// Reads a response: the status and the body (by `Content-Length`, chunks, or to the end).
fn read_response(mut reader: impl BufRead) -> Option<(u16, String)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut chunked = false;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        chunked |= lower.starts_with("transfer-encoding:") && lower.contains("chunked");
    }
    let mut body = Vec::new();
    if !chunked {
        reader.read_to_end(&mut body).ok()?;
        return Some((status, String::from_utf8_lossy(&body).into_owned()));
    }
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
        if size == 0 {
            return Some((status, String::from_utf8_lossy(&body).into_owned()));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).ok()?;
        line.clear();
        reader.read_line(&mut line).ok()?;
    }
}
