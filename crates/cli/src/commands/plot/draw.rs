//! Draws a run as an SVG or a PNG with plotters (text in DejaVu Sans, shipped in
//! `crates/cli/assets` and drawn by ab_glyph, so no system font is needed): a panel per series over the same time axis, the
//! evaluated windows as alternating bands under each line, and every alert as a vertical
//! line coloured by level (red critical, orange warning, blue info, green OK), each
//! non-OK one labelled with its id in black (readable over a run of red lines). An alert whose id is a series' field (the printer
//! day's `hotend`) is drawn in that field's panels only; others in every panel.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use tickflow::alert::{AlertData, Level};

use super::series::{seconds, Series};

/// The picture's width in pixels.
const WIDTH: u32 = 1200;

/// Each panel's height in pixels.
const PANEL_HEIGHT: u32 = 220;

/// Alerts of one id closer than this share of the time axis share a label.
const LABEL_GAP: f64 = 0.03;

/// Why a picture could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {path}: {reason}")]
pub(crate) struct DrawError {
    /// The output file.
    pub path: String,
    /// What plotters said.
    pub reason: String,
}

/// The font every text is drawn in.
static FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

/// Draws `series`, the window boundaries `windows` (seconds) and `alerts` into `path`,
/// an SVG or, for a `.png` name, a PNG, under `title`.
pub(super) fn picture(
    path: &Path,
    title: &str,
    series: &[Series],
    windows: &[f64],
    alerts: &[AlertData],
) -> Result<(), DrawError> {
    let fail = |reason: String| DrawError {
        path: path.display().to_string(),
        reason,
    };
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| fail("the bundled font does not load".into()))?;
    let size = (WIDTH, PANEL_HEIGHT * series.len().max(1) as u32 + 40);
    let drawn = match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => draw(
            SVGBackend::new(path, size).into_drawing_area(),
            title,
            series,
            windows,
            alerts,
        ),
        Some("png") => draw(
            BitMapBackend::new(path, size).into_drawing_area(),
            title,
            series,
            windows,
            alerts,
        ),
        _ => Err("the picture's name must end in .svg or .png".into()),
    };
    drawn.map_err(fail)
}

/// Draws the picture on `root`.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    series: &[Series],
    windows: &[f64],
    alerts: &[AlertData],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| e.to_string())?;
    let panels = root.split_evenly((series.len().max(1), 1));
    let span = time_span(series);
    for (panel, one) in panels.iter().zip(series) {
        let own: Vec<AlertData> = alerts
            .iter()
            .filter(|a| !series.iter().any(|s| s.field == a.id) || a.id == one.field)
            .cloned()
            .collect();
        draw_panel(panel, one, span, windows, &own)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The first and last time of all series, in seconds.
fn time_span(series: &[Series]) -> (f64, f64) {
    let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (from, to) = times.fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    match from < to {
        true => (from, to),
        false => (from.min(0.0), from.max(0.0) + 1.0),
    }
}

/// One series' panel.
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, plotters::coord::Shift>,
    series: &Series,
    (from, to): (f64, f64),
    windows: &[f64],
    alerts: &[AlertData],
) -> Result<(), String> {
    let values = series.points.iter().map(|p| p.1);
    let (low, high) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((high - low) * 0.08).max(1e-9);
    let (low, high) = (low - pad, high + 2.0 * pad);
    let mut chart = ChartBuilder::on(panel)
        .caption(&series.name, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(64)
        .build_cartesian_2d(from..to, low..high)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .y_labels(6)
        .x_labels(12)
        .x_label_formatter(&clock)
        .draw()
        .map_err(|e| e.to_string())?;
    let band = (high - low) * 0.03;
    let bands = windows.windows(2).step_by(2).map(|w| {
        Rectangle::new(
            [(w[0], low), (w[1], low + band)],
            RGBColor(200, 200, 200).filled(),
        )
    });
    chart.draw_series(bands).map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(
            series.points.iter().copied(),
            &RGBColor(40, 90, 160),
        ))
        .map_err(|e| e.to_string())?;
    let lines = alerts.iter().map(|alert| {
        let t = seconds(alert.time);
        let color = level_color(alert.level).stroke_width(2);
        PathElement::new(vec![(t, low), (t, high)], color)
    });
    chart.draw_series(lines).map_err(|e| e.to_string())?;
    // Labels over every line; a run of one id's alerts close together gets one label.
    let near = (to - from) * LABEL_GAP;
    let mut labelled: Vec<(&str, f64)> = Vec::new();
    for alert in alerts.iter().filter(|a| a.level != Level::Ok) {
        let t = seconds(alert.time);
        if labelled
            .iter()
            .any(|(id, at)| *id == alert.id && t - at < near)
        {
            continue;
        }
        labelled.push((&alert.id, t));
        let font = ("sans-serif", 14).into_font().color(&BLACK);
        let label = Text::new(format!(" {}", alert.id), (t, high), font);
        chart.draw_series([label]).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A level's colour.
fn level_color(level: Level) -> RGBColor {
    match level {
        Level::Critical => RGBColor(210, 30, 30),
        Level::Warning => RGBColor(230, 140, 0),
        Level::Info => RGBColor(30, 100, 220),
        Level::Ok => RGBColor(40, 160, 60),
    }
}

/// An axis label: `HH:MM` of a time in seconds (UTC).
fn clock(seconds: &f64) -> String {
    chrono::DateTime::from_timestamp(*seconds as i64, 0)
        .map_or_else(String::new, |t| t.format("%H:%M").to_string())
}
