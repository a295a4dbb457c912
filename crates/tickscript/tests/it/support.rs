//! The golden cases of `testdata/tickscript`, through the shared test kit.

pub(crate) use tickflow_testkit::{root, Case};

/// The `.tick` files of `testdata/tickscript/<folder>`, sorted by name.
pub(crate) fn cases(folder: &str) -> Vec<Case> {
    tickflow_testkit::cases("tickscript", folder)
}
