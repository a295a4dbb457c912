//! Every TICKscript of the Kapacitor conformance corpus (`../shared/conformance/cases`)
//! builds into a pipeline, except `error` cases that expect the definition to fail.
//! (The corpus's only `error` case fails at start, on a loopback loop: the engine's
//! check, so its script must build.)

use tickflow_pipeline::{build, BuildOptions};
use tickflow_testkit::conformance_cases;
use tickflow_tickscript::parse;

#[test]
fn conformance_scripts_build() {
    let Some(cases) = conformance_cases() else {
        println!("pipeline conformance: skipped, ../shared/conformance not found");
        return;
    };
    let mut unexpected = Vec::new();
    let mut validated = 0;
    for case in &cases {
        let (name, script) = (&case.name, case.tickscript());
        let must_fail =
            case.json["kind"] == "error" && case.json["expected"]["define_error"] == true;
        let program = parse(script)
            .unwrap_or_else(|err| panic!("{name}: {err}\n{}", err.render(script, name)));
        match (build(&program, &BuildOptions::default()), must_fail) {
            (Ok(_), false) | (Err(_), true) => validated += 1,
            (Ok(_), true) => {
                unexpected.push(format!("{name}: built, but Kapacitor refuses to define it"))
            }
            (Err(err), false) => unexpected.push(err.render(script, name)),
        }
    }
    println!(
        "pipeline conformance: {validated}/{} scripts validate",
        cases.len()
    );
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
