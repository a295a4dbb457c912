//! Integration tests of `tickflow-alert`, in one binary: the golden alert log of
//! alert-data.md §6 and the log handler's file behaviour.

mod golden;
mod log;
mod template;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty directory for one test (left behind in the system temp dir).
pub fn temp_dir(test: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("tickflow-alert-{}-{n}-{test}", std::process::id()));
    // A leftover from an earlier run with the same pid would break the test's expectations.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
