//! The measurement behind the `window_memory` benches: the printer data into a window
//! that buffers all of it, and the growth of resident memory per buffered value.

use std::path::Path;

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::Window;
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

/// How many lines are parsed at a time.
const CHUNK_LINES: usize = 4096;

/// `body` in slices of [`CHUNK_LINES`] whole lines.
fn chunks(body: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = memchr::memchr_iter(b'\n', rest)
            .nth(CHUNK_LINES - 1)
            .map_or(rest.len(), |i| i + 1);
        let (chunk, tail) = rest.split_at(end);
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// Runs the measurement and prints it, naming the allocator.
pub(crate) fn measure(allocator: &str) {
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
    parsed.points.reserve(CHUNK_LINES);
    let chunks = chunks(&body);
    // Warm the parser (its interned names and keys) so that only the window grows.
    parser.parse_into(chunks[0], &mut parsed);
    parsed.points.clear();

    let Some(before) = resident() else {
        println!("window_memory ({allocator}): no /proc/self/statm here; nothing measured");
        return;
    };
    let mut values = 0;
    for chunk in chunks {
        parser.parse_into(chunk, &mut parsed);
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
        "window_memory ({allocator}): {values} values buffered, {held} bytes resident, {:.1} bytes per value",
        held as f64 / values as f64
    );
}
