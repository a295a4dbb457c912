//! `|where(λ)`: keeps the points (and batch points) for which the lambda is true.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;

/// The `where` node.
#[derive(Debug, Clone, PartialEq)]
pub struct WhereNode {
    /// The predicate.
    pub predicate: Lambda,
}

impl NodeSpec for WhereNode {
    const NAMES: Names<'static> = Names {
        method: "where",
        desc: "where",
        go_type: "*pipeline.WhereNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, props: &mut Props) {
        props.put("predicate", &self.predicate);
    }
}

/// `|where(λ)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("where", |predicate: Lambda| Created::child(
        NodeKind::Where(WhereNode { predicate }),
        Edges::Same
    ))];
