//! Integration tests of `tickflow-tickscript`, in one binary: golden files, Kapacitor's
//! conformance scripts, formatter properties and a deterministic fuzz smoke test.

mod conformance;
mod formatter;
mod fuzz_smoke;
mod golden;
mod support;
