//! Parser throughput: `tickscripts/print_temps.tick` repeated to about 100 KB, parsed
//! whole, reported in bytes per second. `cargo bench -p tickflow-tickscript`.

use criterion::{Criterion, Throughput};

const PRINT_TEMPS: &str = include_str!("../../../tickscripts/print_temps.tick");

/// The script repeated until it is at least 100 KB long.
fn large_script() -> String {
    let copies = 100 * 1024 / PRINT_TEMPS.len() + 1;
    let mut script = String::with_capacity(copies * (PRINT_TEMPS.len() + 1));
    for _ in 0..copies {
        script.push_str(PRINT_TEMPS);
        script.push('\n');
    }
    script
}

fn parse(c: &mut Criterion) {
    let script = large_script();
    let mut group = c.benchmark_group("tickscript");
    group.throughput(Throughput::Bytes(script.len() as u64));
    group.bench_function("parse print_temps x100KB", |b| {
        b.iter(|| tickflow_tickscript::parse(std::hint::black_box(&script)))
    });
    let program = tickflow_tickscript::parse(&script).expect("the bench script parses");
    group.bench_function("format print_temps x100KB", |b| {
        b.iter(|| tickflow_tickscript::format(std::hint::black_box(&program)))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    parse(&mut criterion);
    criterion.final_summary();
}
