//! Integration tests of tickflow-line-protocol, one binary: the golden files of
//! `testdata/line-protocol`, the write-then-parse round trip, the fuzz target's property
//! over deterministic mutations, and the public API's smaller promises.

mod api;
mod check;
mod fuzz_smoke;
mod golden;
mod roundtrip;
mod series;
