//! `|barrier()`: emits barriers by wall clock, after `.idle(d)` without data or every
//! `.period(d)`, optionally deleting the group (`.delete(TRUE)`).

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `barrier` node. After validation exactly one of `idle` and `period` is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarrierNode {
    /// Emit after this long without data.
    pub idle: Option<Duration>,
    /// Emit this often.
    pub period: Option<Duration>,
    /// Delete the group after each barrier.
    pub delete: bool,
}

/// An inconsistent barrier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarrierError {
    /// Both `.idle()` and `.period()`.
    #[error("cannot specify both idle and period")]
    Both,
    /// Neither, or a non-positive idle.
    #[error("idle must be greater than zero")]
    Idle,
    /// A non-positive period.
    #[error("period must be greater than zero")]
    Period,
}

impl NodeSpec for BarrierNode {
    const NAMES: Names<'static> = Names {
        method: "barrier",
        desc: "barrier",
        go_type: "*pipeline.BarrierNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "idle", |n: BarrierNode, idle: Duration| n.idle = Some(idle)),
        property!(Field "period", |n: BarrierNode, period: Duration| n.period = Some(period)),
        property!(Field "delete", |n: BarrierNode, delete: bool| n.delete = delete),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        let zero = Duration::ZERO;
        let (idle, period) = (self.idle.unwrap_or(zero), self.period.unwrap_or(zero));
        if idle != zero && period != zero {
            return Err(BarrierError::Both.into());
        }
        if period == zero && idle <= zero {
            return Err(BarrierError::Idle.into());
        }
        if period <= zero && idle == zero {
            return Err(BarrierError::Period.into());
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        props.opt("idle", self.idle);
        props.opt("period", self.period);
        props.flag("delete", self.delete);
    }
}

/// `|barrier()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("barrier", || Created::child(
    NodeKind::Barrier(BarrierNode::default()),
    Edges::Same
))];
