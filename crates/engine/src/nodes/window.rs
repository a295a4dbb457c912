//! `|window()`: buffers each group's points and emits them as batches, by time or by
//! count, exactly as Kapacitor's window node does (kapacitor-compat.md, nodes §3.1).
//!
//! Time windows run on point timestamps. A group's window starts at its first point; a
//! window is emitted when a point (or barrier) at or after `next_emit` arrives, holds the
//! buffered points in arrival order, and never contains the point that triggered it.
//! Nothing is flushed when the input closes: a partial window is dropped.
//!
//! Unlike Kapacitor, a time window drops a point older than the start of the next
//! window it will emit (`next_emit - period`) and counts it as late: such a point can
//! belong to no window still to come, so whatever the timestamps (one point in the year
//! 2200 moves `next_emit` there) the buffer holds at most a period of data. A point that
//! moves a group's windows more than [`FAR_AHEAD`] windows on at once is reported once
//! per group: the points after it are likely to be dropped as late.

use tickflow_model::{
    Batch, BatchPoint, Duration, EcoVec, GroupId, GroupInfo, Message, Point, Str, Time,
};
use tickflow_pipeline::nodes::window::WindowNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::chunked::Chunked;
use crate::nodes::group_limits::{self, Expired, GroupLimits};
use crate::nodes::group_map::{self, GroupMap};
use crate::nodes::memory;
use crate::state::{self, StateError};

/// The running window node.
pub struct Window {
    mode: Mode,
    groups: GroupMap<GroupWindow>,
    /// Points buffered over every group, kept up to date as points come and go.
    buffered: usize,
    /// The estimated bytes of the last point buffered, taken as every point's.
    point_bytes: usize,
    /// The task's bounds on the groups it keeps.
    limits: GroupLimits,
    /// The latest point time seen, the event clock idle groups are measured on.
    latest: Option<Time>,
    /// When the next group may become idle (the earliest last-seen time plus the idle
    /// time, as of the last look): the groups are walked only once it has passed.
    next_idle: Option<Time>,
    /// The task's id, for reports.
    task: String,
}

/// How many windows at once a point may move its group on before it is reported.
pub(crate) const FAR_AHEAD: i64 = 1000;

/// A point far ahead of the rest of its group.
#[derive(Debug, thiserror::Error)]
#[error(
    "task {task}: point of group {group:?} at {time} is more than {FAR_AHEAD} windows ahead of the \
     group's next window ({next}): later points of the group before it are dropped as late"
)]
struct FarAhead {
    task: String,
    group: String,
    time: String,
    next: String,
}

/// How windows are cut.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// By time: `period` wide, emitted every `every` (0: on every point).
    Time {
        period: Duration,
        every: Duration,
        align: bool,
        fill_period: bool,
    },
    /// By count: the last `period` points, emitted every `every` points.
    Count {
        period: usize,
        every: u64,
        fill_period: bool,
    },
}

/// One group's window.
struct GroupWindow {
    name: Str,
    info: GroupInfo,
    buffer: Chunked<BatchPoint>,
    /// Time mode: when the next batch is due.
    next_emit: Time,
    /// Whether a point far ahead of the group was reported.
    reported_far_ahead: bool,
    /// Count mode: points received so far.
    count: u64,
    /// The latest time of the group's points, for expiring idle and old groups.
    last_seen: Time,
}

impl Window {
    /// A window node for a validated spec.
    pub fn new(spec: &WindowNode) -> Self {
        let period_count = spec.period_count.unwrap_or(0);
        let mode = if period_count > 0 {
            Mode::Count {
                period: usize::try_from(period_count).unwrap_or(usize::MAX),
                every: u64::try_from(spec.every_count.unwrap_or(0)).unwrap_or(0),
                fill_period: spec.fill_period,
            }
        } else {
            Mode::Time {
                period: spec.period.unwrap_or_default(),
                every: spec.every.unwrap_or_default(),
                align: spec.align,
                fill_period: spec.fill_period,
            }
        };
        Window {
            mode,
            groups: GroupMap::default(),
            buffered: 0,
            point_bytes: 0,
            limits: GroupLimits::default(),
            latest: None,
            next_idle: None,
            task: String::new(),
        }
    }

    /// The node as part of task `task`, which its reports name.
    pub(crate) fn in_task(mut self, task: &str) -> Self {
        self.task = task.to_string();
        self
    }

    /// The node bounded by the task's group limits.
    pub(crate) fn with_limits(mut self, limits: GroupLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Drops the groups the limits no longer allow (see `group_limits`).
    fn expire(&mut self, ctx: &mut Context<'_>) {
        if let (Some(idle), Some(now)) = (self.limits.idle, self.latest) {
            if self.next_idle.is_none_or(|due| now > due) {
                let idle_groups = self
                    .groups
                    .iter()
                    .filter(|(_, w)| group_limits::is_idle(w.last_seen, now, idle))
                    .map(|(id, _)| id.clone())
                    .collect();
                self.drop_groups(
                    idle_groups,
                    format!("not seen for {}s", idle.as_secs_f64()),
                    ctx,
                );
                let oldest = self.groups.values().map(|w| w.last_seen).min();
                self.next_idle = oldest.map(|t| t + idle);
            }
        }
        if let Some(limit) = self.limits.memory.filter(|l| self.memory() > *l) {
            let mut by_age: Vec<(Time, &GroupId, usize)> = self
                .groups
                .iter()
                .map(|(id, w)| (w.last_seen, id, w.buffer.len()))
                .collect();
            by_age.sort_unstable();
            let (group, mut held) = (Self::GROUP_BYTES, self.memory());
            let mut oldest = Vec::new();
            for (_, id, points) in by_age {
                if held <= limit {
                    break;
                }
                held -= group + points * self.point_bytes;
                oldest.push(id.clone());
            }
            self.drop_groups(oldest, format!("memory over {limit} bytes"), ctx);
        }
    }

    /// Forgets `ids` and sends their deletion on, counting and logging them as one round.
    fn drop_groups(&mut self, ids: Vec<GroupId>, reason: String, ctx: &mut Context<'_>) {
        if ids.is_empty() {
            return;
        }
        let count = ids.len();
        for id in ids {
            if let Some(window) = self.remove(&id) {
                ctx.emit(Message::DeleteGroup(window.info));
            }
        }
        ctx.groups_expired(
            count,
            &Expired {
                task: self.task.clone(),
                count,
                reason,
            },
        );
    }

    fn point(&mut self, point: &mut Point, ctx: &mut Context<'_>) {
        let mode = self.mode;
        let window = self
            .groups
            .entry(point.group.clone())
            .or_insert_with(|| GroupWindow::start(point, mode));
        let before = window.buffer.len();
        window.last_seen = window.last_seen.max(point.time);
        self.latest = self.latest.max(Some(point.time));
        if let Mode::Time { period, .. } = mode {
            if point.time < window.next_emit - period {
                ctx.late();
                return;
            }
        }
        match mode {
            Mode::Time { period, every, .. } if every.is_zero() => {
                let t = point.time;
                window.buffer.push_back(BatchPoint::take_from(point));
                if t >= window.next_emit {
                    window.purge_through(t - period);
                    ctx.emit(window.batch(t));
                    window.next_emit = t;
                }
            }
            Mode::Time {
                period,
                every,
                align,
                ..
            } => {
                if point.time >= window.next_emit {
                    window.report_far_ahead(point, every, &self.task, ctx);
                    ctx.emit(window.hop(point.time, period, every, align));
                }
                window.buffer.push_back(BatchPoint::take_from(point));
            }
            Mode::Count {
                period,
                every,
                fill_period,
            } => {
                if window.buffer.len() == period {
                    window.buffer.pop_front();
                }
                let t = point.time;
                window.buffer.push_back(BatchPoint::take_from(point));
                window.count += 1;
                let first = if fill_period { period as u64 } else { every };
                if every > 0 && window.count >= first && (window.count - first) % every == 0 {
                    ctx.emit(window.batch(t));
                }
            }
        }
        self.buffered = self.buffered + window.buffer.len() - before;
        if let Some(last) = window.buffer.back() {
            self.point_bytes = memory::batch_point(last);
        }
    }

    fn barrier(&mut self, group: &GroupId, time: Time, ctx: &mut Context<'_>) {
        let Mode::Time {
            period,
            every,
            align,
            ..
        } = self.mode
        else {
            return;
        };
        let Some(window) = self.groups.get_mut(group) else {
            return;
        };
        if time < window.next_emit {
            return;
        }
        let before = window.buffer.len();
        if every.is_zero() {
            window.purge_through(time - period);
            ctx.emit(window.batch(time));
            window.next_emit = time;
        } else {
            ctx.emit(window.hop(time, period, every, align));
        }
        self.buffered = self.buffered + window.buffer.len() - before;
    }

    /// Forgets group `id` and its buffered points; returns its window.
    fn remove(&mut self, id: &GroupId) -> Option<GroupWindow> {
        let window = self.groups.remove(id)?;
        self.buffered -= window.buffer.len();
        Some(window)
    }

    /// What one group costs beyond its points: its table entry and window.
    const GROUP_BYTES: usize = memory::GROUP_ENTRY + std::mem::size_of::<GroupWindow>();
}

/// The time of the last point of `buffer`.
fn buffer_back_time(buffer: &Chunked<BatchPoint>) -> Option<Time> {
    buffer.back().map(|p| p.time)
}

/// `t` truncated to a multiple of `every` when aligning.
fn aligned(t: Time, every: Duration, align: bool) -> Time {
    if align {
        t.truncate(every)
    } else {
        t
    }
}

impl GroupWindow {
    /// The window a group's first point opens.
    fn start(first: &Point, mode: Mode) -> Self {
        let t0 = first.time;
        let next_emit = match mode {
            Mode::Time {
                every,
                fill_period: false,
                align,
                ..
            } => {
                if every.is_zero() {
                    t0
                } else {
                    aligned(t0 + every, every, align)
                }
            }
            Mode::Time {
                period,
                every,
                fill_period: true,
                align,
            } => {
                if align && !every.is_zero() {
                    aligned(t0 + period, every, true) + every
                } else {
                    t0 + period
                }
            }
            Mode::Count { .. } => t0,
        };
        GroupWindow {
            name: first.name.clone(),
            info: first.group_info(),
            buffer: Chunked::new(),
            next_emit,
            reported_far_ahead: false,
            count: 0,
            last_seen: t0,
        }
    }

    /// Reports, once per group, a point that moves the windows more than [`FAR_AHEAD`]
    /// windows on.
    fn report_far_ahead(
        &mut self,
        point: &Point,
        every: Duration,
        task: &str,
        ctx: &mut Context<'_>,
    ) {
        let ahead = point.time.nanos().saturating_sub(self.next_emit.nanos());
        if self.reported_far_ahead || ahead / every.nanos().max(1) <= FAR_AHEAD {
            return;
        }
        self.reported_far_ahead = true;
        ctx.error(&FarAhead {
            task: task.to_string(),
            group: point.group.to_string(),
            time: point.time.to_rfc3339(),
            next: self.next_emit.to_rfc3339(),
        });
    }

    /// Drops points from the front while they are older than `oldest` (stopping at the
    /// first that is kept, as Kapacitor does).
    fn purge_before(&mut self, oldest: Time) {
        while self.buffer.front().is_some_and(|p| p.time < oldest) {
            self.buffer.pop_front();
        }
    }

    /// Drops points from the front while they are at or before `through`.
    fn purge_through(&mut self, through: Time) {
        while self.buffer.front().is_some_and(|p| p.time <= through) {
            self.buffer.pop_front();
        }
    }

    /// The window's state as JSON.
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "group": state::group_json(&self.name, &self.info),
            "buffer": self.buffer.iter().map(state::batch_point_json).collect::<Vec<_>>(),
            "next_emit": self.next_emit.nanos(),
            "count": self.count,
        })
    }

    /// A window from [`GroupWindow::to_json`].
    fn from_json(value: &serde_json::Value) -> Result<Self, StateError> {
        let (name, info) = state::group_from(state::member(value, "group")?)?;
        let buffer = state::array(value, "buffer")?
            .iter()
            .map(state::batch_point_from)
            .collect::<Result<_, _>>()?;
        let count = state::int(value, "count")?;
        let next_emit = Time::from_nanos(state::int(value, "next_emit")?);
        let last_seen = buffer_back_time(&buffer).unwrap_or(next_emit);
        Ok(GroupWindow {
            name,
            info,
            buffer,
            next_emit,
            last_seen,
            reported_far_ahead: false,
            count: u64::try_from(count).map_err(|_| StateError::new("negative count"))?,
        })
    }

    /// Emits the window due at `next_emit` because data (or a barrier) at `now` reached
    /// it, and moves `next_emit` on. The buffered points older than the next window's
    /// start would be purged at the next emission; they move into this batch instead of
    /// being copied, so a tumbling window (`period == every`) copies no point at all.
    fn hop(&mut self, now: Time, period: Duration, every: Duration, align: bool) -> Message {
        let tmax = self.next_emit;
        self.purge_before(tmax - period);
        self.next_emit = aligned(now + every, every, align);
        let keep_from = self.next_emit - period;
        let done = self
            .buffer
            .iter()
            .take_while(|p| p.time < keep_from)
            .count();
        let mut points = EcoVec::with_capacity(self.buffer.len());
        self.buffer.take_front_into(done, &mut points);
        points.extend(self.buffer.iter().cloned());
        let mut batch = Batch::new(self.name.clone(), self.info.clone(), tmax);
        batch.points = points;
        Message::Batch(batch)
    }

    /// The current buffer as a batch with time `tmax`.
    fn batch(&self, tmax: Time) -> Message {
        let mut batch = Batch::new(self.name.clone(), self.info.clone(), tmax);
        batch.points = self.buffer.iter().cloned().collect();
        Message::Batch(batch)
    }
}

impl Node for Window {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(mut point) => self.point(&mut point, ctx),
            Message::Barrier { group, time } => {
                if matches!(self.mode, Mode::Count { .. }) {
                    ctx.emit(Message::Barrier { group, time });
                } else {
                    self.barrier(&group.id, time, ctx);
                }
            }
            Message::DeleteGroup(group) => {
                let _ = self.remove(&group.id);
                ctx.emit(Message::DeleteGroup(group));
            }
            Message::Batch(_) => return Err(NodeError::new("cannot window a batch edge")),
        }
        Ok(())
    }

    /// Buffers the chunk's points where they lie, taking only their fields and tags.
    fn messages(
        &mut self,
        input: usize,
        chunk: &mut Vec<Message>,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let mut result = Ok(());
        for message in chunk.iter_mut() {
            match message {
                Message::Point(point) => self.point(point, ctx),
                other => {
                    let other =
                        std::mem::replace(other, Message::DeleteGroup(GroupInfo::default()));
                    result = self.message(input, other, ctx);
                    if result.is_err() {
                        break;
                    }
                }
            }
        }
        chunk.clear();
        self.expire(ctx);
        result
    }

    /// Every group's buffered points and schedule, ordered by group id.
    fn snapshot(&self) -> Option<serde_json::Value> {
        let groups = group_map::ordered_json(&self.groups, GroupWindow::to_json);
        Some(serde_json::json!({ "groups": groups }))
    }

    fn restore(&mut self, state: serde_json::Value) -> Result<(), NodeError> {
        let groups = state::array(&state, "groups")?
            .iter()
            .map(|g| GroupWindow::from_json(g).map(|w| (w.info.id.clone(), w)))
            .collect::<Result<GroupMap<_>, _>>()?;
        self.buffered = groups.values().map(|w| w.buffer.len()).sum();
        self.point_bytes = groups
            .values()
            .find_map(|w| w.buffer.front())
            .map_or(0, memory::batch_point);
        self.groups = groups;
        Ok(())
    }

    /// Each group's table entry and window, and every buffered point.
    fn memory(&self) -> usize {
        self.groups.len() * Self::GROUP_BYTES + self.buffered * self.point_bytes
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, FieldValue};

    use super::*;

    const S: i64 = 1_000_000_000;

    fn spec(period: i64, every: i64) -> WindowNode {
        WindowNode {
            period: Some(Duration::from_nanos(period * S)),
            every: Some(Duration::from_nanos(every * S)),
            ..WindowNode::default()
        }
    }

    fn point(host: &str, secs: i64) -> Message {
        let mut p = Point::new("cpu", Time::from_nanos(secs * S));
        p.tags = tickflow_model::Tags::from_pairs([("host", host)]);
        p.fields = tickflow_model::Fields::from_pairs([("value", FieldValue::Float(secs as f64))]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        Message::Point(p)
    }

    /// Runs `messages` through a window and returns each batch as (tmax, point seconds).
    fn run(spec: &WindowNode, messages: Vec<Message>) -> Vec<(i64, Vec<i64>)> {
        let (out, errors) = crate::nodes::testing::run(&mut Window::new(spec), messages);
        assert!(errors.is_empty(), "{errors:?}");
        out.into_iter()
            .filter_map(|m| match m {
                Message::Batch(b) => Some((
                    b.tmax.nanos() / S,
                    b.points.iter().map(|p| p.time.nanos() / S).collect(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn memory_grows_with_buffered_points_and_falls_when_a_window_emits() {
        use crate::nodes::testing::run as feed;
        let mut window = Window::new(&spec(10, 10));
        assert_eq!(window.memory(), 0);
        feed(&mut window, vec![point("a", 0), point("b", 0)]);
        let two_groups = window.memory();
        feed(&mut window, (1..9).map(|t| point("a", t)).collect());
        let ten_points = window.memory();
        assert!(ten_points > two_groups, "{ten_points} > {two_groups}");
        let per_point = (ten_points - two_groups) / 8;
        assert!((24..=128).contains(&per_point), "{per_point} bytes a point");
        let (out, _) = feed(&mut window, vec![point("a", 10)]);
        assert_eq!(out.len(), 1, "the window of a emits");
        assert_eq!(window.memory(), two_groups, "a holds its one new point");
        feed(&mut window, vec![Message::DeleteGroup(group_of("b"))]);
        assert_eq!(window.memory(), two_groups / 2, "b and its point are gone");
    }

    fn group_of(host: &str) -> GroupInfo {
        let mut p = Point::new("cpu", Time::from_nanos(0));
        p.tags = tickflow_model::Tags::from_pairs([("host", host)]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p.group_info()
    }

    /// Feeds `messages` as one chunk; returns the deleted groups' hosts, the groups
    /// expired so far and the log lines.
    fn feed_limited(
        window: &mut Window,
        messages: Vec<Message>,
    ) -> (Vec<String>, u64, Vec<String>) {
        let stats = crate::stats::NodeStats::default();
        let diagnostics = crate::diagnostics::Collect::default();
        let mut out = Vec::new();
        let mut ctx = Context::new(&mut out, &stats, "window1", &diagnostics, false);
        let mut chunk = messages;
        window
            .messages(0, &mut chunk, &mut ctx)
            .expect("no fatal error");
        let deleted = out
            .iter()
            .filter_map(|m| match m {
                Message::DeleteGroup(g) => Some(g.tags.get("host")?.to_string()),
                _ => None,
            })
            .collect();
        (
            deleted,
            stats.snapshot().groups_expired,
            diagnostics.errors(),
        )
    }

    #[test]
    fn idle_groups_are_deleted_downstream_once_unseen_for_the_idle_time() {
        let limits = GroupLimits {
            idle: Some(Duration::from_nanos(10 * S)),
            memory: None,
        };
        let mut window = Window::new(&spec(100, 100))
            .in_task("t")
            .with_limits(limits);
        let first = feed_limited(
            &mut window,
            vec![point("a", 0), point("b", 2), point("a", 5)],
        );
        assert_eq!(first, (vec![], 0, vec![]));
        let (deleted, expired, log) = feed_limited(&mut window, vec![point("a", 12)]);
        assert_eq!(
            (deleted, expired),
            (Vec::<String>::new(), 0),
            "b seen at 2, 10s not passed"
        );
        let (deleted, expired, log2) = feed_limited(&mut window, vec![point("a", 13)]);
        assert!(log.is_empty());
        assert_eq!((deleted, expired), (vec!["b".to_string()], 1));
        assert_eq!(
            log2,
            ["window1: task t: 1 groups expired (not seen for 10s)"]
        );
        assert_eq!(window.groups.len(), 1, "a stays");
        assert_eq!(window.buffered, 4, "a's points only");
    }

    #[test]
    fn over_the_memory_limit_the_least_recently_seen_groups_go() {
        let mut unbounded = Window::new(&spec(100, 100));
        let two: Vec<Message> = (0..10)
            .flat_map(|t| [point("b", t), point("c", t)])
            .collect();
        crate::nodes::testing::run(&mut unbounded, two.clone());
        let limit = unbounded.memory();
        let limits = GroupLimits {
            memory: Some(limit),
            idle: None,
        };
        let mut window = Window::new(&spec(100, 100))
            .in_task("t")
            .with_limits(limits);
        let mut three = vec![point("a", 0)];
        three.extend(two);
        let (deleted, expired, log) = feed_limited(&mut window, three);
        assert_eq!((deleted, expired), (vec!["a".to_string()], 1));
        assert_eq!(
            log,
            [format!(
                "window1: task t: 1 groups expired (memory over {limit} bytes)"
            )]
        );
        assert_eq!(window.memory(), limit);
        let (deleted, expired, _) = feed_limited(&mut window, vec![point("c", 20)]);
        assert_eq!(
            (deleted, expired),
            (vec!["b".to_string()], 1),
            "b is now the oldest"
        );
        assert!(window.memory() <= limit);
    }

    #[test]
    fn a_restored_window_emits_what_the_saved_one_would() {
        let spec = spec(10, 10);
        let first = vec![point("a", 1), point("b", 2), point("a", 5)];
        let rest = vec![point("a", 12), point("b", 13)];
        let mut saved = Window::new(&spec);
        crate::nodes::testing::run(&mut saved, first.clone());
        let snapshot = saved.snapshot().expect("a window has state");
        let mut restored = Window::new(&spec);
        restored.restore(snapshot).expect("restores");
        let mut whole = Window::new(&spec);
        crate::nodes::testing::run(&mut whole, first);
        let expected = crate::nodes::testing::run(&mut whole, rest.clone());
        assert!(!expected.0.is_empty(), "the rest closes a window");
        assert_eq!(crate::nodes::testing::run(&mut restored, rest), expected);
        assert!(Window::new(&spec).restore(serde_json::json!({})).is_err());
    }

    #[test]
    fn aligned_window_holds_the_ten_seconds_before_tmax() {
        let spec = WindowNode {
            align: true,
            ..spec(10, 10)
        };
        let batches = run(&spec, (0..=21).map(|t| point("a", t)).collect());
        assert_eq!(
            batches,
            [(10, (0..10).collect::<Vec<_>>()), (20, (10..20).collect())]
        );
    }

    #[test]
    fn unaligned_window_starts_at_the_first_point() {
        let batches = run(&spec(10, 10), (3..=14).map(|t| point("a", t)).collect());
        assert_eq!(batches, [(13, (3..13).collect::<Vec<_>>())]);
    }

    #[test]
    fn groups_have_their_own_windows() {
        let messages = vec![point("a", 0), point("b", 5), point("a", 10), point("b", 15)];
        assert_eq!(run(&spec(10, 10), messages), [(10, vec![0]), (15, vec![5])]);
    }

    #[test]
    fn overlapping_windows_purge_only_the_front() {
        let batches = run(&spec(10, 5), (0..=15).map(|t| point("a", t)).collect());
        assert_eq!(
            batches,
            [
                (5, (0..5).collect::<Vec<_>>()),
                (10, (0..10).collect()),
                (15, (5..15).collect())
            ]
        );
    }

    #[test]
    fn every_zero_emits_on_each_point_including_it() {
        let batches = run(&spec(2, 0), (0..=3).map(|t| point("a", t)).collect());
        assert_eq!(
            batches,
            [
                (0, vec![0]),
                (1, vec![0, 1]),
                (2, vec![1, 2]),
                (3, vec![2, 3])
            ]
        );
    }

    #[test]
    fn count_windows_emit_the_last_points() {
        let spec = WindowNode {
            period_count: Some(3),
            every_count: Some(2),
            ..WindowNode::default()
        };
        let batches = run(&spec, (0..6).map(|t| point("a", t)).collect());
        assert_eq!(
            batches,
            [(1, vec![0, 1]), (3, vec![1, 2, 3]), (5, vec![3, 4, 5])]
        );
    }

    #[test]
    fn a_gap_restarts_from_the_late_point() {
        let batches = run(
            &spec(10, 10),
            vec![
                point("a", 0),
                point("a", 5),
                point("a", 40),
                point("a", 45),
                point("a", 50),
            ],
        );
        assert_eq!(batches, [(10, vec![0, 5]), (50, vec![40, 45])]);
    }

    #[test]
    fn a_far_future_point_is_reported_once_and_the_points_behind_it_are_late() {
        let mut window = Window::new(&spec(10, 10)).in_task("t");
        let year_2200 = 7_258_118_400;
        let mut messages = vec![point("a", 0), point("a", 5), point("a", year_2200)];
        messages.extend((6..100).map(|t| point("a", t)));
        messages.push(point("a", year_2200 + 1));
        let (stats, diagnostics, mut out) = (
            crate::stats::NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "window1", &diagnostics, false);
        window
            .messages(0, &mut messages, &mut ctx)
            .expect("no fatal error");
        assert_eq!(stats.snapshot().late, 94, "every point behind the far one");
        let buffered: usize = window.groups.values().map(|w| w.buffer.len()).sum();
        assert_eq!(buffered, 2, "the far point and the one after it");
        let errors = diagnostics.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("window1: task t: point of group ")
                && errors[0].contains(" at 2200-01-01T00:00:00Z is more than 1000 windows ahead"),
            "{}",
            errors[0]
        );
    }
}
