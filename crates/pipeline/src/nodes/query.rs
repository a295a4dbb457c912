//! `batch|query('…')`: an InfluxQL query run on a schedule (`.every(d)` or `.cron(s)`),
//! each run covering `.period(d)`; and the schedule rule `queryFlux` shares.

use tickflow_model::Duration;

use crate::args::{AnyArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::nodes::group_by::{query_dimensions, Dimensions};
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};
use crate::value::{TimeDimension, Value};

/// The `query` node.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryNode {
    /// The InfluxQL query, without time condition or `GROUP BY`.
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
    /// `GROUP BY` tags.
    pub dimensions: Dimensions,
    /// `GROUP BY time(…)`.
    pub group_by_time: Option<TimeDimension>,
    /// Include the measurement in the group.
    pub group_by_measurement: bool,
    /// Align the group-by-time buckets.
    pub align_group: bool,
    /// The query's `fill(…)`.
    pub fill: Option<QueryFill>,
    /// The configured InfluxDB cluster.
    pub cluster: String,
}

/// The `fill` of a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueryFill {
    /// `'null'`.
    Null,
    /// `'none'`.
    None,
    /// `'previous'`.
    Previous,
    /// `'linear'`.
    Linear,
    /// An int.
    Int(i64),
    /// A float.
    Float(f64),
}

/// An invalid query schedule or fill.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Neither `.every()` nor `.cron()`.
    #[error("must define one of 'every' or 'cron'")]
    NoSchedule,
    /// Both `.every()` and `.cron()`.
    #[error("must not set both 'every' and 'cron' properties")]
    BothSchedules,
    /// A negative `.every()`.
    #[error("'every' duration must must be non-negative")]
    NegativeEvery,
    /// A `.fill()` Kapacitor does not know.
    #[error("unexpected fill option {0}")]
    Fill(String),
}

/// Checks a query's schedule: exactly one of a positive `every` and a `cron`.
pub(crate) fn check_schedule(every: Option<Duration>, cron: &str) -> Result<(), QueryError> {
    let every = every.unwrap_or_default();
    match (every.is_zero(), cron.is_empty()) {
        (true, true) => Err(QueryError::NoSchedule),
        (false, false) => Err(QueryError::BothSchedules),
        _ if every < Duration::ZERO => Err(QueryError::NegativeEvery),
        _ => Ok(()),
    }
}

fn fill(value: Value) -> Result<QueryFill, QueryError> {
    Ok(match value {
        Value::String(s) => match s.as_str() {
            "null" => QueryFill::Null,
            "none" => QueryFill::None,
            "previous" => QueryFill::Previous,
            "linear" => QueryFill::Linear,
            _ => return Err(QueryError::Fill(s)),
        },
        Value::Int(v) => QueryFill::Int(v),
        Value::Float(v) => QueryFill::Float(v),
        other => return Err(QueryError::Fill(other.to_string())),
    })
}

impl QueryNode {
    fn group_by(&mut self, dims: Rest<AnyArg>) -> Result<(), NodeError> {
        let (dimensions, time) = query_dimensions(dims.0)?;
        self.dimensions = dimensions;
        self.group_by_time = time;
        Ok(())
    }
}

impl NodeSpec for QueryNode {
    const NAMES: Names<'static> = Names {
        method: "query",
        desc: "query",
        go_type: "*pipeline.QueryNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "period", |n: QueryNode, d: Duration| n.period = Some(d)),
        property!(Field "every", |n: QueryNode, d: Duration| n.every = Some(d)),
        property!(Method "align", |n: QueryNode| n.align = true),
        property!(Field "cron", |n: QueryNode, cron: String| n.cron = cron),
        property!(Field "offset", |n: QueryNode, d: Duration| n.offset = Some(d)),
        property!(Method "groupBy", |n: QueryNode, dims: Rest<AnyArg>| n.group_by(dims)),
        property!(Method "groupByMeasurement", |n: QueryNode| n.group_by_measurement = true),
        property!(Method "alignGroup", |n: QueryNode| n.align_group = true),
        property!(Field "fill", |n: QueryNode, value: AnyArg| fill(value.0).map(|fill| n.fill = Some(fill))),
        property!(Field "cluster", |n: QueryNode, cluster: String| n.cluster = cluster),
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
        let mut group_by: Vec<String> =
            self.group_by_time.iter().map(ToString::to_string).collect();
        if !self.dimensions.is_empty() {
            group_by.push(self.dimensions.to_string());
        }
        if !group_by.is_empty() {
            props.put("groupBy", group_by.join(", "));
        }
        props.flag("groupByMeasurement", self.group_by_measurement);
        props.flag("alignGroup", self.align_group);
        match self.fill {
            Some(QueryFill::Null) => props.put("fill", "null"),
            Some(QueryFill::None) => props.put("fill", "none"),
            Some(QueryFill::Previous) => props.put("fill", "previous"),
            Some(QueryFill::Linear) => props.put("fill", "linear"),
            Some(QueryFill::Int(v)) => props.put("fill", v),
            Some(QueryFill::Float(v)) => props.put("fill", v),
            None => {}
        }
        props.text("cluster", &self.cluster);
    }
}

/// `|query(q)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("query", |query: String| {
    let node = QueryNode {
        query,
        period: None,
        every: None,
        align: false,
        cron: String::new(),
        offset: None,
        dimensions: Dimensions::default(),
        group_by_time: None,
        group_by_measurement: false,
        align_group: false,
        fill: None,
        cluster: String::new(),
    };
    Created::child(
        NodeKind::Query(node),
        Edges::Fixed(EdgeType::Batch, EdgeType::Batch),
    )
})];
