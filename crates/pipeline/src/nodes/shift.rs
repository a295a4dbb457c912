//! `|shift(d)`: moves every point (and batch) in time by `d`, which may be negative.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;

/// The `shift` node.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftNode {
    /// Added to every time.
    pub shift: Duration,
}

impl NodeSpec for ShiftNode {
    const NAMES: Names<'static> = Names {
        method: "shift",
        desc: "shift",
        go_type: "*pipeline.ShiftNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, props: &mut Props) {
        props.put("shift", self.shift);
    }
}

/// `|shift(d)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("shift", |shift: Duration| Created::child(
        NodeKind::Shift(ShiftNode { shift }),
        Edges::Same
    ))];
