//! `|groupBy(…)` on a stream edge: sets each point's dimensions and forwards it at once
//! (spec: nodes.md §3.2).
//!
//! `*` groups by the point's own tag keys minus `.exclude(…)`; `byName` stays set once an
//! upstream node set it, or is set by `.byMeasurement()`. Tags are not changed. The batch
//! form (regrouping buffered batches) is not run yet: [`crate::nodes::create`] refuses it.

use tickflow_model::Message;
use tickflow_pipeline::nodes::group_by::GroupByNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::from::Grouping;

/// The running groupBy node (stream edge).
pub struct GroupBy {
    grouping: Grouping,
}

impl GroupBy {
    /// A groupBy node for a validated spec.
    pub fn new(spec: &GroupByNode) -> Self {
        GroupBy {
            grouping: Grouping::new(&spec.dimensions, &spec.exclude, spec.by_measurement),
        }
    }
}

impl Node for GroupBy {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(mut point) => {
                let by_name = point.dimensions.by_name;
                self.grouping.apply(&mut point, by_name);
                ctx.emit(Message::Point(point));
            }
            Message::Batch(_) => {
                return Err(NodeError::new(
                    "groupBy on a batch edge is not supported yet",
                ))
            }
            other => ctx.emit(other),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::Dimensions;
    use tickflow_pipeline::nodes::group_by::Dimensions as SpecDimensions;

    use super::*;
    use crate::nodes::testing::{point, points, run};

    fn group(spec: GroupByNode, by_name_upstream: bool) -> String {
        let mut p = point(0, &[("host", "a"), ("dc", "eu"), ("rack", "r1")], &[]);
        p.set_dimensions(Dimensions::by_tags(["host"]).with_by_name(by_name_upstream));
        let out = points(run(&mut GroupBy::new(&spec), vec![Message::Point(p)]).0);
        out[0].group.as_str().to_string()
    }

    #[test]
    fn named_dimensions_are_sorted() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::Tags(vec!["rack".into(), "dc".into()]),
            exclude: Vec::new(),
            by_measurement: false,
        };
        assert_eq!(group(spec, false), "dc=eu,rack=r1");
    }

    #[test]
    fn star_minus_exclude_and_by_name_is_sticky() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::All,
            exclude: vec!["dc".into()],
            by_measurement: false,
        };
        assert_eq!(group(spec.clone(), true), "cpu\nhost=a,rack=r1");
        assert_eq!(group(spec, false), "host=a,rack=r1");
    }

    #[test]
    fn no_dimensions_ungroup() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::Tags(Vec::new()),
            exclude: Vec::new(),
            by_measurement: false,
        };
        assert_eq!(group(spec, false), "");
    }
}
