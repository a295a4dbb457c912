//! `holtWinters(f, h, m, interval)` and `holtWintersWithFit(…)`: a damped Holt-Winters
//! forecast of `h` points, `interval` apart, fitted to one batch (kapacitor-compat.md, nodes §7).
//!
//! The forecast is InfluxDB 1.x's, which Kapacitor users compare against exactly:
//!
//! * The batch's values are bucketed at `interval`: times are rounded to the nearest
//!   multiple (a remainder of exactly half rounds down), a value in an already filled
//!   bucket is dropped and empty buckets are gaps (NaN), left out of the error.
//! * The model has a level `l`, a trend `b` damped by `φ`, and, when the season `m` is 2
//!   or more, `m` multiplicative seasonal factors `s`. From the first value `ŷ₀ = y₀` it
//!   runs its own one-step predictions forward (each step consumes the previous *predicted*
//!   value, not the observed one, so the data enter only through the fit):
//!
//!   ```text
//!   l' = α·ŷ/s₋ + (1 − α)(l + φ·b)
//!   b' = β(l' − l) + (1 − β)·φ·b
//!   s' = γ·ŷ/(l + φ·b) + (1 − γ)·s₋
//!   ŷ' = (l' + Φ·b')·s₊          Φ starts at φ and grows by φᵗ after step t
//!   ```
//!
//!   where the seasonal factors live in a ring of `m` slots that step `t` reads and
//!   writes at slot `(2t − 2) mod m` (`s₋`) and reads ahead at `(2t − 2 + t mod m) mod m`
//!   (`s₊`); without a season both are 1.
//! * The fit minimises the sum of squared errors against the observed buckets over
//!   `(α, β, γ, φ, l₀, b₀, s₀…)` with Nelder-Mead ([`super::nelder_mead`], ε = 10⁻⁴,
//!   unit simplex), started from each of the 16 corners of the grid α, β, γ, φ ∈ {0.3,
//!   0.7} with `l₀`, `b₀`, `s` guessed from the first values; the first best SSE wins.
//!   `α, β, γ, φ` are clamped to [0, 1] whenever the model runs, and the run's seasonal
//!   ring is the parameter vector's own tail, so an evaluation leaves both in the point
//!   the minimiser holds.
//! * Output: the `h` predictions after the last bucket, timed from the last point's time
//!   (not its bucket) in steps of `interval`; `withFit` first gives the fitted values of
//!   every bucket, timed from the first point's time. NaN predictions are left out.
//!
//! Nothing is forecast from fewer than two points, fewer points (or buckets) than the
//! season, a horizon below 1, a non-positive interval, or points that all fall in one
//! bucket.

use tickflow_model::{Duration, Time};

use super::nelder_mead;

/// The start of the level, trend and season guesses' weighting.
const GUESS_WEIGHT: f64 = 0.5;
/// The minimiser's stopping spread.
const EPSILON: f64 = 1.0e-4;
/// The first grid value of α, β, γ and φ.
const GRID_LOW: f64 = 0.3;
/// The grid's exclusive upper bound.
const GRID_HIGH: f64 = 1.0;
/// The grid's step.
const GRID_STEP: f64 = 0.4;
/// Where the level, trend and seasonal factors start in a parameter vector.
const LEVEL: usize = 4;

/// A Holt-Winters forecast's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HoltWinters {
    /// How many points to forecast.
    pub horizon: i64,
    /// The season's length in buckets; below 2 there is no season.
    pub season: i64,
    /// The bucket width and the forecast step.
    pub interval: Duration,
    /// Whether to emit the fitted values too.
    pub with_fit: bool,
}

impl HoltWinters {
    /// The forecast for `points` (time and value, in batch order).
    pub(super) fn forecast(&self, points: &[(Time, f64)]) -> Vec<(Time, f64)> {
        let interval = self.interval.nanos();
        let season = usize::try_from(self.season).ok().filter(|m| *m >= 2);
        let (Ok(horizon), Some(first), Some(last)) =
            (usize::try_from(self.horizon), points.first(), points.last())
        else {
            return Vec::new();
        };
        let too_few = points.len() < 2 || season.is_some_and(|m| points.len() < m);
        if too_few || horizon == 0 || interval <= 0 {
            return Vec::new();
        }
        let Some(y) = buckets(points, interval) else {
            return Vec::new();
        };
        if season.is_some_and(|m| y.len() < m) {
            return Vec::new();
        }
        let model = Model { y: &y, season };
        let mut best = model.fit();
        let predicted = model.run(&mut best, horizon);
        let step = |from: Time, i: usize| Time::from_nanos(from.nanos() + interval * i as i64);
        let timed = |(i, v): (usize, &f64)| (!v.is_nan()).then_some((i, *v));
        if self.with_fit {
            predicted
                .iter()
                .enumerate()
                .filter_map(timed)
                .map(|(i, v)| (step(first.0, i), v))
                .collect()
        } else {
            predicted[y.len()..]
                .iter()
                .enumerate()
                .filter_map(timed)
                .map(|(i, v)| (step(last.0, i + 1), v))
                .collect()
        }
    }
}

/// `time` rounded to a multiple of `interval`, a remainder of exactly half down.
fn round(time: i64, interval: i64) -> i64 {
    if time % interval > interval / 2 {
        (time / interval + 1) * interval
    } else {
        time / interval * interval
    }
}

/// One value per bucket from the first point's to the last point's, NaN where none
/// fell; `None` when they are the same bucket.
fn buckets(points: &[(Time, f64)], interval: i64) -> Option<Vec<f64>> {
    let (first, last) = (points.first()?, points.last()?);
    let start = round(first.0.nanos(), interval);
    if (round(last.0.nanos(), interval) - start) / interval <= 0 {
        return None;
    }
    let mut y = vec![first.1];
    let mut at = start;
    for (time, value) in &points[1..] {
        let bucket = round(time.nanos(), interval);
        if bucket <= at {
            continue;
        }
        at += interval;
        while at != bucket {
            y.push(f64::NAN);
            at += interval;
        }
        y.push(*value);
    }
    Some(y)
}

/// The observed buckets and the season.
struct Model<'a> {
    y: &'a [f64],
    season: Option<usize>,
}

impl Model<'_> {
    /// The guessed level, trend and seasonal factors, after four slots for α, β, γ, φ.
    fn start(&self) -> Vec<f64> {
        let y = self.y;
        let mut params = vec![0.0; LEVEL];
        match self.season {
            Some(m) => {
                let share = 1.0 / m as f64;
                let mut level = 0.0;
                for v in y[..m].iter().filter(|v| !v.is_nan()) {
                    level += share * v;
                }
                let mut trend = 0.0;
                let weight = 1.0 / (m * m) as f64;
                for (early, late) in y[..m].iter().zip(&y[m..]) {
                    if !early.is_nan() && !late.is_nan() {
                        trend += weight * (late - early);
                    }
                }
                params.extend([level, trend]);
                params.extend(
                    y[..m]
                        .iter()
                        .map(|v| if v.is_nan() { 0.0 } else { v / level }),
                );
            }
            None => {
                let trend = match y.get(1) {
                    Some(second) if !second.is_nan() => GUESS_WEIGHT * (second - y[0]),
                    _ => 0.0,
                };
                params.extend([GUESS_WEIGHT * y[0], trend]);
            }
        }
        params
    }

    /// The parameters with the smallest error over the grid of starts.
    fn fit(&self) -> Vec<f64> {
        let mut start = self.start();
        let grid: Vec<f64> = std::iter::successors(Some(GRID_LOW), |g| Some(g + GRID_STEP))
            .take_while(|g| *g < GRID_HIGH)
            .collect();
        let mut best: Option<nelder_mead::Minimum> = None;
        for &alpha in &grid {
            for &beta in &grid {
                for &gamma in &grid {
                    for &phi in &grid {
                        start[..LEVEL].copy_from_slice(&[alpha, beta, gamma, phi]);
                        let found = nelder_mead::minimize(|p| self.sse(p), &start, EPSILON, 1.0);
                        if best.as_ref().is_none_or(|b| found.value < b.value) {
                            best = Some(found);
                        }
                    }
                }
            }
        }
        best.map_or(start, |b| b.point)
    }

    /// The sum of squared errors of the fitted values against the observed buckets;
    /// infinite when a fitted value for an observed bucket is NaN.
    fn sse(&self, params: &mut [f64]) -> f64 {
        let mut sum = 0.0;
        for (fitted, observed) in self.run(params, 0).iter().zip(self.y) {
            if observed.is_nan() {
                continue;
            }
            if fitted.is_nan() {
                return f64::INFINITY;
            }
            let error = fitted - observed;
            sum += error * error;
        }
        sum
    }

    /// The model's values for every bucket and `horizon` more, clamping α, β, γ, φ in
    /// `params` and using its tail as the seasonal ring.
    fn run(&self, params: &mut [f64], horizon: usize) -> Vec<f64> {
        for p in &mut params[..LEVEL] {
            *p = p.clamp(0.0, 1.0);
        }
        let (coefficients, state) = params.split_at_mut(LEVEL);
        let &mut [alpha, beta, gamma, phi] = coefficients else {
            return Vec::new();
        };
        let (level_trend, ring) = state.split_at_mut(2);
        let (mut level, mut trend) = (level_trend[0], level_trend[1]);
        let mut predicted = Vec::with_capacity(self.y.len() + horizon);
        let mut y = self.y[0];
        predicted.push(y);
        let mut damping = phi;
        for t in 1..self.y.len() + horizon {
            let (behind, ahead) = match self.season {
                Some(m) => {
                    let slot = (2 * t - 2) % m;
                    (ring[slot], ring[(2 * t - 2 + t % m) % m])
                }
                None => (1.0, 1.0),
            };
            let damped = level + phi * trend;
            let next_level = alpha * (y / behind) + (1.0 - alpha) * damped;
            trend = beta * (next_level - level) + (1.0 - beta) * phi * trend;
            let factor = gamma * (y / damped) + (1.0 - gamma) * behind;
            level = next_level;
            y = (level + damping * trend) * ahead;
            damping += int_power(phi, t);
            if let Some(m) = self.season {
                ring[(2 * t - 2) % m] = factor;
            }
            predicted.push(y);
        }
        predicted
    }
}

/// `x` to the power `n` by squaring, multiplying in the low bits first, as Go's
/// `math.Pow` does for integer exponents (InfluxDB's damping sums depend on its rounding).
fn int_power(x: f64, mut n: usize) -> f64 {
    let (mut result, mut base) = (1.0, x);
    while n != 0 {
        if n & 1 == 1 {
            result *= base;
        }
        base *= base;
        n >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    fn at(secs: i64) -> Time {
        Time::from_nanos(secs * SECOND)
    }

    fn spec(horizon: i64, season: i64, with_fit: bool) -> HoltWinters {
        HoltWinters {
            horizon,
            season,
            interval: Duration::from_nanos(SECOND),
            with_fit,
        }
    }

    fn series(values: &[f64]) -> Vec<(Time, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (at(i as i64), *v))
            .collect()
    }

    #[test]
    fn buckets_round_to_the_interval_drop_repeats_and_mark_gaps() {
        let points = [(0, 1.0), (400, 2.0), (1500, 3.0), (3600, 4.0)]
            .map(|(ms, v)| (Time::from_nanos(ms * 1_000_000), v));
        let y = buckets(&points, SECOND).expect("two buckets or more");
        assert_eq!(y.len(), 5);
        assert_eq!(y[..2], [1.0, 3.0]);
        assert!(y[2].is_nan() && y[3].is_nan());
        assert_eq!(y[4], 4.0);
        assert_eq!(round(1500 * 1_000_000, SECOND), SECOND);
        assert_eq!(round(1501 * 1_000_000, SECOND), 2 * SECOND);
    }

    /// Kapacitor's `TestStream_HoltWinters` window and the values its test asserts,
    /// which InfluxDB's implementation produces to the last bit.
    #[test]
    fn the_kapacitor_test_window_is_fitted_to_the_last_bit() {
        let y = [
            1000.0, 1001.0, 1002.0, 1003.0, 1004.0, 1006.0, 1007.0, 1007.0, 1008.0, 1009.0,
        ];
        let expected: [f64; 13] = [
            1000.0,
            1000.7349380776699,
            1001.8935462884633,
            1003.1750039651934,
            1004.4245269000132,
            1005.5685498251902,
            1006.5782508658309,
            1007.4488388165385,
            1008.1877681696025,
            1008.8080773333872,
            1009.324690106368,
            1009.7524349889708,
            1010.105056042826,
        ];
        let fit = spec(3, 0, true).forecast(&series(&y));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let values: Vec<f64> = fit.iter().map(|(_, v)| *v).collect();
        assert_eq!(bits(&values), bits(&expected), "{values:?}");
        let model = Model {
            y: &y,
            season: None,
        };
        let fitted = model.fit();
        assert_eq!(fitted[0], 1.0, "alpha is clamped at its bound: {fitted:?}");
    }

    #[test]
    fn a_linear_series_is_continued_along_its_line() {
        let line: Vec<f64> = (0..20).map(|i| 100.0 + 2.0 * i as f64).collect();
        let out = spec(3, 0, false).forecast(&series(&line));
        assert_eq!(
            out.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            [at(20), at(21), at(22)]
        );
        for (i, (_, v)) in out.iter().enumerate() {
            let expected = 140.0 + 2.0 * i as f64;
            assert!((v - expected).abs() < 0.5, "{i}: {v} vs {expected}");
        }
    }

    #[test]
    fn the_fit_beats_every_grid_start_and_tracks_the_data() {
        let data: Vec<f64> = (0..12)
            .map(|i| 50.0 + 3.0 * i as f64 + if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let model = Model {
            y: &data,
            season: None,
        };
        let mut fitted = model.fit();
        let best = model.sse(&mut fitted);
        let mut start = model.start();
        start[..LEVEL].copy_from_slice(&[0.3, 0.3, 0.3, 0.3]);
        assert!(best < model.sse(&mut start), "{best}");
        let mean_square = best / data.len() as f64;
        assert!(mean_square < 4.0, "{mean_square}");
        assert!(fitted[..LEVEL].iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn a_seasonal_series_repeats_its_pattern() {
        let pattern = [10.0, 20.0, 30.0, 20.0];
        let data: Vec<f64> = (0..24).map(|i| pattern[i % 4]).collect();
        let out = spec(4, 4, false).forecast(&series(&data));
        assert_eq!(out.len(), 4);
        for (i, (time, v)) in out.iter().enumerate() {
            assert_eq!(*time, at(24 + i as i64));
            assert!(v.is_finite(), "{i}: {v}");
        }
    }

    #[test]
    fn with_fit_starts_at_the_first_value_and_ends_with_the_forecast() {
        let line: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let forecast = spec(2, 0, false).forecast(&series(&line));
        let fit = spec(2, 0, true).forecast(&series(&line));
        assert_eq!(fit.len(), 12);
        assert_eq!(fit[0], (at(0), 0.0));
        assert_eq!(fit[10..], forecast[..]);
    }

    #[test]
    fn too_little_data_forecasts_nothing() {
        assert!(spec(3, 0, false).forecast(&series(&[1.0])).is_empty());
        assert!(spec(0, 0, false).forecast(&series(&[1.0, 2.0])).is_empty());
        assert!(spec(3, 4, false)
            .forecast(&series(&[1.0, 2.0, 3.0]))
            .is_empty());
        let same_bucket = [(at(0), 1.0), (Time::from_nanos(SECOND / 4), 2.0)];
        assert!(spec(3, 0, false).forecast(&same_bucket).is_empty());
    }

    #[test]
    fn int_power_multiplies_by_squaring() {
        assert_eq!(int_power(0.5, 0), 1.0);
        assert_eq!(int_power(0.5, 3), 0.125);
        let square = 0.7 * 0.7;
        assert_eq!(int_power(0.7, 5), 0.7 * (square * square));
    }
}
