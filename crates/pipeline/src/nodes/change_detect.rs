//! `|changeDetect('f', …)`: forwards a point only when one of the fields differs from the
//! last forwarded point.

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;

/// The `changeDetect` node.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeDetectNode {
    /// The fields compared.
    pub fields: Vec<String>,
}

impl NodeSpec for ChangeDetectNode {
    const NAMES: Names<'static> = Names {
        method: "changeDetect",
        desc: "changeDetect",
        go_type: "*pipeline.ChangeDetectNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, props: &mut Props) {
        props.list("fields", &self.fields);
    }
}

/// `|changeDetect(fields…)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("changeDetect", |fields: Rest<
    String,
>| Created::child(
    NodeKind::ChangeDetect(ChangeDetectNode { fields: fields.0 }),
    Edges::Same
))];
