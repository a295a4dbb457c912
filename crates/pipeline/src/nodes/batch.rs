//! `batch`: the source of a batch task. Scripts schedule queries under it with
//! `|query('…')` or `|queryFlux('…')`. Kapacitor leaves it out of the task's DOT graph.

use crate::describe::Props;
use crate::nodes::{Chains, Names, NodeSpec};
use crate::property::Property;

/// The `batch` source. It has no settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchNode;

impl NodeSpec for BatchNode {
    const NAMES: Names<'static> = Names {
        method: "batch",
        desc: "batch",
        go_type: "*pipeline.BatchNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn chains(&self) -> Chains {
        Chains::Batch
    }

    fn describe(&self, _props: &mut Props) {}
}
