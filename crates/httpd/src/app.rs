//! [`App`]: what every request handler shares: the engine (its configuration, tasks and
//! topics) and the permits that bound how many writes run at once.

use std::sync::Arc;

use tickflow::{Engine, HttpConfig};
use tokio::sync::Semaphore;

/// The server's shared state.
pub(crate) struct App {
    /// The engine the server is a shell around.
    pub engine: Arc<Engine>,
    /// One permit per write that may be parsed and routed at once.
    pub writes: Arc<Semaphore>,
    /// When the server started, for `uptime`.
    pub started: std::time::Instant,
    /// This server's id in `/debug/vars` (new at each start).
    pub server_id: String,
    /// The cluster id in `/debug/vars` (new at each start).
    pub cluster_id: String,
}

impl App {
    /// The `[http]` settings.
    pub(crate) fn config(&self) -> &HttpConfig {
        self.engine.http_config()
    }

    /// The task records.
    pub(crate) fn store(&self) -> &tickflow::tasks::TaskStore {
        self.engine.tasks()
    }

    /// The alert topics every task publishes to.
    pub(crate) fn topics(&self) -> &tickflow::alert::TopicHub {
        self.engine.topics()
    }

    /// The body limit, `None` for no limit.
    pub(crate) fn body_limit(&self) -> Option<u64> {
        self.config().body_limit()
    }

    /// The whole body of `request`, within the body limit and the read timeout.
    pub(crate) async fn read_body(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<bytes::Bytes, crate::body::BodyError> {
        let timeout = self.config().read_timeout;
        crate::body::read(request.into_body(), self.body_limit(), timeout).await
    }
}
