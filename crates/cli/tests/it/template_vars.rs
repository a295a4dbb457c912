//! Templates through the binary: `check` names the vars a template needs, `--vars`
//! (Kapacitor's JSON vars file) completes it for `check` and `replay`, and a value of
//! the wrong type is an error naming the var.

use crate::replay::write;
use crate::{root, scratch_dir, tickflow_text as run};

/// The project's template scenario.
fn template() -> String {
    root()
        .join("tickscripts/cpu_threshold.tick")
        .display()
        .to_string()
}

#[test]
fn check_reports_the_vars_a_template_needs() {
    let script = template();
    let (out, code) = run(&["check", &script]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out,
        format!("{script}: template, needs vars: measurement (string), threshold (float)\n")
    );
}

#[test]
fn vars_files_complete_a_template_for_check_and_replay() {
    let dir = scratch_dir("template-vars");
    let vars = write(
        &dir,
        "vars.json",
        r#"{"measurement": {"type": "string", "value": "cpu"},
            "threshold": {"type": "float", "value": 90}}"#,
    );
    let script = template();
    let (out, code) = run(&["check", "--vars", &vars, &script]);
    assert_eq!(
        (out.as_str(), code),
        (format!("{script}: ok (6 nodes)\n").as_str(), Some(0))
    );
    let data = write(
        &dir,
        "d.lp",
        "cpu,host=a usage=95 10\ncpu,host=a usage=5 20\n",
    );
    let args = [
        "replay",
        &script,
        "--vars",
        &vars,
        "--data",
        &data,
        "--precision",
        "s",
    ];
    let (out, _) = run(&args);
    assert!(
        out.contains("alerts: CRITICAL 1, WARNING 0, INFO 0, OK 1\n"),
        "{out}"
    );
}

#[test]
fn a_var_of_the_wrong_type_is_an_error_naming_it() {
    let dir = scratch_dir("template-vars-type");
    let vars = write(
        &dir,
        "vars.json",
        r#"{"measurement": {"type": "int", "value": 3}}"#,
    );
    let (out, code) = run(&["check", "--vars", &vars, &template()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("invalid type supplied for measurement, got int exp string"),
        "{out}"
    );
    let bad = write(
        &dir,
        "bad.json",
        r#"{"threshold": {"type": "float", "value": "x"}}"#,
    );
    let (out, code) = run(&["check", "--vars", &bad, &template()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("invalid var threshold: value \"x\" is not a valid float"),
        "{out}"
    );
}
