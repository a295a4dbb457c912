//! `query()` and `queryFlux()`: the batch sources of a batch task (spec: kapacitor-compat.md (nodes),
//! `query`, `queryFlux`).
//!
//! A query node is checked when the task starts ([`Query::new`]): its InfluxQL must be
//! one `SELECT` ([`influxql`]), its schedule one of `.every()` and a cron expression
//! that parses ([`schedule`]). It then does one of two things:
//!
//! * **Replay**: batches recorded from it are put on its input, and it forwards them
//!   unchanged (spec conformance/batch/README.md §3.1): nothing about the query changes
//!   recorded data.
//! * **Live**: once the task master starts batching ([`Batching::start`], with the
//!   cluster's client), the node runs on the engine clock, wall time in the server: at
//!   each run of its schedule (plus the cluster's `query-jitter` for this task and
//!   node) it queries the range `[run − offset − period, run − offset)` (without
//!   `.period()`, the period is `.every()`: a deliberate default, as an empty range
//!   would query nothing), with its
//!   `GROUP BY` and `fill`, and emits one batch per series ([`results`]). A failed query
//!   (unreachable, 4xx/5xx, timeout, malformed JSON, an error in the result) is
//!   reported with the task and the statement, counted in the node's errors, and the
//!   schedule goes on.
//!
//! `queryFlux()` runs the same way against InfluxDB 2.x ([`client::QueryClient::flux`]:
//! its Flux text as written, with `now` at the run's stop, so a relative `range()`
//! covers the run) and turns the annotated CSV answer into batches ([`flux`]); its
//! cluster needs a `token`, and starting the task without one is refused with a
//! message that says so.
//!
//! A replay never starts batching, so no query runs there: a task with `queryFlux()`
//! or an unknown `.cluster()` replays without any InfluxDB.

pub(crate) mod batching;
pub(crate) mod client;
pub(crate) mod flux;
pub(crate) mod influxql;
pub(crate) mod results;
pub(crate) mod schedule;

use std::sync::{Arc, OnceLock};

use tickflow_model::{Duration, Message, Time};
use tickflow_pipeline::nodes::group_by::Dimensions as SpecDimensions;
use tickflow_pipeline::nodes::query::{QueryFill, QueryNode};
use tickflow_pipeline::nodes::query_flux::QueryFluxNode;
use tickflow_pipeline::TimeDimension;

use crate::node::{Context, Node, NodeError};
pub(crate) use batching::{Batching, BatchingError, Live};
use client::{Org, QueryClient};
use influxql::{InfluxQlError, Run, Select};
use results::Shape;
use schedule::{CronError, Schedule};

/// Why a query node cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryNodeError {
    /// The InfluxQL is not one `SELECT`.
    #[error(transparent)]
    InfluxQl(#[from] InfluxQlError),
    /// The cron expression does not parse.
    #[error(transparent)]
    Cron(#[from] CronError),
}

/// A failed run, as reported on the node.
#[derive(Debug, thiserror::Error)]
#[error("task {task}: query {statement:?}: {reason}")]
pub struct RunError {
    /// The task's id.
    pub task: String,
    /// The statement as sent.
    pub statement: String,
    /// Why it gave no batches.
    pub reason: String,
}

/// What a query node asks of InfluxDB, and when.
#[derive(Debug)]
pub struct Plan {
    schedule: Schedule,
    period: Duration,
    offset: Duration,
    statement: Statement,
}

/// What a run asks: InfluxQL of InfluxDB 1.x, or Flux of InfluxDB 2.x.
#[derive(Debug)]
enum Statement {
    /// `query()`.
    InfluxQl(InfluxQlPlan),
    /// `queryFlux()`.
    Flux {
        /// The Flux text.
        query: String,
        /// The organization it runs in.
        org: Org,
    },
}

/// A `query()`'s statement and grouping.
#[derive(Debug)]
struct InfluxQlPlan {
    select: Select,
    tags: Vec<String>,
    time: Option<TimeDimension>,
    align_group: bool,
    fill: Option<String>,
    by_name: bool,
}

/// The running `query()` or `queryFlux()` node.
pub(crate) struct Query {
    plan: Arc<Plan>,
    live: Arc<OnceLock<Live>>,
    task: String,
    /// The next run, by the schedule (without jitter).
    next: Option<Time>,
}

impl Query {
    /// The node for a validated `query()` spec of task `task`; `live` is filled when the
    /// task master starts batching.
    pub(crate) fn new(
        spec: &QueryNode,
        task: &str,
        batching: &mut Batching,
        node: &str,
    ) -> Result<Query, QueryNodeError> {
        let statement = Statement::InfluxQl(InfluxQlPlan {
            select: Select::parse(&spec.query)?,
            tags: match &spec.dimensions {
                SpecDimensions::All => vec!["*".to_string()],
                SpecDimensions::Tags(tags) => tags.iter().map(|t| quote_ident(t)).collect(),
            },
            time: spec.group_by_time,
            align_group: spec.align_group,
            fill: spec.fill.map(fill_text),
            by_name: spec.group_by_measurement,
        });
        let plan = Plan {
            schedule: Schedule::new(spec.every, spec.align, &spec.cron)?,
            period: spec.period.or(spec.every).unwrap_or_default(),
            offset: spec.offset.unwrap_or_default(),
            statement,
        };
        Ok(Query::register(plan, &spec.cluster, task, batching, node))
    }

    /// The node for a validated `queryFlux()` spec.
    pub(crate) fn flux(
        spec: &QueryFluxNode,
        task: &str,
        batching: &mut Batching,
        node: &str,
    ) -> Result<Query, QueryNodeError> {
        let org = match spec.org_id.is_empty() {
            true => Org::Name(spec.org.clone()),
            false => Org::Id(spec.org_id.clone()),
        };
        let plan = Plan {
            schedule: Schedule::new(spec.every, spec.align, &spec.cron)?,
            period: spec.period.or(spec.every).unwrap_or_default(),
            offset: spec.offset.unwrap_or_default(),
            statement: Statement::Flux {
                query: spec.query.clone(),
                org,
            },
        };
        Ok(Query::register(plan, &spec.cluster, task, batching, node))
    }

    /// The node for `plan` on `cluster`, registered with the task's batching.
    fn register(
        plan: Plan,
        cluster: &str,
        task: &str,
        batching: &mut Batching,
        node: &str,
    ) -> Query {
        let plan = Arc::new(plan);
        let live = batching.register(node, cluster, Arc::clone(&plan));
        Query {
            plan,
            live,
            task: task.to_string(),
            next: None,
        }
    }

    /// Runs the query for the schedule's run at `at` and emits its batches.
    fn run(&self, plan: &Plan, live: &Live, at: Time, ctx: &mut Context<'_>) {
        match plan.fetch(&live.client, &self.task, at) {
            Ok(batches) => batches
                .into_iter()
                .for_each(|b| ctx.emit(Message::Batch(b))),
            Err(err) => ctx.error(&err),
        }
    }
}

impl Plan {
    /// The run after `at` that is still ahead of `now`: runs missed while a slow query
    /// was answered are skipped, as Go's tickers drop ticks (and the node's thread gets
    /// to see its input close between two runs).
    fn next_after(&self, at: Time, now: Time) -> Option<Time> {
        let mut next = self.schedule.next(at, Some(at))?;
        while next <= now {
            next = self.schedule.next(next, Some(next))?;
        }
        Some(next)
    }

    /// The runs of the schedule after `start` up to `stop` (Kapacitor's
    /// `QueryNode.Queries`, for a replay of the past).
    pub fn runs(&self, start: Time, stop: Time) -> Vec<Time> {
        let mut runs = Vec::new();
        let mut current = start;
        while let Some(next) = self.schedule.next(current, Some(current)) {
            if next > stop || next <= current {
                break;
            }
            runs.push(next);
            current = next;
        }
        runs
    }

    /// Queries `client` for the run at `at` of task `task`: the range
    /// `[at − offset − period, at − offset)`, the node's `GROUP BY` and `fill`.
    pub fn fetch(
        &self,
        client: &QueryClient,
        task: &str,
        at: Time,
    ) -> Result<Vec<tickflow_model::Batch>, RunError> {
        let stop = at - self.offset;
        let start = stop - self.period;
        let (statement, outcome) = match &self.statement {
            Statement::InfluxQl(plan) => plan.fetch(client, start, stop),
            Statement::Flux { query, org } => {
                let outcome = client
                    .flux(org, query, stop)
                    .map_err(|e| e.to_string())
                    .and_then(|body| flux::batches(&body, stop).map_err(|e| e.to_string()));
                (query.clone(), outcome)
            }
        };
        outcome.map_err(|reason| RunError {
            task: task.to_string(),
            statement,
            reason,
        })
    }

    /// Whether the plan runs Flux, which needs a cluster with a token.
    pub fn is_flux(&self) -> bool {
        matches!(self.statement, Statement::Flux { .. })
    }
}

impl InfluxQlPlan {
    /// The statement for the range `[start, stop)` and its batches or why there are none.
    fn fetch(
        &self,
        client: &QueryClient,
        start: Time,
        stop: Time,
    ) -> (String, Result<Vec<tickflow_model::Batch>, String>) {
        let group_by = self.group_by(start);
        let statement = self.select.render(&Run {
            start,
            stop,
            group_by: &group_by,
            fill: self.fill.as_deref(),
        });
        let shape = Shape {
            by_name: self.by_name,
            by_time: self.select.groups_by_time(&group_by),
            stop,
        };
        let outcome = client
            .query(&statement)
            .map_err(|e| e.to_string())
            .and_then(|body| results::batches(&body, shape).map_err(|e| e.to_string()));
        (statement, outcome)
    }

    /// The run's `GROUP BY`: the time buckets (moved to the range's start with
    /// `.alignGroup()`), then the tags.
    fn group_by(&self, start: Time) -> Vec<String> {
        let time = self.time.map(|time| {
            let offset = match self.align_group {
                true => Some(start.since(start.truncate(time.length))),
                false => time.offset,
            };
            TimeDimension { offset, ..time }.to_string()
        });
        time.into_iter().chain(self.tags.iter().cloned()).collect()
    }
}

impl Node for Query {
    /// A replayed batch: forwarded unchanged.
    fn message(
        &mut self,
        _: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        ctx.emit(message);
        Ok(())
    }

    fn wants_ticks(&self) -> bool {
        self.live.get().is_some()
    }

    fn next_tick(&mut self, now: Time) -> Option<Time> {
        let live = self.live.get()?;
        if self.next.is_none() {
            self.next = self.plan.schedule.next(now, None);
        }
        self.next.map(|next| next + live.jitter)
    }

    fn tick(&mut self, _now: Time, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let (Some(live), Some(at)) = (self.live.get(), self.next) else {
            return Ok(());
        };
        self.run(&self.plan, live, at, ctx);
        self.next = self.plan.next_after(at, Time::now());
        Ok(())
    }
}

/// A tag name as an InfluxQL identifier: `"host"`.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The argument of `fill(…)`.
fn fill_text(fill: QueryFill) -> String {
    match fill {
        QueryFill::Null => "null".into(),
        QueryFill::None => "none".into(),
        QueryFill::Previous => "previous".into(),
        QueryFill::Linear => "linear".into(),
        QueryFill::Int(v) => v.to_string(),
        QueryFill::Float(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn plan(every: i64, align_group: bool) -> Arc<Plan> {
        let spec = QueryNode {
            query: "SELECT mean(v) FROM m".into(),
            period: Some(Duration::from_nanos(60 * S)),
            every: Some(Duration::from_nanos(every * S)),
            align: true,
            cron: String::new(),
            offset: Some(Duration::from_nanos(5 * S)),
            dimensions: SpecDimensions::Tags(vec!["host".into()]),
            group_by_time: Some(TimeDimension {
                length: Duration::from_nanos(10 * S),
                offset: None,
            }),
            group_by_measurement: false,
            align_group,
            fill: Some(QueryFill::None),
            cluster: String::new(),
        };
        let mut batching = Batching::default();
        Query::new(&spec, "t", &mut batching, "query1")
            .expect("starts")
            .plan
    }

    fn group_by(plan: &Plan, start: Time) -> Vec<String> {
        match &plan.statement {
            Statement::InfluxQl(influxql) => influxql.group_by(start),
            Statement::Flux { .. } => panic!("an InfluxQL plan"),
        }
    }

    #[test]
    fn the_runs_of_a_past_range_follow_the_schedule() {
        let runs = plan(60, false).runs(Time::from_nanos(30 * S), Time::from_nanos(240 * S));
        let expected: Vec<Time> = [60, 120, 180, 240].map(|s| Time::from_nanos(s * S)).into();
        assert_eq!(runs, expected);
    }

    #[test]
    fn runs_missed_by_a_slow_query_are_skipped() {
        let plan = plan(60, false);
        let at = Time::from_nanos(60 * S);
        assert_eq!(plan.next_after(at, at), Some(Time::from_nanos(120 * S)));
        let late = Time::from_nanos(200 * S);
        assert_eq!(plan.next_after(at, late), Some(Time::from_nanos(240 * S)));
    }

    #[test]
    fn align_group_moves_the_time_buckets_to_the_range_start() {
        let start = Time::from_nanos(63 * S);
        assert_eq!(group_by(&plan(60, false), start), ["time(10s)", "\"host\""]);
        assert_eq!(
            group_by(&plan(60, true), start),
            ["time(10s, 3s)", "\"host\""]
        );
    }
}
