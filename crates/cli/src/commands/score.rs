//! `tickflow score`: runs a detector TICKscript over every series of the Numenta Anomaly
//! Benchmark and scores it with NAB's rules (`tickflow_nab`).
//!
//! Each series is replayed alone through a fresh task, in file order, one row at a time:
//! measurement `nab`, field `value`, tag `series` (the file's name without `.csv`), the
//! timestamp read as UTC seconds. **The score convention**: a row's anomaly score is the
//! field `--field` (default `anomaly_score`) of what the script's last nodes (those
//! without children) emit for it, points or batch points, clamped to [0, 1]; a row
//! nothing scores counts 0. An output belongs to the latest row fed so far whose time
//! is the output's time, so repeated timestamps (seven NAB files have them) score the
//! row that caused the output, and outputs at other times (a window's end) are counted
//! and ignored. With several outputs for one row the highest counts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use tickflow::config::Config;
use tickflow::engine::diagnostics::Collect;
use tickflow::engine::executor::Inline;
use tickflow::engine::{Context, Environment, Node, NodeError, Task};
use tickflow::model::{Dbrp, FieldValue, Fields, Message, Point, Tags, Time};
use tickflow::pipeline::Pipeline;
use tickflow_nab::{results, Corpus, DataFile, Outcome as NabOutcome};

use crate::commands::script::{self, Script};
use crate::Outcome;

/// Scores a detector TICKscript on NAB: replays each of its series through the script,
/// takes each row's anomaly score from the script's output (the field `--field` of what
/// its last nodes emit), optimises the threshold per profile over the corpus and prints
/// a table per file, the time taken and, last, the three normalised scores:
/// `nab: standard 41.23, reward_low_FP 20.11, reward_low_FN 48.00`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The detector script.
    script: PathBuf,
    /// The NAB folder (data/, labels/, config/).
    #[arg(long)]
    nab: PathBuf,
    /// Write NAB results files under DIR/<script name>/<category>/.
    #[arg(long, value_name = "DIR")]
    write_results: Option<PathBuf>,
    /// The output field holding the anomaly score.
    #[arg(long, default_value = "anomaly_score")]
    field: String,
    /// A config file declaring UDFs, as for `replay`.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// One series' replay: a score per row and what went wrong.
#[derive(Debug, Default)]
struct Replayed {
    scores: Vec<f64>,
    /// Per-message node errors.
    errors: Vec<String>,
    /// Outputs whose time is no row's.
    unplaced: usize,
}

/// Loads the corpus and the script, scores every series and prints the outcome.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let script = Script::read(&args.script)?;
    let corpus = Corpus::load(&args.nab).context("cannot load the NAB corpus")?;
    let config = script::config(args.config.as_deref())?;
    let udfs = tickflow::udf::Registry::from_config(&config.udfs()?)?;
    let pipeline = match script.pipeline_with(&script::build_options(&udfs)) {
        Ok(pipeline) => pipeline,
        Err(diagnostic) => {
            eprint!("{diagnostic}");
            return Ok(Outcome::Problems);
        }
    };
    let started = Instant::now();
    let replayed = replay_corpus(&corpus, &pipeline, &config, args, &script.task_id());
    let elapsed = started.elapsed();
    let mut replays = Vec::with_capacity(replayed.len());
    let mut failed = false;
    for (file, result) in corpus.files.iter().zip(replayed) {
        match result {
            Ok(replay) => replays.push(replay),
            Err(err) => {
                eprintln!("{}: {}: {err:#}", script.path, file.name);
                failed = true;
                replays.push(Replayed::default());
            }
        }
    }
    if failed {
        return Ok(Outcome::Problems);
    }
    let scores: Vec<Vec<f64>> = replays.iter().map(|r| r.scores.clone()).collect();
    if let Some(dir) = &args.write_results {
        write_results(dir, &script.task_id(), &corpus, &scores)?;
    }
    let outcomes = tickflow_nab::score(&corpus, &scores)?;
    print!("{}", table(&corpus, &replays, &outcomes));
    println!(
        "scored {} files ({} rows) in {:.2}s",
        corpus.files.len(),
        corpus.files.iter().map(|f| f.times.len()).sum::<usize>(),
        elapsed.as_secs_f64()
    );
    println!("{}", summary_line(&outcomes));
    let errors: usize = replays.iter().map(|r| r.errors.len()).sum();
    Ok(if errors == 0 {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// Replays every file of `corpus` through `pipeline`, on as many threads as there are
/// cores, in file order of the result.
fn replay_corpus(
    corpus: &Corpus,
    pipeline: &Pipeline,
    config: &Config,
    args: &Args,
    task_id: &str,
) -> Vec<anyhow::Result<Replayed>> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<anyhow::Result<Replayed>>>> =
        Mutex::new((0..corpus.files.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(corpus.files.len()) {
            scope.spawn(|| {
                let environment = config.environment();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = corpus.files.get(i) else {
                        break;
                    };
                    let result = match &environment {
                        Ok(env) => replay_file(file, pipeline, env, task_id, &args.field),
                        Err(err) => Err(anyhow::anyhow!("{err:#}")),
                    };
                    if let Ok(mut done) = done.lock() {
                        done[i] = Some(result);
                    }
                }
            });
        }
    });
    let done = done.into_inner().unwrap_or_default();
    done.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("the series was not replayed"))))
        .collect()
}

/// The outputs a [`Capture`] node saw: (time, score) pairs.
type Captured = Arc<Mutex<Vec<(Time, f64)>>>;

/// A node under each of the script's last nodes, keeping the score field of what they
/// emit.
struct Capture {
    field: String,
    seen: Captured,
}

impl Capture {
    fn keep(&self, time: Time, fields: &Fields) {
        let score = fields.get(&self.field).and_then(FieldValue::as_f64);
        if let (Some(score), Ok(mut seen)) = (score, self.seen.lock()) {
            seen.push((time, score));
        }
    }
}

impl Node for Capture {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match &message {
            Message::Point(point) => self.keep(point.time, &point.fields),
            Message::Batch(batch) => batch
                .points
                .iter()
                .for_each(|p| self.keep(p.time, &p.fields)),
            Message::Barrier { .. } | Message::DeleteGroup(_) => {}
        }
        Ok(())
    }
}

/// Replays one series through a fresh task and scores each row.
fn replay_file(
    file: &DataFile,
    pipeline: &Pipeline,
    environment: &Environment,
    task_id: &str,
    field: &str,
) -> anyhow::Result<Replayed> {
    let mut task = Task::build_with(pipeline, task_id, environment)?;
    let seen = capture_leaves(&mut task, pipeline, field)?;
    let dbrp = task
        .dbrps
        .first()
        .cloned()
        .unwrap_or_else(|| Dbrp::new("nab", "autogen"));
    let diagnostics = Arc::new(Collect::default());
    let mut inline = Inline::new(task.dag, diagnostics.clone());
    let mut placer = Placer::new(file.times.len());
    let tags = Tags::from_pairs([("series", file.series())]);
    for (row, (&seconds, &value)) in file.times.iter().zip(&file.values).enumerate() {
        let mut point = Point::new(
            "nab",
            Time::from_nanos(seconds.saturating_mul(1_000_000_000)),
        );
        point.database = dbrp.database.clone();
        point.retention_policy = dbrp.retention_policy.clone();
        point.tags = tags.clone();
        point.fields = Fields::from_pairs([("value", value)]);
        let mut chunk = inline.spare_chunk();
        chunk.push(Message::Point(point));
        placer.fed(row, seconds);
        inline.push(chunk)?;
        placer.place(&seen);
    }
    inline.finish()?;
    placer.place(&seen);
    Ok(Replayed {
        scores: placer.scores,
        errors: diagnostics.errors(),
        unplaced: placer.unplaced,
    })
}

/// Links a [`Capture`] under every node of the pipeline without children (the task's
/// DAG holds the pipeline's nodes in order); returns what they will see.
fn capture_leaves(task: &mut Task, pipeline: &Pipeline, field: &str) -> anyhow::Result<Captured> {
    let seen = Captured::default();
    let is_parent = |id| pipeline.nodes.iter().any(|n| n.parents.contains(&id));
    let leaves: Vec<usize> = (pipeline.nodes.iter().enumerate())
        .filter(|(i, node)| *i > 0 && !is_parent(node.id))
        .map(|(i, _)| i)
        .collect();
    for leaf in leaves {
        let capture = Capture {
            field: field.to_string(),
            seen: seen.clone(),
        };
        let node = task.dag.add("nabScore", Box::new(capture), true);
        task.dag.link(leaf, node)?;
    }
    Ok(seen)
}

/// Puts each output's score on the row it belongs to.
struct Placer {
    scores: Vec<f64>,
    /// The latest row fed for each time (seconds).
    latest: std::collections::HashMap<i64, usize>,
    unplaced: usize,
}

impl Placer {
    fn new(rows: usize) -> Self {
        Placer {
            scores: vec![0.0; rows],
            latest: std::collections::HashMap::new(),
            unplaced: 0,
        }
    }

    fn fed(&mut self, row: usize, seconds: i64) {
        self.latest.insert(seconds, row);
    }

    /// Takes the captured outputs and scores their rows.
    fn place(&mut self, seen: &Captured) {
        let Ok(mut seen) = seen.lock() else {
            return;
        };
        for (time, score) in seen.drain(..) {
            let nanos = time.nanos();
            let row = (nanos % 1_000_000_000 == 0)
                .then(|| self.latest.get(&(nanos / 1_000_000_000)))
                .flatten();
            match row {
                Some(&row) => self.scores[row] = self.scores[row].max(clamp(score)),
                None => self.unplaced += 1,
            }
        }
    }
}

/// A score in [0, 1]; NaN counts 0.
fn clamp(score: f64) -> f64 {
    if score.is_nan() {
        0.0
    } else {
        score.clamp(0.0, 1.0)
    }
}

/// Writes every file's results under `dir/<detector>/`.
fn write_results(
    dir: &Path,
    detector: &str,
    corpus: &Corpus,
    scores: &[Vec<f64>],
) -> anyhow::Result<()> {
    let dir = dir.join(detector);
    for (file, scores) in corpus.files.iter().zip(scores) {
        results::write(&dir, detector, file, scores)?;
    }
    Ok(())
}

/// A profile's short name: `reward_low_FP_rate` → `reward_low_FP`.
fn short(profile: &str) -> &str {
    profile.strip_suffix("_rate").unwrap_or(profile)
}

/// The per-file table: rows, each profile's raw score at its threshold, errors and
/// outputs that scored no row; then each profile's threshold.
fn table(corpus: &Corpus, replays: &[Replayed], outcomes: &[NabOutcome]) -> String {
    let mut text = format!("{:<58} {:>6}", "file", "rows");
    for outcome in outcomes {
        text.push_str(&format!(" {:>14}", short(&outcome.profile.name)));
    }
    text.push_str("  notes\n");
    for (i, (file, replay)) in corpus.files.iter().zip(replays).enumerate() {
        text.push_str(&format!("{:<58} {:>6}", file.name, file.times.len()));
        for outcome in outcomes {
            text.push_str(&format!(" {:>14.3}", outcome.files[i]));
        }
        text.push_str(&notes(replay));
        text.push('\n');
    }
    let thresholds: Vec<String> = (outcomes.iter())
        .map(|o| format!("{} {:.6}", short(&o.profile.name), o.score.threshold))
        .collect();
    text.push_str(&format!("thresholds: {}\n", thresholds.join(", ")));
    text
}

/// A file's problems, for the table: `  3 errors (first: ...), 2 unplaced`.
fn notes(replay: &Replayed) -> String {
    let mut notes = Vec::new();
    if let Some(first) = replay.errors.first() {
        notes.push(format!("{} errors (first: {first})", replay.errors.len()));
    }
    if replay.unplaced > 0 {
        notes.push(format!("{} outputs at no row's time", replay.unplaced));
    }
    match notes.is_empty() {
        true => String::new(),
        false => format!("  {}", notes.join(", ")),
    }
}

/// `nab: standard 41.23, reward_low_FP 20.11, reward_low_FN 48.00`.
fn summary_line(outcomes: &[NabOutcome]) -> String {
    let scores: Vec<String> = (outcomes.iter())
        .map(|o| format!("{} {:.2}", short(&o.profile.name), o.score.normalised()))
        .collect();
    format!("nab: {}", scores.join(", "))
}
