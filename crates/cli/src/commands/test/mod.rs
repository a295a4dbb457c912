//! `tickflow test`: runs TICKscript tests offline. Each `*.test.toml` names a script,
//! its data and what the run must produce: alerts, httpOut bodies, points written by
//! influxDBOut, httpPost requests. The script's handlers are replaced by a capture
//! (`Services::capture`) and influxDBOut and httpPost reach only a loopback server
//! ([`capture`]), so a test never writes a log file or posts anything outside.

mod capture;
mod compare;
mod execute;
mod spec;
mod update;

use std::path::{Path, PathBuf};

use crate::Outcome;

/// Runs every `*.test.toml` under the paths (default: the current directory): replays
/// the test's data (`data = "file"` or inline `lines`) through its `script` in event
/// time and compares the alert events with its `[[alert]]` tables and the httpOut
/// endpoints' final bodies with its `[[httpout]]` tables, the points influxDBOut wrote
/// with `[[influxdb]]` (`db`, `rp`, `line`) and the httpPost requests with `[[httppost]]`
/// (`url`, `body`); keys a table leaves out are not compared, bodies compare as JSON. Prints one line per test, the diff of each failure and `N passed, M
/// failed`; exit code 1 when a test fails or cannot run.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Test files, or directories searched for `*.test.toml`.
    paths: Vec<PathBuf>,
    /// Write what each run produced into its file's expectations instead of comparing.
    #[arg(long)]
    update: bool,
}

/// What one test came to.
enum Verdict {
    /// The run produced what the file expects (or the file was updated).
    Passed(String),
    /// It did not, or could not run: the text says how.
    Failed(String),
}

/// Runs the tests and prints their verdicts.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let paths = match args.paths.is_empty() {
        true => vec![PathBuf::from(".")],
        false => args.paths.clone(),
    };
    let files = spec::discover(&paths)?;
    let server = capture::CaptureServer::start()?;
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        match run_one(file, args.update, &server) {
            Verdict::Passed(note) => {
                passed += 1;
                println!("ok   {} ({note})", file.display());
            }
            Verdict::Failed(why) => {
                failed += 1;
                println!("FAIL {}\n{}", file.display(), why.trim_end());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(match failed {
        0 => Outcome::Success,
        _ => Outcome::Problems,
    })
}

/// Runs the test file `file`, and rewrites its expectations when `update`.
fn run_one(file: &Path, update: bool, server: &capture::CaptureServer) -> Verdict {
    let spec = match spec::Spec::read(file) {
        Ok(spec) => spec,
        Err(err) => return Verdict::Failed(indent(&err.to_string())),
    };
    let actual = match execute::execute(&spec, file, server) {
        Ok(actual) => actual,
        Err(err) => return Verdict::Failed(indent(&err)),
    };
    let note = match actual.alerts.len() {
        1 => "1 alert".to_string(),
        n => format!("{n} alerts"),
    };
    if update {
        return match update::update(file, &actual) {
            Ok(()) => Verdict::Passed(format!("{note}, updated")),
            Err(err) => Verdict::Failed(indent(&err.to_string())),
        };
    }
    let diffs: Vec<String> = [
        compare::alerts(&spec.alert, &actual.alerts),
        compare::httpout(&spec.httpout, &actual.httpout),
        compare::influxdb(&spec.influxdb, &actual.influxdb),
        compare::httppost(&spec.httppost, &actual.httppost),
    ]
    .into_iter()
    .flatten()
    .collect();
    match diffs.is_empty() {
        true => Verdict::Passed(note),
        false => Verdict::Failed(diffs.concat()),
    }
}

/// `text` with every line indented by two spaces.
fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}
