//! Every TICKscript of the Kapacitor conformance corpus (`../shared/conformance/cases`)
//! parses and formats stably. No case of the corpus expects Kapacitor's parser to reject
//! its script: the only `error` case fails when the task starts, not when it is parsed.

use std::fs;
use std::path::Path;

use tickflow_tickscript::{check_format, parse};

#[test]
fn conformance_scripts_parse_and_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let Ok(entries) = fs::read_dir(&dir) else {
        println!(
            "tickscript conformance: skipped, {} not found",
            dir.display()
        );
        return;
    };
    let mut paths: Vec<_> = entries
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    paths.retain(|path| path.extension().is_some_and(|ext| ext == "json"));
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", dir.display());
    for path in &paths {
        let name = path.display().to_string();
        let text = fs::read_to_string(path).unwrap_or_else(|err| panic!("{name}: {err}"));
        let case: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
        let script = case["tickscript"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no tickscript"));
        let program = parse(script)
            .unwrap_or_else(|err| panic!("{name}: {err}\n{}", err.render(script, &name)));
        check_format(&program).unwrap_or_else(|err| panic!("{name}: {err}"));
    }
    let n = paths.len();
    println!("tickscript conformance: {n}/{n} scripts parse and round-trip");
}
