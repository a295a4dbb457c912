//! The `[load]` section: a directory of tasks, templates and topic handlers loaded when
//! the engine starts (Kapacitor's load service; [`crate::load`]).

use serde::{Deserialize, Serialize};

/// `[load]` as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct LoadSection {
    /// Whether to load the directory.
    pub enabled: bool,
    /// The directory holding `tasks/`, `templates/` and `handlers/`.
    pub dir: String,
}
