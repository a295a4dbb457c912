//! Shared helpers: paths of the repository's test data, golden cases, a UDF catalogue.

use std::collections::BTreeMap;

use tickflow_pipeline::{BuildOptions, EdgeType, OptionType, UdfInfo};

pub(crate) use tickflow_testkit::{root, Case};

/// The `.tick` files of `testdata/pipeline/<folder>`, sorted by name.
pub(crate) fn cases(folder: &str) -> Vec<Case> {
    tickflow_testkit::cases("pipeline", folder)
}

/// The t-test UDF of the printer guide: wants batches, provides points, options
/// `field(string)`, `size(int)`, `alpha(double)`.
pub(crate) fn t_test() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Batch,
        provides: EdgeType::Stream,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("size".to_string(), vec![OptionType::Int]),
            ("alpha".to_string(), vec![OptionType::Double]),
        ]),
        variadic: Default::default(),
    }
}

/// Options with the golden tests' UDF catalogue: `tTest`, and `movingAvg` (stream to
/// stream, `field(string)`, `size(int)`, `as(string)`, `window(duration)`,
/// `range(double, double)`, `verbose(bool)`).
pub(crate) fn golden_options() -> BuildOptions {
    let moving_avg = UdfInfo {
        wants: EdgeType::Stream,
        provides: EdgeType::Stream,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("size".to_string(), vec![OptionType::Int]),
            ("as".to_string(), vec![OptionType::String]),
            ("window".to_string(), vec![OptionType::Duration]),
            (
                "range".to_string(),
                vec![OptionType::Double, OptionType::Double],
            ),
            ("verbose".to_string(), vec![OptionType::Bool]),
        ]),
        variadic: Default::default(),
    };
    let udfs = BTreeMap::from([
        ("tTest".to_string(), t_test()),
        ("movingAvg".to_string(), moving_avg),
    ]);
    BuildOptions {
        udfs,
        ..BuildOptions::default()
    }
}
