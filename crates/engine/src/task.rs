//! [`Task`]: a validated [`Pipeline`] turned into a runnable [`Dag`], with the database
//! and retention policies it reads.
//!
//! Nodes are created in pipeline id order by [`nodes::create`], so a node's index in
//! the DAG is its pipeline id, and each child is linked to its parents in their order
//! (a `join`'s inputs are numbered as its parents are listed). A node kind the engine
//! does not run yet fails the build with [`TaskError::Unsupported`]; nothing is silently
//! passed through.

use tickflow_alert::Services;
use tickflow_model::{Dbrp, Point};
use tickflow_pipeline::{NodeKind, Pipeline};
use tickflow_udf::Registry;

use crate::dag::{Dag, LinkError};
use crate::nodes;
use crate::nodes::http_out::HttpOutputs;
use crate::nodes::kapacitor_loopback::Loopback;
use crate::nodes::query::Batching;

/// Why a pipeline could not become a task.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TaskError {
    /// The node's kind has no running implementation yet.
    #[error("node {node}: {kind:?} is not supported by the engine yet")]
    Unsupported {
        /// The node's name (`mean4`).
        node: String,
        /// What is not supported (`mean`, `groupby on a batch edge`).
        kind: String,
    },
    /// A lambda of the node does not compile.
    #[error("node {node}: {source}")]
    Lambda {
        /// The node's name.
        node: String,
        /// Why the lambda does not compile.
        source: tickflow_expr::CompileError,
    },
    /// A template of an alert node does not parse.
    #[error("node {node}: {source}")]
    Template {
        /// The node's name.
        node: String,
        /// Why the template does not parse.
        source: tickflow_alert::template::TemplateError,
    },
    /// An alert handler or `httpPost` target cannot be set up (bad URL, unknown endpoint).
    #[error("node {node}: {source}")]
    Handler {
        /// The node's name.
        node: String,
        /// Why.
        source: tickflow_alert::SetupError,
    },
    /// An `influxDBOut` node's cluster, URL or precision is not usable.
    #[error("node {node}: {source}")]
    InfluxDbOut {
        /// The node's name.
        node: String,
        /// Why.
        source: crate::nodes::influxdb_out::InfluxDbOutError,
    },
    /// A UDF could not start for the node: unknown, options that do not fit, refused
    /// by the UDF, or an agent that failed.
    #[error("node {node}: {source}")]
    UdfInit {
        /// The node's name.
        node: String,
        /// The UDF.
        udf: String,
        /// Why (boxed: agent errors carry stderr lines).
        source: Box<tickflow_udf::InstanceError>,
    },
    /// A `sideload` node's source is not a readable `file://` directory.
    #[error("node {node}: {source}")]
    Sideload {
        /// The node's name.
        node: String,
        /// Why.
        source: crate::nodes::sideload::SourceError,
    },
    /// A query node's InfluxQL or schedule is not usable.
    #[error("node {node}: {source}")]
    Query {
        /// The node's name.
        node: String,
        /// Why.
        source: crate::nodes::query::QueryNodeError,
    },
    /// The pipeline's links do not run parents first.
    #[error(transparent)]
    Link(#[from] LinkError),
}

/// Whether a task reading `dbrps` reads `point`: its database and retention policy are
/// among them, or the task names none (it then reads every point).
pub(crate) fn reads(dbrps: &[Dbrp], point: &Point) -> bool {
    dbrps.is_empty()
        || dbrps
            .iter()
            .any(|d| d.database == point.database && d.retention_policy == point.retention_policy)
}

/// Whether a task reading `dbrps` reads points written to `dbrp`.
pub(crate) fn reads_dbrp(dbrps: &[Dbrp], dbrp: &Dbrp) -> bool {
    dbrps.is_empty() || dbrps.contains(dbrp)
}

/// What tasks take from the program that runs them: the alert services (endpoints,
/// server identity, inhibitors) and the UDFs scripts may call.
pub struct Environment {
    /// Alert handlers' and `httpPost` nodes' configuration.
    pub services: Services,
    /// The UDFs, native and external.
    pub udfs: Registry,
    /// The InfluxDB servers `influxDBOut` nodes write to (`[[influxdb]]` sections).
    pub influxdb: Vec<crate::nodes::influxdb_out::config::InfluxDbConfig>,
    /// Where alert nodes record what their handlers delivered, so a replay after a
    /// crash does not deliver it again (`None`: every event is delivered).
    pub deliveries: Option<std::sync::Arc<dyn crate::delivery::DeliveryLog>>,
    /// The `[task]` bounds on the groups a task keeps (`memory-limit`,
    /// `idle-group-expiry`).
    pub limits: crate::GroupLimits,
}

impl Default for Environment {
    /// No configured endpoints; the native built-in UDFs.
    fn default() -> Self {
        Environment {
            services: Services::default(),
            udfs: Registry::builtins(),
            influxdb: Vec::new(),
            deliveries: None,
            limits: crate::GroupLimits::default(),
        }
    }
}

/// A task ready to run: its id, the dbrps it reads and its DAG.
pub struct Task {
    /// The task's id (a script's file name without the extension).
    pub id: String,
    /// The database and retention policies the task reads (its `dbrp` statements).
    pub dbrps: Vec<Dbrp>,
    /// The running form of the pipeline; node 0 is the source.
    pub dag: Dag,
    /// What the task's `httpOut` nodes serve, by endpoint name.
    pub http_outputs: HttpOutputs,
    /// Where its `kapacitorLoopback` nodes write: the task master connects them.
    pub loopback: Loopback,
    /// Its query nodes: the task master starts their schedules.
    pub batching: Batching,
    /// The DAG indices of its `query()`/`queryFlux()` nodes, in script order: where a
    /// batch replay puts recorded batches.
    pub batch_sources: Vec<usize>,
}

impl Task {
    /// Creates every node of `pipeline` and links them, with the default
    /// [`Environment`]: no configured endpoints, the native built-in UDFs.
    pub fn build(pipeline: &Pipeline, id: &str) -> Result<Task, TaskError> {
        Self::build_with(pipeline, id, &Environment::default())
    }

    /// Creates every node of `pipeline` and links them in `env`: alert handlers and
    /// `httpPost` nodes take endpoints and the server identity from its services, UDF
    /// nodes start from its registry (each external UDF node starts its own agent and
    /// sends it Init now, so bad options fail the build).
    pub fn build_with(pipeline: &Pipeline, id: &str, env: &Environment) -> Result<Task, TaskError> {
        let (mut dag, mut http_outputs) = (Dag::new(), HttpOutputs::new());
        let mut loopback = Loopback::default();
        let (mut batching, mut batch_sources) = (Batching::default(), Vec::new());
        // Pipeline ids have gaps (a join of n parents takes n ids), DAG indices do not.
        let mut indices = std::collections::HashMap::new();
        for node in &pipeline.nodes {
            let running = nodes::create(
                node,
                id,
                env,
                &mut http_outputs,
                &mut loopback,
                &mut batching,
            )?;
            let index = dag.add(node.name.clone(), running, node.quiet);
            if matches!(node.kind, NodeKind::Query(_) | NodeKind::QueryFlux(_)) {
                batch_sources.push(index);
            }
            indices.insert(node.id, index);
            // A `stats` node has no parent in the pipeline: it is fed what it observes.
            for parent in node.parents.iter().chain(&nodes::stats::observed(node)) {
                let parent = indices.get(parent).copied().ok_or(LinkError {
                    parent: parent.0,
                    child: index,
                })?;
                dag.link(parent, index)?;
            }
        }
        Ok(Task {
            id: id.to_string(),
            dbrps: pipeline.dbrps.clone(),
            dag,
            http_outputs,
            loopback,
            batching,
            batch_sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tickflow_model::{FieldValue, Fields, Message, Point, Time};
    use tickflow_pipeline::BuildOptions;

    use super::*;
    use crate::diagnostics::Collect;
    use crate::executor::Inline;

    fn pipeline(script: &str) -> Pipeline {
        let program = tickflow_tickscript::parse(script).expect("script parses");
        tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds")
    }

    #[test]
    fn nodes_after_a_multi_parent_node_link_despite_the_id_gap() {
        let pipeline = pipeline(
            "var a = stream|from()\nvar b = stream|from()\na|union(b)|window().period(1s).every(1s)",
        );
        let task = Task::build(&pipeline, "t").expect("builds");
        assert_eq!(task.dag.len(), pipeline.nodes.len());
    }

    #[test]
    fn an_unsupported_node_is_named_in_the_error() {
        let pipeline = pipeline("stream|from()|k8sAutoscale()");
        let err = Task::build(&pipeline, "t")
            .err()
            .expect("k8sAutoscale is not supported");
        assert_eq!(
            err.to_string(),
            "node k8s_autoscale2: \"k8s_autoscale\" is not supported by the engine yet"
        );
    }

    #[test]
    fn a_branching_pipeline_runs_every_branch() {
        let pipeline = pipeline(
            "dbrp \"db\".\"rp\"\nvar data = stream|from().measurement('cpu')\n\
             data|where(lambda: \"value\" > 1)|log()\ndata|delete().field('value')",
        );
        let task = Task::build(&pipeline, "t").expect("task builds");
        assert_eq!(task.dbrps, [Dbrp::new("db", "rp")]);
        let mut run = Inline::new(task.dag, Arc::new(Collect::default()));
        let points = (0..3)
            .map(|v| {
                let mut p = Point::new("cpu", Time::from_nanos(v));
                p.fields = Fields::from_pairs([("value", FieldValue::Integer(v))]);
                Message::Point(p)
            })
            .collect();
        run.push(points).expect("runs");
        let dag = run.finish().expect("finishes");
        let counts: Vec<(String, u64, u64)> = dag
            .stats()
            .into_iter()
            .map(|(name, stats)| {
                let s = stats.snapshot();
                (name, s.messages_in, s.messages_out)
            })
            .collect();
        let expected = [
            ("stream0", 3, 3),
            ("from1", 3, 3),
            ("where2", 3, 1),
            ("log3", 1, 1),
            ("delete4", 3, 3),
        ];
        let expected: Vec<(String, u64, u64)> = expected
            .into_iter()
            .map(|(n, i, o)| (n.to_string(), i, o))
            .collect();
        assert_eq!(counts, expected);
    }
}
