//! Native UDFs: user-defined functions written in Rust that run inside the node's thread,
//! with the same lifecycle as Kapacitor's UDF agents (info, init, snapshot and restore,
//! points or batches in, points or batches out) and no protocol in between.
//!
//! Built-ins: [`ttest`] (the guide's t-test), [`moving_avg`] and [`outliers`] (from
//! Kapacitor's example agents), each accepting several fields at once; and the anomaly
//! detectors of [`detector`], scored on the Numenta Anomaly Benchmark: [`knn_cad`],
//! [`relative_entropy`] and [`robust_z`] (each as `name` on a stream edge and `nameBatch` on a batch
//! edge). Every one keeps its state per group and forgets a deleted group.
//!
//! A [`Builtin`] names a native UDF, declares its [`UdfInfo`] (the same edges and option
//! types an external agent's Info response declares, so scripts are validated the same
//! way) and makes an instance from the options of a `@name()` node.

pub mod detector;
mod groups;
pub mod knn_cad;
pub mod moving_avg;
mod moving_stats;
pub mod outliers;
pub mod relative_entropy;
pub mod robust_z;
mod summary;
pub mod ttest;

pub use groups::Groups;
pub use moving_stats::MovingStats;

use tickflow_model::{Batch, GroupId, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionValue, UdfInfo, UdfOption};

/// A UDF refused its options (the Init response's error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InitError(String);

impl InitError {
    /// An init error with the UDF's message.
    pub fn new(message: impl Into<String>) -> Self {
        InitError(message.into())
    }
}

/// A UDF failed on a message or a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UdfError(String);

impl UdfError {
    /// An error with the UDF's message.
    pub fn new(message: impl Into<String>) -> Self {
        UdfError(message.into())
    }
}

/// A UDF running in-process.
pub trait NativeUdf: Send {
    /// Handles one point of a stream edge; results go to `out`.
    fn point(&mut self, _point: Point, _out: &mut Vec<Message>) -> Result<(), UdfError> {
        Err(UdfError::new("this UDF wants batches, not points"))
    }

    /// Handles one batch of a batch edge; results go to `out`.
    fn batch(&mut self, _batch: Batch, _out: &mut Vec<Message>) -> Result<(), UdfError> {
        Err(UdfError::new("this UDF wants points, not batches"))
    }

    /// Forgets `group`'s state: the group was deleted (a barrier's `DeleteGroup`). A UDF
    /// keeps its state per group, as every node does.
    fn delete_group(&mut self, group: &GroupId);

    /// An estimate of the bytes the UDF's state holds (0 by default: for UDFs whose
    /// state per group is a few numbers).
    fn memory(&self) -> usize {
        0
    }

    /// The UDF's state.
    fn snapshot(&self) -> Result<serde_json::Value, UdfError>;

    /// Restores state from [`NativeUdf::snapshot`].
    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError>;
}

/// Makes a native UDF instance from a node's options.
pub type InitFn = fn(&[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError>;

/// A native UDF available under a name.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// The name scripts call it by (`@tTest()`).
    pub name: &'static str,
    /// Its edges and options.
    pub info: fn() -> UdfInfo,
    /// Makes an instance from a node's options.
    pub init: InitFn,
}

/// Every built-in native UDF.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "tTest",
        info: ttest::info,
        init: ttest::init,
    },
    Builtin {
        name: "movingAvg",
        info: moving_avg::info,
        init: moving_avg::init,
    },
    Builtin {
        name: "outliers",
        info: outliers::info,
        init: outliers::init,
    },
    Builtin {
        name: "knnCad",
        info: detector::info::<knn_cad::KnnCad, false>,
        init: detector::init::<knn_cad::KnnCad>,
    },
    Builtin {
        name: "knnCadBatch",
        info: detector::info::<knn_cad::KnnCad, true>,
        init: detector::init::<knn_cad::KnnCad>,
    },
    Builtin {
        name: "relativeEntropy",
        info: detector::info::<relative_entropy::RelativeEntropy, false>,
        init: detector::init::<relative_entropy::RelativeEntropy>,
    },
    Builtin {
        name: "relativeEntropyBatch",
        info: detector::info::<relative_entropy::RelativeEntropy, true>,
        init: detector::init::<relative_entropy::RelativeEntropy>,
    },
    Builtin {
        name: "robustZ",
        info: detector::info::<robust_z::RobustZ, false>,
        init: detector::init::<robust_z::RobustZ>,
    },
    Builtin {
        name: "robustZBatch",
        info: detector::info::<robust_z::RobustZ, true>,
        init: detector::init::<robust_z::RobustZ>,
    },
];

/// The strings of a (variadic) string option.
pub(crate) fn strings(values: &[OptionValue]) -> Result<Vec<String>, InitError> {
    values
        .iter()
        .map(|value| match value {
            OptionValue::String(s) => Ok(s.clone()),
            other => Err(InitError::new(format!(
                "expected a string, got {}",
                other.option_type()
            ))),
        })
        .collect()
}

/// The built-in called `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}
