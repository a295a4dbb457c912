//! `|from()`: selects the points of a stream by database, retention policy, measurement
//! and `.where` lambdas, then truncates/rounds their time and sets their dimensions
//! (kapacitor-compat.md, nodes §2.2).
//!
//! All `.where` calls arrive ANDed into one lambda by the pipeline; it has one evaluator
//! for the whole node (not one per group, unlike `|where()`). An evaluation error drops
//! the point and is reported. Truncate and round use Go's year-1 alignment. When the
//! lambda calls a stateful function, a snapshot holds its evaluator's state.

use serde_json::{json, Value};
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::{Dimensions, Duration, Message, Point, Str};
use tickflow_pipeline::nodes::from::FromNode;
use tickflow_pipeline::nodes::group_by::Dimensions as SpecDimensions;

use crate::node::{Context, Node, NodeError};
use crate::state::{self, StateError};

/// The running from node.
pub(crate) struct From {
    database: Option<Str>,
    retention_policy: Option<Str>,
    measurement: Option<Str>,
    predicate: Option<(Lambda, Evaluator)>,
    grouping: Grouping,
    truncate: Option<Duration>,
    round: Option<Duration>,
}

/// How points are grouped, shared with `|groupBy()`.
#[derive(Debug, Clone)]
pub(crate) enum Grouping {
    /// By fixed tag names.
    Fixed(Dimensions),
    /// By every tag of each point (`*`) except the excluded ones.
    All {
        /// Tags left out of the dimensions.
        exclude: Vec<String>,
        /// Whether the measurement is part of the group.
        by_name: bool,
    },
}

impl Grouping {
    /// The grouping a spec's dimensions describe.
    pub(crate) fn new(dimensions: &SpecDimensions, exclude: &[String], by_name: bool) -> Self {
        match dimensions {
            SpecDimensions::All => Grouping::All {
                exclude: exclude.to_vec(),
                by_name,
            },
            SpecDimensions::Tags(tags) => Grouping::Fixed(
                Dimensions::by_tags(tags.iter().map(String::as_str)).with_by_name(by_name),
            ),
        }
    }

    /// Sets the point's dimensions (and group), with `by_name` also set when
    /// `keep_by_name` (a `groupBy` keeps the measurement once grouped by it).
    pub(crate) fn apply(&self, point: &mut Point, keep_by_name: bool) {
        let dimensions = match self {
            Grouping::Fixed(dimensions) if keep_by_name && !dimensions.by_name => {
                dimensions.clone().with_by_name(true)
            }
            Grouping::Fixed(dimensions) => dimensions.clone(),
            Grouping::All { exclude, by_name } => Dimensions::by_tags(
                point
                    .tags
                    .keys()
                    .filter(|k| !exclude.iter().any(|e| e == &***k))
                    .cloned(),
            )
            .with_by_name(*by_name || keep_by_name),
        };
        // A point's group always follows from its dimensions, so the same dimensions
        // leave it as it is (the common case: a parser's point into an ungrouped task).
        if point.dimensions != dimensions {
            point.set_dimensions(dimensions);
        }
    }
}

/// The error for a batch arriving at a from node.
fn batch_edge() -> NodeError {
    NodeError::new("from cannot take a batch edge")
}

/// `Some(s)` for a filter that is set, `None` for the empty "any".
fn filter(value: &str) -> Option<Str> {
    (!value.is_empty()).then(|| Str::from(value))
}

impl From {
    /// A from node for a validated spec and its compiled `.where` lambda.
    pub(crate) fn new(spec: &FromNode, predicate: Option<Lambda>) -> Self {
        From {
            database: filter(&spec.database),
            retention_policy: filter(&spec.retention_policy),
            measurement: filter(&spec.measurement),
            predicate: predicate.map(|l| {
                let evaluator = l.evaluator();
                (l, evaluator)
            }),
            grouping: Grouping::new(&spec.dimensions, &[], spec.group_by_measurement),
            truncate: spec.truncate,
            round: spec.round,
        }
    }

    /// Whether `point` passes the filters and the `.where` lambda (an evaluation error is
    /// reported and drops it); a point that passes gets its time truncated or rounded
    /// and its dimensions set.
    fn admit(&mut self, point: &mut Point, ctx: &mut Context<'_>) -> bool {
        if !self.selects(point) {
            return false;
        }
        if let Some((_, predicate)) = &mut self.predicate {
            match predicate.eval_bool(&Scope::of_point(point)) {
                Ok(true) => {}
                Ok(false) => return false,
                Err(err) => {
                    ctx.error(&err);
                    return false;
                }
            }
        }
        if let Some(d) = self.truncate {
            point.time = point.time.truncate(d);
        }
        if let Some(d) = self.round {
            point.time = point.time.round(d);
        }
        self.grouping.apply(point, false);
        true
    }

    /// Whether the point passes the database, retention policy and measurement filters.
    fn selects(&self, point: &Point) -> bool {
        let matches = |want: &Option<Str>, have: &Str| want.as_ref().is_none_or(|w| w == have);
        matches(&self.database, &point.database)
            && matches(&self.retention_policy, &point.retention_policy)
            && matches(&self.measurement, &point.name)
    }
}

impl Node for From {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(mut point) => {
                if self.admit(&mut point, ctx) {
                    ctx.emit(Message::Point(point));
                }
                Ok(())
            }
            Message::Batch(_) => Err(batch_edge()),
            other => {
                ctx.emit(other);
                Ok(())
            }
        }
    }

    /// Filters and regroups the chunk's points in place; other messages pass through.
    fn messages(
        &mut self,
        _input: usize,
        chunk: &mut Vec<Message>,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let mut batch = false;
        chunk.retain_mut(|message| match message {
            Message::Point(point) => self.admit(point, ctx),
            Message::Batch(_) => {
                batch = true;
                false
            }
            _ => true,
        });
        if batch {
            return Err(batch_edge());
        }
        ctx.emit_all(chunk);
        Ok(())
    }

    /// The `.where` evaluator's state, when the lambda has state.
    fn snapshot(&self) -> Option<Value> {
        let (lambda, evaluator) = self.predicate.as_ref()?;
        lambda
            .is_stateful()
            .then(|| json!({ "where": evaluator.snapshot() }))
    }

    fn restore(&mut self, state: Value) -> Result<(), NodeError> {
        let saved = state::member(&state, "where")?;
        let Some((_, evaluator)) = &mut self.predicate else {
            return Err(StateError::new("this from has no .where").into());
        };
        evaluator.restore(saved).map_err(StateError::from)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, FieldValue, GroupInfo, Time};

    use super::*;
    use crate::diagnostics::Collect;
    use crate::nodes::testing::{assert_resumes, lambda, point, points, run};
    use crate::stats::NodeStats;

    fn cpu(tags: &[(&str, &str)], value: f64) -> Message {
        Message::Point(point(0, tags, &[("value", FieldValue::Float(value))]))
    }

    #[test]
    fn filters_by_database_retention_policy_and_measurement() {
        let spec = FromNode {
            database: "db".into(),
            measurement: "cpu".into(),
            ..FromNode::default()
        };
        let mut matching = point(0, &[], &[]);
        matching.database = "db".into();
        let mut other_db = matching.clone();
        other_db.database = "other".into();
        let mut other_name = matching.clone();
        other_name.name = "mem".into();
        let input = [matching.clone(), other_db, other_name].map(Message::Point);
        let (out, _) = run(&mut From::new(&spec, None), input.to_vec());
        assert_eq!(out, [Message::Point(matching)]);
    }

    #[test]
    fn one_message_at_a_time_and_a_chunk_agree_and_a_batch_is_fatal() {
        let messages = vec![
            cpu(&[], 0.5),
            Message::Barrier {
                group: GroupInfo::default(),
                time: Time::from_nanos(1),
            },
            cpu(&[("host", "a")], 2.0),
        ];
        let mut from = From::new(&FromNode::default(), Some(lambda("\"value\" > 1.0")));
        let (chunked, _) = run(&mut from, messages.clone());
        let (stats, diagnostics, mut single) =
            (NodeStats::default(), Collect::default(), Vec::new());
        let mut ctx = Context::new(&mut single, &stats, "node1", &diagnostics, false);
        for message in messages {
            from.message(0, message, &mut ctx).expect("not fatal");
        }
        let batch = Message::Batch(Batch::new(
            "cpu".into(),
            GroupInfo::default(),
            Time::from_nanos(0),
        ));
        let mut chunk = vec![cpu(&[], 2.0), batch];
        let error = from
            .messages(0, &mut chunk, &mut ctx)
            .expect_err("a batch is fatal");
        assert_eq!(error.message, "from cannot take a batch edge");
        assert_eq!(chunked, single);
        assert_eq!(chunked.len(), 2);
    }

    #[test]
    fn where_drops_false_and_failing_points_and_counts_errors() {
        let mut from = From::new(&FromNode::default(), Some(lambda("\"value\" > 1.0")));
        let missing = Message::Point(point(0, &[], &[]));
        let (out, errors) = run(&mut from, vec![cpu(&[], 0.5), cpu(&[], 2.0), missing]);
        assert_eq!(points(out).len(), 1);
        assert_eq!(
            errors,
            ["node1: left reference value \"value\" is missing value"]
        );
    }

    #[test]
    fn star_groups_by_each_points_own_tags() {
        let spec = FromNode {
            dimensions: SpecDimensions::All,
            group_by_measurement: true,
            ..FromNode::default()
        };
        let input = vec![
            cpu(&[("host", "a"), ("dc", "eu")], 1.0),
            cpu(&[("host", "b")], 1.0),
        ];
        let groups: Vec<String> = points(run(&mut From::new(&spec, None), input).0)
            .iter()
            .map(|p| p.group.as_str().to_string())
            .collect();
        assert_eq!(groups, ["cpu\ndc=eu,host=a", "cpu\nhost=b"]);
    }

    #[test]
    fn named_dimensions_count_a_missing_tag_as_empty() {
        let spec = FromNode {
            dimensions: SpecDimensions::Tags(vec!["rack".into(), "host".into()]),
            ..FromNode::default()
        };
        let out = points(
            run(
                &mut From::new(&spec, None),
                vec![cpu(&[("host", "a")], 1.0)],
            )
            .0,
        );
        assert_eq!(out[0].group.as_str(), "host=a,rack=");
    }

    #[test]
    fn truncate_aligns_like_go_from_year_one_then_round_applies() {
        const MIN: i64 = 60 * 1_000_000_000;
        let seven_minutes = Duration::from_nanos(7 * MIN);
        let spec = FromNode {
            truncate: Some(seven_minutes),
            round: Some(Duration::from_nanos(4 * MIN)),
            ..FromNode::default()
        };
        // 1970-01-01T00:10:00Z: seven-minute boundaries counted from year 1 fall at
        // 00:06 and 00:13 of the epoch day (62_135_596_800 s ≡ 1 min mod 7 min), not at
        // 00:07 as epoch multiples would; rounding 00:06 to four minutes (halfway, so up)
        // then gives 00:08 (rounding first would end at 00:06).
        let mut p = point(0, &[], &[]);
        p.time = Time::from_nanos(10 * MIN);
        let only_truncate = FromNode {
            round: None,
            ..spec.clone()
        };
        let truncated = points(
            run(
                &mut From::new(&only_truncate, None),
                vec![Message::Point(p.clone())],
            )
            .0,
        );
        assert_eq!(truncated[0].time, Time::from_nanos(6 * MIN));
        let both = points(run(&mut From::new(&spec, None), vec![Message::Point(p)]).0);
        assert_eq!(both[0].time, Time::from_nanos(8 * MIN));
    }

    #[test]
    fn a_restored_where_counts_on_across_groups() {
        let node = || From::new(&FromNode::default(), Some(lambda("count() % 3 == 0")));
        let input = |hosts: &[&str]| -> Vec<Message> {
            hosts.iter().map(|h| cpu(&[("host", h)], 1.0)).collect()
        };
        let (out, _) = assert_resumes(node, input(&["a", "b"]), input(&["c", "a", "b", "c"]));
        let hosts: Vec<String> = points(out)
            .iter()
            .filter_map(|p| p.tags.get("host").map(|h| h.to_string()))
            .collect();
        assert_eq!(hosts, ["c", "c"]);
        assert_eq!(
            From::new(&FromNode::default(), Some(lambda("TRUE"))).snapshot(),
            None
        );
        assert!(From::new(&FromNode::default(), None)
            .restore(json!({"where": {}}))
            .is_err());
    }
}
