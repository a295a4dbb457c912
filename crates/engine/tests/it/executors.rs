//! Both executors: fan-out, input numbering, errors, flush at shutdown, backpressure.

use std::sync::{Arc, Mutex};

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::executor::{Inline, Threaded, ThreadedError};
use tickflow_engine::Dag;

use crate::{point, Forward, HoldUntilEnd, Picky, Record};

type Log = Arc<Mutex<Vec<(usize, String)>>>;

/// stream0 -> picky1 -> {record2, hold3 -> record4}, and picky1 -> record4 as well:
/// record4 has two inputs (0 from hold3, 1 from picky1).
fn diamond() -> (Dag, Log, Log) {
    let direct: Log = Arc::default();
    let joined: Log = Arc::default();
    let mut dag = Dag::new();
    let stream = dag.add("stream0", Box::new(Forward), false);
    let picky = dag.add("picky1", Box::new(Picky), false);
    let record = dag.add("record2", Box::new(Record(Arc::clone(&direct))), false);
    let hold = dag.add("hold3", Box::new(HoldUntilEnd::default()), false);
    let sink = dag.add("record4", Box::new(Record(Arc::clone(&joined))), false);
    for (parent, child) in [
        (stream, picky),
        (picky, record),
        (picky, hold),
        (hold, sink),
        (picky, sink),
    ] {
        dag.link(parent, child).expect("link");
    }
    (dag, direct, joined)
}

fn names(log: &Log) -> Vec<(usize, String)> {
    log.lock().expect("lock").clone()
}

#[test]
fn inline_runs_depth_first_and_flushes_at_the_end() {
    let (dag, direct, joined) = diamond();
    let diagnostics = Arc::new(Collect::default());
    let mut run = Inline::new(dag, diagnostics.clone());
    run.push(vec![point("a", 1), point("bad", 2)])
        .expect("push");
    run.push(vec![point("b", 3)]).expect("push");
    let held = run.dag().stats()[3].1.snapshot().memory_bytes;
    assert_eq!(held, 2000, "hold3's two messages in its memory gauge");
    assert_eq!(names(&direct), [(0, "a".to_string()), (0, "b".to_string())]);
    assert_eq!(names(&joined), [(1, "a".to_string()), (1, "b".to_string())]);
    let dag = run.finish().expect("finish");
    assert_eq!(
        names(&joined),
        [
            (1, "a".into()),
            (1, "b".into()),
            (0, "a".into()),
            (0, "b".into())
        ]
    );
    assert_eq!(diagnostics.errors(), ["picky1: bad point"]);
    let hold = dag.stats()[3].1.snapshot();
    assert_eq!(
        hold.memory_bytes, 0,
        "the gauge reads after finish emptied it"
    );
    let picky = dag.stats()[1].1.snapshot();
    assert_eq!(
        (picky.messages_in, picky.messages_out, picky.errors),
        (3, 2, 1)
    );
}

#[test]
fn threaded_delivers_the_same_messages() {
    let (dag, direct, joined) = diamond();
    let run = Threaded::start(dag, Arc::new(Collect::default()), 4).expect("start");
    for t in 0..2000 {
        run.push(vec![point("p", t)]).expect("push");
    }
    let nodes = run.finish().expect("finish");
    assert_eq!(nodes.len(), 5);
    assert_eq!(names(&direct).len(), 2000);
    let joined = names(&joined);
    assert_eq!(joined.iter().filter(|(input, _)| *input == 0).count(), 2000);
    assert_eq!(joined.iter().filter(|(input, _)| *input == 1).count(), 2000);
}

#[test]
fn a_fatal_error_stops_the_task_and_names_the_node() {
    let (dag, _, _) = diamond();
    let run = Threaded::start(dag, Arc::new(Collect::default()), 1).expect("start");
    run.push(vec![point("fatal", 1)]).expect("push");
    // The source may or may not have stopped by now; keep writing until it has or we stop.
    for t in 0..100 {
        if run.push(vec![point("x", t)]).is_err() {
            break;
        }
    }
    match run.finish() {
        Err(ThreadedError::Node { node, error }) => {
            assert_eq!(node, "picky1");
            assert_eq!(error.to_string(), "fatal point");
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the task should have failed"),
    }

    let (dag, _, _) = diamond();
    let mut inline = Inline::new(dag, Arc::new(Collect::default()));
    assert_eq!(
        inline
            .push(vec![point("fatal", 1)])
            .map_err(|e| e.to_string()),
        Err("fatal point".to_string())
    );
}

#[test]
fn links_must_go_forward() {
    let mut dag = Dag::new();
    let a = dag.add("a0", Box::new(Forward), false);
    let b = dag.add("b1", Box::new(Forward), false);
    assert!(dag.link(b, a).is_err());
    assert!(dag.link(a, 7).is_err());
    assert!(dag.link(a, b).is_ok());
}
