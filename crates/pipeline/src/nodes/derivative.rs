//! `|derivative('f')`: the rate of change of a field between consecutive points.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `derivative` node.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivativeNode {
    /// The field differentiated.
    pub field: String,
    /// The time unit of the rate (default 1s).
    pub unit: Duration,
    /// Drop negative rates.
    pub non_negative: bool,
    /// The output field (default: the input field, overwritten).
    pub as_name: String,
}

impl DerivativeNode {
    /// The derivative of `field` with the defaults.
    pub(crate) fn new(field: String) -> Self {
        DerivativeNode {
            as_name: field.clone(),
            field,
            unit: Duration::SECOND,
            non_negative: false,
        }
    }
}

impl NodeSpec for DerivativeNode {
    const NAMES: Names<'static> = Names {
        method: "derivative",
        desc: "derivative",
        go_type: "*pipeline.DerivativeNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "unit", |n: DerivativeNode, unit: Duration| n.unit = unit),
        property!(Method "nonNegative", |n: DerivativeNode| n.non_negative = true),
        property!(Field "as", |n: DerivativeNode, name: String| n.as_name = name),
    ];

    fn describe(&self, props: &mut Props) {
        props.put("field", &self.field);
        if self.unit != Duration::SECOND {
            props.put("unit", self.unit);
        }
        props.flag("nonNegative", self.non_negative);
        if self.as_name != self.field {
            props.put("as", &self.as_name);
        }
    }
}

/// `|derivative(field)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("derivative", |field: String| Created::child(
        NodeKind::Derivative(DerivativeNode::new(field)),
        Edges::Same
    ))];
