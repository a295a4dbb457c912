//! The engine: runs tickflow pipelines.
//!
//! A running task is a [`Dag`] of [`Node`]s. Nodes are plain state machines over
//! [`Message`](tickflow_model::Message)s; executors move messages between them:
//! [`executor::Inline`] on the caller's thread, deterministically (replay, conformance),
//! and [`executor::Threaded`] with a thread per node and bounded crossbeam channels
//! (the server). Per-message errors go to a [`Diagnostics`] and are counted in each
//! node's [`NodeStats`].
//!
//! [`Task::build`] turns a validated [`Pipeline`](tickflow_pipeline::Pipeline) into a
//! DAG, creating each node with [`nodes::create`]; [`replay`] reads line protocol and
//! `.srpl` recordings and runs them through a task inline.
//!
//! ```
//! use std::sync::Arc;
//! use tickflow_engine::{diagnostics::Collect, executor::Inline, Context, Dag, Node, NodeError};
//! use tickflow_model::{Message, Point, Time};
//!
//! /// Forwards every message.
//! struct Forward;
//! impl Node for Forward {
//!     fn message(&mut self, _input: usize, m: Message, ctx: &mut Context<'_>) -> Result<(), NodeError> {
//!         ctx.emit(m);
//!         Ok(())
//!     }
//! }
//!
//! let mut dag = Dag::new();
//! let source = dag.add("stream0", Box::new(Forward), false);
//! let sink = dag.add("forward1", Box::new(Forward), false);
//! dag.link(source, sink).unwrap();
//! let mut run = Inline::new(dag, Arc::new(Collect::default()));
//! run.push(vec![Message::Point(Point::new("cpu", Time::from_nanos(1)))]).unwrap();
//! let dag = run.finish().unwrap();
//! assert_eq!(dag.stats()[1].1.snapshot().messages_in, 1);
//! ```

mod dag;
pub mod delivery;
pub mod diagnostics;
pub mod executor;
pub mod health;
pub mod master;
mod node;
pub(crate) mod nodes;
pub mod replay;
pub mod state;
mod stats;
mod task;
pub mod time_guard;

pub use dag::{Dag, DagNode, Link, LinkError};
pub use diagnostics::Diagnostics;
pub use health::{HealthSnapshot, RestartPolicy, TaskHealth};
pub use master::{MasterConfig, MasterError, TaskMaster};
pub use node::{Context, Node, NodeError};
/// The window node, public for the bench that measures the memory it holds per value.
pub use nodes::group_limits::GroupLimits;
pub use nodes::http_out::HttpOutput;
pub use nodes::influxdb_out::config::InfluxDbConfig;
pub use nodes::influxdb_out::subscriptions::Subscriptions;
pub use nodes::sideload::cache::reload as reload_sideloads;
pub use nodes::window::Window;
pub use stats::{NodeStats, StatsSnapshot};
pub use task::{Environment, Task, TaskError};
pub use tickflow_alert::{HttpPostEndpoint, Services};
