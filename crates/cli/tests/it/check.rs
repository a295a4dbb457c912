//! `tickflow check` and `tickflow show`: validation with rendered errors, the DAG as text
//! and as DOT.

use crate::{root, scratch_dir, tickflow};

fn print_temps() -> String {
    root()
        .join("tickscripts/print_temps.tick")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[test]
fn print_temps_is_valid_with_the_builtin_ttest() {
    let out = tickflow(&["check", &print_temps()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("print_temps.tick: ok (9 nodes)\n"));
}

#[test]
fn a_misspelt_property_is_pointed_at_with_a_suggestion() {
    let dir = scratch_dir("check-typo");
    let path = dir.join("typo.tick");
    std::fs::write(
        &path,
        "stream\n    |from()\n    |window()\n        .peroid(5m)\n",
    )
    .expect("write script");
    let out = tickflow(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("typo.tick:4:10: unknown property .peroid on window; did you mean .period?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("4 |         .peroid(5m)\n  |          ^"),
        "{stderr}"
    );
}

#[test]
fn show_prints_the_dag_as_dot_named_after_the_file() {
    let out = tickflow(&["show", "--dot", &print_temps()]);
    assert_eq!(out.status.code(), Some(0));
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(
        dot.starts_with("digraph print_temps {\nstream0 -> from1;\nfrom1 -> window2;\n"),
        "{dot}"
    );
    let text = tickflow(&["show", &print_temps()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("tTest3"));
}
