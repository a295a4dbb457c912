//! Batch replay throughput: a generated batch recording (`.brpl`, testdata variant) of
//! 1,000 batches of 100 points (ten hosts, a batch per host and minute) replayed through
//! a batch task that computes each batch's mean and alerts on it, with
//! [`replay::replay_batches`]; reading and decoding the file is measured apart. When
//! `influxd` is installed, the same task also runs its schedule over the same points
//! in a real InfluxDB 1.x ([`replay::replay_past`]: one query per minute, each answered
//! with ten series of sixty points).
//!
//! `cargo bench -p tickflow-engine --bench batch_replay -- --warm-up-time 1 --measurement-time 5`

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::replay::{self, brpl};
use tickflow_engine::InfluxDbConfig;
use tickflow_engine::Task;
use tickflow_model::{Duration, Time};
use tickflow_pipeline::{BuildOptions, Pipeline, TaskType};
use tickflow_testkit::influxd::Influxd;

/// The `tickflow` binary's allocator, so the figure is what `tickflow replay` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCHES: usize = 1_000;
const POINTS: usize = 100;

/// The recording: one JSON batch per line, points one second apart.
fn recording() -> String {
    let mut text = String::new();
    for b in 0..BATCHES {
        let (minute, host) = (b / 10, b % 10);
        let _ = write!(
            text,
            "{{\"name\":\"cpu\",\"tags\":{{\"host\":\"h{host}\"}},\"points\":["
        );
        for p in 0..POINTS {
            let seconds = minute * 60 + p % 60;
            let sep = if p == 0 { "" } else { "," };
            let _ = write!(
                text,
                "{sep}{{\"fields\":{{\"usage\":{}}},\"time\":\"2024-01-01T{:02}:{:02}:{:02}Z\"}}",
                (b * 7 + p * 13) % 100,
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            );
        }
        text.push_str("]}\n");
    }
    text
}

fn pipeline(log: &std::path::Path) -> Pipeline {
    let script = format!(
        "dbrp \"telegraf\".\"autogen\"\nbatch\n    \
         |query('SELECT usage FROM \"telegraf\".\"autogen\".cpu')\n        .period(1m)\n        \
         .every(1m)\n        .groupBy('host')\n    |mean('usage')\n    \
         |alert()\n        .crit(lambda: \"mean\" > 60)\n        .log('{}')\n",
        log.display()
    );
    let program = tickflow_tickscript::parse(&script).expect("parses");
    let options = BuildOptions {
        task_type: TaskType::Batch,
        ..BuildOptions::default()
    };
    tickflow_pipeline::build(&program, &options).expect("builds")
}

fn batch_replay(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tickflow-bench-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("cpu.0.brpl");
    std::fs::write(&path, recording()).expect("write the recording");
    let pipeline = pipeline(&dir.join("alerts.log"));

    let mut group = c.benchmark_group("batch_replay");
    group.throughput(Throughput::Elements((BATCHES * POINTS) as u64));
    group.bench_function("read-brpl", |b| {
        b.iter(|| brpl::read(black_box(&path), true).expect("reads"))
    });
    group.bench_function("replay-mean-alert", |b| {
        b.iter(|| {
            let sources = brpl::read(&path, true).expect("reads");
            let task = Task::build(&pipeline, "cpu").expect("builds");
            replay::replay_batches(task, sources, Arc::new(Collect::default()), &mut |_| {})
                .expect("replays")
        })
    });
    if let Some(influxd) = Influxd::start("bench") {
        influxd.seed("telegraf", &line_protocol());
        let clusters = [InfluxDbConfig {
            urls: vec![influxd.url.clone()],
            ..InfluxDbConfig::default()
        }];
        // 2024-01-01T00:00:00Z to the end of the last minute.
        let start = Time::from_nanos(1_704_067_200 * 1_000_000_000);
        let stop = start + Duration::from_nanos((BATCHES / 10 * 60) as i64 * 1_000_000_000);
        group.throughput(Throughput::Elements((BATCHES * 60) as u64));
        group.bench_function("past-influxdb-mean-alert", |b| {
            b.iter(|| {
                let task = Task::build(&pipeline, "cpu").expect("builds");
                let diagnostics = Arc::new(Collect::default());
                let summary =
                    replay::replay_past(task, &clusters, (start, stop), diagnostics, &mut |_| {})
                        .expect("replays");
                assert_eq!(summary.points_read, BATCHES * 60);
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The points of the recording that fall in distinct seconds (sixty per host and
/// minute), as line protocol in seconds.
fn line_protocol() -> String {
    let mut text = String::new();
    for b in 0..BATCHES {
        let (minute, host) = (b / 10, b % 10);
        for p in 0..60 {
            let seconds = 1_704_067_200 + minute * 60 + p;
            let _ = writeln!(
                text,
                "cpu,host=h{host} usage={} {seconds}",
                (b * 7 + p * 13) % 100
            );
        }
    }
    text
}

criterion_group!(benches, batch_replay);
criterion_main!(benches);
