//! [`Batching`]: a task's query nodes, and what the task master gives them when it
//! starts the task's schedules (Kapacitor's `StartBatching`): each node's cluster
//! client and jitter. A replay never starts batching, so its query nodes only forward
//! recorded batches.

use std::sync::{Arc, OnceLock};

use tickflow_model::{Dbrp, Duration};

use super::client::QueryClient;
use super::schedule::jitter;
use super::Plan;
use crate::nodes::influxdb_out::config::{pick, ClusterError, InfluxDbConfig};
use crate::nodes::influxdb_out::http::ClusterHttpError;

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
        source: ClusterHttpError,
    },
    /// `queryFlux()` needs an InfluxDB 2.x cluster with a token.
    #[error("node {node}: queryFlux needs an InfluxDB 2.x cluster with a token, and cluster {cluster:?} has none (set token in its [[influxdb]] section); without one the task can only be replayed")]
    Flux {
        /// The node's name.
        node: String,
        /// The cluster's name.
        cluster: String,
    },
}

/// One query node of a task.
#[derive(Debug)]
struct Source {
    node: String,
    cluster: String,
    plan: Arc<Plan>,
    live: Arc<OnceLock<Live>>,
}

/// A task's query nodes, in script order.
#[derive(Debug, Default)]
pub struct Batching {
    sources: Vec<Source>,
}

impl Batching {
    /// Registers query node `node` on `cluster` with its `plan`; the node holds the
    /// returned slot.
    pub fn register(&mut self, node: &str, cluster: &str, plan: Arc<Plan>) -> Arc<OnceLock<Live>> {
        let live = Arc::new(OnceLock::new());
        self.sources.push(Source {
            node: node.to_string(),
            cluster: cluster.to_string(),
            plan,
            live: Arc::clone(&live),
        });
        live
    }

    /// Every query node's name, plan and client for `clusters`, in script order, for a
    /// replay of the past; `queryFlux()` on a cluster without a token is refused.
    pub fn clients(
        &self,
        clusters: &[InfluxDbConfig],
        dbrps: &[Dbrp],
    ) -> Result<Vec<(String, Arc<Plan>, QueryClient)>, BatchingError> {
        let dbrp = first_dbrp(dbrps);
        self.sources
            .iter()
            .map(|source| {
                let (client, _) = source.client(clusters, dbrp.clone())?;
                Ok((source.node.clone(), Arc::clone(&source.plan), client))
            })
            .collect()
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
        let dbrp = first_dbrp(dbrps);
        for source in &self.sources {
            let (client, cluster) = source.client(clusters, dbrp.clone())?;
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

impl Source {
    /// The client of the source's cluster among `clusters`, and the cluster.
    fn client(
        &self,
        clusters: &[InfluxDbConfig],
        dbrp: Option<(String, String)>,
    ) -> Result<(QueryClient, InfluxDbConfig), BatchingError> {
        let cluster = pick(clusters, &self.cluster).map_err(|source| BatchingError::Cluster {
            node: self.node.clone(),
            source,
        })?;
        let client = QueryClient::new(&cluster, dbrp).map_err(|source| BatchingError::Client {
            node: self.node.clone(),
            source,
        })?;
        if self.plan.is_flux() && !client.has_token() {
            return Err(BatchingError::Flux {
                node: self.node.clone(),
                cluster: cluster.name,
            });
        }
        Ok((client, cluster))
    }
}

/// Where unqualified measurements are looked up: the task's first dbrp.
fn first_dbrp(dbrps: &[Dbrp]) -> Option<(String, String)> {
    dbrps
        .first()
        .map(|d| (d.database.to_string(), d.retention_policy.to_string()))
}
