//! The printer scenario through the front door: `tickscripts/print_temps.tick` over the
//! bundled day of temperatures (`testdata/printer_24h.lp`), one line per alert.
//!
//! `cargo run --release --example embed`

use std::path::Path;

use tickflow::{AlertData, Engine, TaskDefinition};

/// Where the repository's files are.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Lines per write, as a client would batch them.
const LINES_PER_WRITE: usize = 5_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(ROOT);
    let script = std::fs::read_to_string(root.join("tickscripts/print_temps.tick"))?;
    let data = std::fs::read_to_string(root.join("testdata/printer_24h.lp"))?;

    let (builder, alerts) = Engine::builder().alert_channel();
    let engine = builder.build()?;
    engine.define(TaskDefinition::new("print_temps", script))?;
    let lines: Vec<&str> = data.lines().collect();
    for chunk in lines.chunks(LINES_PER_WRITE) {
        engine.write_lines("printer", "autogen", chunk.join("\n").as_bytes())?;
    }
    let shutdown = engine.shutdown();
    for task in &shutdown.tasks {
        if let Err(err) = &task.result {
            return Err(format!("task {} failed: {err}", task.id).into());
        }
    }

    let mut received: Vec<AlertData> = alerts.try_iter().collect();
    received.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    for alert in &received {
        println!("{} {} {}", alert.level, alert.id, alert.time.to_rfc3339());
    }
    Ok(())
}
