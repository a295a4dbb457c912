//! Integration tests of the `tickflow` binary and the bundled data: each module runs real
//! executables and reads real files.

mod alert_config;
mod batch;
mod check;
mod client;
mod client_standin;
mod conformance;
mod durable;
mod fmt;
mod grouped_udf;
mod hostile;
mod load_dir;
mod plot;
mod printer_data;
mod replay;
mod replay_hints;
mod score;
mod server;
mod task_failure;
mod template_vars;
mod test_runner;
mod tidy;
mod udf_config;

use std::path::PathBuf;
use std::process::{Command, Output};

pub use tickflow_testkit::root;

/// Runs the `tickflow` binary with `args` and returns what it did. A server it starts
/// gets a data dir of its own (`TICKFLOW_STORAGE_DIR`), not the user's `~/.tickflow`.
pub fn tickflow(args: &[&str]) -> Output {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let data_dir =
        std::env::temp_dir().join(format!("tickflow-cli-{}-run-{n}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .args(args)
        .env("TICKFLOW_STORAGE_DIR", data_dir)
        .output()
        .expect("tickflow runs")
}

/// Runs the `tickflow` binary with `args`: its stdout then stderr, and its exit code.
pub fn tickflow_text(args: &[&str]) -> (String, Option<i32>) {
    let out = tickflow(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (text, out.status.code())
}

/// A fresh, empty scratch directory for one test.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tickflow-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
