//! `tickflow plot` and `replay --plot`: the printer day's picture in `docs/` is what the
//! binary draws now (`UPDATE_EXPECT=1` rewrites it), and the replay draws the same.

use std::process::Command;

use crate::{root, scratch_dir};

/// Draws the printer day with `command` (`plot -o` or `replay --plot`) into a scratch
/// file, from the repository root so the title is the script's relative path, and
/// returns the SVG.
fn draw(name: &str, command: &str, flag: &str) -> String {
    let dir = scratch_dir(name);
    let output = dir.join("day.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .current_dir(root())
        .args([command, "tickscripts/print_temps.tick", "--data"])
        .args([
            "testdata/printer_24h.lp",
            flag,
            output.to_str().expect("utf-8"),
        ])
        .output()
        .expect("tickflow runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&output).expect("the picture")
}

#[test]
fn the_printer_days_picture_in_docs_is_up_to_date() {
    let drawn = draw("plot-printer", "plot", "-o");
    let path = root().join("docs/printer_day.svg");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &drawn).expect("write docs/printer_day.svg");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == drawn,
        "docs/printer_day.svg is stale: run UPDATE_EXPECT=1 cargo test -p tickflow-cli --test it plot"
    );
    // One red line per CRITICAL event: the printer day has thirteen.
    assert_eq!(
        drawn.matches("stroke=\"#D21E1E\"").count(),
        13,
        "critical marks"
    );
    assert_eq!(drawn, draw("plot-replay", "replay", "--plot"));
}

#[test]
fn a_png_name_draws_a_png() {
    let dir = scratch_dir("plot-png");
    let output = dir.join("day.png");
    let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .current_dir(root())
        .args(["plot", "tickscripts/cpu_threshold.tick", "--data"])
        .args([
            "testdata/printer_24h.lp",
            "-o",
            output.to_str().expect("utf-8"),
        ])
        .output()
        .expect("tickflow runs");
    // A template without its vars does not build: no picture, exit 1.
    assert_eq!(out.status.code(), Some(1));
    assert!(!output.exists());
    let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .current_dir(root())
        .args(["plot", "tickscripts/print_temps.tick", "--data"])
        .args([
            "testdata/printer_24h.lp",
            "-o",
            output.to_str().expect("utf-8"),
        ])
        .output()
        .expect("tickflow runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&output).expect("the picture");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let bad = dir.join("day.gif");
    let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .current_dir(root())
        .args(["plot", "tickscripts/print_temps.tick", "--data"])
        .args([
            "testdata/printer_24h.lp",
            "-o",
            bad.to_str().expect("utf-8"),
        ])
        .output()
        .expect("tickflow runs");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the picture's name must end in .svg or .png"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
