//! Every TICKscript of the Kapacitor conformance corpus (`../shared/conformance/cases`)
//! parses and formats stably. No case of the corpus expects Kapacitor's parser to reject
//! its script: the only `error` case fails when the task starts, not when it is parsed.

use tickflow_testkit::conformance_cases;
use tickflow_tickscript::{check_format, parse};

#[test]
fn conformance_scripts_parse_and_round_trip() {
    let Some(cases) = conformance_cases() else {
        println!("tickscript conformance: skipped, ../shared/conformance not found");
        return;
    };
    for case in &cases {
        let (name, script) = (&case.name, case.tickscript());
        let program = parse(script)
            .unwrap_or_else(|err| panic!("{name}: {err}\n{}", err.render(script, name)));
        check_format(&program).unwrap_or_else(|err| panic!("{name}: {err}"));
    }
    let n = cases.len();
    println!("tickscript conformance: {n}/{n} scripts parse and round-trip");
}
