//! `tickflow fmt`: printing, `--check`, `--write`, parse errors and unreadable files.

use crate::{root, scratch_dir, tickflow};

const MESSY: &str = "dbrp \"printer\".\"autogen\"\nvar data = stream|from().measurement('temperatures')   |window().period(5m).every(5m)\ndata|alert().crit(lambda: \"pvalue\" < 0.001)\n";

#[test]
fn print_temps_is_canonical() {
    let script = root().join("tickscripts/print_temps.tick");
    let out = tickflow(&["fmt", "--check", script.to_str().expect("utf-8 path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_flags_a_messy_file_and_write_fixes_it() {
    let dir = scratch_dir("fmt-write");
    let path = dir.join("messy.tick");
    std::fs::write(&path, MESSY).expect("write script");
    let path = path.to_str().expect("utf-8 path");

    let out = tickflow(&["fmt", "--check", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not formatted"));

    let printed = tickflow(&["fmt", path]);
    assert_eq!(printed.status.code(), Some(0));

    assert_eq!(tickflow(&["fmt", "--write", path]).status.code(), Some(0));
    let rewritten = std::fs::read_to_string(path).expect("read back");
    assert_eq!(rewritten.as_bytes(), printed.stdout.as_slice());
    assert_eq!(tickflow(&["fmt", "--check", path]).status.code(), Some(0));
}

#[test]
fn parse_error_names_file_line_and_column() {
    let dir = scratch_dir("fmt-error");
    let path = dir.join("broken.tick");
    std::fs::write(&path, "var a = 1\nvar b = ").expect("write script");
    let out = tickflow(&["fmt", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.tick:"), "stderr: {stderr}");
    assert!(stderr.contains("line 2 char 9"), "stderr: {stderr}");
}

#[test]
fn unreadable_file_exits_2() {
    let out = tickflow(&["fmt", "/nonexistent/nothing.tick"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/nothing.tick"));
}
