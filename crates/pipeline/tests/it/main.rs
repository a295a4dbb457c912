//! Integration tests of `tickflow-pipeline`, in one binary: golden DAG listings and errors,
//! Kapacitor's conformance scripts, the printer scenario, and the build options.

mod conformance;
mod golden;
mod options;
mod print_temps;
mod semantics;
mod support;
mod tidy;
