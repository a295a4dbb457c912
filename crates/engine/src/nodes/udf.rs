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
//! agent is restarted from its last snapshot with every request since sent again and the
//! outputs already emitted for them dropped, so the node's output is what it would have
//! been without the failure (for agents that are deterministic and answer in order, see
//! `tickflow_udf::external`). That is done up to [`MAX_RESTARTS`] times; past that, or
//! when the restart itself fails, the task stops with the error. Kapacitor stops the task
//! at the first failure.
//!
//! [`Node::snapshot`] of an external UDF is the agent's [`AgentState`], with no I/O: its
//! last snapshot (asked on the function's `snapshot-interval` and before the input
//! closes), the requests since and the count of outputs emitted since, as
//! `{"agent": hex or null, "journal": hex, "emitted": n}`; [`Node::restore`] brings a
//! fresh agent back to it. A native UDF's snapshot is its state, read when asked. A
//! native UDF keeps its state per group and forgets a group on its `DeleteGroup`; an
//! agent gets no such message (the protocol has none) and decides for itself.

use tickflow_model::Message;
use tickflow_udf::external::{AgentState, ExternalUdf};
use tickflow_udf::native::NativeUdf;
use tickflow_udf::Instance;

use crate::node::{Context, Node, NodeError};

/// How many times a node restarts a failed agent before the task stops.
pub(crate) const MAX_RESTARTS: u32 = 3;

/// A node running a UDF.
pub(crate) struct Udf {
    kind: Kind,
    /// The node's name, for errors (`tTest3`).
    name: String,
}

enum Kind {
    Native(Box<dyn NativeUdf>),
    External {
        udf: Box<ExternalUdf>,
        restarts: u32,
    },
}

impl Udf {
    /// A node around an initialised UDF.
    pub(crate) fn new(instance: Instance, name: &str) -> Self {
        let kind = match instance {
            Instance::Native(udf) => Kind::Native(udf),
            Instance::External(udf) => Kind::External { udf, restarts: 0 },
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
        Message::DeleteGroup(group) => {
            udf.delete_group(&group.id);
            ctx.emit(Message::DeleteGroup(group));
            Ok(())
        }
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
    /// Reports an agent's failure and restarts it (a restart that fails, in its replay
    /// say, is one more failure), or stops the task when it has failed too often.
    fn recover(
        &mut self,
        mut err: tickflow_udf::external::AgentError,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let Kind::External { udf, restarts } = &mut self.kind else {
            return Ok(());
        };
        loop {
            if *restarts >= MAX_RESTARTS {
                return Err(NodeError::new(format!("{}: {err}", self.name)));
            }
            ctx.error(&err);
            *restarts += 1;
            match udf.restart() {
                Ok(()) => return Ok(()),
                Err(again) => err = again,
            }
        }
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
        let mut out = Vec::new();
        let result = udf.finish(&mut out);
        out.into_iter().for_each(|m| ctx.emit(m));
        result.map_err(|err| NodeError::new(format!("{}: {err}", self.name)))
    }

    /// A native UDF's state per group, or an external agent's journal and snapshot.
    fn memory(&self) -> usize {
        match &self.kind {
            Kind::Native(udf) => udf.memory(),
            Kind::External { udf, .. } => udf.memory(),
        }
    }

    fn snapshot(&self) -> Option<serde_json::Value> {
        match &self.kind {
            Kind::Native(udf) => udf.snapshot().ok(),
            Kind::External { udf, .. } => agent_json(&udf.state()),
        }
    }

    fn restore(&mut self, state: serde_json::Value) -> Result<(), NodeError> {
        let restored = match &mut self.kind {
            Kind::Native(udf) => udf.restore(&state).map_err(|err| err.to_string()),
            Kind::External { udf, .. } => agent_from(&state)
                .and_then(|state| udf.restore(state).map_err(|err| err.to_string())),
        };
        restored.map_err(|message| NodeError::new(format!("{}: {message}", self.name)))
    }
}

/// An agent's state as JSON; `None` when there is nothing to restore.
fn agent_json(state: &AgentState) -> Option<serde_json::Value> {
    if *state == AgentState::default() {
        return None;
    }
    Some(serde_json::json!({
        "agent": state.snapshot.as_deref().map(hex),
        "journal": hex(&state.journal),
        "emitted": state.emitted,
    }))
}

/// The state of [`agent_json`]; `journal` and `emitted` may be missing (the agent's
/// snapshot alone).
fn agent_from(value: &serde_json::Value) -> Result<AgentState, String> {
    let bad = || format!("not an agent's state: {value}");
    if !value.is_object() {
        return Err(bad());
    }
    let bytes = |key: &str| match value.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v.as_str().and_then(unhex).map(Some).ok_or_else(bad),
    };
    let emitted = match value.get("emitted") {
        None => 0,
        Some(v) => v.as_u64().ok_or_else(bad)?,
    };
    Ok(AgentState {
        snapshot: bytes("agent")?,
        journal: bytes("journal")?.unwrap_or_default(),
        emitted,
    })
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
    use std::sync::atomic::{AtomicBool, Ordering};
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

    /// An agent on a Unix socket: echoes points, snapshots as the number of points seen,
    /// and drops the connection on the first point with a `die` field it is the first
    /// agent of the registry to see.
    fn echo_agent(stream: UnixStream, died: &AtomicBool) -> Option<()> {
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
                request::Message::Snapshot(_) => {
                    response::Message::Snapshot(proto::SnapshotResponse {
                        snapshot: b"echo".to_vec(),
                    })
                }
                request::Message::Restore(_) => {
                    response::Message::Restore(proto::RestoreResponse {
                        success: true,
                        error: String::new(),
                    })
                }
                request::Message::Point(p)
                    if p.fields_double.contains_key("die")
                        && !died.swap(true, Ordering::SeqCst) =>
                {
                    return None
                }
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
        let died = Arc::new(AtomicBool::new(false));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let died = died.clone();
                std::thread::spawn(move || echo_agent(stream, &died));
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
    fn a_dead_agent_is_a_node_error_and_is_restarted_without_loss() {
        let (input, output, errors) =
            run_echo("restart", points(&["a", "die", "b", "c", "d", "e"]));
        assert_eq!(
            (input, output, errors),
            (6, 6, 1),
            "every point comes back once"
        );
    }

    #[test]
    fn an_agents_state_round_trips_through_json() {
        let state = AgentState {
            snapshot: Some(vec![1, 2]),
            journal: vec![3, 0xff],
            emitted: 7,
        };
        let json = agent_json(&state).expect("something to keep");
        assert_eq!(
            json,
            serde_json::json!({"agent": "0102", "journal": "03ff", "emitted": 7})
        );
        assert_eq!(agent_from(&json), Ok(state));
        assert_eq!(agent_json(&AgentState::default()), None);
        let old = serde_json::json!({"agent": "2a"});
        assert_eq!(
            agent_from(&old).map(|s| (s.snapshot, s.emitted)),
            Ok((Some(vec![42]), 0))
        );
        assert!(agent_from(&serde_json::json!("2a")).is_err());
        assert!(agent_from(&serde_json::json!({"emitted": -1})).is_err());
    }

    #[test]
    fn a_native_udf_forgets_a_deleted_group_and_passes_the_deletion_on() {
        let options = tickflow_pipeline::nodes::udf::UdfOption {
            name: "size".into(),
            values: vec![tickflow_pipeline::nodes::udf::OptionValue::Int(3)],
        };
        let field = tickflow_pipeline::nodes::udf::UdfOption {
            name: "field".into(),
            values: vec![tickflow_pipeline::nodes::udf::OptionValue::String(
                "v".into(),
            )],
        };
        let instance = Registry::builtins()
            .instance("movingAvg", "t", "movingAvg1", &[field, options])
            .expect("movingAvg starts");
        let mut node = Udf::new(instance, "movingAvg1");
        let grouped = |host: &str| {
            let mut p = crate::nodes::testing::point(
                0,
                &[("host", host)],
                &[("v", tickflow_model::FieldValue::Float(1.0))],
            );
            p.set_dimensions(tickflow_model::Dimensions::by_tags(["host"]));
            p
        };
        let (a, b) = (grouped("a"), grouped("b"));
        let delete = Message::DeleteGroup(a.group_info());
        let (out, errors) = crate::nodes::testing::run(
            &mut node,
            vec![Message::Point(a), Message::Point(b), delete.clone()],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(out.last(), Some(&delete));
        let snapshot = node.snapshot().expect("a native state");
        let groups = snapshot["groups"].as_object().expect("groups");
        assert_eq!(groups.keys().collect::<Vec<_>>(), ["host=b"]);
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
