//! `|stateCount(λ)`: how many consecutive points the lambda has been true for, added as a
//! field.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `stateCount` node.
#[derive(Debug, Clone, PartialEq)]
pub struct StateCountNode {
    /// The state.
    pub predicate: Lambda,
    /// The output field (default `state_count`).
    pub as_name: String,
}

impl NodeSpec for StateCountNode {
    const NAMES: Names<'static> = Names {
        method: "stateCount",
        desc: "state_count",
        go_type: "*pipeline.StateCountNode",
    };
    const PROPERTIES: &'static [Property<Self>] =
        &[property!(Field "as", |n: StateCountNode, name: String| n.as_name = name)];

    fn describe(&self, props: &mut Props) {
        props.put("predicate", &self.predicate);
        props.put("as", &self.as_name);
    }
}

/// `|stateCount(λ)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("stateCount", |predicate: Lambda| {
    Created::child(
        NodeKind::StateCount(StateCountNode {
            predicate,
            as_name: "state_count".into(),
        }),
        Edges::Same,
    )
})];
