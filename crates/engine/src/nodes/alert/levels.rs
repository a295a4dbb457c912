//! The alert node's level predicates and Kapacitor's level determination (kapacitor-compat.md, nodes
//! §8.2): one evaluator per level (and per reset), shared by all groups.
//!
//! A point's level is the highest whose predicate holds, starting from the group's
//! current level; when none at or above it holds, the current level's reset predicate
//! (if any) must hold before a lower level is taken. A predicate that fails counts as
//! false and is reported. A batch's level is its highest point level (the first point
//! that reaches it is the batch's point of the event), or its lowest under `.all()`.

use tickflow_alert::Level;
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::BatchPoint;
use tickflow_pipeline::nodes::alert::AlertNode;

use super::snapshot;
use crate::node::Context;
use crate::state::StateError;
use crate::task::TaskError;

/// The levels from OK up, as indexed by [`index`].
const LEVELS: [Level; 4] = [Level::Ok, Level::Info, Level::Warning, Level::Critical];

/// A level's position in [`LEVELS`].
fn index(level: Level) -> usize {
    match level {
        Level::Ok => 0,
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}

/// The level and reset predicates of one alert node.
pub(crate) struct Levels {
    /// Level predicates, indexed by level (OK has none).
    levels: [Option<Evaluator>; 4],
    /// Reset predicates, indexed by the level they leave.
    resets: [Option<Evaluator>; 4],
}

impl Levels {
    /// The predicates of `spec`, compiled with `compile`.
    pub(crate) fn new(
        spec: &AlertNode,
        compile: impl Fn(&tickflow_pipeline::Lambda) -> Result<Lambda, TaskError>,
    ) -> Result<Self, TaskError> {
        let evaluator = |lambda: &Option<tickflow_pipeline::Lambda>| {
            lambda
                .as_ref()
                .map(|l| compile(l).map(|c| c.evaluator()))
                .transpose()
        };
        Ok(Levels {
            levels: [
                None,
                evaluator(&spec.info)?,
                evaluator(&spec.warn)?,
                evaluator(&spec.crit)?,
            ],
            resets: [
                None,
                evaluator(&spec.info_reset)?,
                evaluator(&spec.warn_reset)?,
                evaluator(&spec.crit_reset)?,
            ],
        })
    }

    /// The level of the point in `scope` for a group at level `current`.
    pub(crate) fn of_point(
        &mut self,
        scope: &Scope<'_>,
        current: Level,
        ctx: &mut Context<'_>,
    ) -> Level {
        let floor = index(current).max(1);
        for l in (floor..=3).rev() {
            if self.holds(l, scope, ctx) {
                return LEVELS[l];
            }
        }
        if let Some(reset) = self.resets[index(current)].as_mut() {
            match reset.eval_bool(scope) {
                Ok(false) => return current,
                Ok(true) => {}
                Err(err) => ctx.error(&err),
            }
        }
        for l in (1..=index(current)).rev() {
            if self.holds(l, scope, ctx) {
                return LEVELS[l];
            }
        }
        Level::Ok
    }

    /// The level of a batch of `points` (not empty) for a group at level `current`, its
    /// lowest point level when `all`, and the position of the first point at the
    /// highest level.
    pub(crate) fn of_batch(
        &mut self,
        points: &[BatchPoint],
        current: Level,
        all: bool,
        ctx: &mut Context<'_>,
    ) -> (Level, usize) {
        let (mut highest, mut highest_at, mut lowest) = (Level::Ok, 0, Level::Critical);
        for (i, point) in points.iter().enumerate() {
            let level = self.of_point(&Scope::of_batch_point(point), current, ctx);
            if i == 0 || level > highest {
                (highest, highest_at) = (level, i);
            }
            lowest = lowest.min(level);
        }
        (if all { lowest } else { highest }, highest_at)
    }

    /// Whether level `l`'s predicate holds; an error counts as false.
    fn holds(&mut self, l: usize, scope: &Scope<'_>, ctx: &mut Context<'_>) -> bool {
        let Some(evaluator) = self.levels[l].as_mut() else {
            return false;
        };
        evaluator.eval_bool(scope).unwrap_or_else(|err| {
            ctx.error(&err);
            false
        })
    }

    /// The level predicates, indexed by level, for snapshots.
    pub(crate) fn levels(&self) -> &[Option<Evaluator>] {
        &self.levels
    }

    /// The reset predicates, indexed by the level they leave, for snapshots.
    pub(crate) fn resets(&self) -> &[Option<Evaluator>] {
        &self.resets
    }

    /// Restores the predicates' states from [`snapshot::evaluators_json`] of
    /// [`Levels::levels`] and [`Levels::resets`].
    pub(crate) fn restore(
        &mut self,
        levels: &serde_json::Value,
        resets: &serde_json::Value,
    ) -> Result<(), StateError> {
        snapshot::restore_evaluators(&mut self.levels, levels, "level")?;
        snapshot::restore_evaluators(&mut self.resets, resets, "reset")
    }
}
