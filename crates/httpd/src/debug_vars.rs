//! `GET /kapacitor/v1/debug/vars`: the server's statistics in Kapacitor's expvar shape,
//! which `kapacitor stats` and Telegraf's kapacitor input read.
//!
//! The top level carries `cluster_id`, `server_id`, `host`, `product`, `version`,
//! `uptime` (seconds), `cmdline`, `num_tasks`, `num_enabled_tasks`,
//! `num_subscriptions` (always 0: tickflow does not subscribe to InfluxDB) and
//! `memstats`. `kapacitor` maps a key to one `{name, tags, values}` statistic, which
//! Telegraf stores as measurement `kapacitor_<name>`:
//!
//! * `ingress` (tags `database`, `retention_policy`, `measurement`, `task_master`):
//!   `points_received`;
//! * `nodes` (tags `task`, `node`, `type`, `kind`) for every node of an executing task:
//!   `avg_exec_time_ns` as a Go duration string (Telegraf parses it so), `collected`,
//!   `emitted`, `errors`, and for alert nodes `alerts_triggered` and the count per level;
//! * `edges` (tags `task`, `parent`, `child`, `type`): `collected`, `emitted`;
//! * tickflow's own: `tasks` (tag `task`) with the health counters `failures`,
//!   `restarts` and `dropped_points`, and `unrouted` with the points written that no
//!   task read.
//!
//! Keys are stable names (`nodes:<task>:<node>`), not Kapacitor's random UUIDs: readers
//! ignore them. `memstats` has no Go allocator to describe; it carries the process's
//! resident size (`Alloc`, `HeapAlloc`, `HeapInuse`) and virtual size (`Sys`) where
//! `/proc/self/status` gives them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use tickflow::engine::StatsSnapshot;
use tickflow::tasks::object::DotView;
use tickflow::tasks::ScriptFormat;

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::router::VERSION;
use crate::tasks::{blocking, ok};

/// Answers `GET /kapacitor/v1/debug/vars`.
pub(crate) async fn handle(app: &Arc<App>) -> Reply {
    blocking(app, |app| Ok::<_, ApiError>(vars(app)))
        .await
        .map_or_else(Reply::from, |vars| ok(&vars))
}

/// The whole document.
fn vars(app: &App) -> Value {
    let tasks = app
        .store()
        .list("", 0, usize::MAX, ScriptFormat::Raw, DotView::Attributes);
    let enabled = tasks.iter().filter(|t| t.status == "enabled").count();
    let mut stats = Map::new();
    ingress(app, &mut stats);
    for task in &tasks {
        task_stats(app, &task.id, &task.task_type, &mut stats);
        let health = json!({"failures": task.failures, "restarts": task.restarts,
                            "dropped_points": task.dropped_points});
        stats.insert(
            format!("tasks:{}", task.id),
            statistic("tasks", &[("task", &task.id)], health),
        );
    }
    let unrouted = json!({"points": app.engine.ingress().unrouted()});
    stats.insert("unrouted".into(), statistic("unrouted", &[], unrouted));
    json!({
        "cluster_id": app.cluster_id,
        "cmdline": std::env::args().collect::<Vec<_>>(),
        "host": app.engine.config().hostname,
        "kapacitor": stats,
        "memstats": memstats(),
        "num_enabled_tasks": enabled,
        "num_subscriptions": 0,
        "num_tasks": tasks.len(),
        "product": "kapacitor",
        "server_id": app.server_id,
        "uptime": app.started.elapsed().as_secs(),
        "version": VERSION,
    })
}

/// `{"name", "tags", "values"}`.
fn statistic(name: &str, tags: &[(&str, &str)], values: Value) -> Value {
    let tags: BTreeMap<&str, &str> = tags.iter().copied().collect();
    json!({"name": name, "tags": tags, "values": values})
}

/// One `ingress` statistic per database, retention policy and measurement.
fn ingress(app: &App, stats: &mut Map<String, Value>) {
    for (key, received) in app.engine.ingress().received() {
        let tags = [
            ("database", key.database.as_str()),
            ("retention_policy", key.retention_policy.as_str()),
            ("measurement", key.measurement.as_str()),
            ("task_master", "main"),
        ];
        let name = format!(
            "ingress:{}:{}:{}",
            key.database, key.retention_policy, key.measurement
        );
        let values = json!({"points_received": received});
        stats.insert(name, statistic("ingress", &tags, values));
    }
}

/// The `nodes` and `edges` statistics of task `id`, when it executes.
fn task_stats(app: &App, id: &str, task_type: &str, stats: &mut Map<String, Value>) {
    let (Some(pipeline), Some(running)) = (app.store().pipeline(id), app.engine.stats(id)) else {
        return;
    };
    let counters: BTreeMap<&str, &StatsSnapshot> =
        running.nodes.iter().map(|(n, s)| (n.as_str(), s)).collect();
    for node in pipeline.walk() {
        let Some(counts) = counters.get(node.name.as_str()) else {
            continue;
        };
        let kind = node.name.trim_end_matches(|c: char| c.is_ascii_digit());
        let tags = [
            ("task", id),
            ("node", node.name.as_str()),
            ("type", task_type),
            ("kind", kind),
        ];
        let values = node_values(counts, kind == "alert");
        stats.insert(
            format!("nodes:{id}:{}", node.name),
            statistic("nodes", &tags, values),
        );
        for child in node.children.iter().filter_map(|c| pipeline.node(*c)) {
            let tags = [
                ("task", id),
                ("parent", node.name.as_str()),
                ("child", child.name.as_str()),
                ("type", task_type),
            ];
            let values = json!({"collected": counts.messages_out, "emitted": counts.messages_out});
            stats.insert(
                format!("edges:{id}:{}:{}", node.name, child.name),
                statistic("edges", &tags, values),
            );
        }
    }
}

/// A node's values: Kapacitor's names, the average time as a Go duration string.
fn node_values(counts: &StatsSnapshot, alert: bool) -> Value {
    let nanos = u64::try_from(counts.busy.as_nanos()).unwrap_or(u64::MAX);
    let average = nanos / counts.messages_in.max(1);
    let mut values = json!({
        "avg_exec_time_ns": go_duration(average),
        "collected": counts.messages_in,
        "emitted": counts.messages_out,
        "errors": counts.errors,
    });
    if alert {
        let [oks, infos, warns, crits] = counts.alerts;
        values["alerts_triggered"] = json!(oks + infos + warns + crits);
        values["oks_triggered"] = json!(oks);
        values["infos_triggered"] = json!(infos);
        values["warns_triggered"] = json!(warns);
        values["crits_triggered"] = json!(crits);
    }
    values
}

/// Nanoseconds as Go's `Duration.String` prints them below a second (`0s`, `850ns`,
/// `12.5µs`, `3.2ms`), and in seconds above.
fn go_duration(nanos: u64) -> String {
    let trimmed = |value: f64| {
        let text = format!("{value:.9}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match nanos {
        0 => "0s".into(),
        1..=999 => format!("{nanos}ns"),
        1_000..=999_999 => format!("{}µs", trimmed(nanos as f64 / 1e3)),
        1_000_000..=999_999_999 => format!("{}ms", trimmed(nanos as f64 / 1e6)),
        _ => format!("{}s", trimmed(nanos as f64 / 1e9)),
    }
}

/// The process's sizes from `/proc/self/status`, in bytes; `null` where unknown.
fn memstats() -> Value {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kilobytes = |key: &str| {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let number = line[key.len()..].trim().trim_end_matches("kB").trim();
        number.parse::<u64>().ok().map(|kb| kb * 1024)
    };
    match (kilobytes("VmRSS:"), kilobytes("VmSize:")) {
        (Some(resident), Some(size)) => json!({
            "Alloc": resident, "HeapAlloc": resident, "HeapInuse": resident, "Sys": size,
        }),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations_print_as_go_prints_them() {
        for (nanos, text) in [
            (0, "0s"),
            (850, "850ns"),
            (12_500, "12.5µs"),
            (3_200_000, "3.2ms"),
            (1_500_000_000, "1.5s"),
        ] {
            assert_eq!(go_duration(nanos), text);
        }
    }
}
