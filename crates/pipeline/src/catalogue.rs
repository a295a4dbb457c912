//! The chaining methods: `|name(args)` creates a node, and which nodes have which.
//!
//! Every node kind's module lists the chaining methods that create it (its `CHAINS`), each
//! built with `chain_method!` from the method's typed parameters. This module gathers them
//! into the sets Kapacitor gives each node: every node has `|stats` and `|deadman`, the
//! `stream` source adds `|from`, the `batch` source `|query` and `|queryFlux`, and every
//! other node except the sinks has the full list.

use tickflow_model::Duration;

use crate::args::{ArgError, CallSite, NodeArg};
use crate::edge::EdgeType;
use crate::error::{BuildError, BuildErrorKind};
use crate::lambda::Lambda;
use crate::nodes::{self, Chains, NodeError, NodeKind};
use crate::property::same_name;
use crate::value::Value;

/// A chaining method: its name and how it makes a node from its arguments.
pub(crate) struct ChainMethod {
    /// The name as written in scripts.
    pub name: &'static str,
    /// Decodes the arguments and makes the node.
    pub create: fn(Vec<Value>) -> Result<Created, CreateError>,
}

/// What a chaining method creates.
pub(crate) enum Created {
    /// A child of the node it is called on.
    Child(NodeKind, Edges),
    /// A join of the node it is called on and `others` (parents: self first).
    Join(NodeKind, Vec<NodeArg>),
    /// A union of `others` and the node it is called on (parents: self last).
    Union(NodeKind, Vec<NodeArg>),
    /// A `stats` source observing the node it is called on.
    Stats(Duration),
    /// `stats|derivative|alert`, Kapacitor's deadman switch.
    Deadman(Deadman),
}

/// The arguments of `|deadman(threshold, interval, lambdas…)`.
pub(crate) struct Deadman {
    pub threshold: f64,
    pub interval: Duration,
    pub lambdas: Vec<Lambda>,
}

/// How a new child's edges follow from its parent's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edges {
    /// Wants and provides what the parent provides (`where`, `eval`, `alert`, …).
    Same,
    /// Wants what the parent provides, provides this (`mean` → stream, `top` → batch).
    Provides(EdgeType),
    /// Wants and provides these (`from`, `query`, `trickle`).
    Fixed(EdgeType, EdgeType),
    /// `window`: stream to batch, refused outright under a batch edge.
    Window,
}

impl Created {
    /// A child with these edges.
    pub(crate) fn child(kind: NodeKind, edges: Edges) -> Created {
        Created::Child(kind, edges)
    }
}

/// Why a chaining method could not make its node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CreateError {
    /// The arguments do not fit the method.
    Args(ArgError),
    /// The node's constructor refused the arguments (a Go panic in Kapacitor).
    Panic(&'static str),
    /// An argument value is invalid (reported by Kapacitor's validation).
    Invalid(NodeError),
}

impl CreateError {
    /// The error Kapacitor reports for `call`.
    pub(crate) fn at(self, call: &CallSite<'_>) -> BuildError {
        match self {
            CreateError::Args(err) => err.at(call),
            CreateError::Panic(cause) => BuildError::new(
                call.span,
                BuildErrorKind::CallPanicked {
                    func: call.func.to_string(),
                    obj: call.obj.to_string(),
                    cause: cause.into(),
                },
            ),
            CreateError::Invalid(err) => BuildError::new(call.span, err),
        }
    }
}

/// What a chaining method body may evaluate to.
pub(crate) trait IntoCreated {
    fn into_created(self) -> Result<Created, CreateError>;
}

impl IntoCreated for Created {
    fn into_created(self) -> Result<Created, CreateError> {
        Ok(self)
    }
}

impl IntoCreated for Result<Created, CreateError> {
    fn into_created(self) -> Result<Created, CreateError> {
        self
    }
}

/// Builds a [`ChainMethod`]: `chain_method!("name", |arg: Type, …| body)`.
macro_rules! chain_method {
    ($name:literal, || $body:expr) => {
        $crate::catalogue::chain_method!($name, | | $body)
    };
    ($name:literal, |$($arg:ident: $ty:ty),* $(,)?| $body:expr) => {
        $crate::catalogue::ChainMethod {
            name: $name,
            create: |args: Vec<$crate::value::Value>| {
                let ($($arg,)*) = <($($ty,)*) as $crate::args::FromArgs>::from_args(args)
                    .map_err($crate::catalogue::CreateError::Args)?;
                $crate::catalogue::IntoCreated::into_created($body)
            },
        }
    };
}

pub(crate) use chain_method;

/// Every node: `|stats`, `|deadman`.
const COMMON: &[&[ChainMethod]] = &[nodes::stats::CHAINS];

/// The methods of chain nodes (all but the sources and the sinks).
const FULL: &[&[ChainMethod]] = &[
    nodes::alert::CHAINS,
    nodes::autoscale::CHAINS,
    nodes::barrier::CHAINS,
    nodes::change_detect::CHAINS,
    nodes::combine::CHAINS,
    nodes::default::CHAINS,
    nodes::delete::CHAINS,
    nodes::derivative::CHAINS,
    nodes::eval::CHAINS,
    nodes::flatten::CHAINS,
    nodes::group_by::CHAINS,
    nodes::http_out::CHAINS,
    nodes::http_post::CHAINS,
    nodes::influxdb_out::CHAINS,
    nodes::influxql::CHAINS,
    nodes::join::CHAINS,
    nodes::kapacitor_loopback::CHAINS,
    nodes::log::CHAINS,
    nodes::sample::CHAINS,
    nodes::shift::CHAINS,
    nodes::sideload::CHAINS,
    nodes::state_count::CHAINS,
    nodes::state_duration::CHAINS,
    nodes::trickle::CHAINS,
    nodes::union::CHAINS,
    nodes::r#where::CHAINS,
    nodes::window::CHAINS,
];

/// `|from()`.
const FROM: &[&[ChainMethod]] = &[nodes::from::CHAINS];

/// `|query()`, `|queryFlux()`.
const QUERY: &[&[ChainMethod]] = &[nodes::query::CHAINS, nodes::query_flux::CHAINS];

/// The chaining methods of a node with `chains`.
pub(crate) fn chain_methods(chains: Chains) -> impl Iterator<Item = &'static ChainMethod> {
    let groups: &[&[&[ChainMethod]]] = match chains {
        Chains::Full => &[COMMON, FULL],
        Chains::From => &[COMMON, FULL, FROM],
        Chains::Stream => &[COMMON, FROM],
        Chains::Batch => &[COMMON, QUERY],
        Chains::Terminal => &[COMMON],
    };
    groups
        .iter()
        .flat_map(|group| group.iter())
        .flat_map(|methods| methods.iter())
}

/// The chaining method written `name` of a node with `chains`.
pub(crate) fn find(chains: Chains, name: &str) -> Option<&'static ChainMethod> {
    chain_methods(chains).find(|method| same_name(name, method.name))
}
