//! tickflow's HTTP server: Kapacitor's write endpoint, ping and tasks API, on hyper 1
//! and tokio, over the engine's [`TaskMaster`](tickflow_engine::TaskMaster).
//!
//! [`Server::bind`] takes an [`HttpConfig`] (read from a Kapacitor-style TOML file's
//! `[http]` section by [`HttpConfig::from_toml`]), the task master and the build options
//! scripts are built with; [`Server::run`] serves until a shutdown future completes
//! (usually [`shutdown_signal`]), then stops accepting, lets requests in flight finish and
//! drains every task.
//!
//! Routes (spec: `http-api.md`): `POST /write` and `/kapacitor/v1/write` ([`ingest`]),
//! `GET|HEAD /kapacitor/v1/ping`, and `/kapacitor/v1/tasks[/<id>]` (create, list, get
//! with the DOT graph and node stats, update with enable/disable, delete) kept by a
//! [`TaskStore`], and the alerts API (`/kapacitor/v1/alerts/topics…`: topics, their
//! events and handlers). Every handler's blocking work (parsing, routing points, starting and
//! draining tasks) runs on tokio's blocking pool, never on the runtime's threads.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use tickflow_engine::{diagnostics::Collect, MasterConfig, TaskMaster};
//! use tickflow_httpd::{HttpConfig, Server};
//!
//! let runtime = tokio::runtime::Runtime::new()?;
//! let master = Arc::new(TaskMaster::new(MasterConfig::default(), Arc::new(Collect::default())));
//! let config = HttpConfig { bind_address: "127.0.0.1:0".into(), ..HttpConfig::default() };
//! let server = runtime.block_on(Server::bind(config, master, Default::default()))?;
//! let address = server.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = runtime.spawn(server.run(async { let _ = stopped.await; }));
//!
//! let mut client = std::net::TcpStream::connect(address)?;
//! let body = "cpu value=1 1\n";
//! write!(client, "POST /write?db=telegraf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
//!                 Content-Length: {}\r\n\r\n{body}", body.len())?;
//! let mut response = String::new();
//! client.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 204 No Content\r\n"));
//!
//! let _ = stop.send(());
//! runtime.block_on(serving)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alerts;
mod app;
mod body;
pub mod config;
pub mod definition;
mod glob;
pub mod ingest;
mod json;
mod reply;
mod router;
mod server;
pub mod store;
pub mod task_json;
mod tasks;
pub mod vars;
mod write;

pub use config::{ConfigError, HttpConfig};
pub use router::VERSION;
pub use server::{shutdown_signal, ServeError, Server};
pub use store::TaskStore;
