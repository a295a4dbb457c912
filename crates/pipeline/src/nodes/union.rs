//! `a|union(b, c)`: merges its parents' data by time. Its parents are `[b, c, a]`.

use crate::args::{NodeArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `union` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnionNode {
    /// The new measurement name; empty keeps the names.
    pub rename: String,
}

impl NodeSpec for UnionNode {
    const NAMES: Names<'static> = Names {
        method: "union",
        desc: "union",
        go_type: "*pipeline.UnionNode",
    };
    const PROPERTIES: &'static [Property<Self>] =
        &[property!(Field "rename", |n: UnionNode, rename: String| n.rename = rename)];

    fn describe(&self, props: &mut Props) {
        props.text("rename", &self.rename);
    }
}

/// `|union(nodes…)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("union", |others: Rest<NodeArg>| {
    Created::Union(NodeKind::Union(UnionNode::default()), others.0)
})];
