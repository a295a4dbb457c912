//! [`Producer`]: one handler's connection to a Kafka cluster (rskafka on a tokio runtime
//! of its own), driven from the handler's dispatcher thread: each alert is one produce
//! request, bounded by the section's timeout. The client and the partition clients are
//! made on first use and kept; after a failure they are made anew for the next alert.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rskafka::client::partition::{Compression, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder, SaslConfig};
use rskafka::record::Record;
use rskafka::BackoffConfig;
use tokio::runtime::Runtime;

/// A lazily connected producer.
pub(super) struct Producer {
    brokers: Vec<String>,
    timeout: Option<Duration>,
    sasl: Option<SaslConfig>,
    tls: Option<Arc<rustls::ClientConfig>>,
    runtime: Runtime,
    state: Mutex<Option<Connected>>,
}

/// The client and the partition clients made so far, by topic.
struct Connected {
    client: Client,
    topics: HashMap<String, Vec<Arc<PartitionClient>>>,
}

impl Producer {
    /// A producer for `brokers`; nothing connects until the first alert.
    pub(super) fn new(
        brokers: Vec<String>,
        timeout: Option<Duration>,
        sasl: Option<SaslConfig>,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> std::io::Result<Producer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Producer {
            brokers,
            timeout,
            sasl,
            tls,
            runtime,
            state: Mutex::new(None),
        })
    }

    /// Writes `record` to `topic`, to the partition `pick` chooses given the topic's
    /// partition count.
    pub(super) fn send(
        &self,
        topic: &str,
        pick: impl FnOnce(usize) -> usize,
        record: Record,
    ) -> Result<(), String> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let result = self.runtime.block_on(bounded(self.timeout, async {
            let partitions = self.partitions(&mut state, topic).await?;
            let partition = partitions
                .get(pick(partitions.len()))
                .ok_or_else(|| format!("topic {topic:?} has no partition"))?;
            (partition
                .produce(vec![record], Compression::NoCompression)
                .await)
                .map(drop)
                .map_err(|e| e.to_string())
        }));
        if result.is_err() {
            *state = None;
        }
        result
    }

    /// The partition clients of `topic`, connecting first if need be.
    async fn partitions(
        &self,
        state: &mut Option<Connected>,
        topic: &str,
    ) -> Result<Vec<Arc<PartitionClient>>, String> {
        let connected = match state {
            Some(connected) => connected,
            None => state.insert(Connected {
                client: self.connect().await?,
                topics: HashMap::new(),
            }),
        };
        if let Some(partitions) = connected.topics.get(topic) {
            return Ok(partitions.clone());
        }
        let topics = connected
            .client
            .list_topics()
            .await
            .map_err(|e| e.to_string())?;
        let count = (topics.iter().find(|t| t.name == topic))
            .map(|t| t.partitions.len())
            .ok_or_else(|| format!("unknown topic {topic:?}"))?;
        let mut partitions = Vec::with_capacity(count);
        for partition in 0..i32::try_from(count).unwrap_or(i32::MAX) {
            let client = (connected.client)
                .partition_client(topic, partition, UnknownTopicHandling::Error)
                .await
                .map_err(|e| e.to_string())?;
            partitions.push(Arc::new(client));
        }
        connected
            .topics
            .insert(topic.to_owned(), partitions.clone());
        Ok(partitions)
    }

    /// A client of the cluster; retries stop at the timeout.
    async fn connect(&self) -> Result<Client, String> {
        let mut builder = ClientBuilder::new(self.brokers.clone())
            .client_id("tickflow")
            .backoff_config(BackoffConfig {
                deadline: self.timeout,
                ..BackoffConfig::default()
            });
        if let Some(sasl) = &self.sasl {
            builder = builder.sasl_config(sasl.clone());
        }
        if let Some(tls) = &self.tls {
            builder = builder.tls_config(Arc::clone(tls));
        }
        builder.build().await.map_err(|e| e.to_string())
    }
}

/// `work`, given up after `timeout` if there is one.
async fn bounded<T>(
    timeout: Option<Duration>,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match timeout {
        Some(limit) => (tokio::time::timeout(limit, work).await)
            .unwrap_or_else(|_| Err(format!("timed out after {limit:?}"))),
        None => work.await,
    }
}
