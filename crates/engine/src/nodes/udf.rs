//! `@name()`: a user-defined function, native or external.
//!
//! A native UDF (`tickflow_udf::native`) runs in the node's thread with no protocol. An
//! external one is an agent process or socket (`tickflow_udf::external`) whose reader
//! thread queues responses: [`Node::message`] writes the request and forwards the
//! responses that have arrived, in order; [`Node::finish`] closes the agent's input and
//! forwards everything until it exits.
//!
//! When an agent fails (dies, hangs past its timeout, sends garbage or an error) the
//! error names the UDF and quotes its stderr; it is reported as the node's error and the
//! agent is restarted from its last snapshot, up to [`MAX_RESTARTS`] times; past that,
//! or when the restart itself fails, the task stops with the error. Kapacitor stops the
//! task at the first failure.

use std::sync::{Mutex, PoisonError};

use tickflow_model::Message;
use tickflow_udf::external::ExternalUdf;
use tickflow_udf::native::NativeUdf;
use tickflow_udf::Instance;

use crate::node::{Context, Node, NodeError};

/// How many times a node restarts a failed agent before the task stops.
pub const MAX_RESTARTS: u32 = 3;

/// A node running a UDF.
pub struct Udf {
    kind: Kind,
    /// The node's name, for errors (`tTest3`).
    name: String,
}

enum Kind {
    Native(Box<dyn NativeUdf>),
    /// A mutex because snapshots (taken through `&self`) talk to the agent.
    External {
        udf: Box<Mutex<ExternalUdf>>,
        restarts: u32,
    },
}

impl Udf {
    /// A node around an initialised UDF.
    pub fn new(instance: Instance, name: &str) -> Self {
        let kind = match instance {
            Instance::Native(udf) => Kind::Native(udf),
            Instance::External(udf) => Kind::External {
                udf: Box::new(Mutex::new(*udf)),
                restarts: 0,
            },
        };
        Udf {
            kind,
            name: name.to_string(),
        }
    }
}

/// Runs a native UDF on one message.
fn native(udf: &mut dyn NativeUdf, message: Message, ctx: &mut Context<'_>) {
    let mut out = Vec::new();
    let result = match message {
        Message::Point(point) => udf.point(point, &mut out),
        Message::Batch(batch) => udf.batch(batch, &mut out),
        other => {
            ctx.emit(other);
            Ok(())
        }
    };
    if let Err(err) = result {
        ctx.error(&err);
    }
    out.into_iter().for_each(|m| ctx.emit(m));
}

impl Udf {
    /// Reports an agent's failure and restarts it, or stops the task when it has failed
    /// too often or cannot restart.
    fn recover(
        &mut self,
        err: tickflow_udf::external::AgentError,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let Kind::External { udf, restarts } = &mut self.kind else {
            return Ok(());
        };
        if *restarts >= MAX_RESTARTS {
            return Err(NodeError::new(format!("{}: {err}", self.name)));
        }
        ctx.error(&err);
        *restarts += 1;
        let udf = udf.get_mut().unwrap_or_else(PoisonError::into_inner);
        udf.restart()
            .map_err(|err| NodeError::new(format!("{}: {err}", self.name)))
    }
}

impl Node for Udf {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let result = match &mut self.kind {
            Kind::Native(udf) => {
                native(udf.as_mut(), message, ctx);
                return Ok(());
            }
            Kind::External { udf, .. } => {
                let udf = udf.get_mut().unwrap_or_else(PoisonError::into_inner);
                let mut out = Vec::new();
                let result = match message {
                    Message::Point(_) | Message::Batch(_) => udf.send(&message, &mut out),
                    other => {
                        out.push(other);
                        Ok(())
                    }
                };
                out.into_iter().for_each(|m| ctx.emit(m));
                result
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(err) => self.recover(err, ctx),
        }
    }

    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let Kind::External { udf, .. } = &mut self.kind else {
            return Ok(());
        };
        let udf = udf.get_mut().unwrap_or_else(PoisonError::into_inner);
        let mut out = Vec::new();
        let result = udf.finish(&mut out);
        out.into_iter().for_each(|m| ctx.emit(m));
        result.map_err(|err| NodeError::new(format!("{}: {err}", self.name)))
    }

    fn snapshot(&self) -> Option<serde_json::Value> {
        match &self.kind {
            Kind::Native(udf) => udf.snapshot().ok(),
            Kind::External { udf, .. } => {
                let mut udf = udf.lock().unwrap_or_else(PoisonError::into_inner);
                let bytes = udf.snapshot().ok().flatten()?;
                Some(serde_json::json!({ "agent": hex(&bytes) }))
            }
        }
    }

    fn restore(&mut self, state: serde_json::Value) -> Result<(), NodeError> {
        let restored = match &mut self.kind {
            Kind::Native(udf) => udf.restore(&state).map_err(|err| err.to_string()),
            Kind::External { udf, .. } => restore_agent(
                udf.get_mut().unwrap_or_else(PoisonError::into_inner),
                &state,
            ),
        };
        restored.map_err(|message| NodeError::new(format!("{}: {message}", self.name)))
    }
}

/// Restores an agent from the state [`Udf::snapshot`] kept.
fn restore_agent(udf: &mut ExternalUdf, state: &serde_json::Value) -> Result<(), String> {
    let bytes = state
        .get("agent")
        .and_then(|v| v.as_str())
        .and_then(unhex)
        .ok_or_else(|| format!("not an agent's snapshot: {state}"))?;
    udf.restore(bytes).map_err(|err| err.to_string())
}

/// Bytes as lowercase hex, how an agent's opaque snapshot is kept in the task's JSON.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of [`hex`] text.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::sync::Arc;

    use tickflow_model::{Fields, Point, Time};
    use tickflow_pipeline::BuildOptions;
    use tickflow_udf::config::Config;
    use tickflow_udf::framing::{frame, FrameReader};
    use tickflow_udf::proto::{self, request, response, Request, Response};
    use tickflow_udf::Registry;

    use super::*;
    use crate::diagnostics::Collect;
    use crate::executor::Inline;
    use crate::Task;

    /// An agent on a Unix socket: echoes points, and drops the connection on a point
    /// with a `die` field.
    fn echo_agent(stream: UnixStream) -> Option<()> {
        let mut reader = FrameReader::new(BufReader::new(stream.try_clone().ok()?));
        let mut writer = stream;
        while let Some(request) = reader.read_message::<Request>().ok()? {
            let reply = match request.message? {
                request::Message::Info(_) => {
                    response::Message::Info(proto::InfoResponse::default())
                }
                request::Message::Init(_) => response::Message::Init(proto::InitResponse {
                    success: true,
                    error: String::new(),
                }),
                request::Message::Keepalive(k) => {
                    response::Message::Keepalive(proto::KeepaliveResponse { time: k.time })
                }
                request::Message::Point(p) if p.fields_double.contains_key("die") => return None,
                request::Message::Point(p) => response::Message::Point(p),
                _ => continue,
            };
            std::io::Write::write_all(
                &mut writer,
                &frame(&Response {
                    message: Some(reply),
                }),
            )
            .ok()?;
        }
        Some(())
    }

    /// A registry with `echo` served on a socket in `dir`.
    fn echo_registry(dir: &std::path::Path) -> Registry {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).expect("scratch dir");
        let path = dir.join("echo.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || echo_agent(stream));
            }
        });
        let config = Config::parse(&format!(
            "[udf.functions.echo]\nsocket = {:?}\ntimeout = \"10s\"\n",
            path.display().to_string()
        ))
        .expect("config");
        Registry::from_config(&config).expect("probe")
    }

    fn points(fields: &[&str]) -> Vec<Message> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut p = Point::new("cpu", Time::from_nanos(i as i64));
                p.fields = Fields::from_pairs([(*f, 1.0)]);
                Message::Point(p)
            })
            .collect()
    }

    /// Runs `input` through `stream|from()@echo()` and returns echo2's (in, out, errors).
    fn run_echo(dir: &str, input: Vec<Message>) -> (u64, u64, u64) {
        let registry = echo_registry(
            &std::env::temp_dir().join(format!("tickflow-engine-udf-{}-{dir}", std::process::id())),
        );
        let program = tickflow_tickscript::parse("stream|from()@echo()").expect("parses");
        let options = BuildOptions {
            udfs: registry.infos(),
            ..BuildOptions::default()
        };
        let pipeline = tickflow_pipeline::build(&program, &options).expect("builds");
        let environment = crate::Environment {
            udfs: registry,
            ..crate::Environment::default()
        };
        let task = Task::build_with(&pipeline, "t", &environment).expect("task");
        let mut run = Inline::new(task.dag, Arc::new(Collect::default()));
        for message in input {
            run.push(vec![message]).expect("runs");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let dag = run.finish().expect("finishes");
        let stats = dag.stats();
        let s = stats[2].1.snapshot();
        (s.messages_in, s.messages_out, s.errors)
    }

    #[test]
    fn an_external_udf_node_forwards_every_response_by_the_end() {
        assert_eq!(run_echo("order", points(&["a", "b", "c", "d"])), (4, 4, 0));
    }

    #[test]
    fn a_dead_agent_is_a_node_error_and_is_restarted() {
        let (input, output, errors) =
            run_echo("restart", points(&["a", "die", "b", "c", "d", "e"]));
        assert_eq!((input, errors), (6, 1));
        assert!(
            output >= 2,
            "the first point and later ones come back: {output}"
        );
    }

    #[test]
    fn agent_snapshots_round_trip_through_hex() {
        let bytes = vec![0x00, 0x2a, 0xff, 0x10];
        assert_eq!(hex(&bytes), "002aff10");
        assert_eq!(unhex(&hex(&bytes)), Some(bytes));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
