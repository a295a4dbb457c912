//! The `[task]` section (tickflow's): what happens to a task whose node fails. By
//! default it is restarted after `restart-backoff`, the wait doubling with each restart
//! up to `restart-max-backoff`, at most `max-restarts` times.
//!
//! It also bounds the groups every task keeps ([`GroupLimits`]), which Kapacitor never
//! does: `memory-limit` (`"256MB"`, `"64MiB"`, bytes) and `idle-group-expiry` (`"1h"`,
//! event time). Both are off by default (empty).

use serde::{Deserialize, Serialize};
use tickflow_engine::{GroupLimits, RestartPolicy};
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
    /// The estimated bytes a task's window may hold before its least recently seen
    /// groups are expired; empty for no limit.
    pub memory_limit: String,
    /// How long (event time) a group may go unseen before it is expired; empty for
    /// never.
    pub idle_group_expiry: String,
}

impl Default for TaskSection {
    fn default() -> Self {
        let policy = RestartPolicy::default();
        TaskSection {
            restart: policy.enabled,
            restart_backoff: "1s".into(),
            restart_max_backoff: "1m".into(),
            max_restarts: policy.max_restarts,
            memory_limit: String::new(),
            idle_group_expiry: String::new(),
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
    /// `memory-limit` is not a size.
    #[error("invalid memory-limit {0:?}: expected a size such as \"256MB\", \"64MiB\" or bytes")]
    Size(String),
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

impl TaskSection {
    /// The bounds on the groups tasks keep.
    pub fn group_limits(&self) -> Result<GroupLimits, TaskSectionError> {
        let memory = (!self.memory_limit.is_empty())
            .then(|| size(&self.memory_limit))
            .transpose()?;
        let idle = (!self.idle_group_expiry.is_empty())
            .then(|| duration("idle-group-expiry", &self.idle_group_expiry))
            .transpose()?
            .map(|d| {
                tickflow_model::Duration::from_nanos(
                    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
                )
            });
        Ok(GroupLimits { memory, idle })
    }
}

/// `value` as a positive number of bytes, with an optional decimal (`KB`, `MB`, `GB`)
/// or binary (`KiB`, `MiB`, `GiB`) unit.
fn size(value: &str) -> Result<usize, TaskSectionError> {
    let text = value.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: usize = match unit.trim() {
        "" | "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(TaskSectionError::Size(value.to_string())),
    };
    number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| TaskSectionError::Size(value.to_string()))
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
    fn group_limits_are_off_by_default_and_read_with_units() {
        assert_eq!(
            TaskSection::default().group_limits().expect("valid"),
            GroupLimits::default()
        );
        let section = TaskSection {
            memory_limit: "64MiB".into(),
            idle_group_expiry: "1h".into(),
            ..TaskSection::default()
        };
        let limits = section.group_limits().expect("valid");
        assert_eq!(limits.memory, Some(64 << 20));
        assert_eq!(limits.idle.map(|d| d.as_secs_f64()), Some(3600.0));
        assert_eq!(size("256MB"), Ok(256_000_000));
        assert_eq!(size("1000"), Ok(1000));
        for bad in ["0", "12 parsecs", "MB", "-1KB"] {
            assert_eq!(size(bad), Err(TaskSectionError::Size(bad.into())), "{bad}");
        }
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
