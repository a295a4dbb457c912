//! What a picture of a run shows, taken from the data and the pipeline: the numeric
//! fields of the measurements the script reads, one series per field and tag set (cut
//! to the minimum and maximum of each of a bounded number of time buckets, so spikes
//! stay visible), and the windows its first `window` node evaluated.

use std::collections::BTreeMap;

use tickflow::model::{Point, Time};
use tickflow::pipeline::nodes::NodeKind;
use tickflow::pipeline::Pipeline;

/// Buckets per series: each gives its minimum and maximum.
const BUCKETS: i64 = 1200;

/// Panels drawn at most; the first series by name are kept.
pub(super) const MAX_PANELS: usize = 8;

/// One field of one series over time: seconds since the epoch and the value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    /// `field` or `field host=a`.
    pub name: String,
    /// The field.
    pub field: String,
    /// Points in time order.
    pub points: Vec<(f64, f64)>,
}

/// The series of `points` the script of `pipeline` reads, by name, at most
/// [`MAX_PANELS`].
pub(super) fn of(pipeline: &Pipeline, points: &[Point]) -> Vec<Series> {
    let measurements = read_measurements(pipeline);
    let mut raw: BTreeMap<(String, String), Vec<(i64, f64)>> = BTreeMap::new();
    for point in points {
        if measurements
            .as_ref()
            .is_some_and(|m| !m.iter().any(|m| m == point.name.as_str()))
        {
            continue;
        }
        let tags: Vec<String> = point.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for (field, value) in point.fields.iter() {
            if let Some(value) = value.as_f64().filter(|v| v.is_finite()) {
                let name = format!("{field} {}", tags.join(",")).trim_end().to_string();
                let key = (name, field.to_string());
                raw.entry(key)
                    .or_default()
                    .push((point.time.nanos(), value));
            }
        }
    }
    raw.into_iter()
        .take(MAX_PANELS)
        .map(|((name, field), points)| Series {
            name,
            field,
            points: bucketed(points),
        })
        .collect()
}

/// The measurements the script's `from()` nodes select; `None` when one takes all.
fn read_measurements(pipeline: &Pipeline) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for node in &pipeline.nodes {
        if let NodeKind::From(from) = &node.kind {
            if from.measurement.is_empty() {
                return None;
            }
            names.push(from.measurement.clone());
        }
    }
    (!names.is_empty()).then_some(names)
}

/// `points` cut to the minimum and maximum of each of [`BUCKETS`] equal time spans, as
/// seconds since the epoch.
fn bucketed(mut points: Vec<(i64, f64)>) -> Vec<(f64, f64)> {
    points.sort_by_key(|(t, _)| *t);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let width = ((last.0 - first.0) / BUCKETS).max(1);
    let start = first.0;
    let mut out = Vec::new();
    for bucket in points.chunk_by(|a, b| (a.0 - start) / width == (b.0 - start) / width) {
        let min = bucket.iter().min_by(|a, b| a.1.total_cmp(&b.1));
        let max = bucket.iter().max_by(|a, b| a.1.total_cmp(&b.1));
        let (Some(min), Some(max)) = (min, max) else {
            continue;
        };
        let mut pair = [*min, *max];
        pair.sort_by_key(|(t, _)| *t);
        out.extend(
            pair.iter()
                .map(|(t, v)| (seconds(Time::from_nanos(*t)), *v)),
        );
    }
    out.dedup();
    out
}

/// The window boundaries of the script's first `window` node between `from` and `to`
/// (seconds), every `.every` (or `.period`) aligned to the epoch.
pub(super) fn windows(pipeline: &Pipeline, from: f64, to: f64) -> Vec<f64> {
    let every = pipeline.nodes.iter().find_map(|node| match &node.kind {
        NodeKind::Window(window) => window.every.or(window.period),
        _ => None,
    });
    let Some(every) = every.map(|d| d.nanos() as f64 / 1e9).filter(|e| *e > 0.0) else {
        return Vec::new();
    };
    let first = (from / every).ceil() as i64;
    let last = (to / every).floor() as i64;
    (first..=last).map(|i| i as f64 * every).collect()
}

/// `time` as seconds since the epoch.
pub(super) fn seconds(time: Time) -> f64 {
    time.nanos() as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_each_spans_extremes() {
        let points: Vec<(i64, f64)> = (0..10_000).map(|i| (i * 1_000_000_000, 0.0)).collect();
        let mut spiked = points.clone();
        spiked[5_000].1 = 99.0;
        let cut = bucketed(spiked);
        assert!(cut.len() <= 2 * BUCKETS as usize + 2, "{}", cut.len());
        assert!(cut.contains(&(5_000.0, 99.0)));
    }
}
