//! `|stateDuration(λ)`: how long the lambda has been true, added as a field.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `stateDuration` node.
#[derive(Debug, Clone, PartialEq)]
pub struct StateDurationNode {
    /// The state.
    pub predicate: Lambda,
    /// The output field (default `state_duration`).
    pub as_name: String,
    /// The time unit of the output (default 1s).
    pub unit: Duration,
}

impl NodeSpec for StateDurationNode {
    const NAMES: Names<'static> = Names {
        method: "stateDuration",
        desc: "state_duration",
        go_type: "*pipeline.StateDurationNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "as", |n: StateDurationNode, name: String| n.as_name = name),
        property!(Field "unit", |n: StateDurationNode, unit: Duration| n.unit = unit),
    ];

    fn describe(&self, props: &mut Props) {
        props.put("predicate", &self.predicate);
        props.put("as", &self.as_name);
        if self.unit != Duration::SECOND {
            props.put("unit", self.unit);
        }
    }
}

/// `|stateDuration(λ)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("stateDuration", |predicate: Lambda| {
    let node = StateDurationNode {
        predicate,
        as_name: "state_duration".into(),
        unit: Duration::SECOND,
    };
    Created::child(NodeKind::StateDuration(node), Edges::Same)
})];
