//! `|trickle()`: turns each batch back into single points (batch edge to stream edge).

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;

/// The `trickle` node. It has no settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrickleNode;

impl NodeSpec for TrickleNode {
    const NAMES: Names<'static> = Names {
        method: "trickle",
        desc: "trickle",
        go_type: "*pipeline.TrickleNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, _props: &mut Props) {}
}

/// `|trickle()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("trickle", || Created::child(
    NodeKind::Trickle(TrickleNode),
    Edges::Fixed(EdgeType::Batch, EdgeType::Stream)
))];
