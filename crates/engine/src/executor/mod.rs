//! Executors: what moves messages between the nodes of a [`Dag`](crate::Dag).
//!
//! * [`Inline`]: one thread, each chunk pushed depth-first through the whole DAG before
//!   the next. Deterministic; used by replay and the conformance runner.
//! * [`Threaded`]: one thread per node, bounded crossbeam channels carrying chunks of
//!   messages between them. Used by the server, where writes arrive concurrently.
//!
//! Both run the same nodes, apply the same fan-out rule (every child gets every message,
//! in link order) and the same shutdown rule (a node finishes when all its inputs close).

mod inline;
mod snapshot;
mod threaded;

pub use inline::Inline;
pub use snapshot::Interrupted;
pub use threaded::{
    Failure, FailureHook, Input, NamedNode, PendingSnapshot, Threaded, ThreadedError,
};

#[cfg(test)]
mod tests {
    //! The engine clock in both executors, with a node that ticks every 10 seconds.

    use std::sync::{Arc, Mutex};

    use tickflow_model::{Duration, Message, Point, Time};

    use super::*;
    use crate::diagnostics::Collect;
    use crate::{Context, Dag, Node, NodeError};

    const S: i64 = 1_000_000_000;

    /// Forwards messages and emits a `tick` point on each tick, every `every`.
    struct Ticker {
        every: Duration,
        next: Option<Time>,
    }

    impl Node for Ticker {
        fn message(
            &mut self,
            _: usize,
            m: Message,
            ctx: &mut Context<'_>,
        ) -> Result<(), NodeError> {
            assert!(ctx.now().is_some(), "a clocked node reads the clock");
            ctx.emit(m);
            Ok(())
        }

        fn wants_ticks(&self) -> bool {
            true
        }

        fn next_tick(&mut self, now: Time) -> Option<Time> {
            Some(*self.next.get_or_insert(now + self.every))
        }

        fn tick(&mut self, now: Time, ctx: &mut Context<'_>) -> Result<(), NodeError> {
            self.next = Some(now + self.every);
            ctx.emit(Message::Point(Point::new("tick", now)));
            Ok(())
        }
    }

    /// Keeps what it receives.
    struct Sink(Arc<Mutex<Vec<Message>>>);

    impl Node for Sink {
        fn message(&mut self, _: usize, m: Message, _: &mut Context<'_>) -> Result<(), NodeError> {
            self.0.lock().expect("not poisoned").push(m);
            Ok(())
        }
    }

    /// source -> ticker -> sink, and what the sink receives.
    fn dag(every: Duration) -> (Dag, Arc<Mutex<Vec<Message>>>) {
        struct Forward;
        impl Node for Forward {
            fn message(
                &mut self,
                _: usize,
                m: Message,
                ctx: &mut Context<'_>,
            ) -> Result<(), NodeError> {
                ctx.emit(m);
                Ok(())
            }
        }
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut dag = Dag::new();
        let source = dag.add("stream0", Box::new(Forward), false);
        let ticker = dag.add("ticker1", Box::new(Ticker { every, next: None }), false);
        let sink = dag.add("sink2", Box::new(Sink(Arc::clone(&received))), false);
        dag.link(source, ticker).expect("links");
        dag.link(ticker, sink).expect("links");
        (dag, received)
    }

    fn at(secs: i64) -> Message {
        Message::Point(Point::new("cpu", Time::from_nanos(secs * S)))
    }

    fn names_and_secs(received: &Mutex<Vec<Message>>) -> Vec<(String, i64)> {
        let received = received.lock().expect("not poisoned");
        received
            .iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some((p.name.to_string(), p.time.nanos() / S)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn inline_ticks_on_event_time_between_the_right_messages() {
        let (dag, received) = dag(Duration::from_nanos(10 * S));
        let mut run = Inline::new(dag, Arc::new(Collect::default()));
        // Cut anywhere, the same input gives the same output.
        run.push(vec![at(0), at(5)]).expect("runs");
        run.push(vec![at(25), at(3), at(30), at(30)]).expect("runs");
        run.push(vec![at(31)]).expect("runs");
        run.finish().expect("finishes");
        let expected = [
            ("cpu", 0),
            ("cpu", 5),
            ("tick", 10),
            ("tick", 20),
            ("cpu", 25),
            ("cpu", 3),
            ("cpu", 30),
            ("cpu", 30),
            ("tick", 30),
            ("cpu", 31),
        ];
        let expected: Vec<(String, i64)> =
            expected.iter().map(|&(n, t)| (n.to_string(), t)).collect();
        assert_eq!(names_and_secs(&received), expected);
    }

    #[test]
    fn nodes_without_ticks_see_no_clock() {
        let mut plain = Dag::new();
        struct NoClock;
        impl Node for NoClock {
            fn message(
                &mut self,
                _: usize,
                m: Message,
                ctx: &mut Context<'_>,
            ) -> Result<(), NodeError> {
                assert!(ctx.now().is_none(), "no clocked node, no clock");
                ctx.emit(m);
                Ok(())
            }
        }
        plain.add("stream0", Box::new(NoClock), false);
        let mut run = Inline::new(plain, Arc::new(Collect::default()));
        run.push(vec![at(0), at(50)]).expect("runs");
        run.finish().expect("finishes");
    }

    /// Counts what it receives per input and forwards it; its state is the counts.
    #[derive(Default)]
    struct Counter(Vec<u64>);

    impl Node for Counter {
        fn message(
            &mut self,
            input: usize,
            m: Message,
            ctx: &mut Context<'_>,
        ) -> Result<(), NodeError> {
            if self.0.len() <= input {
                self.0.resize(input + 1, 0);
            }
            self.0[input] += 1;
            ctx.emit(m);
            Ok(())
        }

        fn snapshot(&self) -> Option<serde_json::Value> {
            Some(serde_json::json!(self.0))
        }
    }

    #[test]
    fn threaded_snapshots_are_a_consistent_cut_taken_while_the_task_runs() {
        // stream0 -> a1, stream0 -> b2, (a1, b2) -> join3: the join's two inputs must
        // both count exactly the points written before the snapshot.
        let mut dag = Dag::new();
        let source = dag.add("stream0", Box::new(Counter::default()), false);
        let a = dag.add("a1", Box::new(Counter::default()), false);
        let b = dag.add("b2", Box::new(Counter::default()), false);
        let join = dag.add("join3", Box::new(Counter::default()), false);
        for (parent, child) in [(source, a), (source, b), (a, join), (b, join)] {
            dag.link(parent, child).expect("links");
        }
        let run = Threaded::start(dag, Arc::new(Collect::default()), 2).expect("starts");
        let writer = run.input().expect("open");
        let pushing = std::thread::spawn(move || {
            for second in 0..200 {
                writer.push(vec![at(second); 7]).expect("pushes");
            }
        });
        for _ in 0..5 {
            let states = run.snapshot().expect("every node records its state");
            let counts: Vec<Vec<u64>> = states
                .iter()
                .map(|(_, state)| serde_json::from_value(state.clone()).expect("counts"))
                .collect();
            let names: Vec<&str> = states.iter().map(|(name, _)| name.as_str()).collect();
            assert_eq!(names, ["stream0", "a1", "b2", "join3"]);
            let written = counts[0].first().copied().unwrap_or(0);
            assert_eq!(written % 7, 0, "a snapshot falls between two pushes");
            let seen = |c: &Vec<u64>, i: usize| c.get(i).copied().unwrap_or(0);
            assert_eq!(seen(&counts[1], 0), written);
            assert_eq!(seen(&counts[2], 0), written);
            assert_eq!(
                (seen(&counts[3], 0), seen(&counts[3], 1)),
                (written, written)
            );
        }
        pushing.join().expect("writer");
        let last = run.snapshot().expect("snapshot");
        assert_eq!(last[3].1, serde_json::json!([1400, 1400]));
        run.finish().expect("finishes");
    }

    #[test]
    fn a_snapshot_of_a_task_whose_node_failed_is_interrupted() {
        struct Failing;
        impl Node for Failing {
            fn message(
                &mut self,
                _: usize,
                _: Message,
                _: &mut Context<'_>,
            ) -> Result<(), NodeError> {
                Err(NodeError::new("broken"))
            }
        }
        let mut dag = Dag::new();
        let source = dag.add("stream0", Box::new(Counter::default()), false);
        let failing = dag.add("failing1", Box::new(Failing), false);
        dag.link(source, failing).expect("links");
        let run = Threaded::start(dag, Arc::new(Collect::default()), 2).expect("starts");
        run.push(vec![at(1)]).expect("pushes");
        let err = run.snapshot().expect_err("failing1 never records");
        assert_eq!(
            err.to_string(),
            "the task stopped during the snapshot (1 of 2 nodes recorded)"
        );
        assert!(run.finish().is_err());
    }

    #[test]
    fn threaded_ticks_on_wall_time_while_no_data_arrives() {
        let (dag, received) = dag(Duration::from_nanos(S / 50));
        let started = Time::now();
        let run = Threaded::start(dag, Arc::new(Collect::default()), 4).expect("starts");
        std::thread::sleep(std::time::Duration::from_millis(120));
        run.finish().expect("finishes");
        let ticks: Vec<Time> = received
            .lock()
            .expect("not poisoned")
            .iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some(p.time),
                _ => None,
            })
            .collect();
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert!(
            ticks[0] > started
                && ticks
                    .windows(2)
                    .all(|w| w[1].since(w[0]) == Duration::from_nanos(S / 50))
        );
    }
}
