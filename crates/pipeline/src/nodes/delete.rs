//! `|delete()`: removes fields (`.field(name)`) and tags (`.tag(name)`) from the data.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `delete` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteNode {
    /// The fields removed.
    pub fields: Vec<String>,
    /// The tags removed.
    pub tags: Vec<String>,
}

impl NodeSpec for DeleteNode {
    const NAMES: Names<'static> = Names {
        method: "delete",
        desc: "delete",
        go_type: "*pipeline.DeleteNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "field", |n: DeleteNode, name: String| n.fields.push(name)),
        property!(Method "tag", |n: DeleteNode, name: String| n.tags.push(name)),
    ];

    fn describe(&self, props: &mut Props) {
        props.list("fields", &self.fields);
        props.list("tags", &self.tags);
    }
}

/// `|delete()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("delete", || Created::child(
    NodeKind::Delete(DeleteNode::default()),
    Edges::Same
))];
