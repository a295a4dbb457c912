//! `|kapacitorLoopback()`: writes points back into Kapacitor's own stream, under
//! `.database(…)` and `.retentionPolicy(…)`. A sink: it provides no edge.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::edge::EdgeType;
use crate::nodes::{describe_entries, upsert, Chains, Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `kapacitorLoopback` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KapacitorLoopbackNode {
    /// The database the points are written to (required).
    pub database: String,
    /// The retention policy the points are written to (required).
    pub retention_policy: String,
    /// The measurement written, overriding the point's name.
    pub measurement: String,
    /// Static tags added to every point.
    pub tags: Vec<(String, String)>,
}

/// A loopback without a destination.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KapacitorLoopbackError {
    /// No `.database()`.
    #[error("must specify a database")]
    NoDatabase,
    /// No `.retentionPolicy()`.
    #[error("must specify a retention policy")]
    NoRetentionPolicy,
}

impl NodeSpec for KapacitorLoopbackNode {
    const NAMES: Names<'static> = Names {
        method: "kapacitorLoopback",
        desc: "kapacitor_loopback",
        go_type: "*pipeline.KapacitorLoopbackNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "database", |n: KapacitorLoopbackNode, v: String| n.database = v),
        property!(Field "retentionPolicy", |n: KapacitorLoopbackNode, v: String| n.retention_policy = v),
        property!(Field "measurement", |n: KapacitorLoopbackNode, v: String| n.measurement = v),
        property!(Method "tag", |n: KapacitorLoopbackNode, key: String, value: String| upsert(&mut n.tags, key, value)),
    ];

    fn chains(&self) -> Chains {
        Chains::Terminal
    }

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        if self.database.is_empty() {
            return Err(KapacitorLoopbackError::NoDatabase.into());
        }
        if self.retention_policy.is_empty() {
            return Err(KapacitorLoopbackError::NoRetentionPolicy.into());
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        props.text("database", &self.database);
        props.text("retentionPolicy", &self.retention_policy);
        props.text("measurement", &self.measurement);
        describe_entries(props, "tag", &self.tags, |value| quote(value));
    }
}

/// `|kapacitorLoopback()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("kapacitorLoopback", || Created::child(
    NodeKind::KapacitorLoopback(KapacitorLoopbackNode::default()),
    Edges::Provides(EdgeType::None)
))];
