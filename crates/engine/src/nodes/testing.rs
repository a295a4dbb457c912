//! What the node tests share: running a node over messages outside any DAG, on the
//! engine clock ([`run_clocked`]), and checking that a node restored from a snapshot
//! goes on exactly as the saved one ([`assert_resumes`]).

use std::fmt::Debug;

use tickflow_model::{FieldValue, Fields, Message, Point, Tags, Time};

use crate::diagnostics::Collect;
use crate::node::{Context, Node};
use crate::stats::NodeStats;

/// Runs `messages` through `node` and returns what it emitted and the errors it
/// reported; a fatal error fails the test.
pub(crate) fn run(node: &mut dyn Node, messages: Vec<Message>) -> (Vec<Message>, Vec<String>) {
    let (stats, diagnostics, mut out) = (NodeStats::default(), Collect::default(), Vec::new());
    let mut ctx = Context::new(&mut out, &stats, "node1", &diagnostics, false);
    let mut chunk = messages;
    node.messages(0, &mut chunk, &mut ctx)
        .expect("no fatal error");
    let errors = diagnostics.errors();
    assert_eq!(stats.snapshot().errors, errors.len() as u64);
    (out, errors)
}

/// One step of a run on the engine clock.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A message arriving with the clock at this many seconds.
    Data(i64, Message),
    /// The clock reaching this many seconds: every tick due by then, in order.
    Clock(i64),
}

/// Runs `steps` through `node` as an executor would (the node must want ticks) and
/// returns what it emitted and the errors it reported.
pub(crate) fn run_clocked(node: &mut dyn Node, steps: Vec<Step>) -> (Vec<Message>, Vec<String>) {
    assert!(node.wants_ticks());
    let (stats, diagnostics, mut out) = (NodeStats::default(), Collect::default(), Vec::new());
    for step in steps {
        let now = match &step {
            Step::Data(now, _) | Step::Clock(now) => seconds(*now),
        };
        match step {
            Step::Data(_, m) => {
                let mut ctx =
                    Context::new(&mut out, &stats, "node1", &diagnostics, false).with_now(now);
                node.message(0, m, &mut ctx).expect("no fatal error");
            }
            Step::Clock(_) => {
                while let Some(due) = node.next_tick(now).filter(|&due| due <= now) {
                    let mut ctx =
                        Context::new(&mut out, &stats, "node1", &diagnostics, false).with_now(due);
                    node.tick(due, &mut ctx).expect("no fatal error");
                }
            }
        }
    }
    (out, diagnostics.errors())
}

/// `secs` seconds after the epoch.
pub(crate) fn seconds(secs: i64) -> Time {
    Time::from_nanos(secs * 1_000_000_000)
}

/// Checks that a node restored from the snapshot `fresh()` takes after running `first`
/// (sent through JSON text, as it would be stored) has the same snapshot and emits for
/// `rest` exactly what the saved node does, which a fresh node must not (else the test
/// data shows nothing); returns that output and the errors reported.
pub(crate) fn assert_resumes<N: Node>(
    fresh: impl Fn() -> N,
    first: Vec<Message>,
    rest: Vec<Message>,
) -> (Vec<Message>, Vec<String>) {
    assert_resumes_with(fresh, run, first, rest)
}

/// [`assert_resumes`] for nodes that run some other way (`drive`: [`run_clocked`], or
/// over several inputs).
pub(crate) fn assert_resumes_with<N: Node, I: Clone, R: PartialEq + Debug>(
    fresh: impl Fn() -> N,
    drive: impl Fn(&mut dyn Node, Vec<I>) -> R,
    first: Vec<I>,
    rest: Vec<I>,
) -> R {
    let mut saved = fresh();
    drive(&mut saved, first);
    let snapshot = saved.snapshot().expect("the node has state");
    let stored = serde_json::from_str(&snapshot.to_string()).expect("a snapshot is JSON");
    let mut restored = fresh();
    restored.restore(stored).expect("restores");
    assert_eq!(restored.snapshot(), Some(snapshot), "restored snapshot");
    let expected = drive(&mut saved, rest.clone());
    assert_eq!(
        drive(&mut restored, rest.clone()),
        expected,
        "restored output"
    );
    assert_ne!(
        drive(&mut fresh(), rest),
        expected,
        "a fresh node emits the same: the state shows nowhere in this test"
    );
    expected
}

/// A `cpu` point at `secs` seconds with the given tags and fields.
pub(crate) fn point(secs: i64, tags: &[(&str, &str)], fields: &[(&str, FieldValue)]) -> Point {
    let mut p = Point::new("cpu", Time::from_nanos(secs * 1_000_000_000));
    p.tags = Tags::from_pairs(tags.iter().copied());
    p.fields = Fields::from_pairs(fields.iter().cloned());
    p
}

/// The points among `messages`.
pub(crate) fn points(messages: Vec<Message>) -> Vec<Point> {
    messages
        .into_iter()
        .filter_map(|m| match m {
            Message::Point(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// How many points each of `messages` holds, all of which must be batches.
pub(crate) fn batch_sizes(messages: &[Message]) -> Vec<usize> {
    messages
        .iter()
        .map(|m| match m {
            Message::Batch(b) => b.points.len(),
            other => panic!("not a batch: {other:?}"),
        })
        .collect()
}

/// A lambda compiled from TICKscript text (`"value" > 1`).
pub(crate) fn lambda(body: &str) -> tickflow_expr::Lambda {
    let program =
        tickflow_tickscript::parse(&format!("var l = lambda: {body}\n")).expect("lambda parses");
    let Some(tickflow_tickscript::Statement::Var(decl)) = program.statements.first() else {
        panic!("not a var statement");
    };
    let tickflow_tickscript::VarInit::Value(expr) = &decl.init else {
        panic!("var has no value");
    };
    tickflow_expr::Lambda::compile(expr).expect("lambda compiles")
}
