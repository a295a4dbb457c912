//! `tickflow score`: a small NAB-shaped folder (one series with a repeated timestamp and
//! one window) scored through a script whose output marks values over 50, checked row by
//! row in the written results and in the summary line against NAB's rules by hand.

use std::fmt::Write as _;
use std::path::Path;

use crate::replay::write;
use crate::{scratch_dir, tickflow};

const PROFILES: &str = r#"{
"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
"reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}},
"reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}}
}"#;

/// The timestamp of row `row`: every five minutes, except that row 15 repeats row 14's.
fn timestamp(row: usize) -> String {
    let minutes = 5 * if row == 15 { 14 } else { row };
    format!("2014-01-01 {:02}:{:02}:00", minutes / 60, minutes % 60)
}

/// A NAB folder with `realTest/series.csv`: 20 rows (3 probationary), value 100 at rows
/// 8 (the window's first row) and 15 (a false positive sharing row 14's time).
fn nab_folder(dir: &Path) {
    std::fs::create_dir_all(dir.join("data/realTest")).expect("data folder");
    std::fs::create_dir_all(dir.join("labels")).expect("labels folder");
    std::fs::create_dir_all(dir.join("config")).expect("config folder");
    let mut csv = String::from("timestamp,value\n");
    for row in 0..20 {
        let value = if row == 8 || row == 15 { 100 } else { 1 };
        let _ = writeln!(csv, "{},{value}", timestamp(row));
    }
    write(&dir.join("data/realTest"), "series.csv", &csv);
    let windows = format!(
        r#"{{"realTest/series.csv": [["{}.000000", "{}.000000"]]}}"#,
        timestamp(8),
        timestamp(12)
    );
    write(&dir.join("labels"), "combined_windows.json", &windows);
    write(&dir.join("config"), "profiles.json", PROFILES);
}

#[test]
fn rows_score_in_file_order_and_the_summary_follows_nabs_rules() {
    let dir = scratch_dir("score-nab");
    nab_folder(&dir.join("nab"));
    let script = write(
        &dir,
        "over50.tick",
        "dbrp \"nab\".\"autogen\"\nstream\n    |from()\n        .measurement('nab')\n        \
         .groupBy('series')\n    |eval(lambda: if(\"value\" > 50, 1.0, 0.0))\n        \
         .as('anomaly_score')\n",
    );
    let nab = dir.join("nab");
    let results = dir.join("results");
    let out = tickflow(&[
        "score",
        "--nab",
        nab.to_str().expect("utf-8"),
        &script,
        "--write-results",
        results.to_str().expect("utf-8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One window detected at its first row (1.0); one false positive 3 rows after a
    // window of 5 rows: fp × S(3/4). Normalised between null (-fn) and perfect (1).
    assert_eq!(
        stdout.lines().last(),
        Some("nab: standard 94.75, reward_low_FP 89.51, reward_low_FN 96.50"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(results.join("over50/realTest/over50_series.csv"))
        .expect("results written");
    let scores: Vec<&str> = (written.lines().skip(1))
        .map(|l| l.split(',').nth(2).unwrap_or(""))
        .collect();
    let mut expected = vec!["0"; 20];
    expected[8] = "1";
    expected[15] = "1";
    assert_eq!(scores, expected, "the repeated time scores its own row");
    assert_eq!(
        written.lines().nth(9),
        Some(format!("{},100,1,1", timestamp(8)).as_str())
    );
}

#[test]
fn a_folder_that_is_not_nab_is_refused() {
    let dir = scratch_dir("score-not-nab");
    let script = write(&dir, "s.tick", "stream|from()\n");
    let out = tickflow(&["score", "--nab", dir.to_str().expect("utf-8"), &script]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot load the NAB corpus") && stderr.contains("combined_windows.json"),
        "{stderr}"
    );
}
