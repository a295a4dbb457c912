//! `batch|queryFlux('…')`: a Flux query run on a schedule, like `query`.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::nodes::query::check_schedule;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `queryFlux` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryFluxNode {
    /// The Flux query.
    pub query: String,
    /// The time range each run covers.
    pub period: Option<Duration>,
    /// How often to run (exclusive with `cron`).
    pub every: Option<Duration>,
    /// Align runs to multiples of `every`.
    pub align: bool,
    /// A cron schedule (exclusive with `every`).
    pub cron: String,
    /// How far back the range ends.
    pub offset: Option<Duration>,
    /// The configured InfluxDB cluster.
    pub cluster: String,
    /// The InfluxDB organization name.
    pub org: String,
    /// The InfluxDB organization ID.
    pub org_id: String,
}

impl NodeSpec for QueryFluxNode {
    const NAMES: Names<'static> = Names {
        method: "queryFlux",
        desc: "queryFlux",
        go_type: "*pipeline.QueryFluxNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "period", |n: QueryFluxNode, d: Duration| n.period = Some(d)),
        property!(Field "every", |n: QueryFluxNode, d: Duration| n.every = Some(d)),
        property!(Method "align", |n: QueryFluxNode| n.align = true),
        property!(Field "cron", |n: QueryFluxNode, cron: String| n.cron = cron),
        property!(Field "offset", |n: QueryFluxNode, d: Duration| n.offset = Some(d)),
        property!(Field "cluster", |n: QueryFluxNode, cluster: String| n.cluster = cluster),
        property!(Field "org", |n: QueryFluxNode, org: String| n.org = org),
        property!(Field "orgID", |n: QueryFluxNode, id: String| n.org_id = id),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        Ok(check_schedule(self.every, &self.cron)?)
    }

    fn describe(&self, props: &mut Props) {
        props.put("query", &self.query);
        props.opt("period", self.period);
        props.opt("every", self.every);
        props.flag("align", self.align);
        props.text("cron", &self.cron);
        props.opt("offset", self.offset);
        props.text("cluster", &self.cluster);
        props.text("org", &self.org);
        props.text("orgID", &self.org_id);
    }
}

/// `|queryFlux(q)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("queryFlux", |query: String| Created::child(
        NodeKind::QueryFlux(QueryFluxNode {
            query,
            ..QueryFluxNode::default()
        }),
        Edges::Fixed(EdgeType::Batch, EdgeType::Batch)
    ))];
