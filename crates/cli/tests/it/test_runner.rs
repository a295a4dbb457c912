//! `tickflow test`: test files that pass and fail (with the diff), `--update`, inline
//! lines, a batch task over a `.brpl`, a template with vars, httpOut bodies, and a
//! script that does not parse among tests that still run.

use std::path::Path;

use crate::replay::write;
use crate::{scratch_dir, tickflow_text as run};

/// Alerts when `value` is over a threshold var; logs to a file the capture never writes.
const TEMPLATE: &str = "dbrp \"db\".\"autogen\"\n\
    var measurement string\nvar threshold float\n\
    stream\n    |from().measurement(measurement)\n    \
    |alert()\n        .id('{{ .Name }}')\n        .crit(lambda: \"value\" > threshold)\n        \
    .log('LOG')\n";

/// Three points at 0s, 10s and 20s, the middle one over 50.
const LINES: &str = "cpu value=10 0\ncpu value=90 10\ncpu value=20 20\n";

/// The template of [`TEMPLATE`] written into `dir` with its log file in `dir`; returns
/// the log file's path.
fn template(dir: &Path) -> String {
    let log = dir.join("alerts.log").display().to_string();
    write(dir, "tmpl.tick", &TEMPLATE.replace("LOG", &log));
    log
}

/// A test file of the template over [`LINES`] with `expected` appended.
fn test_file(expected: &str) -> String {
    format!(
        "script = \"tmpl.tick\"\nprecision = \"s\"\n\
         vars = {{ measurement = \"cpu\", threshold = 50 }}\n\
         lines = \"\"\"\n{LINES}\"\"\"\n{expected}"
    )
}

const EXPECTED: &str = "[[alert]]\nid = \"cpu\"\nlevel = \"CRITICAL\"\n\
    time = \"1970-01-01T00:00:10Z\"\n\
    [[alert]]\nid = \"cpu\"\nlevel = \"OK\"\ntime = \"1970-01-01T00:00:20Z\"\n";

#[test]
fn a_template_with_vars_over_inline_lines_passes_and_writes_no_log() {
    let dir = scratch_dir("test-pass");
    let log = template(&dir);
    write(&dir, "tmpl.test.toml", &test_file(EXPECTED));
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("ok   ") && out.contains("tmpl.test.toml (2 alerts)"),
        "{out}"
    );
    assert!(out.ends_with("\n1 passed, 0 failed\n"), "{out}");
    assert!(!Path::new(&log).exists(), "the log handler wrote {log}");
}

#[test]
fn a_failing_test_shows_the_diff_and_exits_1() {
    let dir = scratch_dir("test-fail");
    template(&dir);
    let wrong = EXPECTED.replace("00:00:20Z", "00:00:30Z");
    write(&dir, "tmpl.test.toml", &test_file(&wrong));
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("FAIL "), "{out}");
    assert!(
        out.contains(
            "  [[alert]]: 2 expected, 2 actual (- expected, + actual)\n\
             \x20   { id = \"cpu\", level = \"CRITICAL\", time = \"1970-01-01T00:00:10Z\" }\n\
             \x20 - { id = \"cpu\", level = \"OK\", time = \"1970-01-01T00:00:30Z\" }\n\
             \x20 + { id = \"cpu\", level = \"OK\", time = \"1970-01-01T00:00:20Z\" }\n"
        ),
        "{out}"
    );
    assert!(out.ends_with("\n0 passed, 1 failed\n"), "{out}");
}

#[test]
fn update_writes_the_expectations_and_keeps_the_rest() {
    let dir = scratch_dir("test-update");
    template(&dir);
    let file = write(
        &dir,
        "tmpl.test.toml",
        &format!("# keep me\n{}", test_file("")),
    );
    let (out, code) = run(&["test", "--update", &file]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("(2 alerts, updated)"), "{out}");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(
        text.starts_with("# keep me\nscript = \"tmpl.tick\"\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "[[alert]]\nid = \"cpu\"\nlevel = \"CRITICAL\"\ntime = \"1970-01-01T00:00:10Z\"\n\
             message = \"cpu is CRITICAL\"\n\n\
             [[alert]]\nid = \"cpu\"\nlevel = \"OK\"\ntime = \"1970-01-01T00:00:20Z\"\n\
             message = \"cpu is OK\"\n"
        ),
        "{text}"
    );
    let (out, code) = run(&["test", &file]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_var_of_the_wrong_type_fails_naming_it() {
    let dir = scratch_dir("test-var-type");
    template(&dir);
    let text = test_file(EXPECTED).replace("threshold = 50", "threshold = \"hot\"");
    write(&dir, "tmpl.test.toml", &text);
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("  invalid var threshold: value \"hot\" is not a valid float\n"),
        "{out}"
    );
}

#[test]
fn a_script_that_does_not_parse_fails_with_its_position_and_the_others_run() {
    let dir = scratch_dir("test-parse");
    template(&dir);
    write(&dir, "a.test.toml", &test_file(EXPECTED));
    write(&dir, "broken.tick", "stream\n    |from(\n");
    write(
        &dir,
        "b.test.toml",
        "script = \"broken.tick\"\nlines = \"\"\n",
    );
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("a.test.toml (2 alerts)"), "{out}");
    assert!(out.contains("b.test.toml\n"), "{out}");
    assert!(out.contains("broken.tick:3:1"), "{out}");
    assert!(out.ends_with("\n1 passed, 1 failed\n"), "{out}");
}

#[test]
fn a_batch_task_replays_its_brpl_and_http_out_bodies_are_compared() {
    let dir = scratch_dir("test-batch");
    write(
        &dir,
        "errors.tick",
        "dbrp \"db\".\"autogen\"\nbatch\n    \
         |query('SELECT max(value) AS value FROM \"db\".\"autogen\".errors').every(10s)\n    \
         |httpOut('errors')\n    \
         |alert()\n        .id('errors')\n        .warn(lambda: \"value\" > 5)\n",
    );
    let batch = |time: &str, value: u32| {
        format!(
            "{{\"name\":\"errors\",\"points\":[{{\"fields\":{{\"value\":{value}}},\
             \"time\":\"{time}\"}}]}}\n"
        )
    };
    let recording = batch("2024-01-01T00:00:00Z", 2) + &batch("2024-01-01T00:00:10Z", 9);
    write(&dir, "errors.brpl", &recording);
    let body = r#"{"series":[{"name":"errors","columns":["time","value"],"values":[["2024-01-01T00:00:10Z",9]]}]}"#;
    let expected = format!(
        "script = \"errors.tick\"\ndata = \"errors.brpl\"\n\
         [[alert]]\nid = \"errors\"\nlevel = \"WARNING\"\ntime = \"2024-01-01T00:00:10Z\"\n\
         [[httpout]]\nendpoint = \"errors\"\nbody = '{body}'\n"
    );
    write(&dir, "errors.test.toml", &expected);
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{out}");
    let inline = expected.replace("data = \"errors.brpl\"", "lines = \"errors value=1 0\"");
    write(&dir, "errors.test.toml", &inline);
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("a batch task replays a recording: give data = \"FILE.brpl\""),
        "{out}"
    );
    let changed = expected.replace(",9]]", ",8]]");
    write(&dir, "errors.test.toml", &changed);
    let (out, code) = run(&["test", dir.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("[[httpout]]: 1 expected, 1 actual"), "{out}");
}

#[test]
fn the_projects_scenarios_pass() {
    let scenarios = crate::root().join("tickscripts");
    let (out, code) = run(&["test", scenarios.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("print_temps.test.toml (19 alerts)"), "{out}");
}
