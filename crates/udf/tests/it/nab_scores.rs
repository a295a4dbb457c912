//! Each detector script of `tickscripts/nab/` scored on the Numenta Anomaly Benchmark, as
//! `tickflow score` scores it: its UDF node's options, one instance per series, the
//! series' values in file order as points (`nab,series=<name> value=…`), each row's
//! score the `anomaly_score` of its output (0 when there is none). The expected figures
//! are the ones in docs/BENCHMARKS.md and the README.
//!
//! The corpus is `$NAB_DIR`, or `../shared/nab` relative to the repository. Without it
//! the tests pass with a note, except under `CI=true`, where its absence is a failure.

use std::path::{Path, PathBuf};

use tickflow_model::{Dimensions, FieldValue, Fields, GroupId, Message, Point, Tags, Time};
use tickflow_nab::testing::corpus_dir;
use tickflow_nab::{Corpus, DataFile};
use tickflow_pipeline::nodes::udf::UdfOption;
use tickflow_pipeline::{BuildOptions, NodeKind};
use tickflow_udf::{Instance, Registry};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The UDF name and options of the script's UDF node.
fn detector(script: &str) -> (String, Vec<UdfOption>) {
    let path = repository().join("tickscripts/nab").join(script);
    let text = std::fs::read_to_string(&path).expect("read the script");
    let program = tickflow_tickscript::parse(&text).expect("the script parses");
    let options = BuildOptions {
        udfs: Registry::builtins().infos(),
        ..BuildOptions::default()
    };
    let pipeline = tickflow_pipeline::build(&program, &options).expect("the pipeline builds");
    (pipeline.nodes.iter())
        .find_map(|node| match &node.kind {
            NodeKind::Udf(udf) => Some((udf.name.clone(), udf.options.clone())),
            _ => None,
        })
        .expect("a UDF node")
}

/// The detector's score for each row of `file`.
fn scores(udf: &str, options: &[UdfOption], file: &DataFile) -> Vec<f64> {
    let instance = Registry::builtins()
        .instance(udf, "nab", "udf1", options)
        .expect("the UDF starts");
    let Instance::Native(mut udf) = instance else {
        panic!("a native UDF")
    };
    let tags = Tags::from_pairs([("series", file.series())]);
    let dimensions = Dimensions::by_tags(["series"]);
    let group = GroupId::new("nab", &tags, &dimensions);
    let mut out = Vec::new();
    (file.times.iter().zip(&file.values))
        .map(|(&seconds, &value)| {
            let mut point = Point::new("nab", Time::from_nanos(seconds * 1_000_000_000));
            point.tags = tags.clone();
            point.fields = Fields::from_pairs([("value", value)]);
            point.dimensions = dimensions.clone();
            point.group = group.clone();
            out.clear();
            udf.point(point, &mut out).expect("the UDF scores");
            let score = |m: &Message| match m {
                Message::Point(p) => p.fields.get("anomaly_score").and_then(FieldValue::as_f64),
                _ => None,
            };
            out.iter().filter_map(score).fold(0.0, f64::max)
        })
        .collect()
}

/// The script's three normalised NAB scores, as `tickflow score` prints them.
fn nab_line(corpus: &Corpus, script: &str) -> String {
    let (udf, options) = detector(script);
    let all: Vec<Vec<f64>> = (corpus.files.iter())
        .map(|file| scores(&udf, &options, file))
        .collect();
    let outcomes = tickflow_nab::score(corpus, &all).expect("scores");
    let parts: Vec<String> = (outcomes.iter())
        .map(|o| {
            let name = o
                .profile
                .name
                .strip_suffix("_rate")
                .unwrap_or(&o.profile.name);
            format!("{name} {:.2}", o.score.normalised())
        })
        .collect();
    format!("nab: {}", parts.join(", "))
}

#[test]
fn each_detector_scores_as_recorded() {
    let Some(dir) = corpus_dir(&repository()) else {
        return;
    };
    let corpus = Corpus::load(&dir).expect("the corpus loads");
    for (script, expected) in [
        (
            "knn_cad.tick",
            "nab: standard 44.59, reward_low_FP 31.06, reward_low_FN 53.67",
        ),
        (
            "relative_entropy.tick",
            "nab: standard 53.19, reward_low_FP 34.65, reward_low_FN 61.04",
        ),
        (
            "robust_z.tick",
            "nab: standard 37.29, reward_low_FP 13.35, reward_low_FN 48.14",
        ),
    ] {
        assert_eq!(nab_line(&corpus, script), expected, "{script}");
    }
}
