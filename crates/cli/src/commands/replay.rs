//! `tickflow replay`: runs a TICKscript over recorded data on this thread and prints
//! what each node did.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tickflow::engine::diagnostics::Stderr;
use tickflow::engine::replay::parse_time;
use tickflow::engine::replay::{self, Progress, ReadOptions, ReplayError, Summary};
use tickflow::engine::time_guard::TimeGuard;
use tickflow::engine::InfluxDbConfig;
use tickflow::engine::Task;
use tickflow::line_protocol::Precision;
use tickflow::model::{Dbrp, Time};

use tickflow::pipeline::BuildOptions;

use anyhow::Context;

use crate::commands::script::{self, Script};
use crate::commands::vars;
use crate::commands::{destinations, plot, precision_hint};
use crate::Outcome;

/// Replays line protocol (`.lp`, `.lp.gz`) or a Kapacitor recording (`.srpl`, plain or
/// gzip) through a TICKscript, as fast as the machine allows, in event time. A batch
/// task replays a batch recording (`.brpl`: Kapacitor's zip, or `<name>.0.brpl` with
/// its siblings `<name>.1.brpl`, … one per query node); its queries do not run. Or,
/// with `--influxdb URL --start TIME --stop TIME`, a batch task runs the queries its
/// schedule would have run over that past range against that InfluxDB (Kapacitor's
/// `replay-live batch --past`), as fast as InfluxDB answers.
///
/// Only points written to the script's `dbrp` (or `--db`/`--rp`) are fed; line protocol
/// points are written to it. The file is parsed on a second thread while the task runs;
/// on a terminal a progress bar shows how far it got. Ends with a summary: points read,
/// elapsed time, points per second, windows emitted, alerts and where each alert node
/// sent them (log files, URLs), errors and each node's messages in and out, errors and
/// busy time; a warning names the `--precision` that fits when the data's times fall in
/// 1970 but look like another precision. Exit code 1 when
/// the script is invalid, uses a node the engine does not run yet, a node fails, or the
/// data has bad lines (the good ones are still replayed). `--config` adds UDFs.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript to run.
    script: PathBuf,
    /// The data file.
    #[arg(long, required_unless_present = "influxdb")]
    data: Option<PathBuf>,
    /// Run a batch task's queries against this InfluxDB 1.x (`http://host:8086`) instead
    /// of replaying a file.
    #[arg(long, conflicts_with = "data", requires_all = ["start", "stop"])]
    influxdb: Option<String>,
    /// With `--influxdb`: the start of the past range (RFC 3339).
    #[arg(long, requires = "influxdb")]
    start: Option<String>,
    /// With `--influxdb`: the end of the past range (RFC 3339).
    #[arg(long, requires = "influxdb")]
    stop: Option<String>,
    /// Timestamp precision of the data (n, u, ms, s, m, h); default n, or s for a plain
    /// `.srpl`.
    #[arg(long)]
    precision: Option<Precision>,
    /// The database to replay into, instead of the script's dbrp.
    #[arg(long)]
    db: Option<String>,
    /// The retention policy to replay into, with `--db`.
    #[arg(long, default_value = "autogen", requires = "db")]
    rp: String,
    /// Move times so the first point is at 1971-01-01T00:00:00Z, as the conformance
    /// harness does.
    #[arg(long)]
    rebase: bool,
    /// A Kapacitor-style TOML configuration: UDFs (`[udf.functions.NAME]`: processes,
    /// sockets, or built-ins under other names; each external UDF is asked for its Info
    /// at start-up), alert services (`[[httppost]]`, `[[mqtt]]`, `[[topic-handler]]` for
    /// `.topic()` alerts) and `[[influxdb]]` servers.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Values for a template's vars, in Kapacitor's JSON vars format
    /// (`{"threshold": {"type": "float", "value": 90}}`).
    #[arg(long)]
    vars: Option<PathBuf>,
    /// Empty the files the script's `.log()` handlers write before starting (they
    /// append across runs, as Kapacitor's do).
    #[arg(long)]
    fresh_logs: bool,
    /// After the replay, draw it into this `.svg` or `.png` file (as `tickflow plot`).
    #[arg(long, requires = "data")]
    plot: Option<PathBuf>,
    /// Refuse points whose time in the file is more than this after the wall clock
    /// (a Go duration, `1h`), as the server's `[http] max-future` does; each is reported
    /// with its line and the rest are replayed.
    #[arg(long, value_parser = go_duration)]
    max_future: Option<Duration>,
    /// Refuse points whose time in the file is more than this before the wall clock
    /// (`[http] max-past`).
    #[arg(long, value_parser = go_duration)]
    max_past: Option<Duration>,
}

/// A Go duration argument (`90s`, `1h30m`).
fn go_duration(text: &str) -> Result<Duration, String> {
    tickflow_model::parse_go_duration(text)
        .ok_or_else(|| format!("invalid duration {text:?}: expected a Go duration such as 1h30m"))
}

impl Args {
    /// The replay `tickflow plot` runs.
    pub(crate) fn plotting(plot: &plot::Args) -> Args {
        Args {
            script: plot.script.clone(),
            data: Some(plot.data.clone()),
            influxdb: None,
            start: None,
            stop: None,
            precision: plot.precision,
            db: None,
            rp: "autogen".into(),
            rebase: false,
            config: None,
            vars: plot.vars.clone(),
            fresh_logs: false,
            plot: Some(plot.output.clone()),
            max_future: None,
            max_past: None,
        }
    }
}

/// Builds the task, reads the data and runs it.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let script = Script::read(&args.script)?;
    let config_path = args.config.as_deref();
    let mut environment = match script::config(config_path)?.environment() {
        Ok(environment) => environment,
        Err(err) => {
            eprintln!("{}", script::config_error(config_path, &err));
            return Ok(Outcome::Problems);
        }
    };
    let options = BuildOptions {
        vars: vars::read_optional(args.vars.as_deref())?,
        ..script::build_options(&environment.udfs)
    };
    let pipeline = match script.pipeline_with(&options) {
        Ok(pipeline) => pipeline,
        Err(diagnostic) => {
            eprint!("{diagnostic}");
            return Ok(Outcome::Problems);
        }
    };
    if args.fresh_logs {
        let files = destinations::log_files(&pipeline);
        destinations::truncate(&files).context("--fresh-logs")?;
    }
    let (sender, alerts) = crossbeam_channel::unbounded();
    if args.plot.is_some() {
        let sink = tickflow::alert::sinks::ChannelHandler::new(sender);
        environment.services.sinks.add(Arc::new(sink));
    }
    let topics = environment.services.topics.clone();
    let mut task = match Task::build_with(&pipeline, &script.task_id(), &environment) {
        Ok(task) => task,
        Err(err) => {
            eprintln!("{}: {err}", script.path);
            return Ok(Outcome::Problems);
        }
    };
    if let Some(db) = &args.db {
        task.dbrps = vec![Dbrp::new(db.as_str(), args.rp.as_str())];
    }
    let task_is_stream = task.batch_sources.is_empty();
    let options = ReadOptions {
        precision: args.precision,
        dbrp: task.dbrps.first().cloned().unwrap_or_default(),
        rebase: args.rebase,
        time_guard: TimeGuard {
            max_future: args.max_future,
            max_past: args.max_past,
        },
    };
    let started = Instant::now();
    let bar = progress_bar();
    let replayed = match (&args.data, &args.influxdb) {
        (_, Some(url)) => {
            let range = match past_range(args) {
                Ok(range) => range,
                Err(err) => {
                    eprintln!("{err}");
                    return Ok(Outcome::Problems);
                }
            };
            replay_past(task, url, range, &mut |p| show(&bar, p))
        }
        (Some(data), None) if task.batch_sources.is_empty() => {
            replay::replay(task, data, &options, Arc::new(Stderr), &mut |p| {
                show(&bar, p)
            })
        }
        (Some(data), None) => replay_batches(task, data, args.rebase, &mut |p| show(&bar, p)),
        (None, None) => anyhow::bail!("give --data or --influxdb"),
    };
    bar.finish_and_clear();
    for err in topics.close() {
        eprintln!("{}: {err}", script.path);
    }
    let replayed = match replayed {
        Ok(replayed) => replayed,
        Err(ReplayError::Node(err)) => {
            eprintln!("{}: task failed: {err}", script.path);
            return Ok(Outcome::Problems);
        }
        Err(err) => return Err(err.into()),
    };
    let data_path = args
        .data
        .as_deref()
        .unwrap_or(std::path::Path::new(""))
        .display();
    for bad in &replayed.errors {
        eprintln!("{data_path}: {bad}");
    }
    print!(
        "{}",
        render(&replayed.summary, replayed.errors.len(), started.elapsed())
    );
    print!("{}", render_destinations(&destinations::of(&pipeline)));
    if let (Some(data), true) = (&args.data, task_is_stream) {
        if let Some(warning) = precision_hint::check(data, &options) {
            eprintln!("{warning}");
        }
    }
    if let (Some(output), Some(data)) = (&args.plot, &args.data) {
        let points = replay::read(data, &options)?.points;
        let alerts: Vec<_> = alerts.try_iter().collect();
        plot::picture(output, &script.path, &pipeline, &points, &alerts)?;
        println!("plot: {}", output.display());
    }
    Ok(if replayed.errors.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// Replays the batch recording at `path` through batch task `task`; the progress is
/// counted in points.
fn replay_batches(
    task: Task,
    path: &std::path::Path,
    rebase: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<replay::Replayed, ReplayError> {
    let sources = replay::brpl::read(path, rebase)?;
    let summary = replay::replay_batches(task, sources, Arc::new(Stderr), progress)?;
    Ok(replay::Replayed {
        summary,
        errors: Vec::new(),
    })
}

/// `--start` and `--stop` as times.
fn past_range(args: &Args) -> Result<(Time, Time), String> {
    let time = |flag: &str, text: &Option<String>| {
        let text = text.as_deref().unwrap_or_default();
        parse_time(text).ok_or_else(|| format!("--{flag}: not an RFC 3339 time: {text:?}"))
    };
    Ok((time("start", &args.start)?, time("stop", &args.stop)?))
}

/// Runs batch task `task`'s queries over `range` against the InfluxDB at `url`; the
/// progress is counted in runs.
fn replay_past(
    task: Task,
    url: &str,
    range: (Time, Time),
    progress: &mut dyn FnMut(Progress),
) -> Result<replay::Replayed, ReplayError> {
    if task.batch_sources.is_empty() {
        return Err(ReplayError::TaskType {
            data: "batch",
            task: "stream",
        });
    }
    let cluster = InfluxDbConfig {
        name: "replay".into(),
        urls: vec![url.to_string()],
        ..InfluxDbConfig::default()
    };
    let summary = replay::replay_past(task, &[cluster], range, Arc::new(Stderr), progress)?;
    Ok(replay::Replayed {
        summary,
        errors: Vec::new(),
    })
}

/// A progress bar over the file's bytes, drawn only when stderr is a terminal.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({elapsed_precise}, {eta} left)")
    {
        bar.set_style(style);
    }
    bar
}

/// Moves the bar to `progress`.
fn show(bar: &ProgressBar, progress: Progress) {
    bar.set_length(progress.bytes_total as u64);
    bar.set_position(progress.bytes_done as u64);
    bar.set_message(format!("{} points", progress.points));
}

/// The alert events of every alert node, by level: `CRITICAL 9, WARNING 0, INFO 0, OK 6`.
fn alerts_per_level(summary: &Summary) -> String {
    let mut totals = [0u64; 4];
    for (_, stats) in &summary.nodes {
        for (total, count) in totals.iter_mut().zip(stats.alerts) {
            *total += count;
        }
    }
    let [ok, info, warning, critical] = totals;
    format!("CRITICAL {critical}, WARNING {warning}, INFO {info}, OK {ok}")
}

/// Where each alert node's events went: `alerts went to:` and a line per node.
fn render_destinations(nodes: &[(String, Vec<String>)]) -> String {
    let mut text = String::new();
    for (node, handlers) in nodes {
        let handlers = match handlers.is_empty() {
            true => "no handler".to_string(),
            false => handlers.join(", "),
        };
        text.push_str(&format!("  {node}: {handlers}\n"));
    }
    match text.is_empty() {
        true => text,
        false => format!("alerts went to:\n{text}"),
    }
}

/// The summary as printed: totals, then a table of the nodes.
fn render(summary: &Summary, bad_lines: usize, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        summary.points_read as f64 / secs
    } else {
        0.0
    };
    let windows: u64 = summary
        .nodes
        .iter()
        .filter(|(name, _)| name.trim_end_matches(|c: char| c.is_ascii_digit()) == "window")
        .map(|(_, s)| s.messages_out)
        .sum();
    let errors: u64 = summary.nodes.iter().map(|(_, s)| s.errors).sum();
    let alerts = alerts_per_level(summary);
    let mut text = format!(
        "points read: {} ({bad_lines} bad lines)\npoints fed: {}\nelapsed: {secs:.3}s\n\
         throughput: {rate:.0} points/s\nwindows: {windows}\nalerts: {alerts}\n\
         node errors: {errors}\n",
        summary.points_read, summary.points_fed,
    );
    let width = summary
        .nodes
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0)
        .max("node".len());
    text.push_str(&format!(
        "{:<width$} {:>10} {:>10} {:>8} {:>10} {:>10}\n",
        "node", "in", "out", "errors", "busy", "memory"
    ));
    for (name, stats) in &summary.nodes {
        text.push_str(&format!(
            "{name:<width$} {:>10} {:>10} {:>8} {:>9.1}ms {:>9.1}kB\n",
            stats.messages_in,
            stats.messages_out,
            stats.errors,
            stats.busy.as_secs_f64() * 1000.0,
            stats.memory_bytes as f64 / 1000.0,
        ));
    }
    text
}
