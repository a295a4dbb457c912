//! Memory per buffered window value on mimalloc, the `tickflow` binary's allocator: the
//! same measurement as `window_memory` (see there).
//!
//! `cargo bench -p tickflow-engine --bench window_memory_mimalloc`

// A bench binary: it reports on stdout.
#![allow(missing_docs)]

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/window_memory.rs"]
mod measure;

fn main() {
    measure::measure("mimalloc");
}
