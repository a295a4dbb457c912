//! Engine integration tests: executors over small DAGs of test nodes, and the nodes that
//! talk to a real InfluxDB.

mod batch_live;
mod executors;
mod influxdb_out;
mod subscriptions;

use std::sync::{Arc, Mutex};

use tickflow_engine::InfluxDbConfig;
use tickflow_engine::{Context, Node, NodeError};
use tickflow_model::{Message, Point, Time};
use tickflow_testkit::influxd::Influxd;

/// The cluster configuration pointing at `server`.
pub fn cluster(server: &Influxd) -> Vec<InfluxDbConfig> {
    vec![InfluxDbConfig {
        name: "test".into(),
        urls: vec![server.url.clone()],
        ..InfluxDbConfig::default()
    }]
}

/// A point of measurement `m` at `t` seconds.
pub fn point(m: &str, t: i64) -> Message {
    Message::Point(Point::new(m, Time::from_nanos(t * 1_000_000_000)))
}

/// Forwards every message.
pub struct Forward;

impl Node for Forward {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        ctx.emit(message);
        Ok(())
    }
}

/// Records `(input, measurement)` of everything it receives.
pub struct Record(pub Arc<Mutex<Vec<(usize, String)>>>);

impl Node for Record {
    fn message(
        &mut self,
        input: usize,
        message: Message,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if let Message::Point(p) = message {
            self.0
                .lock()
                .expect("lock")
                .push((input, p.name.to_string()));
        }
        Ok(())
    }
}

/// Drops points named `bad` with a per-message error; fails the task on `fatal`.
pub struct Picky;

#[derive(Debug, thiserror::Error)]
#[error("bad point")]
/// The per-message error of [`Picky`].
pub struct BadPoint;

impl Node for Picky {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match &message {
            Message::Point(p) if &*p.name == "bad" => ctx.error(&BadPoint),
            Message::Point(p) if &*p.name == "fatal" => return Err(NodeError::new("fatal point")),
            _ => ctx.emit(message),
        }
        Ok(())
    }
}

/// Holds everything back and emits it when its inputs close.
#[derive(Default)]
pub struct HoldUntilEnd(Vec<Message>);

impl Node for HoldUntilEnd {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        self.0.push(message);
        Ok(())
    }

    /// A kilobyte a held message, so the tests can tell the gauge moves.
    fn memory(&self) -> usize {
        self.0.len() * 1000
    }

    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        for message in self.0.drain(..) {
            ctx.emit(message);
        }
        Ok(())
    }
}
