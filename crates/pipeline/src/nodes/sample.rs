//! `|sample(n)` or `|sample(d)`: keeps every n-th point, or the points whose time falls on
//! a multiple of `d`.

use tickflow_model::Duration;

use crate::args::AnyArg;
use crate::catalogue::{chain_method, ChainMethod, CreateError, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;
use crate::value::Value;

/// The `sample` node.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleNode {
    /// What to keep.
    pub rate: SampleRate,
}

/// How `sample` picks points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleRate {
    /// Every n-th point (the first, the n+1-th, …).
    Count(i64),
    /// Points whose time is a multiple of the duration.
    Every(Duration),
}

impl NodeSpec for SampleNode {
    const NAMES: Names<'static> = Names {
        method: "sample",
        desc: "sample",
        go_type: "*pipeline.SampleNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, props: &mut Props) {
        match self.rate {
            SampleRate::Count(n) => props.put("count", n),
            SampleRate::Every(d) => props.put("every", d),
        }
    }
}

/// The rate of `|sample(rate)`: an int or a duration (anything else is a Go panic in
/// Kapacitor's constructor).
fn rate(value: Value) -> Result<SampleRate, CreateError> {
    match value {
        Value::Int(n) => Ok(SampleRate::Count(n)),
        Value::Duration(d) => Ok(SampleRate::Every(d)),
        _ => Err(CreateError::Panic(
            "must pass int64 or duration to new sample node",
        )),
    }
}

/// `|sample(rate)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("sample", |arg: AnyArg| rate(arg.0)
    .map(|rate| Created::child(NodeKind::Sample(SampleNode { rate }), Edges::Same)))];
