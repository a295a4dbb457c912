//! [`App`]: what every request handler shares: the configuration, the task master and
//! store, and the permits that bound how many writes run at once.

use std::sync::Arc;

use tickflow_engine::TaskMaster;
use tokio::sync::Semaphore;

use crate::config::HttpConfig;
use crate::store::TaskStore;

/// The server's shared state.
pub struct App {
    /// The settings.
    pub config: HttpConfig,
    /// Where written points go.
    pub master: Arc<TaskMaster>,
    /// The tasks API's records.
    pub store: TaskStore,
    /// One permit per write that may be parsed and routed at once.
    pub writes: Arc<Semaphore>,
}

impl App {
    /// The alert topics every task publishes to.
    pub fn topics(&self) -> &tickflow_alert::TopicHub {
        &self.master.environment().services.topics
    }

    /// The body limit, `None` for no limit.
    pub fn body_limit(&self) -> Option<u64> {
        (self.config.max_body_size > 0).then_some(self.config.max_body_size)
    }
}
