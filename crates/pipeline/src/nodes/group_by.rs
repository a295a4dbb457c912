//! `|groupBy(dims…)`: regroups points or batches by tags (or `*`, all tags), and the
//! dimension rules it shares with `from().groupBy(…)` and `query().groupBy(…)`.

use std::fmt;

use crate::args::{AnyArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, CreateError, Created, Edges};
use crate::describe::{quote, Props};
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};
use crate::value::{TimeDimension, Value};

/// What data is grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dimensions {
    /// These tags; none means one group for everything.
    Tags(Vec<String>),
    /// `*`: every tag of each point.
    All,
}

impl Default for Dimensions {
    fn default() -> Self {
        Dimensions::Tags(Vec::new())
    }
}

impl Dimensions {
    /// Whether there is no grouping.
    pub fn is_empty(&self) -> bool {
        matches!(self, Dimensions::Tags(tags) if tags.is_empty())
    }
}

impl fmt::Display for Dimensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dimensions::All => f.write_str("*"),
            Dimensions::Tags(tags) => f.write_str(
                &tags
                    .iter()
                    .map(|tag| quote(tag))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// Invalid grouping dimensions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DimensionError {
    /// `groupBy('')`.
    #[error("dimensions cannot not be the empty string")]
    Empty,
    /// A dimension that is neither a string nor `*`.
    #[error("invalid dimension object of type {0}")]
    InvalidType(&'static str),
    /// `groupBy(*, 'host')`.
    #[error("cannot group by both '*' and named dimensions.")]
    StarAndNames,
    /// `.exclude(…)` without `*`.
    #[error("exclude requires '*'")]
    ExcludeWithoutStar,
}

/// The dimensions of a `groupBy(…)` call (Kapacitor's `validateDimensions`).
pub(crate) fn dimensions(args: Vec<AnyArg>) -> Result<Dimensions, DimensionError> {
    let count = args.len();
    let mut tags = Vec::with_capacity(count);
    let mut star = false;
    for AnyArg(value) in args {
        match value {
            Value::String(tag) if tag.is_empty() => return Err(DimensionError::Empty),
            Value::String(tag) => tags.push(tag),
            Value::Star => star = true,
            other => return Err(DimensionError::InvalidType(other.go_type())),
        }
    }
    match (star, count) {
        (true, 1) => Ok(Dimensions::All),
        (true, _) => Err(DimensionError::StarAndNames),
        (false, _) => Ok(Dimensions::Tags(tags)),
    }
}

/// The dimensions of `query().groupBy(…)`, which also takes `time(…)`.
pub(crate) fn query_dimensions(
    args: Vec<AnyArg>,
) -> Result<(Dimensions, Option<TimeDimension>), DimensionError> {
    let mut time = None;
    let mut rest = Vec::with_capacity(args.len());
    for arg in args {
        match arg.0 {
            Value::TimeDimension(dim) => time = Some(dim),
            _ => rest.push(arg),
        }
    }
    Ok((dimensions(rest)?, time))
}

/// The `groupBy` node.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupByNode {
    /// The new grouping.
    pub dimensions: Dimensions,
    /// Tags left out of `*`.
    pub exclude: Vec<String>,
    /// Include the measurement in the group.
    pub by_measurement: bool,
}

impl NodeSpec for GroupByNode {
    const NAMES: Names<'static> = Names {
        method: "groupBy",
        desc: "groupby",
        go_type: "*pipeline.GroupByNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "exclude", |n: GroupByNode, tags: Rest<String>| n.exclude.extend(tags.0)),
        property!(Method "byMeasurement", |n: GroupByNode| n.by_measurement = true),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        if !self.exclude.is_empty() && self.dimensions != Dimensions::All {
            return Err(DimensionError::ExcludeWithoutStar.into());
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        match self.dimensions.is_empty() {
            true => props.flag("ungrouped", true),
            false => props.put("dimensions", self.dimensions.to_string()),
        }
        props.list("exclude", &self.exclude);
        props.flag("byMeasurement", self.by_measurement);
    }
}

/// `|groupBy(dims…)`.
fn group_by(args: Vec<AnyArg>) -> Result<Created, CreateError> {
    let dimensions = dimensions(args).map_err(|err| CreateError::Invalid(err.into()))?;
    let node = GroupByNode {
        dimensions,
        exclude: Vec::new(),
        by_measurement: false,
    };
    Ok(Created::child(NodeKind::GroupBy(node), Edges::Same))
}

/// `|groupBy(dims…)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("groupBy", |dims: Rest<AnyArg>| group_by(
        dims.0
    ))];
