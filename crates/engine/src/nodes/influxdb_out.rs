//! `|influxDBOut()`: writes every point, or every point of every batch, to InfluxDB 1.x
//! as line protocol over HTTP (kapacitor-compat.md, nodes §5.3). A sink: it emits nothing.
//!
//! A point keeps its own database and retention policy unless the node sets them (batch
//! points have none of their own); `.measurement(…)` replaces the name and `.tag(k, v)`
//! adds or overrides tags. Times are truncated to `.precision(…)` (nanoseconds by
//! default). The server is the `[[influxdb]]` section `.cluster(…)` names, or the default
//! one ([`config`]); the HTTP calls are in [`client`] and the buffering thread (`.buffer`,
//! `.flushInterval`, `.create()`) in [`writer`]. A failed write is reported and counted
//! on the node, and the task goes on; one that may pass later (InfluxDB unreachable, a
//! timeout, a 5xx) is written again with a backoff from a bounded queue ([`retry`]).

pub(crate) mod client;
pub(crate) mod config;
pub(crate) mod http;
pub(crate) mod retry;
pub(crate) mod subscriptions;
pub(crate) mod writer;

use std::time::Duration as StdDuration;

use tickflow_line_protocol::{Precision, UnknownPrecision};
use tickflow_model::{Batch, Message, Point, Str, Time};
use tickflow_pipeline::nodes::influxdb_out::InfluxDbOutNode;

use crate::node::{Context, Node, NodeError};
use client::{Client, Target};
use config::{ClusterError, InfluxDbConfig};
use writer::{Settings, Writer};

/// Why an `influxDBOut` node cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InfluxDbOutError {
    /// The cluster is not configured.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// A cluster URL is not usable.
    #[error(transparent)]
    Url(#[from] http::ClusterHttpError),
    /// `.precision(…)` is not a precision.
    #[error(transparent)]
    Precision(#[from] UnknownPrecision),
    /// The writer thread did not start.
    #[error("cannot start the writer thread: {0}")]
    Thread(String),
}

/// The running `influxDBOut` node.
pub(crate) struct InfluxDbOut {
    writer: Writer,
    database: Str,
    retention_policy: Str,
    consistency: String,
    measurement: Option<Str>,
    tags: Vec<(Str, Str)>,
    unit: i64,
}

impl InfluxDbOut {
    /// The node `name` for a validated spec, writing to one of `clusters`.
    pub(crate) fn new(
        spec: &InfluxDbOutNode,
        name: &str,
        clusters: &[InfluxDbConfig],
    ) -> Result<Self, InfluxDbOutError> {
        let cluster = config::pick(clusters, &spec.cluster)?;
        let precision: Precision = spec.precision.parse()?;
        let settings = Settings {
            client: Client::new(&cluster)?,
            precision,
            buffer: usize::try_from(spec.buffer).unwrap_or(0).max(1),
            flush_interval: StdDuration::from_nanos(
                u64::try_from(spec.flush_interval.nanos()).unwrap_or(0),
            ),
            create: (spec.create && !spec.database.is_empty())
                .then(|| create_statement(&spec.database, &spec.retention_policy)),
            retry: cluster.retry_policy(),
        };
        Ok(InfluxDbOut {
            writer: Writer::start(name, settings)
                .map_err(|e| InfluxDbOutError::Thread(e.to_string()))?,
            database: Str::from(spec.database.as_str()),
            retention_policy: Str::from(spec.retention_policy.as_str()),
            consistency: spec.write_consistency.clone(),
            measurement: (!spec.measurement.is_empty())
                .then(|| Str::from(spec.measurement.as_str())),
            tags: super::str_pairs(&spec.tags, |v| Str::from(v.as_str())),
            unit: precision.unit().nanos(),
        })
    }

    /// The point as written and where it goes.
    fn prepare(&self, mut point: Point) -> (Target, Point) {
        let pick = |own: &Str, set: &Str| if set.is_empty() { own } else { set }.to_string();
        let target = Target {
            database: pick(&point.database, &self.database),
            retention_policy: pick(&point.retention_policy, &self.retention_policy),
            consistency: self.consistency.clone(),
        };
        if let Some(name) = &self.measurement {
            point.name = name.clone();
        }
        for (key, value) in &self.tags {
            point.tags.insert(key.clone(), value.clone());
        }
        point.time = Time::from_nanos(point.time.nanos() / self.unit * self.unit);
        (target, point)
    }

    /// A batch's points as stream points without a database of their own.
    fn batch_points(&self, batch: &Batch) -> Vec<(Target, Point)> {
        batch.to_points().map(|p| self.prepare(p)).collect()
    }

    /// Reports the writer's failures on the node.
    fn report(&self, ctx: &mut Context<'_>) {
        for failure in self.writer.failures() {
            ctx.error(&failure);
        }
    }
}

/// `CREATE DATABASE "db"`, with the retention policy as its default when one is set.
fn create_statement(database: &str, retention_policy: &str) -> String {
    let quote = |name: &str| format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""));
    match retention_policy {
        "" => format!("CREATE DATABASE {}", quote(database)),
        rp => format!(
            "CREATE DATABASE {} WITH NAME {}",
            quote(database),
            quote(rp)
        ),
    }
}

impl Node for InfluxDbOut {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(point) => self.writer.send(vec![self.prepare(point)]),
            Message::Batch(batch) => self.writer.send(self.batch_points(&batch)),
            Message::Barrier { .. } | Message::DeleteGroup(_) => {}
        }
        self.report(ctx);
        Ok(())
    }

    /// Writes what is buffered and reports the last failures.
    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        self.writer.close();
        self.report(ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{FieldValue, Tags};

    use super::*;
    use crate::diagnostics::Collect;
    use crate::stats::NodeStats;

    fn cluster(url: &str) -> Vec<InfluxDbConfig> {
        vec![InfluxDbConfig {
            name: "local".into(),
            urls: vec![url.into()],
            username: String::new(),
            password: String::new(),
            default: false,
            enabled: true,
            ..InfluxDbConfig::default()
        }]
    }

    fn spec() -> InfluxDbOutNode {
        InfluxDbOutNode {
            database: "out".into(),
            measurement: "renamed".into(),
            precision: "s".into(),
            tags: vec![("region".into(), "eu".into())],
            ..InfluxDbOutNode::default()
        }
    }

    #[test]
    fn points_are_renamed_retagged_and_truncated_to_the_precision() {
        let node = InfluxDbOut::new(&spec(), "influxdb_out1", &cluster("http://127.0.0.1:9"))
            .expect("builds");
        let mut point = Point::new("cpu", Time::from_nanos(1_500_000_000));
        point.database = "in".into();
        point.retention_policy = "autogen".into();
        point.tags = Tags::from_pairs([("host", "a"), ("region", "us")]);
        point.fields = tickflow_model::Fields::from_pairs([("v", FieldValue::Float(1.0))]);
        let (target, out) = node.prepare(point);
        assert_eq!(target.database, "out");
        assert_eq!(target.retention_policy, "autogen");
        assert_eq!(&*out.name, "renamed");
        assert_eq!(
            out.tags,
            Tags::from_pairs([("host", "a"), ("region", "eu")])
        );
        assert_eq!(out.time, Time::from_nanos(1_000_000_000));
    }

    #[test]
    fn a_failed_write_is_retried_and_what_is_left_at_the_end_reported() {
        let mut node = InfluxDbOut::new(&spec(), "influxdb_out1", &cluster("http://127.0.0.1:9"))
            .expect("builds");
        let (stats, diagnostics, mut out) = (NodeStats::default(), Collect::default(), Vec::new());
        let mut ctx = Context::new(&mut out, &stats, "influxdb_out1", &diagnostics, false);
        let mut point = Point::new("cpu", Time::from_nanos(0));
        point.fields = tickflow_model::Fields::from_pairs([("v", FieldValue::Float(1.0))]);
        node.message(0, Message::Point(point), &mut ctx)
            .expect("not fatal");
        node.finish(&mut ctx).expect("not fatal");
        let errors = diagnostics.errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("influxdb_out1: write of 1 points failed, will retry: http://127.0.0.1:9/write?db=out&precision=s: "),
            "{errors:?}"
        );
        assert_eq!(
            errors[1],
            "influxdb_out1: 1 points dropped: the node finished before influxdb accepted them"
        );
        assert_eq!(stats.snapshot().errors, 2);
        assert!(out.is_empty());
    }

    #[test]
    fn setup_errors_name_the_cluster_or_precision() {
        let unknown = InfluxDbOutNode {
            cluster: "other".into(),
            ..spec()
        };
        let err = InfluxDbOut::new(&unknown, "n", &cluster("http://h:1")).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("unknown influxdb cluster \"other\"")
        );
        let bad = InfluxDbOutNode {
            precision: "x".into(),
            ..spec()
        };
        assert!(InfluxDbOut::new(&bad, "n", &cluster("http://h:1")).is_err());
        assert!(InfluxDbOut::new(&spec(), "n", &cluster("https://h:1")).is_ok());
        let udp = InfluxDbOut::new(&spec(), "n", &cluster("udp://h:1")).err();
        assert!(udp.is_some_and(|e| e.to_string().contains("expected http:// or https://")));
    }

    #[test]
    fn create_quotes_the_names() {
        assert_eq!(create_statement("db", ""), "CREATE DATABASE \"db\"");
        assert_eq!(
            create_statement("my\"db", "rp"),
            "CREATE DATABASE \"my\\\"db\" WITH NAME \"rp\""
        );
    }
}
