//! Kapacitor alert events and the handlers that deliver them.
//!
//! An alert node turns each event into an [`AlertData`] (id, message, details, time,
//! duration, [`Level`], the triggering data as [`Row`]s, previous level, recoverable) and
//! hands it to every configured [`Handler`]. Handlers send the document produced by
//! [`AlertData::to_json`], byte for byte what Kapacitor's Go `encoding/json` produces
//! (kapacitor-compat.md (alert-data)).
//!
//! * [`json`]: [`JsonWriter`], a Go-compatible JSON builder (HTML-safe strings, Go float
//!   format, [`EncodeError`] for NaN/±Inf).
//! * [`row`]: [`Row`], Kapacitor's `models.Row`/`Result` for points and batches, also used
//!   by `httpOut` ([`point_result`], [`batch_result`]).
//! * [`data`]: [`AlertData`] and [`Level`].
//! * [`handlers`]: the [`Handler`] trait, [`LogHandler`] (`.log(path)`), [`PostHandler`]
//!   (`.post(url)`), [`TcpHandler`] (`.tcp(addr)`), [`ExecHandler`] (`.exec(prog, …)`),
//!   [`MqttHandler`] (`.mqtt(topic)`),
//!   and [`Dispatcher`], which runs each handler on its own thread behind a queue.
//! * [`http`]: the HTTP client (ureq, rustls, keep-alive, proxies from the environment,
//!   `ssl-ca`) behind `.post()`, `httpPost` and the services.
//! * [`services`]: the third-party services (`[[slack]]`, `[pagerduty2]`, `[smtp]`,
//!   `[snmptrap]`, `[[kafka]]`, … every one of Kapacitor's) and their handlers.
//! * [`mqtt`]: the small MQTT 3.1.1 publisher behind `.mqtt()` ([`MqttHandler`]), with the
//!   configured brokers ([`MqttBrokers`]).
//! * [`config`]: [`Services`], the server-level settings (endpoints, server identity) and
//!   shared state ([`Inhibitors`]).
//! * [`topic`]: [`TopicHub`], the named topics alert nodes publish to: per-event state
//!   (`previousLevel`, the alerts API's events) and handlers defined by [`HandlerSpec`],
//!   each with an optional `match` expression ([`topic::Match`]).
//! * [`template`]: Go's `text/template` (and html/template's escaping) that `.id()`,
//!   `.message()`, `.details()`, handler templates and httpPost templates run.
//!
//! This crate does not decide *when* an event fires: the engine's alert node does.
//!
//! # Example
//!
//! ```
//! use tickflow_alert::{AlertData, Level, Row};
//! use tickflow_model::{Duration, Fields, Point, Tags, Time};
//!
//! let mut point = Point::new("cpu", Time::from_nanos(1_704_067_210_000_000_000));
//! point.tags = Tags::from_pairs([("host", "serverA")]);
//! point.fields = Fields::from_pairs([("value", 95.5)]);
//! let event = AlertData {
//!     id: "cpu:host=serverA".into(),
//!     message: "cpu:host=serverA is CRITICAL".into(),
//!     details: String::new(),
//!     time: point.time,
//!     duration: Duration::ZERO,
//!     level: Level::Critical,
//!     data: vec![Row::from_point(&point)],
//!     previous_level: Level::Ok,
//!     recoverable: true,
//! };
//! assert_eq!(
//!     event.to_json()?,
//!     concat!(
//!         r#"{"id":"cpu:host=serverA","message":"cpu:host=serverA is CRITICAL","details":"","#,
//!         r#""time":"2024-01-01T00:00:10Z","duration":0,"level":"CRITICAL","#,
//!         r#""data":{"series":[{"name":"cpu","tags":{"host":"serverA"},"#,
//!         r#""columns":["time","value"],"values":[["2024-01-01T00:00:10Z",95.5]]}]},"#,
//!         r#""previousLevel":"OK","recoverable":true}"#,
//!     )
//! );
//! # Ok::<(), tickflow_alert::EncodeError>(())
//! ```

pub mod config;
pub mod data;
pub mod handlers;
pub mod http;
pub mod inhibit;
pub mod json;
pub mod mqtt;
pub mod row;
pub mod sections;
pub mod services;
pub mod sinks;
pub mod template;
pub mod topic;

pub use config::{HttpPostEndpoint, Services, SetupError, UnknownEndpoint};
pub use data::{AlertData, Level, Unencodable};
pub use handlers::{
    Delivery, Dispatcher, ExecError, ExecHandler, Handler, HandlerError, LogError, LogHandler,
    MqttHandler, PostError, PostHandler, QueueFull, SpawnError, TcpError, TcpHandler,
};
pub use inhibit::{Held, Inhibitors};
pub use json::{EncodeError, JsonWriter};
pub use mqtt::{BrokerError, MqttBroker, MqttBrokers, MqttClient, MqttError};
pub use row::{batch_result, point_result, result_json, write_result, write_row, Cell, Row};
pub use template::{Kind, ServerInfo, Template, TemplateData, TemplateError};
pub use topic::{
    anonymous_topic, Define, DefineError, EventState, HandlerSpec, SpecError, TopicError, TopicHub,
    TopicSummary,
};
