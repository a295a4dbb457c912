//! Parsing throughput on the bundled printer data (`testdata/printer_24h.lp`, or the same
//! shape generated here when the file is missing): tickflow's parser producing points
//! (into a fresh `Parsed`, and into a reused one as a server would), the crates.io
//! `influxdb-line-protocol` parser on the same bytes, and a baseline that only splits the
//! body into lines and fields.
//!
//! `cargo bench -p tickflow-line-protocol -- --warm-up-time 1 --measurement-time 3`

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_line_protocol::{Parsed, Parser, Precision};
use tickflow_model::Time;

/// Lines of the generated fallback: one a second for 24 hours and two seconds.
const FALLBACK_LINES: i64 = 86_402;
/// 2016-01-01T00:00:00Z in nanoseconds (the file's precision, Kapacitor's default).
const START: i64 = 1_451_606_400_000_000_000;

/// The printer data, and where it came from.
fn printer_data() -> (Vec<u8>, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/printer_24h.lp");
    if let Ok(body) = std::fs::read(&path) {
        return (body, path.display().to_string());
    }
    let mut body = String::new();
    for i in 0..FALLBACK_LINES {
        // Deterministic values with the real data's shape (six decimals).
        let wobble = |k: i64| ((i * k) % 1_000_000) as f64 / 1e6;
        body.push_str(&format!(
            "temperatures hotend={:.6},bed={:.6},air={:.6} {}\n",
            220.0 + wobble(7919),
            90.0 + wobble(104_729),
            70.0 + wobble(1_299_709),
            START + i * 1_000_000_000
        ));
    }
    (
        body.into_bytes(),
        format!("generated ({FALLBACK_LINES} lines)"),
    )
}

fn parse(c: &mut Criterion) {
    let (body, source) = printer_data();
    let text = String::from_utf8(body.clone()).expect("the printer data is UTF-8");
    let lines = body.iter().filter(|&&b| b == b'\n').count();
    eprintln!(
        "printer data: {source}, {} bytes, {lines} lines",
        body.len()
    );

    let mut group = c.benchmark_group("printer_24h");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("tickflow", |b| {
        b.iter(|| {
            let mut parser = Parser::new(Precision::Nanosecond, Time::from_nanos(0));
            let parsed = parser.parse(black_box(&body));
            assert!(parsed.errors.is_empty());
            parsed.points.len()
        })
    });
    // A server keeps one `Parsed` and drains its points into the engine: no fresh output
    // vector to allocate and fault in for every body.
    let mut parsed = Parsed::default();
    group.bench_function("tickflow-reused-output", |b| {
        b.iter(|| {
            let mut parser = Parser::new(Precision::Nanosecond, Time::from_nanos(0));
            parsed.points.clear();
            parser.parse_into(black_box(&body), &mut parsed);
            parsed.points.len()
        })
    });
    group.bench_function("influxdb-line-protocol", |b| {
        b.iter(|| {
            influxdb_line_protocol::parse_lines(black_box(&text))
                .collect::<Result<Vec<_>, _>>()
                .map(|lines| lines.len())
        })
    });
    group.bench_function("split-only", |b| {
        b.iter(|| {
            let mut pieces = 0usize;
            for line in black_box(&body).split(|&b| b == b'\n') {
                for section in line.split(|&b| b == b' ') {
                    pieces += section.split(|&b| b == b',').count();
                }
            }
            pieces
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
