//! `|stats(interval)`: a new source emitting, by wall clock, how many messages another
//! node has emitted; and `|deadman(threshold, interval, λ…)`, the alert built on it.
//! Every node has both chaining methods.

use tickflow_model::Duration;

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Deadman};
use crate::describe::Props;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeError, NodeSpec};
use crate::pipeline::NodeId;
use crate::property::{property, Property};

/// The `stats` node. It has no parent: it observes `observed` from outside the data flow.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsNode {
    /// The node whose emitted counts are reported.
    pub observed: NodeId,
    /// How often to report, by wall clock.
    pub interval: Duration,
    /// Round report times to the interval.
    pub align: bool,
}

/// An invalid `stats` node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// A zero or negative interval.
    #[error("stats interval must be greater than zero, got {0}")]
    Interval(String),
}

impl NodeSpec for StatsNode {
    const NAMES: Names<'static> = Names {
        method: "stats",
        desc: "stats",
        go_type: "*pipeline.StatsNode",
    };
    const PROPERTIES: &'static [Property<Self>] =
        &[property!(Method "align", |n: StatsNode| n.align = true)];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        match self.interval > Duration::ZERO {
            true => Ok(()),
            false => Err(StatsError::Interval(self.interval.to_influxql()).into()),
        }
    }

    fn describe(&self, props: &mut Props) {
        props.put("interval", self.interval);
        props.flag("align", self.align);
    }
}

/// `|stats(interval)` and `|deadman(threshold, interval, λ…)`.
pub(crate) const CHAINS: &[ChainMethod] = &[
    chain_method!("stats", |interval: Duration| Created::Stats(interval)),
    chain_method!(
        "deadman",
        |threshold: f64, interval: Duration, lambdas: Rest<Lambda>| Created::Deadman(Deadman {
            threshold,
            interval,
            lambdas: lambdas.0
        })
    ),
];
