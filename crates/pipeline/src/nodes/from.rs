//! `stream|from()`: selects the points of the stream by database, retention policy,
//! measurement and a `.where(λ)` filter, and sets their grouping.

use tickflow_model::Duration;

use crate::args::{AnyArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::lambda::Lambda;
use crate::nodes::group_by::{dimensions, Dimensions};
use crate::nodes::{Chains, Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `from` node. Empty strings match anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FromNode {
    /// The database points must come from.
    pub database: String,
    /// The retention policy points must come from.
    pub retention_policy: String,
    /// The measurement points must have.
    pub measurement: String,
    /// The filter; several `.where()` calls are ANDed.
    pub predicate: Option<Lambda>,
    /// The grouping of the selected points.
    pub dimensions: Dimensions,
    /// Include the measurement in the group.
    pub group_by_measurement: bool,
    /// Truncate point times to this duration.
    pub truncate: Option<Duration>,
    /// Round point times to this duration.
    pub round: Option<Duration>,
}

impl FromNode {
    fn filter(&mut self, predicate: Lambda) {
        self.predicate = Some(match self.predicate.take() {
            Some(existing) => existing.and(predicate),
            None => predicate,
        });
    }
}

impl NodeSpec for FromNode {
    const NAMES: Names<'static> = Names {
        method: "from",
        desc: "from",
        go_type: "*pipeline.FromNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "database", |n: FromNode, database: String| n.database = database),
        property!(Field "retentionPolicy", |n: FromNode, rp: String| n.retention_policy = rp),
        property!(Field "measurement", |n: FromNode, measurement: String| n.measurement = measurement),
        property!(Method "where", |n: FromNode, predicate: Lambda| n.filter(predicate)),
        property!(Method "groupBy", |n: FromNode, dims: Rest<AnyArg>| dimensions(dims.0)
            .map(|dims| n.dimensions = dims)),
        property!(Method "groupByMeasurement", |n: FromNode| n.group_by_measurement = true),
        property!(Field "truncate", |n: FromNode, d: Duration| n.truncate = Some(d)),
        property!(Field "round", |n: FromNode, d: Duration| n.round = Some(d)),
    ];

    fn chains(&self) -> Chains {
        Chains::From
    }

    fn describe(&self, props: &mut Props) {
        props.text("database", &self.database);
        props.text("retentionPolicy", &self.retention_policy);
        props.text("measurement", &self.measurement);
        props.opt("where", self.predicate.as_ref());
        if !self.dimensions.is_empty() {
            props.put("groupBy", self.dimensions.to_string());
        }
        props.flag("groupByMeasurement", self.group_by_measurement);
        props.opt("truncate", self.truncate);
        props.opt("round", self.round);
    }
}

/// `|from()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("from", || Created::child(
    NodeKind::From(FromNode::default()),
    Edges::Fixed(EdgeType::Stream, EdgeType::Stream)
))];
