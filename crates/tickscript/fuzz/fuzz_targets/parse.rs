//! Fuzz target `parse`: any input, read as lossy UTF-8, either fails to parse or formats to
//! a script that parses to the same tree and formats to itself. Nothing may panic.
//!
//! `cargo +nightly fuzz run parse` from `crates/tickscript/fuzz` (seed it with
//! `../../../testdata/tickscript/*/`). The same check runs on deterministic mutations in
//! `tests/it/fuzz_smoke.rs`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    if let Ok(program) = tickflow_tickscript::parse(&src) {
        if let Err(err) = tickflow_tickscript::check_format(&program) {
            panic!("{err}\n--- input ---\n{src}");
        }
    }
});
