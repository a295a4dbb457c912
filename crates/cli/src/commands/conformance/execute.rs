//! Runs one case as Kapacitor's harness does (conformance/README.md §2–§3): define the
//! task from the script with `${SINK_URL}` filled in, start it on `dbname.rpname`, replay
//! the rebased recording in file order (a batch case: each `.brpl` into its query node,
//! batch README §3), drain, then collect the httpOut body, the requests the sink
//! received and how long the run took by the wall clock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::replay::{self, ReadOptions, ReplayError};
use tickflow_engine::InfluxDbConfig;
use tickflow_engine::{Environment, HttpPostEndpoint, Services, Task, TaskError};
use tickflow_model::Dbrp;
use tickflow_pipeline::{BuildOptions, TaskType};

use super::case::CaseFile;
use super::sink::{Request, Sink};

/// Which stages failed, with their messages (README §8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Errors {
    /// Defining the task (parsing, validation) failed.
    pub define: Option<String>,
    /// Starting the task failed.
    pub start: Option<String>,
    /// The replay or the task ended with an error.
    pub run: Option<String>,
}

impl Errors {
    /// Whether any stage failed.
    pub(super) fn any(&self) -> bool {
        self.define.is_some() || self.start.is_some() || self.run.is_some()
    }
}

/// What a run produced.
#[derive(Debug, Default)]
pub(super) struct Actual {
    /// The body of the case's httpOut endpoint, when it has one and the task ran.
    pub httpout: Option<String>,
    /// Every request the sink received, in arrival order.
    pub requests: Vec<Request>,
    /// Which stages failed.
    pub errors: Errors,
    /// Why, and what nodes reported along the way, for failure reports.
    pub messages: Vec<String>,
    /// From defining the task to reading its httpOut, by the wall clock.
    pub wall_time: Duration,
}

/// A case's run: what it produced, or why tickflow cannot run it yet.
pub(super) enum Run {
    /// The case ran (possibly failing at some stage, which [`Actual::errors`] shows).
    Ran(Actual),
    /// The case needs something tickflow does not do yet.
    Unsupported(String),
}

/// The database and retention policy every case's task reads.
fn case_dbrp() -> Dbrp {
    Dbrp::new("dbname", "rpname")
}

/// Runs `file`'s case.
pub(super) fn execute(file: &CaseFile) -> anyhow::Result<Run> {
    let case = &file.case;
    let delay = match &case.sink_response_delay {
        Some(text) => duration(text)?,
        None => Duration::ZERO,
    };
    let sink = Sink::start(case.sink_status_codes.clone(), delay)?;
    let script = case.tickscript.replace("${SINK_URL}", &sink.url());
    let environment = Environment {
        services: services(case.config.as_ref(), &sink.url())?,
        // InfluxDB is the sink too (README §7): influxDBOut's writes are its requests.
        influxdb: vec![InfluxDbConfig {
            urls: vec![sink.url()],
            ..InfluxDbConfig::default()
        }],
        ..Environment::default()
    };
    let mut actual = Actual::default();
    let started = Instant::now();
    let task = match define_and_start(&script, &case.task_id, &environment, &mut actual) {
        Ok(Some(task)) => task,
        Ok(None) => {
            actual.wall_time = started.elapsed();
            actual.requests = sink.stop();
            return Ok(Run::Ran(actual));
        }
        Err(Unsupported(reason)) => {
            sink.stop();
            return Ok(Run::Unsupported(reason));
        }
    };
    let outputs = task.http_outputs.clone();
    let diagnostics = Arc::new(Collect::default());
    let replayed = match file.is_batch() {
        true => replay_batches(file, task, diagnostics.clone())?,
        false => replay_stream(file, task, diagnostics.clone())?,
    };
    if let Err(err) = replayed {
        actual.messages.push(format!("run: {err}"));
        actual.errors.run = Some(err.to_string());
    }
    actual.messages.extend(diagnostics.errors());
    actual.httpout = match case.endpoint.as_ref().and_then(|e| outputs.get(e)) {
        Some(output) => Some(output.body()?),
        None => None,
    };
    actual.wall_time = started.elapsed();
    actual.requests = sink.stop();
    Ok(Run::Ran(actual))
}

/// A replay's outcome: `Err` when the task failed while running.
type Replayed = Result<(), ReplayError>;

/// Replays a stream case's rebased recording, in file order.
fn replay_stream(
    file: &CaseFile,
    task: Task,
    diagnostics: Arc<Collect>,
) -> anyhow::Result<Replayed> {
    let points = match file.recording() {
        Some(path) => {
            let options = ReadOptions {
                rebase: true,
                ..ReadOptions::default()
            };
            let data = replay::read(&path, &options)?;
            if let Some(bad) = data.errors.first() {
                anyhow::bail!("{}: {bad}", path.display());
            }
            data.points
        }
        None => Vec::new(),
    };
    Ok(replay::run(task, points, diagnostics).map(drop))
}

/// Replays a batch case's rebased recordings, each into its query node.
fn replay_batches(
    file: &CaseFile,
    task: Task,
    diagnostics: Arc<Collect>,
) -> anyhow::Result<Replayed> {
    let mut sources = Vec::new();
    for path in file.batch_recordings() {
        sources.push(replay::brpl::read_source(&path, true)?);
    }
    if sources.is_empty() {
        // Nothing is replayed: the task starts and drains.
        return Ok(replay::run(task, Vec::new(), diagnostics).map(drop));
    }
    Ok(replay::replay_batches(task, sources, diagnostics, &mut |_| {}).map(drop))
}

/// A case's Go duration (`"100ms"`).
pub(super) fn duration(text: &str) -> anyhow::Result<Duration> {
    tickflow_model::parse_go_duration(text)
        .ok_or_else(|| anyhow::anyhow!("invalid duration {text:?} in the case"))
}

/// Defines and starts the task, recording a failing stage in `actual`; `Err` only for
/// what tickflow does not support. The task type is the script's (stream or batch).
fn define_and_start(
    script: &str,
    id: &str,
    environment: &Environment,
    actual: &mut Actual,
) -> Result<Option<Task>, Unsupported> {
    let pipeline = tickflow_tickscript::parse(script)
        .map_err(|err| err.to_string())
        .and_then(|program| {
            let options = BuildOptions {
                task_type: tickflow_pipeline::task_type(&program).unwrap_or(TaskType::Stream),
                ..BuildOptions::default()
            };
            tickflow_pipeline::build(&program, &options).map_err(|err| err.to_string())
        });
    let pipeline = match pipeline {
        Ok(pipeline) => pipeline,
        Err(err) => {
            actual.messages.push(format!("define: {err}"));
            actual.errors.define = Some(err);
            return Ok(None);
        }
    };
    match Task::build_with(&pipeline, id, environment) {
        Ok(mut task) => {
            task.dbrps = vec![case_dbrp()];
            // Starting it in a task master would refuse a loop back into its dbrp.
            if let Err(err) = task.loopback.check(&task.dbrps) {
                actual.messages.push(format!("start: {err}"));
                actual.errors.start = Some(err.to_string());
                return Ok(None);
            }
            Ok(Some(task))
        }
        Err(err @ TaskError::Unsupported { .. }) => Err(Unsupported(err.to_string())),
        Err(err) => {
            actual.messages.push(format!("start: {err}"));
            actual.errors.start = Some(err.to_string());
            Ok(None)
        }
    }
}

/// The services a case's `config` sets up: its `httppost` endpoints, with `${SINK_URL}`
/// filled in.
fn services(config: Option<&Value>, sink_url: &str) -> anyhow::Result<Services> {
    let mut services = Services::default();
    let endpoints = config
        .and_then(|c| c.get("httppost"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for endpoint in endpoints {
        let text = |key: &str| endpoint.get(key).and_then(Value::as_str);
        let (Some(name), Some(url)) = (text("endpoint"), text("url")) else {
            anyhow::bail!("an httppost endpoint needs \"endpoint\" and \"url\": {endpoint}");
        };
        let headers = endpoint
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        services.http_post.push(HttpPostEndpoint {
            name: name.to_string(),
            url: url.replace("${SINK_URL}", sink_url),
            headers,
            row_template: text("row_template").map(String::from),
            alert_template: text("alert_template").map(String::from),
        });
    }
    Ok(services)
}

/// Why a case needs something tickflow does not do yet.
struct Unsupported(String);

/// A request as `--print-actual` shows it: the body as JSON when it is JSON.
pub(super) fn request_json(request: &Request) -> Value {
    let body = serde_json::from_slice(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    serde_json::json!({
        "method": request.method,
        "path": request.path,
        "headers": request.headers,
        "body": body,
    })
}
