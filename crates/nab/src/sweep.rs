//! Threshold optimisation over a corpus, and the normalised score.
//!
//! At a threshold, a row whose score is at or above it is a detection. A window counts
//! its best (earliest) detection's worth, or `-fn` without one; every false positive
//! counts. The sweep lowers the threshold through every score the detector gave, in one
//! pass over the corpus's rows sorted by score, and keeps the threshold with the highest
//! raw sum (no detection at all is a candidate too). The normalised score is
//! `100 × (raw - null) / (perfect - null)`: the null detector misses every window, the
//! perfect one detects each at its first scorable row.

use crate::rows::Scorable;
use crate::Profile;

/// A corpus's score under one profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileScore {
    /// The best threshold: rows scoring at or above it are detections (`f64::INFINITY`
    /// when detecting nothing is best).
    pub threshold: f64,
    /// The raw score at that threshold, summed over the files.
    pub raw: f64,
    /// The null detector's raw score.
    pub null: f64,
    /// The perfect detector's raw score.
    pub perfect: f64,
}

impl ProfileScore {
    /// `100 × (raw - null) / (perfect - null)`; 0 for a corpus without windows.
    pub fn normalised(&self) -> f64 {
        let span = self.perfect - self.null;
        if span == 0.0 {
            0.0
        } else {
            100.0 * (self.raw - self.null) / span
        }
    }
}

/// A row of the corpus: the file's scorable row and the corpus-wide id of its window.
struct Row {
    score: f64,
    worth: f64,
    window: Option<usize>,
}

/// The corpus's rows (each file's [`Scorable`] rows) with window ids made corpus-wide,
/// and for each window that has scorable rows, its best worth (its first scorable row).
fn corpus_rows(files: &[Vec<Scorable>]) -> (Vec<Row>, Vec<f64>) {
    let mut rows = Vec::with_capacity(files.iter().map(Vec::len).sum());
    let mut best: Vec<f64> = Vec::new();
    for file in files {
        let base = best.len();
        for row in file {
            let window = row.window.map(|w| base + w);
            if let Some(id) = window {
                if best.len() <= id {
                    best.resize(id + 1, f64::NEG_INFINITY);
                }
                best[id] = best[id].max(row.worth);
            }
            rows.push(Row {
                score: row.score,
                worth: row.worth,
                window,
            });
        }
    }
    // Windows wholly inside a probationary period have no rows: they do not count.
    let perfect = best.into_iter().filter(|b| b.is_finite()).collect();
    (rows, perfect)
}

/// The corpus's best threshold and raw score under `profile`, `files` being each file's
/// scorable rows.
pub fn optimise(files: &[Vec<Scorable>], profile: &Profile) -> ProfileScore {
    let (mut rows, perfect_worths) = corpus_rows(files);
    let windows = perfect_worths.len();
    let null = -profile.fn_ * windows as f64;
    let perfect: f64 = perfect_worths.iter().sum();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut window_best = vec![-profile.fn_; files_window_count(&rows)];
    let (mut windows_sum, mut fp_sum) = (null, 0.0);
    let mut best = (f64::INFINITY, null);
    let mut i = 0;
    while i < rows.len() {
        let threshold = rows[i].score;
        while i < rows.len() && rows[i].score == threshold {
            let row = &rows[i];
            match row.window {
                Some(w) if row.worth > window_best[w] => {
                    windows_sum += row.worth - window_best[w];
                    window_best[w] = row.worth;
                }
                Some(_) => {}
                None => fp_sum += row.worth,
            }
            i += 1;
        }
        if windows_sum + fp_sum > best.1 {
            best = (threshold, windows_sum + fp_sum);
        }
    }
    ProfileScore {
        threshold: best.0,
        raw: best.1,
        null,
        perfect,
    }
}

/// One past the highest window id among `rows`.
fn files_window_count(rows: &[Row]) -> usize {
    rows.iter()
        .filter_map(|r| r.window)
        .max()
        .map_or(0, |w| w + 1)
}

/// One file's raw score at `threshold`: each window's best detection (or `-fn`), plus
/// every false positive.
pub fn file_score(rows: &[Scorable], threshold: f64, profile: &Profile) -> f64 {
    let windows = rows
        .iter()
        .filter_map(|r| r.window)
        .max()
        .map_or(0, |w| w + 1);
    let mut best: Vec<Option<f64>> = vec![None; windows];
    let mut seen = vec![false; windows];
    let mut fp = 0.0;
    for row in rows {
        match row.window {
            Some(w) => {
                seen[w] = true;
                if row.score >= threshold {
                    best[w] = Some(best[w].map_or(row.worth, |b: f64| b.max(row.worth)));
                }
            }
            None if row.score >= threshold => fp += row.worth,
            None => {}
        }
    }
    let tp: f64 = (best.iter().zip(&seen))
        .filter(|(_, seen)| **seen)
        .map(|(b, _)| b.unwrap_or(-profile.fn_))
        .sum();
    tp + fp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            name: "standard".into(),
            tp: 1.0,
            fp: 0.11,
            fn_: 1.0,
        }
    }

    fn row(score: f64, worth: f64, window: Option<usize>) -> Scorable {
        Scorable {
            score,
            worth,
            window,
        }
    }

    #[test]
    fn the_threshold_trades_false_positives_for_windows() {
        // Two files, one window each; file 1's window has its early row at 0.6 and a
        // later one at 0, file 2's its first at 0.9; false positives at 0.95 and 0.5.
        let files = vec![
            vec![
                row(0.6, 0.9, Some(0)),
                row(0.0, 0.4, Some(0)),
                row(0.95, -0.11, None),
            ],
            vec![row(0.9, 1.0, Some(0)), row(0.5, -0.11, None)],
        ];
        let score = optimise(&files, &profile());
        assert_eq!((score.null, score.perfect), (-2.0, 1.9));
        // At 0.6: 0.9 + 1.0 - 0.11 = 1.79, better than at 0.9 (-1 + 1 - 0.11), at 0.5
        // (1.68) or at 0 (1.68).
        assert_eq!(score.threshold, 0.6);
        assert!((score.raw - 1.79).abs() < 1e-12);
        let per_file: f64 = files.iter().map(|f| file_score(f, 0.6, &profile())).sum();
        assert!((per_file - score.raw).abs() < 1e-12);
        assert!((score.normalised() - 100.0 * 3.79 / 3.9).abs() < 1e-9);
    }

    #[test]
    fn a_detector_that_never_fires_scores_zero() {
        // Every score is 0: detecting at 0 would take every row, and the false
        // positives outweigh the window.
        let mut file = vec![row(0.0, 1.0, Some(0))];
        file.extend((0..20).map(|_| row(0.0, -0.11, None)));
        let files = vec![file];
        let score = optimise(&files, &profile());
        assert_eq!(score.threshold, f64::INFINITY);
        assert_eq!(score.normalised(), 0.0);
    }
}
