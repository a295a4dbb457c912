//! Integration tests of `tickflow-alert`, in one binary: the golden alert log of
//! kapacitor-compat.md, alert-data §6, the log handler's file behaviour, the network and exec handlers
//! against local sinks, the MQTT handler against a real broker, and asynchronous
//! delivery.

mod dispatch;
mod email;
mod golden;
mod handlers;
mod https;
mod kafka;
mod log;
mod mqtt;
mod services;
mod snmptrap;
mod template;
mod tls;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use tickflow_alert::{AlertData, Level, Row};
use tickflow_model::{Duration, Fields, Point, Time};

/// A CRITICAL event with id `id` about a `cpu` point with field `value`.
pub fn event(id: &str, value: f64) -> AlertData {
    let mut point = Point::new("cpu", Time::from_nanos(0));
    point.fields = Fields::from_pairs([("value", value)]);
    AlertData {
        id: id.to_string(),
        message: format!("{id} is CRITICAL"),
        details: String::new(),
        time: point.time,
        duration: Duration::ZERO,
        level: Level::Critical,
        data: vec![Row::from_point(&point)],
        previous_level: Level::Ok,
        recoverable: true,
    }
}

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
