//! `|sideload()`: adds fields and tags looked up in hierarchical files by the point's tags
//! (`.source(uri)`, `.order(templates…)`, defaults from `.field` and `.tag`).

use tickflow_model::FieldValue;

use crate::args::{AnyArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::nodes::default::{field_value, render_field, DefaultError};
use crate::nodes::{describe_entries, upsert, Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `sideload` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideloadNode {
    /// Where the files are (`file:///…`).
    pub source: String,
    /// The file path templates, most specific first.
    pub order: Vec<String>,
    /// Fields to load, with their defaults.
    pub fields: Vec<(String, FieldValue)>,
    /// Tags to load, with their defaults.
    pub tags: Vec<(String, String)>,
}

impl SideloadNode {
    fn field(&mut self, name: String, value: AnyArg) -> Result<(), DefaultError> {
        let value = field_value(&name, value.0)?;
        upsert(&mut self.fields, name, value);
        Ok(())
    }
}

impl NodeSpec for SideloadNode {
    const NAMES: Names<'static> = Names {
        method: "sideload",
        desc: "sideload",
        go_type: "*pipeline.SideloadNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "source", |n: SideloadNode, source: String| n.source = source),
        property!(Method "order", |n: SideloadNode, order: Rest<String>| n.order = order.0),
        property!(Method "field", |n: SideloadNode, name: String, value: AnyArg| n.field(name, value)),
        property!(Method "tag", |n: SideloadNode, name: String, value: String| upsert(&mut n.tags, name, value)),
    ];

    fn describe(&self, props: &mut Props) {
        props.text("source", &self.source);
        props.list("order", &self.order);
        describe_entries(props, "field", &self.fields, render_field);
        describe_entries(props, "tag", &self.tags, |value| quote(value));
    }
}

/// `|sideload()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("sideload", || Created::child(
    NodeKind::Sideload(SideloadNode::default()),
    Edges::Same
))];
