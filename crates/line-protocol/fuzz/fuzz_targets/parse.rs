//! Fuzz target `parse`: any bytes parse into points and errors without panicking, and
//! every parsed point that can be written parses back from its line as the same point.
//!
//! `cargo +nightly fuzz run parse` (from `crates/line-protocol`). The property is the one
//! of the fuzz smoke test (`tests/it/fuzz_smoke.rs`), which CI runs without cargo-fuzz.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/it/check.rs"]
mod check;

fuzz_target!(|body: &[u8]| {
    check::check_body(body);
});
