//! Runs one test: builds the script's task in capture mode (its handlers are not
//! started; a channel sink receives every alert event; `influxDBOut` and `httpPost`
//! nodes send to the loopback [`CaptureServer`]), replays the test's data in event time
//! and collects what came out: the alert events, each httpOut endpoint's final body,
//! the points written to InfluxDB and the httpPost requests.

use std::path::Path;
use std::sync::Arc;

use tickflow::alert::sinks::ChannelHandler;
use tickflow::alert::AlertData;
use tickflow::config::Config;
use tickflow::engine::diagnostics::Stderr;
use tickflow::engine::replay::{self, ReadOptions, ReplayError};
use tickflow::engine::{Environment, InfluxDbConfig, Task};
use tickflow::line_protocol::{Parser, Precision};
use tickflow::model::Time;
use tickflow::pipeline::nodes::NodeKind;
use tickflow::pipeline::{BuildOptions, Pipeline};

use super::capture::{CaptureServer, Request};
use super::spec::Spec;
use crate::commands::script::{self, Script};
use crate::commands::vars;

/// What a run produced, as the tables a test file writes.
#[derive(Debug, Default)]
pub(super) struct Actual {
    /// Every alert event, in time order (ties by id).
    pub alerts: Vec<toml::Table>,
    /// Each httpOut endpoint's final body, by endpoint name.
    pub httpout: Vec<toml::Table>,
    /// The points written to InfluxDB (`db`, `rp`, `line`), by database and retention
    /// policy, each node's in the order written.
    pub influxdb: Vec<toml::Table>,
    /// The httpPost requests (`url`, `body`), in the order sent.
    pub httppost: Vec<toml::Table>,
}

/// Runs the test `spec` read from `file`; an `Err` is why it could not run, already
/// rendered (a script that does not parse shows the line and column).
pub(super) fn execute(spec: &Spec, file: &Path, server: &CaptureServer) -> Result<Actual, String> {
    let dir = file.parent().unwrap_or(Path::new(""));
    let script = Script::read(&dir.join(&spec.script)).map_err(|e| format!("{e:#}"))?;
    let mut environment = Config::default().environment().map_err(|e| e.to_string())?;
    let pipeline = pipeline(&script, spec, &environment)?;
    let (sender, events) = crossbeam_channel::unbounded();
    environment.services.capture = Some(server.url.clone());
    environment.influxdb = clusters(&pipeline, &server.url);
    server.take();
    environment
        .services
        .sinks
        .add(Arc::new(ChannelHandler::new(sender)));
    let task = Task::build_with(&pipeline, &script.task_id(), &environment)
        .map_err(|e| format!("{}: {e}", script.path))?;
    let outputs = task.http_outputs.clone();
    feed(task, spec, dir).map_err(|e| format!("{}: {e}", script.path))?;
    let mut alerts: Vec<AlertData> = events.try_iter().collect();
    alerts.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    let mut httpout = Vec::new();
    for (endpoint, output) in &outputs {
        let body = output
            .body()
            .map_err(|e| format!("httpOut {endpoint:?}: {e}"))?;
        httpout.push(table([("endpoint", endpoint.clone()), ("body", body)]));
    }
    let (mut influxdb, mut httppost) = (Vec::new(), Vec::new());
    for request in server.take() {
        match request.target.strip_prefix("/write?") {
            Some(query) => influxdb.extend(written(query, &request.body)),
            None => httppost.push(posted(&request)),
        }
    }
    let dbrp = |t: &toml::Table| [t.get("db"), t.get("rp")].map(|v| v.map(ToString::to_string));
    influxdb.sort_by_key(dbrp);
    Ok(Actual {
        alerts: alerts.iter().map(alert_table).collect(),
        httpout,
        influxdb,
        httppost,
    })
}

/// The InfluxDB clusters of a test run: `default` and every cluster the script's
/// `influxDBOut` nodes name, all at the capture server.
fn clusters(pipeline: &Pipeline, url: &str) -> Vec<InfluxDbConfig> {
    let mut names = vec!["default".to_string()];
    for node in &pipeline.nodes {
        if let NodeKind::InfluxDbOut(out) = &node.kind {
            if !out.cluster.is_empty() && !names.contains(&out.cluster) {
                names.push(out.cluster.clone());
            }
        }
    }
    names
        .into_iter()
        .map(|name| InfluxDbConfig {
            default: name == "default",
            name,
            urls: vec![url.to_string()],
            ..InfluxDbConfig::default()
        })
        .collect()
}

/// The points of one `/write` request with query `query`: a table per line.
fn written(query: &str, body: &str) -> Vec<toml::Table> {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_default()
            .to_string()
    };
    body.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            table([
                ("db", param("db")),
                ("rp", param("rp")),
                ("line", line.into()),
            ])
        })
        .collect()
}

/// An httpPost request: the URL the node meant (the path after the capture server's
/// `/`) and the body.
fn posted(request: &Request) -> toml::Table {
    let url = request.target.strip_prefix('/').unwrap_or(&request.target);
    table([("url", url.to_string()), ("body", request.body.clone())])
}

/// The script's pipeline with the test's vars, typed by the script's declarations.
fn pipeline(script: &Script, spec: &Spec, environment: &Environment) -> Result<Pipeline, String> {
    let options = script::build_options(&environment.udfs);
    let declared = script.pipeline_with(&BuildOptions {
        template: true,
        ..options.clone()
    })?;
    let vars = vars::typed(&spec.vars, &declared.vars).map_err(|e| e.to_string())?;
    script.pipeline_with(&BuildOptions { vars, ..options })
}

/// Replays the test's data (its file, or its inline lines) through `task`.
fn feed(task: Task, spec: &Spec, dir: &Path) -> Result<(), String> {
    let precision = spec
        .precision
        .as_deref()
        .map(str::parse::<Precision>)
        .transpose()
        .map_err(|e| format!("precision: {e}"))?;
    let diagnostics = Arc::new(Stderr);
    let dbrp = task.dbrps.first().cloned().unwrap_or_default();
    let bad_lines = match (&spec.data, &spec.lines) {
        (Some(data), _) if !task.batch_sources.is_empty() => {
            let sources = replay::brpl::read(&dir.join(data), false).map_err(fail)?;
            replay::replay_batches(task, sources, diagnostics, &mut |_| {}).map_err(fail)?;
            Vec::new()
        }
        (Some(data), _) => {
            let path = dir.join(data);
            let options = ReadOptions {
                precision,
                dbrp,
                ..ReadOptions::default()
            };
            let replayed =
                replay::replay(task, &path, &options, diagnostics, &mut |_| {}).map_err(fail)?;
            let shown = path.display();
            replayed
                .errors
                .iter()
                .map(|e| format!("{shown}: {e}"))
                .collect()
        }
        (None, _) if !task.batch_sources.is_empty() => {
            return Err("a batch task replays a recording: give data = \"FILE.brpl\"".into());
        }
        (None, lines) => {
            let mut parser = Parser::new(precision.unwrap_or(Precision::Nanosecond), Time::now())
                .with_dbrp(dbrp);
            let text = lines.as_deref().unwrap_or_default();
            let (mut points, mut bad) = (Vec::new(), Vec::new());
            for result in parser.parse_lines(text.as_bytes()) {
                match result {
                    Ok(point) => points.push(point),
                    Err(err) => bad.push(format!("lines: line {}: {err}", err.line)),
                }
            }
            replay::run(task, points, diagnostics).map_err(fail)?;
            bad
        }
    };
    match bad_lines.is_empty() {
        true => Ok(()),
        false => Err(bad_lines.join("\n")),
    }
}

/// A replay error as text.
fn fail(err: impl Into<ReplayError>) -> String {
    err.into().to_string()
}

/// The fields of `event` a test compares: id, level, time, message, details and
/// duration (as a TICKscript duration: `5m`).
fn alert_table(event: &AlertData) -> toml::Table {
    table([
        ("id", event.id.clone()),
        ("level", event.level.as_str().to_string()),
        ("time", event.time.to_rfc3339()),
        ("message", event.message.clone()),
        ("details", event.details.clone()),
        ("duration", event.duration.to_influxql()),
    ])
}

/// A table of string values.
fn table<const N: usize>(entries: [(&str, String); N]) -> toml::Table {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), toml::Value::String(v)))
        .collect()
}
