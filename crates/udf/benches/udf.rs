//! Native tTest against an external agent: the same 5-minute windows of printer-like
//! data through the in-process built-in, and through the Rust test agent
//! (`batch-stream` mode, which only counts points) over the protocol, so the difference
//! is the protocol's cost (framing, pipes, a process).

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_model::{Batch, BatchPoint, Fields, GroupInfo, Message, Tags, Time};
use tickflow_pipeline::nodes::udf::{OptionValue, UdfOption};
use tickflow_udf::config::Config;
use tickflow_udf::{Instance, Registry};

const WINDOWS: usize = 48;
const POINTS_PER_WINDOW: usize = 300;

/// Four hours of one-second hotend readings in 5-minute windows.
fn windows() -> Vec<Message> {
    (0..WINDOWS)
        .map(|w| {
            let tmax = Time::from_nanos(((w + 1) * POINTS_PER_WINDOW) as i64 * 1_000_000_000);
            let mut batch = Batch::new("temperatures".into(), GroupInfo::default(), tmax);
            batch.points = (0..POINTS_PER_WINDOW)
                .map(|i| BatchPoint {
                    fields: Fields::from_pairs([(
                        "hotend",
                        220.0 + ((w * POINTS_PER_WINDOW + i) * 37 % 11) as f64 / 10.0,
                    )]),
                    tags: Tags::new(),
                    time: Time::from_nanos((w * POINTS_PER_WINDOW + i) as i64 * 1_000_000_000),
                })
                .collect();
            Message::Batch(batch)
        })
        .collect()
}

fn ttest_options() -> Vec<UdfOption> {
    vec![
        UdfOption {
            name: "field".into(),
            values: vec![OptionValue::String("hotend".into())],
        },
        UdfOption {
            name: "size".into(),
            values: vec![OptionValue::Int(3600)],
        },
        UdfOption {
            name: "alpha".into(),
            values: vec![OptionValue::Double(0.001)],
        },
    ]
}

fn bench(c: &mut Criterion) {
    let input = windows();
    let mut group = c.benchmark_group("udf");
    group.throughput(Throughput::Elements((WINDOWS * POINTS_PER_WINDOW) as u64));
    group.sample_size(20);

    let builtins = Registry::builtins();
    group.bench_function("native_ttest", |b| {
        b.iter(|| {
            let Ok(Instance::Native(mut udf)) =
                builtins.instance("tTest", "bench", "tTest1", &ttest_options())
            else {
                panic!("tTest starts")
            };
            let mut out = Vec::new();
            for message in &input {
                if let Message::Batch(batch) = message {
                    udf.batch(batch.clone(), &mut out).expect("batch");
                }
            }
            out.len()
        })
    });

    let config = Config::parse(&format!(
        "[udf.functions.agent]\nprog = {:?}\nargs = [\"batch-stream\"]\ntimeout = \"10s\"\n",
        env!("CARGO_BIN_EXE_udf-test-agent")
    ))
    .expect("config");
    let agents = Registry::from_config(&config).expect("probe");
    group.bench_function("external_agent_process", |b| {
        b.iter(|| {
            let Ok(Instance::External(mut udf)) = agents.instance("agent", "bench", "agent1", &[])
            else {
                panic!("the agent starts")
            };
            let mut out = Vec::new();
            for message in &input {
                udf.send(message, &mut out).expect("send");
            }
            udf.finish(&mut out).expect("finish");
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
