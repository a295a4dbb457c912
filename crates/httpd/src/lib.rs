//! tickflow's HTTP server: Kapacitor's HTTP API, on hyper 1 and tokio, as a thin shell
//! over a [`tickflow::Engine`].
//!
//! [`Server::bind`] listens on the engine's `[http] bind-address` (and its `[[udp]]`
//! listeners); [`Server::run`] serves until a shutdown future completes (usually
//! [`shutdown_signal`]), then stops accepting, lets requests in flight finish and drains
//! every task.
//!
//! Routes (spec: kapacitor-compat.md (http-api); the whole table is [`routes::ROUTES`]):
//! `POST /write` and `/kapacitor/v1/write` (the engine's ingest), `GET|HEAD
//! /kapacitor/v1/ping`, `/kapacitor/v1/tasks[/<id>]` (create, list, get with the DOT
//! graph and node stats, update with enable/disable, delete) over the engine's task
//! records, the templates API (`/kapacitor/v1/templates[/<id>]`: tasks made from a
//! template with `template-id` and `vars`), the alerts API
//! (`/kapacitor/v1/alerts/topics…`: topics, their events and handlers), service tests,
//! `/kapacitor/v1/debug/vars` (Kapacitor's expvar shape), `/kapacitor/v1/:routes`,
//! `GET /kapacitor/v1/config…`, the users API and `/kapacitor/v1/sideload/reload`. With
//! `[auth]` on, every route asks for a user's credentials. Every handler's blocking work
//! (parsing, routing points, starting and draining tasks, bcrypt) runs on tokio's
//! blocking pool, never on the runtime's threads.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use tickflow::{Config, Engine};
//! use tickflow_httpd::Server;
//!
//! let mut config = Config::default();
//! config.http.bind_address = "127.0.0.1:0".into();
//! let engine = Arc::new(Engine::builder().config(config).build()?);
//! let runtime = tokio::runtime::Runtime::new()?;
//! let server = runtime.block_on(Server::bind(engine))?;
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
mod auth;
mod body;
mod config;
mod debug_vars;
mod error;
mod hangup;
mod json;
mod list;
mod reply;
mod router;
pub mod routes;
mod server;
mod service_tests;
mod tasks;
mod templates;
mod udp;
mod users;
mod write;

pub use router::{TICKFLOW_VERSION, VERSION};
pub use server::{shutdown_signal, ServeError, Server};
