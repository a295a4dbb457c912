//! `|influxDBOut()`: writes points and batches to InfluxDB. A sink: it provides no edge.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::edge::EdgeType;
use crate::nodes::{describe_entries, upsert, Chains, Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `influxDBOut` node. Empty strings use the point's own database, retention policy
/// and measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxDbOutNode {
    /// The configured InfluxDB cluster.
    pub cluster: String,
    /// The database written to.
    pub database: String,
    /// The retention policy written to.
    pub retention_policy: String,
    /// The measurement written, overriding the point's name.
    pub measurement: String,
    /// The write consistency (clusters only).
    pub write_consistency: String,
    /// The timestamp precision of the writes.
    pub precision: String,
    /// Points buffered before a write (default 1000).
    pub buffer: i64,
    /// The longest time points stay buffered (default 10s).
    pub flush_interval: Duration,
    /// Static tags added to every point, overriding its own.
    pub tags: Vec<(String, String)>,
    /// Create the database and retention policy when the task starts.
    pub create: bool,
}

impl Default for InfluxDbOutNode {
    fn default() -> Self {
        InfluxDbOutNode {
            cluster: String::new(),
            database: String::new(),
            retention_policy: String::new(),
            measurement: String::new(),
            write_consistency: String::new(),
            precision: String::new(),
            buffer: 1000,
            flush_interval: Duration::from_nanos(10 * Duration::SECOND.nanos()),
            tags: Vec::new(),
            create: false,
        }
    }
}

impl NodeSpec for InfluxDbOutNode {
    const NAMES: Names<'static> = Names {
        method: "influxDBOut",
        desc: "influxdb_out",
        go_type: "*pipeline.InfluxDBOutNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "cluster", |n: InfluxDbOutNode, v: String| n.cluster = v),
        property!(Field "database", |n: InfluxDbOutNode, v: String| n.database = v),
        property!(Field "retentionPolicy", |n: InfluxDbOutNode, v: String| n.retention_policy = v),
        property!(Field "measurement", |n: InfluxDbOutNode, v: String| n.measurement = v),
        property!(Field "writeConsistency", |n: InfluxDbOutNode, v: String| n.write_consistency = v),
        property!(Field "precision", |n: InfluxDbOutNode, v: String| n.precision = v),
        property!(Field "buffer", |n: InfluxDbOutNode, v: i64| n.buffer = v),
        property!(Field "flushInterval", |n: InfluxDbOutNode, v: Duration| n.flush_interval = v),
        property!(Method "tag", |n: InfluxDbOutNode, key: String, value: String| upsert(&mut n.tags, key, value)),
        property!(Method "create", |n: InfluxDbOutNode| n.create = true),
    ];

    fn chains(&self) -> Chains {
        Chains::Terminal
    }

    fn describe(&self, props: &mut Props) {
        let default = InfluxDbOutNode::default();
        props.text("cluster", &self.cluster);
        props.text("database", &self.database);
        props.text("retentionPolicy", &self.retention_policy);
        props.text("measurement", &self.measurement);
        props.text("writeConsistency", &self.write_consistency);
        props.text("precision", &self.precision);
        props.opt("buffer", Some(self.buffer).filter(|v| *v != default.buffer));
        props.opt(
            "flushInterval",
            Some(self.flush_interval).filter(|v| *v != default.flush_interval),
        );
        describe_entries(props, "tag", &self.tags, |value| quote(value));
        props.flag("create", self.create);
    }
}

/// `|influxDBOut()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("influxDBOut", || Created::child(
    NodeKind::InfluxDbOut(InfluxDbOutNode::default()),
    Edges::Provides(EdgeType::None)
))];
