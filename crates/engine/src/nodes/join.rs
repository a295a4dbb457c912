//! `|join(…)`: joins the points (or batches) its parents send for the same time into one
//! point (batch) whose fields carry each parent's `.as(…)` prefix (kapacitor-compat.md, nodes §6.2).
//!
//! Times are rounded to `.tolerance(…)`: a point's time, a batch's `tmax`. What follows
//! says "point" for either; [`member`] has what differs, and how a set of batches is
//! merged point by point.
//!
//! Without `.on(…)` points join within their group. Each group keeps, per rounded time,
//! a queue of join sets (at most one point per parent; a point goes into the first set
//! of its time that lacks its parent) and each parent's head, the time of its last point
//! or barrier. While every head is after the oldest time, all sets of that time go out,
//! complete or not; otherwise only its complete sets at the front of the queue do.
//!
//! With `.on(dims)` a point grouped by exactly the `.on` dimensions is a *match* point
//! and one grouped by more is *specific*. Both are keyed by their `.on` tags. A specific
//! point joins the match points of its key and time from the other parents, retagged to
//! its group; while one is missing it waits until every parent has sent a point of its
//! key and the oldest of their latest times is past it, then goes out with what it has.
//! Match points are kept until that mark passes them.
//!
//! A set lacking a parent is dropped without `.fill(…)`; with a number fill the missing
//! parent gets that number for each field of the first present member. `null` fill
//! leaves those fields out: Kapacitor sets them to null, which tickflow's field values
//! cannot hold; `default()` treats both alike, and an httpOut row shows null for them
//! unless the first point of a batch lacks them too. The output is named `.streamName(…)` or after the first member, has its
//! group tags and dimensions, and the rounded time. When every input has closed, every
//! remaining set and waiting point goes out.

mod member;

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use tickflow_model::{
    Dimensions, Duration, FieldValue, Fields, GroupId, GroupInfo, Message, Str, Time,
};
use tickflow_pipeline::nodes::join::{Fill, JoinNode};

pub(crate) use member::Member;

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_state::Groups;
use crate::nodes::memory;
use crate::nodes::time_buffer::rounded;
use crate::state::{self, StateError};

/// A point grouped by fewer dimensions than `.on(…)` names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("join: point of group {group} has fewer dimensions than .on({on})")]
pub(crate) struct TooFewDimensions {
    /// The point's group.
    pub group: String,
    /// The `.on` dimensions.
    pub on: String,
}

/// One join set: a point (or batch) per parent, or none yet.
type Set<T> = Vec<Option<T>>;

/// How sets become points.
pub(crate) struct Output {
    prefixes: Vec<Str>,
    delimiter: String,
    stream_name: Option<Str>,
    fill: Fill,
    tolerance: Option<Duration>,
}

/// The running join node, of points (`Join<Point>`) or batches (`Join<Batch>`).
pub(crate) struct Join<T> {
    output: Output,
    on: Option<Dimensions>,
    delete_all: bool,
    /// Without `.on`: each group's sets.
    groups: Groups<Sets<T>>,
    /// With `.on`: each key's match points and waiting points.
    keys: Groups<OnKey<T>>,
}

/// A group's join sets by time and its parents' heads.
#[derive(Debug, Clone, PartialEq)]
struct Sets<T> {
    slots: BTreeMap<Time, VecDeque<Set<T>>>,
    heads: Vec<Option<Time>>,
}

/// The points of one `.on` key.
#[derive(Debug, Clone, PartialEq)]
struct OnKey<T> {
    /// Each parent's latest time for the key.
    last_seen: Vec<Option<Time>>,
    /// Match points (rounded time) by parent.
    matches: Vec<(usize, T)>,
    /// Specific points (rounded time) by parent, waiting for their matches.
    waiting: Vec<(usize, T)>,
}

impl<T: Member> Join<T> {
    /// A join node for a validated spec with `parents` inputs.
    pub(crate) fn new(spec: &JoinNode, parents: usize) -> Self {
        let mut prefixes: Vec<Str> = spec.names.iter().map(|n| Str::from(n.as_str())).collect();
        prefixes.resize(parents, Str::from(""));
        Join {
            output: Output {
                prefixes,
                delimiter: spec.delimiter.clone(),
                stream_name: (!spec.stream_name.is_empty())
                    .then(|| Str::from(spec.stream_name.as_str())),
                fill: spec.fill,
                tolerance: spec.tolerance,
            },
            on: (!spec.on.is_empty())
                .then(|| Dimensions::by_tags(spec.on.iter().map(String::as_str))),
            delete_all: spec.delete_all,
            groups: Groups::default(),
            keys: Groups::default(),
        }
    }

    fn parents(&self) -> usize {
        self.output.prefixes.len()
    }

    /// A point without `.on`: into its group's sets.
    fn grouped(&mut self, input: usize, point: T, ctx: &mut Context<'_>) {
        let parents = self.parents();
        let sets = self.groups.of_group(
            point.name(),
            point.group(),
            || point.group_info(),
            || Sets::new(parents),
        );
        sets.add(input, point);
        sets.emit_ready(&self.output, ctx);
    }

    /// A point with `.on`: a match point is kept, a specific one joined or kept waiting.
    fn keyed(&mut self, on: &Dimensions, input: usize, point: T, ctx: &mut Context<'_>) {
        let count = point.dimensions().tag_names().len();
        if count < on.tag_names().len() {
            ctx.error(&TooFewDimensions {
                group: point.group().to_string(),
                on: on.tag_names().join(","),
            });
            return;
        }
        let on = on.clone().with_by_name(point.dimensions().by_name);
        let key = GroupId::new(point.name(), point.tags(), &on);
        let info = || GroupInfo {
            id: key.clone(),
            tags: on.group_tags(point.tags()),
            dimensions: on.clone(),
        };
        let parents = self.parents();
        let entry = self
            .keys
            .of_group(point.name(), &key, info, || OnKey::new(parents));
        entry.last_seen[input] = Some(point.time());
        entry.flush_passed(&self.output, ctx);
        if count == on.tag_names().len() {
            entry.matches.push((input, point));
        } else {
            entry.waiting.push((input, point));
        }
        entry.join_waiting(&self.output, ctx);
    }
}

impl Output {
    /// The output's name: `.streamName(…)`, or the first member's.
    fn name(&self, first: &Str) -> Str {
        self.stream_name.clone().unwrap_or_else(|| first.clone())
    }

    /// The joined fields of one member's fields per parent (`None` where it is missing);
    /// `None` when one is missing and there is no fill.
    fn fields(&self, members: &[Option<&Fields>]) -> Option<Fields> {
        let first = members.iter().flatten().next()?;
        let mut fields = Vec::new();
        for (member, prefix) in members.iter().zip(&self.prefixes) {
            let key = |field: &str| Str::from(format!("{prefix}{}{field}", self.delimiter));
            match (member, self.fill) {
                (Some(member), _) => {
                    fields.extend(member.iter().map(|(k, v)| (key(k), v.clone())));
                }
                (None, Fill::None) => return None,
                (None, Fill::Null) => {}
                (None, Fill::Int(n)) => {
                    fields.extend(first.keys().map(|k| (key(k), FieldValue::Integer(n))));
                }
                (None, Fill::Float(x)) => {
                    fields.extend(first.keys().map(|k| (key(k), FieldValue::Float(x))));
                }
            }
        }
        Some(Fields::from_unsorted(fields))
    }

    /// Emits what a set makes at `time`, if anything.
    fn emit<T: Member>(&self, set: &[Option<T>], time: Time, ctx: &mut Context<'_>) {
        if let Some(message) = T::join(self, set, time) {
            ctx.emit(message);
        }
    }
}

impl<T: Member> Sets<T> {
    fn new(parents: usize) -> Self {
        Sets {
            slots: BTreeMap::new(),
            heads: vec![None; parents],
        }
    }

    /// Puts a point (rounded time) from parent `input` into the first set of its time
    /// lacking that parent.
    fn add(&mut self, input: usize, point: T) {
        let time = point.time();
        self.heads[input] = Some(time);
        let sets = self.slots.entry(time).or_default();
        match sets.iter_mut().find(|set| set[input].is_none()) {
            Some(set) => set[input] = Some(point),
            None => {
                let mut set = vec![None; self.heads.len()];
                set[input] = Some(point);
                sets.push_back(set);
            }
        }
    }

    /// Emits what the heads allow.
    fn emit_ready(&mut self, output: &Output, ctx: &mut Context<'_>) {
        while let Some(mut entry) = self.slots.first_entry() {
            let oldest = *entry.key();
            let only_ready = self.heads.iter().any(|h| h.is_none_or(|h| h <= oldest));
            let sets = entry.get_mut();
            if only_ready {
                while sets
                    .front()
                    .is_some_and(|set| set.iter().all(Option::is_some))
                {
                    if let Some(set) = sets.pop_front() {
                        output.emit(&set, oldest, ctx);
                    }
                }
                if sets.is_empty() {
                    entry.remove();
                }
                return;
            }
            for set in entry.remove() {
                output.emit(&set, oldest, ctx);
            }
        }
    }

    /// Emits every set, oldest first.
    fn drain(&mut self, output: &Output, ctx: &mut Context<'_>) {
        for (time, sets) in std::mem::take(&mut self.slots) {
            for set in sets {
                output.emit(&set, time, ctx);
            }
        }
    }
}

impl<T: Member> OnKey<T> {
    fn new(parents: usize) -> Self {
        OnKey {
            last_seen: vec![None; parents],
            matches: Vec::new(),
            waiting: Vec::new(),
        }
    }

    /// The oldest of the parents' latest times, once every parent has sent one.
    fn low_mark(&self) -> Option<Time> {
        self.last_seen
            .iter()
            .copied()
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min()
    }

    /// The set for a specific point: itself and the other parents' match points of its
    /// time, retagged to its group.
    fn set_for(&self, input: usize, point: &T) -> Set<T> {
        let mut set: Set<T> = vec![None; self.last_seen.len()];
        for (parent, m) in &self.matches {
            if *parent != input && m.time() == point.time() && set[*parent].is_none() {
                let mut retagged = m.clone();
                retagged.retag(point);
                set[*parent] = Some(retagged);
            }
        }
        set[input] = Some(point.clone());
        set
    }

    /// Emits the waiting points whose set is complete.
    fn join_waiting(&mut self, output: &Output, ctx: &mut Context<'_>) {
        let waiting = std::mem::take(&mut self.waiting);
        for (input, point) in waiting {
            let set = self.set_for(input, &point);
            if set.iter().all(Option::is_some) {
                output.emit(&set, point.time(), ctx);
            } else {
                self.waiting.push((input, point));
            }
        }
    }

    /// Emits the waiting points the low mark has passed, as they are, and forgets the
    /// match points it has passed.
    fn flush_passed(&mut self, output: &Output, ctx: &mut Context<'_>) {
        let Some(low) = self.low_mark() else {
            return;
        };
        self.flush(|t| t < low, output, ctx);
        self.matches.retain(|(_, m)| m.time() >= low);
    }

    /// Emits the waiting points `due` selects by time, oldest first.
    fn flush(&mut self, due: impl Fn(Time) -> bool, output: &Output, ctx: &mut Context<'_>) {
        let (mut flushed, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|(_, p)| due(p.time()));
        self.waiting = kept;
        flushed.sort_by_key(|(_, p)| p.time());
        for (input, point) in flushed {
            let set = self.set_for(input, &point);
            output.emit(&set, point.time(), ctx);
        }
    }
}

impl<T: Member + Send> Node for Join<T> {
    fn message(
        &mut self,
        input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if input >= self.parents() {
            return Err(NodeError::new(format!("join has no input {input}")));
        }
        match message {
            data @ (Message::Point(_) | Message::Batch(_)) => {
                let Some(mut member) = T::take(data) else {
                    return Err(NodeError::new("join got a message of the other edge type"));
                };
                member.set_time(rounded(member.time(), self.output.tolerance));
                match self.on.clone() {
                    Some(on) => self.keyed(&on, input, member, ctx),
                    None => self.grouped(input, member, ctx),
                }
            }
            Message::Barrier { group, time } => {
                if let Some(sets) = self.groups.get_mut(&group.id) {
                    sets.heads[input] = Some(rounded(time, self.output.tolerance));
                    sets.emit_ready(&self.output, ctx);
                }
                ctx.emit(Message::Barrier { group, time });
            }
            Message::DeleteGroup(group) => {
                self.groups.remove(&group.id);
                if self.delete_all {
                    for key in self.keys.states_mut() {
                        key.last_seen.iter_mut().for_each(|t| *t = None);
                    }
                }
                ctx.emit(Message::DeleteGroup(group));
            }
        }
        Ok(())
    }

    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        for sets in self.groups.states_mut() {
            sets.drain(&self.output, ctx);
        }
        for key in self.keys.states_mut() {
            key.flush(|_| true, &self.output, ctx);
        }
        Ok(())
    }

    /// Every group's sets and heads, and every key's points.
    fn snapshot(&self) -> Option<Value> {
        Some(json!({
            "groups": self.groups.to_json(Sets::to_json),
            "keys": self.keys.to_json(OnKey::to_json),
        }))
    }

    /// The group and key tables, and each group's waiting sets at a set's struct size
    /// with one member (a walk over the groups, not their points).
    fn memory(&self) -> usize {
        let set = std::mem::size_of::<Set<T>>() + std::mem::size_of::<T>() + memory::fields(1);
        let sets: usize = self.groups.states().map(|s| s.slots.len()).sum();
        self.groups.memory() + self.keys.memory() + sets * set
    }

    fn restore(&mut self, state: Value) -> Result<(), NodeError> {
        let parents = self.parents();
        self.groups = Groups::from_json(state::member(&state, "groups")?, |v| {
            Sets::from_json(v, parents)
        })?;
        self.keys = Groups::from_json(state::member(&state, "keys")?, |v| {
            OnKey::from_json(v, parents)
        })?;
        Ok(())
    }
}

/// Optional times as JSON.
fn times_json(times: &[Option<Time>]) -> Value {
    json!(times.iter().map(|t| t.map(Time::nanos)).collect::<Vec<_>>())
}

/// Optional times from [`times_json`], one per parent.
fn times_from(value: &Value, key: &str, parents: usize) -> Result<Vec<Option<Time>>, StateError> {
    let times = state::array(value, key)?;
    if times.len() != parents {
        return Err(StateError::new(format!(
            "{key:?} has {} entries, not {parents}",
            times.len()
        )));
    }
    times
        .iter()
        .map(|t| match t {
            Value::Null => Ok(None),
            t => t
                .as_i64()
                .map(|n| Some(Time::from_nanos(n)))
                .ok_or_else(|| StateError::new(format!("time {t} is not an integer"))),
        })
        .collect()
}

/// Points tagged with their parent as JSON.
fn tagged_json<T: Member>(points: &[(usize, T)]) -> Value {
    json!(points
        .iter()
        .map(|(i, p)| json!({ "parent": i, "point": p.to_json() }))
        .collect::<Vec<_>>())
}

/// Points from [`tagged_json`].
fn tagged_from<T: Member>(
    value: &Value,
    key: &str,
    parents: usize,
) -> Result<Vec<(usize, T)>, StateError> {
    state::array(value, key)?
        .iter()
        .map(|entry| {
            let parent = usize::try_from(state::int(entry, "parent")?)
                .ok()
                .filter(|p| *p < parents)
                .ok_or_else(|| StateError::new("bad parent"))?;
            Ok((parent, T::from_json(state::member(entry, "point")?)?))
        })
        .collect()
}

impl<T: Member> Sets<T> {
    fn to_json(&self) -> Value {
        let slots: Vec<_> = self
            .slots
            .iter()
            .map(|(time, sets)| {
                let sets: Vec<Value> = sets
                    .iter()
                    .map(|set| {
                        json!(set
                            .iter()
                            .map(|m| m.as_ref().map_or(Value::Null, T::to_json))
                            .collect::<Vec<_>>())
                    })
                    .collect();
                json!({ "time": time.nanos(), "sets": sets })
            })
            .collect();
        json!({ "heads": times_json(&self.heads), "slots": slots })
    }

    fn from_json(value: &Value, parents: usize) -> Result<Self, StateError> {
        let mut sets = Sets::new(parents);
        sets.heads = times_from(value, "heads", parents)?;
        for slot in state::array(value, "slots")? {
            let time = Time::from_nanos(state::int(slot, "time")?);
            let queue = state::array(slot, "sets")?
                .iter()
                .map(|set| {
                    let members = set
                        .as_array()
                        .filter(|m| m.len() == parents)
                        .ok_or_else(|| StateError::new("a join set does not match the parents"))?;
                    members
                        .iter()
                        .map(|m| (!m.is_null()).then(|| T::from_json(m)).transpose())
                        .collect::<Result<Set<T>, _>>()
                })
                .collect::<Result<_, _>>()?;
            sets.slots.insert(time, queue);
        }
        Ok(sets)
    }
}

impl<T: Member> OnKey<T> {
    fn to_json(&self) -> Value {
        json!({
            "last_seen": times_json(&self.last_seen),
            "matches": tagged_json(&self.matches),
            "waiting": tagged_json(&self.waiting),
        })
    }

    fn from_json(value: &Value, parents: usize) -> Result<Self, StateError> {
        Ok(OnKey {
            last_seen: times_from(value, "last_seen", parents)?,
            matches: tagged_from(value, "matches", parents)?,
            waiting: tagged_from(value, "waiting", parents)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Fields, Point};

    use super::*;
    use crate::nodes::testing::point;
    use crate::stats::NodeStats;

    const MS: i64 = 1_000_000;

    type PointJoin = Join<Point>;

    fn spec(fill: Fill, on: &[&str]) -> JoinNode {
        JoinNode {
            names: vec!["errors".into(), "views".into()],
            on: on.iter().map(|d| d.to_string()).collect(),
            delimiter: ".".into(),
            stream_name: "error_view".into(),
            tolerance: Some(Duration::from_nanos(1000 * MS)),
            fill,
            delete_all: false,
        }
    }

    fn at(millis: i64, tags: &[(&str, &str)], dims: &[&str], value: f64) -> Point {
        let mut p = point(0, tags, &[("value", value.into())]);
        p.time = Time::from_nanos(millis * MS);
        p.set_dimensions(Dimensions::by_tags(dims.iter().copied()));
        p
    }

    fn svc(millis: i64, value: f64) -> Point {
        at(millis, &[("service", "cart")], &["service"], value)
    }

    /// Runs (input, point) pairs, optionally finishing; returns the joined points as
    /// (millis, fields).
    fn run(join: &mut PointJoin, input: Vec<(usize, Point)>, finish: bool) -> Vec<(i64, Fields)> {
        let (stats, diagnostics, mut out) = (
            NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "join1", &diagnostics, false);
        for (i, p) in input {
            join.message(i, Message::Point(p), &mut ctx)
                .expect("no fatal error");
        }
        if finish {
            join.finish(&mut ctx).expect("finishes");
        }
        out.into_iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some((p.time.nanos() / MS, p.fields)),
                _ => None,
            })
            .collect()
    }

    fn fields(errors: Option<f64>, views: Option<FieldValue>) -> Fields {
        let mut pairs: Vec<(Str, FieldValue)> = Vec::new();
        pairs.extend(errors.map(|e| (Str::from("errors.value"), FieldValue::Float(e))));
        pairs.extend(views.map(|v| (Str::from("views.value"), v)));
        Fields::from_unsorted(pairs)
    }

    #[test]
    fn points_within_the_tolerance_join_at_the_rounded_time() {
        let mut join = PointJoin::new(&spec(Fill::None, &[]), 2);
        let out = run(
            &mut join,
            vec![(0, svc(900, 7.0)), (1, svc(1400, 700.0))],
            false,
        );
        assert_eq!(out, [(1000, fields(Some(7.0), Some(700.0.into())))]);
    }

    #[test]
    fn an_incomplete_set_waits_then_goes_by_the_fill() {
        let input = vec![(0, svc(0, 1.0)), (0, svc(2000, 2.0)), (1, svc(4000, 40.0))];
        let mut inner = PointJoin::new(&spec(Fill::None, &[]), 2);
        assert!(run(&mut inner, input.clone(), false).is_empty());
        let mut filled = PointJoin::new(&spec(Fill::Int(0), &[]), 2);
        let out = run(&mut filled, input.clone(), false);
        assert_eq!(out, [(0, fields(Some(1.0), Some(0i64.into())))]);
        let mut null = PointJoin::new(&spec(Fill::Null, &[]), 2);
        let out = run(&mut null, input, true);
        assert_eq!(out.len(), 3);
        assert_eq!(out[2], (4000, fields(None, Some(40.0.into()))));
    }

    #[test]
    fn the_output_has_the_stream_name_and_group_tags_only() {
        let mut join = PointJoin::new(&spec(Fill::None, &[]), 2);
        let (stats, diagnostics, mut out) = (
            NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "join1", &diagnostics, false);
        let tagged = at(0, &[("service", "cart"), ("host", "a")], &["service"], 1.0);
        for (i, p) in [(0, tagged), (1, svc(0, 2.0))] {
            join.message(i, Message::Point(p), &mut ctx)
                .expect("no fatal error");
        }
        let [Message::Point(p)] = &out[..] else {
            panic!("one point: {out:?}");
        };
        assert_eq!(&*p.name, "error_view");
        assert_eq!(
            p.tags,
            tickflow_model::Tags::from_pairs([("service", "cart")])
        );
        assert_eq!(p.group.as_str(), "service=cart");
    }

    fn disk(millis: i64, v: f64) -> Point {
        at(
            millis,
            &[("host", "A"), ("path", "/")],
            &["host", "path"],
            v,
        )
    }

    fn lock(millis: i64, v: f64) -> Point {
        at(millis, &[("host", "A")], &["host"], v)
    }

    #[test]
    fn on_joins_specific_points_with_the_match_of_their_key() {
        let input = vec![
            (1, lock(0, 0.0)),
            (0, disk(0, 50.0)),
            (0, disk(1000, 60.0)),
            (1, lock(2000, 1.0)),
            (0, disk(2000, 70.0)),
        ];
        let mut join = PointJoin::new(&spec(Fill::Float(-1.0), &["host"]), 2);
        let out = run(&mut join, input, false);
        assert_eq!(
            out,
            [
                (0, fields(Some(50.0), Some(0.0.into()))),
                (1000, fields(Some(60.0), Some((-1.0).into()))),
                (2000, fields(Some(70.0), Some(1.0.into()))),
            ]
        );
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let cases = [
            (
                &[][..],
                vec![(0, svc(0, 1.0)), (0, svc(1000, 2.0))],
                vec![(1, svc(0, 10.0)), (1, svc(1000, 20.0)), (0, svc(2000, 3.0))],
            ),
            (
                &["host"][..],
                vec![(1, lock(0, 0.0)), (0, disk(0, 1.0)), (0, disk(1000, 2.0))],
                vec![
                    (1, lock(2000, 1.0)),
                    (0, disk(2000, 3.0)),
                    (1, lock(3000, 0.0)),
                ],
            ),
        ];
        for (on, first, rest) in cases {
            let mut saved = PointJoin::new(&spec(Fill::Int(0), on), 2);
            run(&mut saved, first, false);
            let mut restored = PointJoin::new(&spec(Fill::Int(0), on), 2);
            restored
                .restore(saved.snapshot().expect("state"))
                .expect("restores");
            let expected = run(&mut saved, rest.clone(), true);
            assert!(expected.len() >= 2, "{on:?}: {expected:?}");
            assert_eq!(run(&mut restored, rest, true), expected);
        }
        let mut saved = PointJoin::new(&spec(Fill::None, &[]), 2);
        run(&mut saved, vec![(0, svc(0, 1.0))], false);
        let mut three = PointJoin::new(&spec(Fill::None, &[]), 3);
        assert!(three.restore(saved.snapshot().expect("state")).is_err());
    }

    type BatchJoin = Join<Batch>;

    /// A `cpu` batch at `tmax` seconds grouped by `dims`, one `value` point per
    /// (millis, value).
    fn batch(tmax: i64, tags: &[(&str, &str)], dims: &[&str], values: &[(i64, f64)]) -> Batch {
        let info = at(0, tags, dims, 0.0).group_info();
        let mut batch = Batch::new("cpu".into(), info, Time::from_nanos(tmax * 1000 * MS));
        batch.points = values
            .iter()
            .map(|&(millis, v)| BatchPoint::from(&at(millis, tags, dims, v)))
            .collect();
        batch
    }

    fn run_batches(join: &mut BatchJoin, input: Vec<(usize, Batch)>, finish: bool) -> Vec<Batch> {
        let (stats, diagnostics, mut out) = (
            NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "join1", &diagnostics, false);
        for (i, b) in input {
            join.message(i, Message::Batch(b), &mut ctx)
                .expect("no fatal error");
        }
        if finish {
            join.finish(&mut ctx).expect("finishes");
        }
        assert!(
            diagnostics.errors().is_empty(),
            "{:?}",
            diagnostics.errors()
        );
        out.into_iter()
            .map(|m| match m {
                Message::Batch(b) => b,
                other => panic!("not a batch: {other:?}"),
            })
            .collect()
    }

    fn rows(batch: &Batch) -> Vec<(i64, Fields)> {
        batch
            .points
            .iter()
            .map(|p| (p.time.nanos() / MS, p.fields.clone()))
            .collect()
    }

    #[test]
    fn batches_of_a_slot_merge_their_points_by_rounded_time() {
        let errors = batch(
            10,
            &[("service", "cart")],
            &["service"],
            &[(0, 1.0), (1000, 2.0), (2100, 3.0)],
        );
        let views = batch(
            10,
            &[("service", "cart")],
            &["service"],
            &[(0, 10.0), (1900, 30.0)],
        );
        let input = vec![(0, errors), (1, views)];
        let mut inner = BatchJoin::new(&spec(Fill::None, &[]), 2);
        let out = run_batches(&mut inner, input.clone(), true);
        let [joined] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert_eq!(&*joined.name, "error_view");
        assert_eq!(joined.tmax, Time::from_nanos(10_000 * MS));
        assert_eq!(
            joined.tags,
            tickflow_model::Tags::from_pairs([("service", "cart")])
        );
        assert_eq!(
            rows(joined),
            [
                (0, fields(Some(1.0), Some(10.0.into()))),
                (2000, fields(Some(3.0), Some(30.0.into()))),
            ]
        );
        let mut filled = BatchJoin::new(&spec(Fill::Int(0), &[]), 2);
        let out = run_batches(&mut filled, input, true);
        assert_eq!(
            rows(&out[0])[1],
            (1000, fields(Some(2.0), Some(0i64.into())))
        );
    }

    #[test]
    fn a_batch_slot_goes_out_once_every_parent_has_passed_it() {
        let cart = |tmax, v| {
            batch(
                tmax,
                &[("service", "cart")],
                &["service"],
                &[(tmax * 1000, v)],
            )
        };
        let mut join = BatchJoin::new(&spec(Fill::None, &[]), 2);
        let out = run_batches(
            &mut join,
            vec![(0, cart(10, 1.0)), (0, cart(20, 2.0))],
            false,
        );
        assert!(out.is_empty(), "parent 1 has sent nothing: {out:?}");
        let out = run_batches(&mut join, vec![(1, cart(20, 20.0))], false);
        let times: Vec<_> = out
            .iter()
            .map(|b| (b.tmax.nanos() / MS, b.points.len()))
            .collect();
        assert_eq!(times, [(10_000, 0), (20_000, 1)], "slot 10 lacks parent 1");
    }

    #[test]
    fn on_joins_a_specific_batch_with_the_match_batch_of_its_key() {
        let disks = batch(
            10,
            &[("host", "A"), ("path", "/")],
            &["host", "path"],
            &[(0, 50.0), (1000, 60.0)],
        );
        let lock = batch(10, &[("host", "A")], &["host"], &[(0, 1.0)]);
        let mut join = BatchJoin::new(&spec(Fill::Float(-1.0), &["host"]), 2);
        let out = run_batches(&mut join, vec![(1, lock), (0, disks)], false);
        let [joined] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert_eq!(joined.group.as_str(), "host=A,path=/");
        assert_eq!(
            rows(joined),
            [
                (0, fields(Some(50.0), Some(1.0.into()))),
                (1000, fields(Some(60.0), Some((-1.0).into()))),
            ]
        );
    }

    #[test]
    fn a_restored_batch_join_continues_as_the_saved_one() {
        let cart = |tmax, v| {
            batch(
                tmax,
                &[("service", "cart")],
                &["service"],
                &[(tmax * 1000, v)],
            )
        };
        let mut saved = BatchJoin::new(&spec(Fill::Int(0), &[]), 2);
        run_batches(
            &mut saved,
            vec![(0, cart(10, 1.0)), (0, cart(20, 2.0))],
            false,
        );
        let mut restored = BatchJoin::new(&spec(Fill::Int(0), &[]), 2);
        restored
            .restore(saved.snapshot().expect("state"))
            .expect("restores");
        let rest = vec![(1, cart(20, 20.0)), (1, cart(30, 30.0))];
        let expected = run_batches(&mut saved, rest.clone(), true);
        assert_eq!(expected.len(), 3);
        assert_eq!(run_batches(&mut restored, rest, true), expected);
    }
}
