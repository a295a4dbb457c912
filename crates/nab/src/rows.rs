//! What each row of a file is worth if detected, under a profile: NAB's per-row rules.
//!
//! Positions are counted in rows, never in time (seven files repeat timestamps and one
//! steps back an hour). A window is entered at the row whose timestamp is its start and
//! ends at the first row whose timestamp is its end. A detection in a window of `w` rows
//! ending at row `r` is worth `tp × S(-(r - i + 1) / w) / S(-1)`; one outside every
//! window `fp × S((i - r') / (w' - 1))` after a window of `w'` rows ending at `r'`, or
//! `-fp` before any window, with `S(x) = 2 / (1 + e^(5x)) - 1` (and `-1` past 3). Rows
//! of the probationary period are not scored at all.

use crate::Profile;

/// A row past the probationary period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scorable {
    /// The detector's anomaly score for the row.
    pub score: f64,
    /// What detecting the row adds to the profile's raw score (negative for a false
    /// positive).
    pub worth: f64,
    /// The window the row lies in (its place in the file's windows), if any.
    pub window: Option<usize>,
}

/// A window whose end is not a timestamp of its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("window {index} of {file} ends at {end}, a time no row of the file has")]
pub struct WindowError {
    /// The file (`category/name.csv`).
    pub file: String,
    /// The window's place in the file's windows.
    pub index: usize,
    /// Its end, in seconds.
    pub end: i64,
}

/// How many rows at the start of a file of `rows` rows are probationary:
/// `min(floor(0.15 × rows), 0.15 × 5000)`.
pub fn probation(rows: usize) -> usize {
    (rows * 15 / 100).min(750)
}

/// NAB's scaled sigmoid: `2 / (1 + e^(5x)) - 1`, and `-1` for `x > 3`.
pub fn scaled_sigmoid(x: f64) -> f64 {
    if x > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * x).exp()) - 1.0
    }
}

/// The window being crossed or last crossed.
#[derive(Debug, Clone, Copy)]
struct Span {
    index: usize,
    last_row: usize,
    width: f64,
}

/// Every scorable row of a file with `times` (seconds, file order), `scores` (same
/// length) and `windows` (start and end seconds, in order), under `profile`.
pub fn scorable(
    file: &str,
    times: &[i64],
    scores: &[f64],
    windows: &[(i64, i64)],
    profile: &Profile,
) -> Result<Vec<Scorable>, WindowError> {
    let first_scored = probation(times.len());
    let top = scaled_sigmoid(-1.0);
    let mut next = 0;
    let (mut current, mut previous): (Option<Span>, Option<Span>) = (None, None);
    let mut rows = Vec::with_capacity(times.len().saturating_sub(first_scored));
    for (i, (&time, &score)) in times.iter().zip(scores).enumerate() {
        if let Some(&(_, end)) = windows.get(next).filter(|w| w.0 == time) {
            let last_row = times.iter().position(|&t| t == end).ok_or(WindowError {
                file: file.to_string(),
                index: next,
                end,
            })?;
            let width = last_row as f64 - i as f64 + 1.0;
            current = Some(Span {
                index: next,
                last_row,
                width,
            });
            next += 1;
        }
        let (worth, window) = match (current, previous) {
            (Some(w), _) => {
                let x = -(w.last_row as f64 - i as f64 + 1.0) / w.width;
                (profile.tp * scaled_sigmoid(x) / top, Some(w.index))
            }
            (None, Some(p)) => {
                let x = (i as f64 - p.last_row as f64).abs() / (p.width - 1.0);
                (profile.fp * scaled_sigmoid(x), None)
            }
            (None, None) => (-profile.fp, None),
        };
        if i >= first_scored {
            rows.push(Scorable {
                score,
                worth,
                window,
            });
        }
        let ends_here = |w: &Span| windows.get(w.index).is_some_and(|limits| limits.1 == time);
        if let Some(w) = current.filter(ends_here) {
            previous = Some(w);
            current = None;
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Profile {
        Profile {
            name: "standard".into(),
            tp: 1.0,
            fp: 0.11,
            fn_: 1.0,
        }
    }

    #[test]
    fn probation_is_fifteen_percent_up_to_750_rows() {
        assert_eq!(probation(4032), 604);
        assert_eq!(probation(22695), 750);
        assert_eq!(probation(6), 0);
    }

    #[test]
    fn the_sigmoid_is_one_at_the_window_start_and_minus_one_far_after() {
        assert!((scaled_sigmoid(-1.0) - 0.986_614_298_151_430_3).abs() < 1e-15);
        assert_eq!(scaled_sigmoid(0.0), 0.0);
        assert_eq!(scaled_sigmoid(3.5), -1.0);
    }

    #[test]
    fn rows_are_worth_what_their_place_says() {
        // 20 rows (3 probationary), one window over rows 10..=13, the timestamp 12
        // repeated at rows 12 and 13 is fine: the end is the first row with time 13.
        let times: Vec<i64> = (0..20).collect();
        let scores = vec![0.0; 20];
        let rows = scorable("f", &times, &scores, &[(10, 13)], &standard()).expect("scores");
        assert_eq!(rows.len(), 17);
        assert_eq!(rows[0].worth, -0.11, "before any window: the full FP cost");
        let first = rows[10 - 3];
        assert_eq!((first.window, first.worth), (Some(0), 1.0));
        let last = rows[13 - 3];
        let expected = scaled_sigmoid(-0.25) / scaled_sigmoid(-1.0);
        assert!((last.worth - expected).abs() < 1e-12);
        let after = rows[14 - 3];
        assert_eq!(after.window, None);
        assert!((after.worth - 0.11 * scaled_sigmoid(1.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn a_window_ending_off_the_rows_is_an_error() {
        let err = scorable("a/b.csv", &[0, 1, 2], &[0.0; 3], &[(1, 7)], &standard())
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "window 0 of a/b.csv ends at 7, a time no row of the file has"
        );
    }
}
