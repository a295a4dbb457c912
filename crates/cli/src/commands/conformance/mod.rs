//! `tickflow conformance`: runs cases of the shared Kapacitor conformance corpus
//! (`../shared/conformance`, format in its README) and reports which pass.
//!
//! Each case defines a task from its TICKscript, replays its rebased recording in file
//! order through the inline executor, drains the task and compares the httpOut body, the
//! requests a local sink received (`${SINK_URL}`) or the failing stages with what the
//! case expects. Cases that need a node or service tickflow does not run yet are
//! reported as skipped with the reason, never as obscure failures. The last line is
//! `N passed, M failed, K skipped`; the exit code is 1 when a case failed.

mod case;
mod compare;
mod execute;
mod points;
mod sink;
mod verdict;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Outcome;
use case::CaseFile;
use execute::{execute, request_json, Actual, Run};

/// Runs conformance cases and prints a verdict per case.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Case files; default: every case of `../shared/conformance/cases` and
    /// `../shared/conformance/batch/cases`.
    cases: Vec<PathBuf>,
    /// Print what each run produced, as one JSON object per case, instead of a verdict.
    #[arg(long)]
    print_actual: bool,
    /// Also list the cases that pass.
    #[arg(long, short)]
    verbose: bool,
}

/// Where the corpus is when no case is named: the stream cases, then the batch cases.
const DEFAULT_CASES: &[&str] = &[
    "../shared/conformance/cases",
    "../shared/conformance/batch/cases",
];

/// Runs the cases.
pub(crate) fn run(args: &Args) -> anyhow::Result<Outcome> {
    let paths = if args.cases.is_empty() {
        let mut paths = default_cases(Path::new(DEFAULT_CASES[0]))?;
        let batch = Path::new(DEFAULT_CASES[1]);
        if batch.is_dir() {
            paths.extend(default_cases(batch)?);
        }
        paths
    } else {
        args.cases.clone()
    };
    let mut tally = Tally::default();
    for path in &paths {
        let file = CaseFile::read(path)?;
        let run = execute(&file)?;
        if args.print_actual {
            println!("{}", actual_json(&file.case.name, &run));
        } else {
            tally.report(&file, &run, args.verbose);
        }
    }
    if args.print_actual {
        return Ok(Outcome::Success);
    }
    println!(
        "{} passed, {} failed, {} skipped",
        tally.passed, tally.failed, tally.skipped
    );
    Ok(if tally.failed == 0 {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// The `.json` files of `dir`, sorted.
fn default_cases(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|err| {
        anyhow::anyhow!(
            "cannot read {}: {err} (run from the repository root, or name case files)",
            dir.display()
        )
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Counts of verdicts.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    /// Prints one case's verdict and counts it.
    fn report(&mut self, file: &CaseFile, run: &Run, verbose: bool) {
        let name = &file.case.name;
        match run {
            Run::Unsupported(reason) => {
                self.skipped += 1;
                println!("skip {name}: {reason}");
            }
            Run::Ran(actual) => match verdict::verdict(&file.case, actual) {
                Ok(()) => {
                    self.passed += 1;
                    if verbose {
                        println!("pass {name}");
                    }
                }
                Err(mismatch) => {
                    self.failed += 1;
                    println!("FAIL {name} ({})\n  {mismatch}", file.path.display());
                    for message in actual.messages.iter().take(3) {
                        println!("  note: {message}");
                    }
                }
            },
        }
    }
}

/// A stage in `--print-actual`: `false`, or the error's message.
fn stage_json(error: &Option<String>) -> Value {
    error.clone().map_or(Value::Bool(false), Value::String)
}

/// `--print-actual`'s object for one case.
fn actual_json(name: &str, run: &Run) -> Value {
    let empty = Actual::default();
    let (actual, unsupported) = match run {
        Run::Ran(actual) => (actual, None),
        Run::Unsupported(reason) => (&empty, Some(reason)),
    };
    let httpout = actual
        .httpout
        .as_ref()
        .map(|body| serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.clone())));
    let mut object = serde_json::json!({
        "name": name,
        "httpout": httpout,
        "requests": actual.requests.iter().map(request_json).collect::<Vec<_>>(),
        "errors": {
            "define_error": stage_json(&actual.errors.define),
            "start_error": stage_json(&actual.errors.start),
            "run_error": stage_json(&actual.errors.run),
        },
    });
    if let (Some(reason), Value::Object(members)) = (unsupported, &mut object) {
        members.insert("unsupported".into(), Value::String(reason.clone()));
    }
    object
}
