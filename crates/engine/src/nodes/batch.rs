//! `batch`: the source of a batch task (kapacitor-compat.md, nodes §2.2). It has no input of its own:
//! its `query()`/`queryFlux()` children produce the batches, from InfluxDB on their
//! schedules or from a recording in a replay. Anything written to it is dropped.

use tickflow_model::Message;

use crate::node::{Context, Node, NodeError};

/// The running batch node.
pub(crate) struct BatchSource;

impl Node for BatchSource {
    fn message(&mut self, _: usize, _: Message, _: &mut Context<'_>) -> Result<(), NodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Point, Time};

    use super::*;
    use crate::nodes::testing::run;

    #[test]
    fn written_points_go_nowhere() {
        let (out, errors) = run(
            &mut BatchSource,
            vec![Message::Point(Point::new("cpu", Time::from_nanos(1)))],
        );
        assert!(out.is_empty() && errors.is_empty());
    }
}
