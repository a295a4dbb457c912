//! `|window()`: collects points into batches by time (`.period`, `.every`) or by count
//! (`.periodCount`, `.everyCount`). Stream edge in, batch edge out.

use tickflow_model::Duration;

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `window` node. Zero values mean unset, as in Kapacitor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowNode {
    /// The time a window covers.
    pub period: Option<Duration>,
    /// How often a window is emitted; zero emits on every point.
    pub every: Option<Duration>,
    /// Align window edges to multiples of `every`.
    pub align: bool,
    /// Wait until a whole period has passed before the first emission.
    pub fill_period: bool,
    /// The number of points a window holds.
    pub period_count: Option<i64>,
    /// Emit every this many points.
    pub every_count: Option<i64>,
}

/// An inconsistent window.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// Both a time and a count period.
    #[error("cannot specify both period and periodCount")]
    BothPeriods,
    /// `.align()` with a count period.
    #[error("can only align windows based off time, not count")]
    AlignCount,
    /// A count period without `everyCount`.
    #[error("everyCount must be greater than zero")]
    EveryCount,
    /// Neither kind of period.
    #[error("window node must have either a non zero period or non zero period count")]
    NoPeriod,
}

impl NodeSpec for WindowNode {
    const NAMES: Names<'static> = Names {
        method: "window",
        desc: "window",
        go_type: "*pipeline.WindowNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "period", |n: WindowNode, d: Duration| n.period = Some(d)),
        property!(Field "every", |n: WindowNode, d: Duration| n.every = Some(d)),
        property!(Method "align", |n: WindowNode| n.align = true),
        property!(Method "fillPeriod", |n: WindowNode| n.fill_period = true),
        property!(Field "periodCount", |n: WindowNode, count: i64| n.period_count = Some(count)),
        property!(Field "everyCount", |n: WindowNode, count: i64| n.every_count = Some(count)),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        let period = self.period.unwrap_or_default();
        let period_count = self.period_count.unwrap_or_default();
        if period_count != 0 && !period.is_zero() {
            return Err(WindowError::BothPeriods.into());
        }
        if period_count != 0 && self.align {
            return Err(WindowError::AlignCount.into());
        }
        if period_count != 0 && self.every_count.unwrap_or_default() <= 0 {
            return Err(WindowError::EveryCount.into());
        }
        if period.is_zero() && period_count == 0 {
            return Err(WindowError::NoPeriod.into());
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        props.opt("period", self.period);
        props.opt("every", self.every);
        props.flag("align", self.align);
        props.flag("fillPeriod", self.fill_period);
        props.opt("periodCount", self.period_count);
        props.opt("everyCount", self.every_count);
    }
}

/// `|window()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("window", || Created::child(
    NodeKind::Window(WindowNode::default()),
    Edges::Window
))];
