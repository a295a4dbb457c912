//! [`Batching`]: a task's query nodes, and what the task master gives them when it
//! starts the task's schedules (Kapacitor's `StartBatching`): each node's cluster
//! client and jitter. A replay never starts batching, so its query nodes only forward
//! recorded batches.

use std::sync::{Arc, OnceLock};

use tickflow_model::{Dbrp, Duration};

use super::client::{QueryClient, QueryError};
use super::schedule::jitter;
use crate::nodes::influxdb_out::config::{pick, ClusterError, InfluxDbConfig};

/// What a live query node needs: its cluster's client and its delay.
#[derive(Debug)]
pub struct Live {
    /// The cluster's client.
    pub client: QueryClient,
    /// How long each run waits after its scheduled time.
    pub jitter: Duration,
}

/// Why a task's queries cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BatchingError {
    /// `.cluster(…)` names no configured cluster.
    #[error("node {node}: {source}")]
    Cluster {
        /// The node's name.
        node: String,
        /// Why.
        source: ClusterError,
    },
    /// The cluster's client cannot be set up (TLS files).
    #[error("node {node}: {source}")]
    Client {
        /// The node's name.
        node: String,
        /// Why.
        source: QueryError,
    },
    /// `queryFlux()` needs InfluxDB 2.x, which tickflow does not query.
    #[error("node {node}: queryFlux needs an InfluxDB 2.x cluster with a token, and tickflow does not run Flux queries; the task can only be replayed")]
    Flux {
        /// The node's name.
        node: String,
    },
}

/// One query node of a task.
#[derive(Debug)]
struct Source {
    node: String,
    cluster: String,
    flux: bool,
    live: Arc<OnceLock<Live>>,
}

/// A task's query nodes, in script order.
#[derive(Debug, Default)]
pub struct Batching {
    sources: Vec<Source>,
}

impl Batching {
    /// Registers query node `node` on `cluster` (`flux` for `queryFlux()`); the node
    /// holds the returned slot.
    pub fn register(&mut self, node: &str, cluster: &str, flux: bool) -> Arc<OnceLock<Live>> {
        let live = Arc::new(OnceLock::new());
        self.sources.push(Source {
            node: node.to_string(),
            cluster: cluster.to_string(),
            flux,
            live: Arc::clone(&live),
        });
        live
    }

    /// Whether the task has no query node (a stream task).
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Starts the schedules of task `task`: each query node gets its cluster's client
    /// (unqualified measurements in the task's first dbrp) and its jitter. Must be
    /// called before the task's executor starts.
    pub fn start(
        &self,
        task: &str,
        clusters: &[InfluxDbConfig],
        dbrps: &[Dbrp],
    ) -> Result<(), BatchingError> {
        let dbrp = dbrps
            .first()
            .map(|d| (d.database.to_string(), d.retention_policy.to_string()));
        for source in &self.sources {
            if source.flux {
                return Err(BatchingError::Flux {
                    node: source.node.clone(),
                });
            }
            let cluster =
                pick(clusters, &source.cluster).map_err(|source_err| BatchingError::Cluster {
                    node: source.node.clone(),
                    source: source_err,
                })?;
            let client =
                QueryClient::new(&cluster, dbrp.clone()).map_err(|err| BatchingError::Client {
                    node: source.node.clone(),
                    source: err,
                })?;
            let delay = jitter(&format!("{task}/{}", source.node), cluster.query_jitter);
            // A second start of the same task keeps the first clients.
            let _ = source.live.set(Live {
                client,
                jitter: delay,
            });
        }
        Ok(())
    }
}
