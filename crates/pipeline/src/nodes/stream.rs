//! `stream`: the source of a stream task, every point written to the task's database and
//! retention policies. Scripts select from it with `|from()`.

use crate::describe::Props;
use crate::nodes::{Chains, Names, NodeSpec};
use crate::property::Property;

/// The `stream` source. It has no settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamNode;

impl NodeSpec for StreamNode {
    const NAMES: Names<'static> = Names {
        method: "stream",
        desc: "stream",
        go_type: "*pipeline.StreamNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn chains(&self) -> Chains {
        Chains::Stream
    }

    fn describe(&self, _props: &mut Props) {}
}
