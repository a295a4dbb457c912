//! [`App`]: what every request handler shares: the engine (its configuration, tasks and
//! topics) and the permits that bound how many writes run at once.

use std::sync::Arc;

use tickflow::{Engine, HttpConfig};
use tokio::sync::Semaphore;

/// The server's shared state.
pub struct App {
    /// The engine the server is a shell around.
    pub engine: Arc<Engine>,
    /// One permit per write that may be parsed and routed at once.
    pub writes: Arc<Semaphore>,
}

impl App {
    /// The `[http]` settings.
    pub fn config(&self) -> &HttpConfig {
        self.engine.http_config()
    }

    /// The task records.
    pub fn store(&self) -> &tickflow::tasks::TaskStore {
        self.engine.tasks()
    }

    /// The alert topics every task publishes to.
    pub fn topics(&self) -> &tickflow::alert::TopicHub {
        self.engine.topics()
    }

    /// The body limit, `None` for no limit.
    pub fn body_limit(&self) -> Option<u64> {
        self.config().body_limit()
    }
}
