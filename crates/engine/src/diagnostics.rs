//! [`Diagnostics`]: where a task reports what goes wrong while it runs.
//!
//! The engine is a library: it does not decide where messages go. The embedding program
//! passes a `Diagnostics`; the CLI's prints to stderr, tests collect into memory.

use std::sync::Mutex;

/// Receives per-message node errors (already counted in the node's stats).
pub trait Diagnostics: Send + Sync {
    /// Node `node` dropped a message because of `error`.
    fn node_error(&self, node: &str, error: &dyn std::error::Error);

    /// Task `task` stopped because a node failed (`message` says which, why and what
    /// happens next). Written at error level: the task no longer processes data.
    fn task_failed(&self, task: &str, message: &str) {
        eprintln!("E! task {task} failed: {message}");
    }
}

/// Writes each error as one line on stderr: `node window2: <error>`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stderr;

impl Diagnostics for Stderr {
    fn node_error(&self, node: &str, error: &dyn std::error::Error) {
        eprintln!("node {node}: {error}");
    }
}

/// Keeps every error in memory, for tests and for callers that show them later.
#[derive(Debug, Default)]
pub struct Collect {
    errors: Mutex<Vec<String>>,
}

impl Collect {
    /// The errors so far, as `node: message` lines.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Diagnostics for Collect {
    fn node_error(&self, node: &str, error: &dyn std::error::Error) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(format!("{node}: {error}"));
        }
    }

    fn task_failed(&self, task: &str, message: &str) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(format!("task {task} failed: {message}"));
        }
    }
}
