//! Replay throughput on the bundled printer data, in one run: the whole
//! `tickscripts/print_temps.tick` (window, three native tTest UDFs, three alerts logging
//! to a scratch directory) replayed from `testdata/printer_24h.lp` with
//! [`replay::replay`] (parsing on a second thread), next to the rate at which the same
//! file is merely split into lines and fields. Issue 4's target: the replay at half the
//! split-only rate or better.
//!
//! `cargo bench -p tickflow-engine --bench replay -- --warm-up-time 1 --measurement-time 5`

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_engine::diagnostics::Collect;
use tickflow_engine::replay::{self, ReadOptions};
use tickflow_engine::Task;
use tickflow_model::Dbrp;
use tickflow_pipeline::{BuildOptions, Pipeline};

/// The `tickflow` binary's allocator, so the figure is what `tickflow replay` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The printer script with its alert logs moved into `logs`.
fn printer_pipeline(logs: &Path) -> Pipeline {
    let script = std::fs::read_to_string(root().join("tickscripts/print_temps.tick"))
        .expect("the printer script is bundled");
    let script = script.replace("/tmp/tickflow/", &format!("{}/", logs.display()));
    let program = tickflow_tickscript::parse(&script).expect("the printer script parses");
    let udfs = tickflow_udf::native::BUILTINS
        .iter()
        .map(|b| (b.name.to_string(), (b.info)()))
        .collect();
    let options = BuildOptions {
        udfs,
        ..BuildOptions::default()
    };
    tickflow_pipeline::build(&program, &options).expect("the printer script builds")
}

/// Counts the line, section and field pieces of `body`: the least any parser must do.
fn split_only(body: &[u8]) -> usize {
    let mut pieces = 0usize;
    for line in body.split(|&b| b == b'\n') {
        for section in line.split(|&b| b == b' ') {
            pieces += section.split(|&b| b == b',').count();
        }
    }
    pieces
}

fn replay_printer(c: &mut Criterion) {
    let data = root().join("testdata/printer_24h.lp");
    let body = std::fs::read(&data).expect("the printer data is bundled");
    let lines = body.iter().filter(|&&b| b == b'\n').count();
    let logs = std::env::temp_dir().join(format!("tickflow-bench-{}", std::process::id()));
    let pipeline = printer_pipeline(&logs);
    let options = ReadOptions {
        precision: None,
        dbrp: Dbrp::new("printer", "autogen"),
        ..ReadOptions::default()
    };

    let mut group = c.benchmark_group("printer_24h");
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function("split-only", |b| b.iter(|| split_only(black_box(&body))));
    group.bench_function("replay-print_temps", |b| {
        b.iter(|| {
            let task = Task::build(&pipeline, "print_temps").expect("the task builds");
            let replayed = replay::replay(
                task,
                &data,
                &options,
                Arc::new(Collect::default()),
                &mut |_| {},
            )
            .expect("the replay runs");
            assert_eq!(replayed.summary.points_fed, lines);
            replayed.summary.points_fed
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&logs);
}

criterion_group!(benches, replay_printer);
criterion_main!(benches);
