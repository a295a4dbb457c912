//! `tickflow plot` and `replay --plot`: the printer day's picture in `docs/` is what the
//! binary draws now (`UPDATE_EXPECT=1` rewrites it), and the replay draws the same.

use std::process::Command;

use crate::{root, scratch_dir};

/// Runs `tickflow ARGS` from the repository root.
fn at_root(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tickflow"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("tickflow runs")
}

/// `tickflow plot SCRIPT --data <the printer day> -o OUTPUT` from the repository root.
fn plot(script: &str, output: &std::path::Path) -> std::process::Output {
    let output = output.to_str().expect("utf-8");
    at_root(&[
        "plot",
        script,
        "--data",
        "testdata/printer_24h.lp",
        "-o",
        output,
    ])
}

/// Draws the printer day with `command` (`plot -o` or `replay --plot`) into a scratch
/// file, from the repository root so the title is the script's relative path, and
/// returns the SVG.
fn draw(name: &str, command: &str, flag: &str) -> String {
    let dir = scratch_dir(name);
    let output = dir.join("day.svg");
    let output = output.to_str().expect("utf-8");
    let data = "testdata/printer_24h.lp";
    let out = at_root(&[
        command,
        "tickscripts/print_temps.tick",
        "--data",
        data,
        flag,
        output,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(output).expect("the picture")
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
    let out = plot("tickscripts/cpu_threshold.tick", &output);
    // A template without its vars does not build: no picture, exit 1.
    assert_eq!(out.status.code(), Some(1));
    assert!(!output.exists());
    let out = plot("tickscripts/print_temps.tick", &output);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&output).expect("the picture");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let bad = dir.join("day.gif");
    let out = plot("tickscripts/print_temps.tick", &bad);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the picture's name must end in .svg or .png"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
