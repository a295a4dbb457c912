//! The `[task]` section (tickflow's): what happens to a task whose node fails. By
//! default it is restarted after `restart-backoff`, the wait doubling with each restart
//! up to `restart-max-backoff`, at most `max-restarts` times.

use serde::{Deserialize, Serialize};
use tickflow_engine::RestartPolicy;
use tickflow_model::parse_go_duration;

/// `[task]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct TaskSection {
    /// Whether a failed task is restarted.
    pub restart: bool,
    /// The wait before the first restart.
    pub restart_backoff: String,
    /// The longest wait between restarts.
    pub restart_max_backoff: String,
    /// How many restarts before the task is left failed.
    pub max_restarts: u64,
}

impl Default for TaskSection {
    fn default() -> Self {
        let policy = RestartPolicy::default();
        TaskSection {
            restart: policy.enabled,
            restart_backoff: "1s".into(),
            restart_max_backoff: "1m".into(),
            max_restarts: policy.max_restarts,
        }
    }
}

/// Why `[task]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskSectionError {
    /// A backoff is not a positive duration.
    #[error("invalid {key} {value:?}: expected a duration such as \"1s\" or \"500ms\"")]
    Duration {
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
    },
}

impl TaskSection {
    /// The restart policy the section describes.
    pub fn restart_policy(&self) -> Result<RestartPolicy, TaskSectionError> {
        Ok(RestartPolicy {
            enabled: self.restart,
            initial: duration("restart-backoff", &self.restart_backoff)?,
            max: duration("restart-max-backoff", &self.restart_max_backoff)?,
            max_restarts: self.max_restarts,
        })
    }
}

/// `value` of `key` as a positive duration.
fn duration(key: &'static str, value: &str) -> Result<std::time::Duration, TaskSectionError> {
    parse_go_duration(value)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| TaskSectionError::Duration {
            key,
            value: value.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_defaults_restart_with_backoff() {
        let policy = TaskSection::default().restart_policy().expect("valid");
        assert_eq!(policy, RestartPolicy::default());
        assert_eq!(policy.max, Duration::from_secs(60));
    }

    #[test]
    fn a_bad_backoff_is_named() {
        let section = TaskSection {
            restart_backoff: "0s".into(),
            ..TaskSection::default()
        };
        assert_eq!(
            section.restart_policy().expect_err("zero").to_string(),
            "invalid restart-backoff \"0s\": expected a duration such as \"1s\" or \"500ms\""
        );
    }
}
