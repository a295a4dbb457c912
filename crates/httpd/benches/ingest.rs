//! The server end to end over loopback HTTP: ingest throughput with four concurrent
//! clients each POSTing a 5,000-line batch of printer-shaped points (precision `s`) to a
//! task `stream|from()|window()` of the printer script's shape, and the latency from
//! POSTing one point to its alert's line appearing in the log file.
//!
//! Each request is a fresh connection (`Connection: close`), as `printer_data.py` does.
//!
//! `cargo bench -p tickflow-httpd -- --warm-up-time 2 --measurement-time 10`

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow::engine::diagnostics::Collect;
use tickflow::tasks::TaskBody;
use tickflow::{Engine, HttpConfig, Stopped};
use tickflow_httpd::Server;

const CLIENTS: usize = 4;
const BATCH: usize = 5_000;

/// A server on a loopback port running `script` as task `bench`.
struct Bench {
    address: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: JoinHandle<Vec<Stopped>>,
}

impl Bench {
    fn start(script: String) -> Bench {
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let config = HttpConfig {
                    bind_address: "127.0.0.1:0".into(),
                    ..HttpConfig::default()
                };
                let engine = Engine::builder()
                    .http(config)
                    .diagnostics(Arc::new(Collect::default()))
                    .build()
                    .expect("engine builds");
                let server = Server::bind(Arc::new(engine)).await.expect("binds");
                let body = TaskBody {
                    id: Some("bench".into()),
                    script: Some(script),
                    status: Some("enabled".into()),
                    ..TaskBody::default()
                };
                tokio::task::block_in_place(|| server.tasks().create(body)).expect("task starts");
                address_tx
                    .send(server.local_addr().expect("address"))
                    .expect("bench waits");
                server
                    .run(async {
                        let _ = stopped.await;
                    })
                    .await
                    .map(|shutdown| shutdown.tasks)
                    .unwrap_or_default()
            })
        });
        let address = address_rx.recv().expect("server starts");
        Bench {
            address,
            stop,
            thread,
        }
    }

    fn finish(self) {
        let _ = self.stop.send(());
        let stopped = self.thread.join().expect("server thread");
        assert!(stopped.iter().all(|s| s.result.is_ok()));
    }
}

/// POSTs `body` to `/write` and checks for 204.
fn post(address: SocketAddr, body: &[u8]) {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "POST /write?db=printer&rp=autogen&precision=s HTTP/1.1\r\nHost: localhost\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("send head");
    stream.write_all(body).expect("send body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response");
    assert!(
        response.starts_with(b"HTTP/1.1 204"),
        "{}",
        String::from_utf8_lossy(&response)
    );
}

/// `BATCH` printer lines starting at second `start`.
fn batch(start: usize) -> Vec<u8> {
    (start..start + BATCH)
        .map(|t| {
            let wobble = (t * 7919 % 1000) as f64 / 1000.0;
            format!(
                "temperatures hotend={:.6},bed={:.6},air={:.6} {}\n",
                220.0 + wobble,
                90.0 + wobble,
                70.0 + wobble,
                1_451_606_400 + t
            )
        })
        .collect::<String>()
        .into_bytes()
}

fn ingest(c: &mut Criterion) {
    let script = "dbrp \"printer\".\"autogen\"\nstream|from().measurement('temperatures')\
                  |window().period(5m).every(5m)"
        .to_string();
    let bench = Bench::start(script);
    // Each client sends its own series of seconds, so windows keep closing.
    let bodies: Vec<Arc<Vec<u8>>> = (0..CLIENTS)
        .map(|c| Arc::new(batch(c * 1_000_000)))
        .collect();
    let mut group = c.benchmark_group("http_ingest");
    group.throughput(Throughput::Elements((CLIENTS * BATCH) as u64));
    group.sample_size(20);
    group.bench_function("4_clients_x_5000_lines", |b| {
        b.iter(|| {
            let clients: Vec<_> = bodies
                .iter()
                .map(|body| {
                    let (address, body) = (bench.address, Arc::clone(body));
                    std::thread::spawn(move || post(address, &body))
                })
                .collect();
            for client in clients {
                client.join().expect("client");
            }
        });
    });
    group.finish();
    bench.finish();
}

fn alert_latency(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tickflow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let log = dir.join("latency.log");
    let _ = std::fs::remove_file(&log);
    let script = format!(
        "dbrp \"printer\".\"autogen\"\nstream|from().measurement('temperatures')\
         |alert().crit(lambda: \"hotend\" > 250.0).log('{}')",
        log.display()
    );
    let bench = Bench::start(script);
    let mut second = 0usize;
    let mut group = c.benchmark_group("http_alert");
    group.sample_size(50);
    group.bench_function("write_to_log_line", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                // Alternate critical and normal: every point changes the level, so every
                // point is an event and one line.
                second += 1;
                let hotend = if second % 2 == 1 { 300.0 } else { 200.0 };
                let body = format!("temperatures hotend={hotend} {second}\n");
                let before = size(&log);
                let started = Instant::now();
                post(bench.address, body.as_bytes());
                let deadline = started + Duration::from_secs(10);
                while size(&log) == before {
                    assert!(Instant::now() < deadline, "no alert line within 10 s");
                    std::hint::spin_loop();
                }
                total += started.elapsed();
            }
            total
        });
    });
    group.finish();
    bench.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The size of `path` (0 when it does not exist yet): it grows by one line per alert.
fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

criterion_group!(benches, ingest, alert_latency);
criterion_main!(benches);
