//! `noop`: a node that forwards nothing, added by `|stats()` under a node that has no
//! other child, so the observed node has somewhere to send its data.

use crate::describe::Props;
use crate::nodes::{Names, NodeSpec};
use crate::property::Property;

/// The `noop` node. It has no settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoOpNode;

impl NodeSpec for NoOpNode {
    const NAMES: Names<'static> = Names {
        method: "noop",
        desc: "noop",
        go_type: "*pipeline.NoOpNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, _props: &mut Props) {}
}
