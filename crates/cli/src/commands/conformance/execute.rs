//! Runs one case as Kapacitor's harness does (conformance/README.md §2–§3): define the
//! task from the script with `${SINK_URL}` filled in, start it on `dbname.rpname`, replay
//! the rebased recording in file order, drain, then collect the httpOut body and the
//! requests the sink received.

use std::sync::Arc;

use serde_json::Value;
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::replay::{self, ReadOptions};
use tickflow_engine::{Environment, HttpPostEndpoint, Services, Task, TaskError};
use tickflow_model::Dbrp;
use tickflow_pipeline::BuildOptions;

use super::case::CaseFile;
use super::sink::{Request, Sink};

/// Which stages failed (README §8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Errors {
    /// Defining the task (parsing, validation) failed.
    pub define: bool,
    /// Starting the task failed.
    pub start: bool,
    /// The replay or the task ended with an error.
    pub run: bool,
}

/// What a run produced.
#[derive(Debug, Default)]
pub struct Actual {
    /// The body of the case's httpOut endpoint, when it has one and the task ran.
    pub httpout: Option<String>,
    /// Every request the sink received, in arrival order.
    pub requests: Vec<Request>,
    /// Which stages failed.
    pub errors: Errors,
    /// Why, and what nodes reported along the way, for failure reports.
    pub messages: Vec<String>,
}

/// A case's run: what it produced, or why tickflow cannot run it yet.
pub enum Run {
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
pub fn execute(file: &CaseFile) -> anyhow::Result<Run> {
    let case = &file.case;
    let sink = Sink::start(case.sink_status_codes.clone())?;
    let script = case.tickscript.replace("${SINK_URL}", &sink.url());
    let environment = Environment {
        services: services(case.config.as_ref(), &sink.url())?,
        ..Environment::default()
    };
    let mut actual = Actual::default();
    let task = match define_and_start(&script, &case.task_id, &environment, &mut actual) {
        Ok(Some(task)) => task,
        Ok(None) => {
            actual.requests = sink.stop();
            return Ok(Run::Ran(actual));
        }
        Err(Unsupported(reason)) => {
            sink.stop();
            return Ok(Run::Unsupported(reason));
        }
    };
    let outputs = task.http_outputs.clone();
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
    let diagnostics = Arc::new(Collect::default());
    if let Err(err) = replay::run(task, points, diagnostics.clone()) {
        actual.errors.run = true;
        actual.messages.push(format!("run: {err}"));
    }
    actual.messages.extend(diagnostics.errors());
    actual.httpout = match case.endpoint.as_ref().and_then(|e| outputs.get(e)) {
        Some(output) => Some(output.body()?),
        None => None,
    };
    actual.requests = sink.stop();
    Ok(Run::Ran(actual))
}

/// Defines and starts the task, recording a failing stage in `actual`; `Err` only for
/// what tickflow does not support.
fn define_and_start(
    script: &str,
    id: &str,
    environment: &Environment,
    actual: &mut Actual,
) -> Result<Option<Task>, Unsupported> {
    let pipeline = tickflow_tickscript::parse(script)
        .map_err(|err| err.to_string())
        .and_then(|program| {
            tickflow_pipeline::build(&program, &BuildOptions::default())
                .map_err(|err| err.to_string())
        });
    let pipeline = match pipeline {
        Ok(pipeline) => pipeline,
        Err(err) => {
            actual.errors.define = true;
            actual.messages.push(format!("define: {err}"));
            return Ok(None);
        }
    };
    match Task::build_with(&pipeline, id, environment) {
        Ok(mut task) => {
            task.dbrps = vec![case_dbrp()];
            // Starting it in a task master would refuse a loop back into its dbrp.
            if let Err(err) = task.loopback.check(&task.dbrps) {
                actual.errors.start = true;
                actual.messages.push(format!("start: {err}"));
                return Ok(None);
            }
            Ok(Some(task))
        }
        Err(err @ TaskError::Unsupported { .. }) => Err(Unsupported(err.to_string())),
        Err(err) => {
            actual.errors.start = true;
            actual.messages.push(format!("start: {err}"));
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
pub fn request_json(request: &Request) -> Value {
    let body = serde_json::from_slice(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    serde_json::json!({
        "method": request.method,
        "path": request.path,
        "headers": request.headers,
        "body": body,
    })
}
