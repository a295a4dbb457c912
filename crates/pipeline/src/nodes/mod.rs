//! The node catalogue: one module per node kind of Kapacitor's pipeline, each holding the
//! kind's typed spec, its property table and its validation. The engine's
//! `engine/src/nodes/` mirrors these file names.
//!
//! [`NodeKind`] is the enum over every spec. What creates a node (the chaining methods
//! `|window()`, `|mean('f')`, …) is listed in the crate's chaining-method catalogue
//! (`catalogue.rs`).

use crate::args::Kind;
use crate::describe::{quote, Props};
use crate::property::{self, Outcome, Property, PropertyError};
use crate::value::Value;

pub mod alert;
pub mod autoscale;
pub mod barrier;
pub mod batch;
pub mod change_detect;
pub mod combine;
pub mod default;
pub mod delete;
pub mod derivative;
pub mod eval;
pub mod flatten;
pub mod from;
pub mod group_by;
pub mod http_out;
pub mod http_post;
pub mod influxdb_out;
pub mod influxql;
pub mod join;
pub mod kapacitor_loopback;
pub mod log;
pub mod noop;
pub mod query;
pub mod query_flux;
pub mod sample;
pub mod shift;
pub mod sideload;
pub mod state_count;
pub mod state_duration;
pub mod stats;
pub mod stream;
pub mod trickle;
pub mod udf;
pub mod union;
pub mod r#where;
pub mod window;

/// How a node kind is named: in scripts, in node names and in Kapacitor's messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names<'a> {
    /// The chaining method that creates it, as scripts write it (`httpOut`).
    pub method: &'a str,
    /// The prefix of node names (`http_out` in `http_out5`).
    pub desc: &'a str,
    /// The Go type Kapacitor's messages print (`*pipeline.HTTPOutNode`).
    pub go_type: &'static str,
}

/// Which chaining methods a node has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chains {
    /// Every chaining method (most nodes).
    Full,
    /// Every chaining method and `|from()` (a `from` node).
    From,
    /// The `stream` source: `|from()`, `|stats()`, `|deadman()`.
    Stream,
    /// The `batch` source: `|query()`, `|queryFlux()`, `|stats()`, `|deadman()`.
    Batch,
    /// Sinks: only `|stats()` and `|deadman()`.
    Terminal,
}

/// What every node spec type provides.
pub(crate) trait NodeSpec: Sized + 'static {
    /// The kind's names.
    const NAMES: Names<'static>;
    /// The kind's properties.
    const PROPERTIES: &'static [Property<Self>];

    /// The names of this node (differs per node for InfluxQL functions and UDFs).
    fn names(&self) -> Names<'_> {
        Self::NAMES
    }

    /// The properties of this node.
    fn properties(&self) -> &'static [Property<Self>] {
        Self::PROPERTIES
    }

    /// The chaining methods this node has.
    fn chains(&self) -> Chains {
        Chains::Full
    }

    /// Checks the finished spec, given its number of parents (Kapacitor's `validate`).
    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        Ok(())
    }

    /// The settings that differ from the defaults, for the DAG listing.
    fn describe(&self, props: &mut Props);
}

macro_rules! node_kinds {
    ($($(#[$doc:meta])* $variant:ident($spec:ty),)*) => {
        /// The typed spec of a node, by kind.
        // Specs are built once per task and read by reference; boxing the large ones (an
        // alert) would buy nothing.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum NodeKind {
            $($(#[$doc])* $variant($spec),)*
        }

        impl NodeKind {
            /// The node's names.
            pub(crate) fn names(&self) -> Names<'_> {
                match self { $(NodeKind::$variant(spec) => spec.names(),)* }
            }

            /// The chaining methods the node has.
            pub(crate) fn chains(&self) -> Chains {
                match self { $(NodeKind::$variant(spec) => spec.chains(),)* }
            }

            /// The names of the node's own properties.
            pub(crate) fn property_names(&self) -> Vec<&'static str> {
                match self { $(NodeKind::$variant(spec) => property::names(spec.properties()).collect(),)* }
            }

            /// How the property written `name` is applied, if the node has it.
            pub(crate) fn property_kind(&self, name: &str) -> Option<Kind> {
                match self { $(NodeKind::$variant(spec) => property::find(spec.properties(), name).map(|p| p.kind),)* }
            }

            /// Applies the property written `name`, if the node has it.
            pub(crate) fn apply_property(
                &mut self,
                name: &str,
                args: Vec<Value>,
            ) -> Option<Result<Outcome, PropertyError>> {
                match self {
                    $(NodeKind::$variant(spec) => {
                        let table = spec.properties();
                        property::apply(spec, table, name, args)
                    })*
                }
            }

            /// Checks the finished spec.
            pub(crate) fn validate(&self, parents: usize) -> Result<(), NodeError> {
                match self { $(NodeKind::$variant(spec) => spec.validate(parents),)* }
            }

            /// The settings that differ from the defaults.
            pub(crate) fn describe(&self) -> Vec<String> {
                let mut props = Props::default();
                match self { $(NodeKind::$variant(spec) => spec.describe(&mut props),)* }
                props.into_lines()
            }
        }
    };
}

node_kinds! {
    /// `stream`: the source of a stream task.
    Stream(stream::StreamNode),
    /// `batch`: the source of a batch task.
    Batch(batch::BatchNode),
    /// `|from()`: selects points of the stream.
    From(from::FromNode),
    /// `|query('…')`: an InfluxQL query run on a schedule.
    Query(query::QueryNode),
    /// `|queryFlux('…')`: a Flux query run on a schedule.
    QueryFlux(query_flux::QueryFluxNode),
    /// `|window()`: batches points by time or count.
    Window(window::WindowNode),
    /// `|groupBy(…)`: regroups the data.
    GroupBy(group_by::GroupByNode),
    /// `|where(λ)`: filters.
    Where(r#where::WhereNode),
    /// `|eval(λ, …)`: computes fields.
    Eval(eval::EvalNode),
    /// `|default()`: defaults missing fields and tags.
    Default(default::DefaultNode),
    /// `|delete()`: deletes fields and tags.
    Delete(delete::DeleteNode),
    /// `|log()`: logs the data.
    Log(log::LogNode),
    /// `|httpOut('name')`: serves the latest data over HTTP.
    HttpOut(http_out::HttpOutNode),
    /// `|httpPost(url)`: posts the data.
    HttpPost(http_post::HttpPostNode),
    /// `|influxDBOut()`: writes to InfluxDB.
    InfluxDbOut(influxdb_out::InfluxDbOutNode),
    /// `|kapacitorLoopback()`: writes back into the stream.
    KapacitorLoopback(kapacitor_loopback::KapacitorLoopbackNode),
    /// `|alert()`: raises alerts and sends them to handlers.
    Alert(alert::AlertNode),
    /// `|union(…)`: merges parents.
    Union(union::UnionNode),
    /// `|join(…)`: joins parents on time.
    Join(join::JoinNode),
    /// `|combine(λ, …)`: combines points of one parent.
    Combine(combine::CombineNode),
    /// `|flatten()`: flattens points of equal time.
    Flatten(flatten::FlattenNode),
    /// `|sample(n)`: keeps every n-th point.
    Sample(sample::SampleNode),
    /// `|shift(d)`: shifts times.
    Shift(shift::ShiftNode),
    /// `|derivative('f')`: rate of change.
    Derivative(derivative::DerivativeNode),
    /// `|changeDetect('f', …)`: drops unchanged points.
    ChangeDetect(change_detect::ChangeDetectNode),
    /// `|stateDuration(λ)`: time spent in a state.
    StateDuration(state_duration::StateDurationNode),
    /// `|stateCount(λ)`: points in a state.
    StateCount(state_count::StateCountNode),
    /// `|barrier()`: emits barriers on a wall-clock timer.
    Barrier(barrier::BarrierNode),
    /// `|stats(d)`: statistics of another node, as a new source.
    Stats(stats::StatsNode),
    /// `noop`: added under a node observed by `|stats` that has no other child.
    NoOp(noop::NoOpNode),
    /// `|trickle()`: batches to points.
    Trickle(trickle::TrickleNode),
    /// `|sideload()`: adds fields and tags from external files.
    Sideload(sideload::SideloadNode),
    /// `|k8sAutoscale()`, `|swarmAutoscale()`, `|ec2Autoscale()`.
    Autoscale(autoscale::AutoscaleNode),
    /// `|mean('f')`, `|top(3, 'f')`, …: an InfluxQL function.
    InfluxQl(influxql::InfluxQlNode),
    /// `@name()`: a user-defined function.
    Udf(udf::UdfNode),
}

/// A node whose settings are invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NodeError {
    /// `groupBy` dimensions.
    #[error(transparent)]
    Dimensions(#[from] group_by::DimensionError),
    /// `query` and `queryFlux` schedules.
    #[error(transparent)]
    Query(#[from] query::QueryError),
    /// `window`.
    #[error(transparent)]
    Window(#[from] window::WindowError),
    /// `eval`.
    #[error(transparent)]
    Eval(#[from] eval::EvalError),
    /// `default` and `sideload` values.
    #[error(transparent)]
    Default(#[from] default::DefaultError),
    /// `httpPost`.
    #[error(transparent)]
    HttpPost(#[from] http_post::HttpPostError),
    /// `kapacitorLoopback`.
    #[error(transparent)]
    KapacitorLoopback(#[from] kapacitor_loopback::KapacitorLoopbackError),
    /// `alert` and its handlers.
    #[error(transparent)]
    Alert(#[from] alert::AlertError),
    /// `join`.
    #[error(transparent)]
    Join(#[from] join::JoinError),
    /// `combine`.
    #[error(transparent)]
    Combine(#[from] combine::CombineError),
    /// `barrier`.
    #[error(transparent)]
    Barrier(#[from] barrier::BarrierError),
    /// `stats`.
    #[error(transparent)]
    Stats(#[from] stats::StatsError),
}

/// Sets `key` in a list of entries kept in first-set order: a later call with the same
/// key replaces the value, as Kapacitor's Go maps do.
pub(crate) fn upsert<V>(entries: &mut Vec<(String, V)>, key: String, value: V) {
    match entries.iter_mut().find(|(existing, _)| *existing == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// `'key', value` lines for a list of entries.
pub(crate) fn describe_entries<V>(
    props: &mut Props,
    name: &str,
    entries: &[(String, V)],
    render: impl Fn(&V) -> String,
) {
    for (key, value) in entries {
        props.put(name, format!("{}, {}", quote(key), render(value)));
    }
}
