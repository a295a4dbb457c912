//! Throughput of script evaluation: parsing and building a script of a few hundred
//! pipelines (from, window, an InfluxQL function, eval, alert with handlers), reported in
//! bytes of script per second.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_pipeline::{build, BuildOptions};
use tickflow_tickscript::parse;

/// A script of `n` pipelines sharing variables, like a task file grown over time.
fn script(n: usize) -> String {
    let mut src =
        String::from("dbrp \"telegraf\".\"autogen\"\n\nvar crit = 90.0\nvar period = 10s\n\n");
    for i in 0..n {
        let _ = write!(
            src,
            "var data{i} = stream
    |from()
        .measurement('cpu{i}')
        .where(lambda: \"host\" == 'server{i}' AND \"usage_idle\" < 100.0 - crit)
        .groupBy('host', 'dc')
    |window()
        .period(period)
        .every(period)
        .align()
    |mean('usage_user')
        .as('value')

data{i}
    |eval(lambda: \"value\" * 2.0, lambda: string(\"host\"))
        .as('double', 'name')
        .keep()
    |alert()
        .id('cpu{i}/{{{{ index .Tags \"host\" }}}}')
        .warn(lambda: \"double\" > crit)
        .crit(lambda: \"double\" > crit * 1.1)
        .stateChangesOnly()
        .log('/var/log/cpu{i}.log')
            .mode(0644)
        .post('http://example.com/alert/{i}')
    |httpOut('cpu{i}')

"
        );
    }
    src
}

fn build_script(c: &mut Criterion) {
    let src = script(300);
    let program = parse(&src).expect("the generated script parses");
    let options = BuildOptions::default();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.bench_function("parse_and_build_300_chains", |b| {
        b.iter(|| build(&parse(&src).expect("parses"), &options).expect("builds"));
    });
    group.bench_function("build_300_chains", |b| {
        b.iter(|| build(&program, &options).expect("builds"))
    });
    group.finish();
}

criterion_group!(benches, build_script);
criterion_main!(benches);
