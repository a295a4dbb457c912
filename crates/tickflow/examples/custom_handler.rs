//! Alerts handled by the program itself: a closure receives every alert document of
//! every task, here counting them by level and printing the critical ones.
//!
//! `cargo run --example custom_handler`

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tickflow::{Engine, Level, TaskDefinition};

const SCRIPT: &str = r#"dbrp "factory"."autogen"
stream
    |from().measurement('machine')
    |alert()
        .id('{{ index .Tags "line" }}')
        .message('{{ .ID }} is {{ .Level }}: {{ index .Fields "temp" }} C')
        .warn(lambda: "temp" > 70.0)
        .crit(lambda: "temp" > 90.0)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let counts: Arc<Mutex<BTreeMap<Level, usize>>> = Arc::default();
    let counted = Arc::clone(&counts);
    let engine = Engine::builder()
        .on_alert("console", move |alert| {
            *counted
                .lock()
                .map_err(|e| e.to_string())?
                .entry(alert.level)
                .or_default() += 1;
            if alert.level == Level::Critical {
                println!("{} at {}", alert.message, alert.time.to_rfc3339());
            }
            Ok(())
        })
        .build()?;
    engine.define(TaskDefinition::new("machines", SCRIPT))?;
    let readings = [(1, 65.0), (2, 75.5), (3, 93.25), (4, 88.0), (5, 60.0)];
    let lines: String = readings
        .iter()
        .map(|(second, temp)| format!("machine,line=a temp={temp} {second}000000000\n"))
        .collect();
    engine.write_lines("factory", "autogen", lines.as_bytes())?;
    engine.shutdown();
    for (level, count) in counts.lock().map_err(|e| e.to_string())?.iter() {
        println!("{level}: {count}");
    }
    Ok(())
}
