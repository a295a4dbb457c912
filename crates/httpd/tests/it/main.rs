//! Integration tests of the HTTP server: a real server on a loopback port per test,
//! spoken to with a minimal HTTP/1.1 client over `std::net::TcpStream`.

mod alerts;
mod auth;
mod config;
mod debug_vars;
mod service_tests;
mod shutdown;
mod tasks;
mod templates;
mod traffic;
mod udp;
mod write;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tickflow::engine::diagnostics::Collect;
use tickflow::{Engine, HttpConfig, Stopped};
use tickflow_httpd::Server;

/// A server running on its own runtime thread.
pub struct TestServer {
    /// Where it listens.
    pub address: SocketAddr,
    /// Where its `[[udp]]` listeners listen.
    pub udp: Vec<SocketAddr>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Vec<Stopped>>>,
}

impl TestServer {
    /// A server on a free loopback port with `config` (its bind address is replaced).
    pub fn start(config: HttpConfig) -> TestServer {
        TestServer::start_with(config, tickflow::Config::default())
    }

    /// A server with `[http]` settings `config` and the other sections of `sections`.
    pub fn start_with(config: HttpConfig, sections: tickflow::Config) -> TestServer {
        let config = HttpConfig {
            bind_address: "127.0.0.1:0".into(),
            ..config
        };
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let engine = Engine::builder()
                    .config(sections)
                    .http(config)
                    .diagnostics(Arc::new(Collect::default()))
                    .build()
                    .expect("engine builds");
                let server = Server::bind(Arc::new(engine)).await.expect("server binds");
                let addresses = (
                    server.local_addr().expect("address"),
                    server.udp_addrs().expect("udp addresses"),
                );
                address_tx.send(addresses).expect("test waits");
                server
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
                    .map(|shutdown| shutdown.tasks)
                    .unwrap_or_default()
            })
        });
        let (address, udp) = address_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server starts");
        TestServer {
            address,
            udp,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Shuts the server down and returns how each task ended.
    pub fn stop(mut self) -> Vec<Stopped> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Vec<Stopped> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.thread
            .take()
            .map(|t| t.join().expect("server thread"))
            .unwrap_or_default()
    }

    /// Sends one request.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        send(self.address, method, path, headers, body).expect("request answered")
    }

    /// Posts line protocol to `/write` with `query`.
    pub fn write(&self, query: &str, body: &str) -> Reply {
        self.send("POST", &format!("/write?{query}"), &[], body.as_bytes())
    }

    /// Defines and enables a task counting the points of `db`.`autogen`.
    pub fn counting_task(&self, id: &str, db: &str) {
        let body = serde_json::json!({
            "id": id,
            "script": format!("dbrp \"{db}\".\"autogen\"\nstream|from().measurement('cpu')|where(lambda: TRUE)"),
            "status": "enabled",
        });
        let reply = self.send(
            "POST",
            "/kapacitor/v1/tasks",
            &[],
            body.to_string().as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads the answer.
pub fn send(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw).ok_or_else(|| std::io::Error::other("not an HTTP response"))
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    Some(Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// How many points node `node` of task `task` received, from the drained tasks.
pub fn received(stopped: &[Stopped], task: &str, node: &str) -> u64 {
    let task = stopped
        .iter()
        .find(|s| s.id == task)
        .unwrap_or_else(|| panic!("task {task} was running"));
    task.nodes
        .iter()
        .find(|(n, _)| n == node)
        .map(|(_, s)| s.messages_in)
        .unwrap_or_else(|| panic!("node {node}"))
}

/// `n` cpu points, numbered from `first`.
pub fn cpu_lines(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("cpu,host=h value={i} {i}\n"))
        .collect()
}
