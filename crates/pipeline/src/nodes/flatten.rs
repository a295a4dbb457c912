//! `|flatten()`: merges the points of equal time in a group into one point whose field
//! names carry the `.on(…)` tag values.

use tickflow_model::Duration;

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `flatten` node.
#[derive(Debug, Clone, PartialEq)]
pub struct FlattenNode {
    /// The tags whose values prefix the field names.
    pub on: Vec<String>,
    /// Between the parts of a field name (default `.`).
    pub delimiter: String,
    /// Times within this distance are the same time.
    pub tolerance: Option<Duration>,
    /// Name fields by the tag values only.
    pub drop_original_field_name: bool,
}

impl Default for FlattenNode {
    fn default() -> Self {
        FlattenNode {
            on: Vec::new(),
            delimiter: ".".into(),
            tolerance: None,
            drop_original_field_name: false,
        }
    }
}

impl NodeSpec for FlattenNode {
    const NAMES: Names<'static> = Names {
        method: "flatten",
        desc: "flatten",
        go_type: "*pipeline.FlattenNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "on", |n: FlattenNode, dims: Rest<String>| n.on = dims.0),
        property!(Field "delimiter", |n: FlattenNode, delimiter: String| n.delimiter = delimiter),
        property!(Field "tolerance", |n: FlattenNode, tolerance: Duration| n.tolerance = Some(tolerance)),
        property!(Method "dropOriginalFieldName", |n: FlattenNode, drop: Rest<bool>| {
            n.drop_original_field_name = drop.0.first().copied().unwrap_or(true)
        }),
    ];

    fn describe(&self, props: &mut Props) {
        props.list("on", &self.on);
        if self.delimiter != "." {
            props.put("delimiter", &self.delimiter);
        }
        props.opt("tolerance", self.tolerance);
        props.flag("dropOriginalFieldName", self.drop_original_field_name);
    }
}

/// `|flatten()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("flatten", || Created::child(
    NodeKind::Flatten(FlattenNode::default()),
    Edges::Same
))];
