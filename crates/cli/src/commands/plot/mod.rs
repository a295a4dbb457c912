//! `tickflow plot` and `replay --plot`: a picture of a run ([`series`] says what it
//! shows, [`draw`] draws it).

mod draw;
mod series;

use std::path::{Path, PathBuf};

use tickflow::alert::AlertData;
use tickflow::model::Point;
use tickflow::pipeline::Pipeline;

pub(crate) use draw::DrawError;

/// Replays a TICKscript over a data file as `tickflow replay` does, then draws the run
/// into an SVG or PNG file: the fields the script reads over time (a panel per field and
/// series), the windows it evaluated as bands, and every alert as a line coloured by
/// level with its id. The script's handlers run as in a replay.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The TICKscript to run.
    pub script: PathBuf,
    /// The data file (`.lp`, `.lp.gz`, `.srpl`).
    #[arg(long)]
    pub data: PathBuf,
    /// The picture to write: `NAME.svg` or `NAME.png`.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Timestamp precision of the data, as replay's.
    #[arg(long)]
    pub precision: Option<tickflow::line_protocol::Precision>,
    /// Values for a template's vars, in Kapacitor's JSON vars format.
    #[arg(long)]
    pub vars: Option<PathBuf>,
}

/// Draws the run of `pipeline` over `points` with its `alerts` into `output` (`.svg` or
/// `.png`).
pub(crate) fn picture(
    output: &Path,
    title: &str,
    pipeline: &Pipeline,
    points: &[Point],
    alerts: &[AlertData],
) -> Result<(), DrawError> {
    let series = series::of(pipeline, points);
    let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (from, to) = times.fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    let windows = series::windows(pipeline, from, to);
    let mut alerts = alerts.to_vec();
    alerts.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    draw::picture(output, title, &series, &windows, &alerts)
}
