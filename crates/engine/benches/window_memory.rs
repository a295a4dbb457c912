//! Memory per buffered window value: how many bytes a `|window()` holds for each field
//! value it buffers, on the bundled printer data (three float fields a point).
//!
//! Every point goes into a window whose period (48 h) outlasts the data, so nothing is
//! emitted and everything stays buffered. The file is parsed a chunk at a time into one
//! reused vector, so the parser's own memory stays small; the growth of the process's
//! resident memory (Linux's `/proc/self/statm`, 4 KiB pages) over the run is what the
//! window holds: its buffer, the points' fields, its group table and the system
//! allocator's rounding. Issue 4's target: 64 bytes a value or less.
//!
//! This bench runs on the system allocator; `window_memory_mimalloc` runs the same on the
//! binary's allocator.
//!
//! `cargo bench -p tickflow-engine --bench window_memory --bench window_memory_mimalloc`

// A bench binary: it reports on stdout.
#![allow(missing_docs)]

#[path = "support/window_memory.rs"]
mod measure;

fn main() {
    measure::measure("system allocator");
}
