//! The task object of the tasks API (kapacitor-compat.md, http-api §3.1): key order, the DOT graph
//! (with runtime attributes while the task executes) and the stats map.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use tickflow_engine::master::TaskStats;
use tickflow_model::{Dbrp, Time};
use tickflow_pipeline::{Pipeline, TaskType};

use super::vars::Var;

/// `{"rel": "self", "href": …}`.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Always `self`.
    pub rel: &'static str,
    /// The task's URL path.
    pub href: String,
}

/// `{"db": …, "rp": …}`.
#[derive(Debug, Clone, Serialize)]
pub struct DbrpJson {
    /// The database.
    pub db: String,
    /// The retention policy.
    pub rp: String,
}

impl From<&Dbrp> for DbrpJson {
    fn from(dbrp: &Dbrp) -> Self {
        DbrpJson {
            db: dbrp.database.to_string(),
            rp: dbrp.retention_policy.to_string(),
        }
    }
}

/// A task as `GET /kapacitor/v1/tasks/<id>` shows it, keys in Kapacitor's order.
#[derive(Debug, Clone, Serialize)]
pub struct TaskObject {
    /// The self link.
    pub link: Link,
    /// The id.
    pub id: String,
    /// The template it was made from, or empty.
    #[serde(rename = "template-id")]
    pub template_id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub task_type: String,
    /// The dbrps the task reads.
    pub dbrps: Vec<DbrpJson>,
    /// The script, formatted or raw.
    pub script: String,
    /// The vars it was defined with.
    pub vars: BTreeMap<String, Var>,
    /// The GraphViz graph.
    pub dot: String,
    /// `enabled` or `disabled`.
    pub status: &'static str,
    /// Whether it runs now.
    pub executing: bool,
    /// The last start error or failure (`node NAME: ERROR`), or empty.
    pub error: String,
    /// How many times a node of the task failed while the server runs (tickflow's).
    pub failures: u64,
    /// How many times the task was restarted after a failure (tickflow's).
    pub restarts: u64,
    /// Points routed to the task while it was not executing, dropped (tickflow's).
    #[serde(rename = "dropped-points")]
    pub dropped_points: u64,
    /// `{}`, or the task and node stats while executing.
    pub stats: Value,
    /// When it was created.
    pub created: String,
    /// When it last changed.
    pub modified: String,
    /// When it was last enabled (the zero time if never).
    #[serde(rename = "last-enabled")]
    pub last_enabled: String,
}

/// Go's zero time, for a task never enabled.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A time as the API shows it.
pub fn time(t: Option<Time>) -> String {
    t.map_or_else(|| ZERO_TIME.to_string(), Time::to_rfc3339)
}

impl TaskObject {
    /// The object as `GET /kapacitor/v1/tasks` lists it: a map with sorted keys, `stats`
    /// null when not executing and no empty `template-id`.
    pub fn listed(&self, fields: &[String]) -> BTreeMap<String, Value> {
        let Value::Object(object) = json!(self) else {
            return BTreeMap::new();
        };
        let mut listed: BTreeMap<String, Value> = object.into_iter().collect();
        if !self.executing {
            listed.insert("stats".into(), Value::Null);
        }
        if self.template_id.is_empty() {
            listed.remove("template-id");
        }
        if !fields.is_empty() {
            listed.retain(|k, _| k == "id" || k == "link" || fields.contains(k));
        }
        listed
    }
}

/// How the DOT graph shows runtime stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotView {
    /// As node and edge attributes (the default).
    Attributes,
    /// As node labels.
    Labels,
}

/// `stats` of an executing task: task throughput and each node's counters.
pub fn stats(stats: &TaskStats) -> Value {
    let nodes: BTreeMap<&str, Value> = stats
        .nodes
        .iter()
        .map(|(name, s)| {
            let mut node = json!({
                "avg_exec_time_ns": avg_exec_nanos(s),
                "collected": s.messages_in,
                "emitted": s.messages_out,
                "errors": s.errors,
                "late": s.late,
                "memory_bytes": s.memory_bytes,
                "groups_expired": s.groups_expired,
                "working_cardinality": 0,
            });
            // tickflow's: what an alert node's own handlers did with its events.
            if let (false, Some(map)) = (s.delivery == Default::default(), node.as_object_mut()) {
                map.insert("alerts_sent".into(), json!(s.delivery.sent));
                map.insert("alerts_failed".into(), json!(s.delivery.failed));
                map.insert("alerts_dropped".into(), json!(s.delivery.dropped));
            }
            (name.as_str(), node)
        })
        .collect();
    json!({
        "task-stats": { "throughput": stats.throughput },
        "node-stats": nodes,
    })
}

fn avg_exec_nanos(s: &tickflow_engine::StatsSnapshot) -> u64 {
    let nanos = u64::try_from(s.busy.as_nanos()).unwrap_or(u64::MAX);
    nanos / s.messages_in.max(1)
}

/// The DOT graph of an executing task: throughput, each node's counters and each edge's
/// processed count, in pipeline walk order.
pub fn running_dot(id: &str, pipeline: &Pipeline, stats: &TaskStats, view: DotView) -> String {
    let unit = match pipeline.task_type {
        TaskType::Stream => "points",
        TaskType::Batch => "batches",
    };
    let mut dot = format!(
        "digraph {id} {{\ngraph [throughput=\"{:.2} {unit}/s\"];\n",
        stats.throughput
    );
    for node in pipeline.walk() {
        let Some((_, s)) = stats.nodes.get(node.id.0) else {
            continue;
        };
        let attributes = [
            ("avg_exec_time_ns", avg_exec_nanos(s)),
            ("errors", s.errors),
            ("working_cardinality", 0),
        ];
        match view {
            DotView::Attributes => {
                dot.push_str(&format!("\n{} [", node.name));
                for (key, value) in attributes {
                    dot.push_str(&format!("{key}=\"{value}\" "));
                }
                dot.push_str("];\n");
            }
            DotView::Labels => {
                let label: Vec<String> = attributes
                    .iter()
                    .map(|(key, value)| format!("{key}: {value}"))
                    .collect();
                dot.push_str(&format!(
                    "\n{} [label=\"{}\\n{}\"];\n",
                    node.name,
                    node.name,
                    label.join("\\n")
                ));
            }
        }
        for child in &node.children {
            if let Some(child) = pipeline.node(*child) {
                let edge = format!("{} -> {}", node.name, child.name);
                match view {
                    DotView::Attributes => {
                        dot.push_str(&format!("{edge} [processed=\"{}\"];\n", s.messages_out));
                    }
                    DotView::Labels => {
                        dot.push_str(&format!("{edge} [label=\"{}\"];\n", s.messages_out));
                    }
                }
            }
        }
    }
    dot.push('}');
    dot
}
