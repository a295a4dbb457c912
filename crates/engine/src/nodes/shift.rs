//! `|shift(d)`: moves every point, and every batch with its points, by `d` in time
//! (kapacitor-compat.md, nodes §4.5).
//!
//! `d` may be negative. Barriers and group deletes pass unchanged, as in Kapacitor.

use tickflow_model::{Batch, Duration, Point};
use tickflow_pipeline::nodes::shift::ShiftNode;

use crate::node::Context;
use crate::nodes::group_transform::Rewrite;

/// The shift transform (stateless).
pub(crate) struct Shift {
    shift: Duration,
}

impl Shift {
    /// A shift transform for a validated spec.
    pub(crate) fn new(spec: &ShiftNode) -> Self {
        Shift { shift: spec.shift }
    }
}

impl Rewrite for Shift {
    fn rewrite_point(&mut self, point: &mut Point, _ctx: &mut Context<'_>) {
        point.time = point.time + self.shift;
    }

    fn rewrite_batch(&mut self, batch: &mut Batch, _ctx: &mut Context<'_>) {
        batch.tmax = batch.tmax + self.shift;
        for point in batch.points.make_mut() {
            point.time = point.time + self.shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Message, Time};

    use super::*;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, run};

    const S: i64 = 1_000_000_000;

    fn shift(secs: i64) -> PerGroup<Shift> {
        PerGroup::new(Shift::new(&ShiftNode {
            shift: Duration::from_nanos(secs * S),
        }))
    }

    #[test]
    fn a_point_moves_forward() {
        let (out, _) = run(&mut shift(5), vec![Message::Point(point(10, &[], &[]))]);
        assert_eq!(out, [Message::Point(point(15, &[], &[]))]);
    }

    #[test]
    fn a_batch_and_its_points_move_back() {
        let p = point(10, &[], &[]);
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(20 * S));
        batch.points.push(BatchPoint::from(&p));
        let (out, _) = run(&mut shift(-10), vec![Message::Batch(batch)]);
        let [Message::Batch(batch)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert_eq!(batch.tmax, Time::from_nanos(10 * S));
        assert_eq!(batch.points[0].time, Time::from_nanos(0));
    }

    #[test]
    fn a_barrier_passes_unchanged() {
        let barrier = Message::Barrier {
            group: point(0, &[], &[]).group_info(),
            time: Time::from_nanos(3 * S),
        };
        let (out, _) = run(&mut shift(5), vec![barrier.clone()]);
        assert_eq!(out, [barrier]);
    }
}
