//! What durability costs: ingest of the printer day (`POST /write`'s path,
//! `Engine::write_lines`, batches of 5,000 lines, the `print_temps` task) with no data
//! dir and with the write-ahead log under each fsync policy; one snapshot round of that
//! task after the day (time; its size is printed); and a restart over a data dir whose
//! WAL holds the whole day (the task restored and the day replayed) or whose snapshot
//! covers it. Figures in docs/BENCHMARKS.md.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use tickflow::config::Config;
use tickflow::tasks::object::DotView;
use tickflow::tasks::ScriptFormat;
use tickflow::{Engine, TaskDefinition};

/// The printer day in batches of 5,000 lines.
fn batches() -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/printer_24h.lp");
    let data = std::fs::read_to_string(path).expect("printer data");
    let lines: Vec<&str> = data.lines().collect();
    lines
        .chunks(5000)
        .map(|c| c.join("\n").into_bytes())
        .collect()
}

/// The printer script logging into `dir`.
fn script(dir: &Path) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tickscripts/print_temps.tick");
    let script = std::fs::read_to_string(path).expect("script");
    script.replace("/tmp/tickflow/", &format!("{}/", dir.display()))
}

/// A fresh scratch dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tickflow-bench-durable-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// An engine running the printer task: without a data dir when `fsync` is `None`.
fn engine(dir: &Path, fsync: Option<&str>) -> Engine {
    let mut config = Config::default();
    let mut builder = Engine::builder();
    if let Some(fsync) = fsync {
        config.storage.wal_fsync = fsync.to_string();
        config.storage.snapshot_interval = "1h".into();
        builder = builder.data_dir(dir.join("data"));
    }
    let engine = builder.config(config).build().expect("engine");
    if engine
        .tasks()
        .get("print_temps", ScriptFormat::Raw, DotView::Attributes)
        .is_err()
    {
        engine
            .define(TaskDefinition::new("print_temps", script(dir)))
            .expect("task");
    }
    engine
}

fn write_day(engine: &Engine, batches: &[Vec<u8>]) {
    for batch in batches {
        engine
            .write_lines("printer", "autogen", batch)
            .expect("written");
    }
}

fn ingest(c: &mut Criterion) {
    let batches = batches();
    let points = batches
        .iter()
        .map(|b| b.split(|c| *c == b'\n').count())
        .sum::<usize>();
    let mut group = c.benchmark_group("durable_ingest");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(points as u64));
    for policy in [None, Some("never"), Some("interval"), Some("always")] {
        let name = policy.unwrap_or("no wal");
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = scratch("ingest");
                    (engine(&dir, policy), dir)
                },
                |(engine, dir)| {
                    write_day(&engine, &batches);
                    engine.shutdown();
                    drop(engine);
                    let _ = std::fs::remove_dir_all(dir);
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn snapshot(c: &mut Criterion) {
    let batches = batches();
    let dir = scratch("snapshot");
    let engine = engine(&dir, Some("never"));
    write_day(&engine, &batches);
    let durable = engine.durable().expect("durable").clone();
    let round = durable
        .snapshot_round(engine.master(), engine.topics())
        .expect("round");
    eprintln!(
        "snapshot of print_temps after the day: {} bytes",
        round.bytes
    );
    c.bench_function("durable_snapshot_round", |b| {
        b.iter(|| {
            durable
                .snapshot_round(engine.master(), engine.topics())
                .expect("round")
        });
    });
    engine.shutdown();
}

fn restart(c: &mut Criterion) {
    let batches = batches();
    let mut group = c.benchmark_group("durable_restart");
    group.sample_size(10);
    for (name, snapshotted) in [("replay the day", false), ("from a snapshot", true)] {
        let dir = scratch("restart");
        let first = engine(&dir, Some("never"));
        write_day(&first, &batches);
        if snapshotted {
            let durable = first.durable().expect("durable").clone();
            durable
                .snapshot_round(first.master(), first.topics())
                .expect("round");
        }
        // Dropped without a shutdown, as by kill -9: the WAL holds the day.
        first.master().shutdown();
        drop(first);
        group.bench_function(name, |b| {
            b.iter(|| {
                let engine = engine(&dir, Some("never"));
                engine.master().shutdown();
                engine.recovery().map(|r| r.replayed_points)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, ingest, snapshot, restart);
criterion_main!(benches);
