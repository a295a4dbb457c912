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
//! `cargo bench -p tickflow-engine --bench window_memory`

// A bench binary: it reports on stdout.
#![allow(missing_docs)]

use std::path::Path;

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::nodes::window::Window;
use tickflow_engine::{Context, Node, NodeStats};
use tickflow_line_protocol::{Parsed, Parser, Precision};
use tickflow_model::{Duration, Message, Time};
use tickflow_pipeline::nodes::window::WindowNode;

/// The process's resident memory in bytes, if the system says.
fn resident() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/printer_24h.lp");
    let body = std::fs::read(&data).expect("the printer data is bundled");
    let hours = |h: i64| Duration::from_nanos(h * 3_600_000_000_000);
    let spec = WindowNode {
        period: Some(hours(48)),
        every: Some(hours(48)),
        ..WindowNode::default()
    };
    let mut window = Window::new(&spec);
    let (stats, diagnostics, mut out) = (NodeStats::default(), Collect::default(), Vec::new());
    let mut ctx = Context::new(&mut out, &stats, "window", &diagnostics, false);
    let mut parser = Parser::new(Precision::Nanosecond, Time::from_nanos(0));
    let mut parsed = Parsed::default();
    parsed.points.reserve(4096);

    let Some(before) = resident() else {
        println!("window_memory: no /proc/self/statm here; nothing measured");
        return;
    };
    let mut values = 0;
    for lines in body
        .split_inclusive(|&b| b == b'\n')
        .collect::<Vec<_>>()
        .chunks(4096)
    {
        parsed.points.clear();
        parser.parse_into(&lines.concat(), &mut parsed);
        for point in parsed.points.drain(..) {
            values += point.fields.len();
            window
                .message(0, Message::Point(point), &mut ctx)
                .expect("a window takes points");
        }
    }
    let held = resident().unwrap_or(before).saturating_sub(before);
    assert!(out.is_empty(), "the window must not emit within the data");
    println!(
        "window_memory: {values} values buffered, {held} bytes resident, {:.1} bytes per value",
        held as f64 / values as f64
    );
}
