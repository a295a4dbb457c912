//! `knnCad`: the k-nearest-neighbour conformal anomaly detector (KNN CAD, Burnaev and
//! Ishimtsev), as NAB runs it.
//!
//! **What it detects**: a recent shape of the series (the last `dim` values) that is
//! unlike the shapes of the recent past. Each shape's strangeness is the sum of its
//! squared distances to its `k` nearest shapes among the last `training` ones (distances
//! in the Mahalanobis-like metric `(a - b)ᵀ (XᵀX)⁻¹ (a - b)` of the training shapes
//! `X`, refitted every `training / 2` values); the score is the fraction of the
//! training shapes' own strangeness below it (a conformal p-value turned around). So a
//! spike, a step, a change of rhythm or a flat stretch in a noisy series all score near
//! 1, and a daily cycle it has seen scores low. After a score of `quietAbove` or more it
//! stays silent for `quiet` values (one alert per event) and learns nothing meanwhile.
//!
//! For an operator: "this last stretch looks like nothing seen in the last `training`
//! values". The first `warmup` values only fill the training set (score 0); it then
//! grows with every value scored up to `training` shapes, and slides.
//!
//! Options: `.dim(19)`, `.k(27)`, `.training(750)`, `.warmup(training)`,
//! `.quiet(training / 5)`, `.quietAbove(0.9965)`; NAB's detector used `dim` 19, `k` 27,
//! each file's probationary period (15 % of its rows, at most 750) for both `warmup` and
//! `training`, and `quiet = training / 5`; a stream does not know its length, hence
//! `warmup`. Memory per group: about `training × (2 dim + 1)` floats.
//!
//! NAB scores of `tickscripts/nab/knn_cad.tick` (`.warmup(300).training(600)`): standard
//! 44.59, reward low FP 31.06, reward low FN 53.67 (NAB's own KNN CAD: 58.0 / 43.4 /
//! 64.8, with each file's length known in advance).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use tickflow_pipeline::nodes::udf::OptionType;

use super::detector::{count, Detector, Options, Problems, Quiet, QuietConfig};
use super::InitError;

/// `knnCad`'s options.
#[derive(Debug, Clone)]
pub struct Config {
    dim: usize,
    k: usize,
    warmup: usize,
    training: usize,
    quiet: QuietConfig,
}

/// One group's detector.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnnCad {
    /// The last `dim` values.
    recent: VecDeque<f64>,
    /// Values seen.
    seen: usize,
    /// The training shapes, oldest first.
    training: VecDeque<Vec<f64>>,
    /// The training shapes' strangeness, oldest first (empty until first needed).
    scores: VecDeque<f64>,
    /// The Cholesky factor of `XᵀX` (row-major lower triangle), or `None` for the
    /// identity metric.
    factor: Option<Vec<f64>>,
    /// The quiet period after an alert.
    quiet: Quiet,
    /// The training shapes in the metric's coordinates (recomputed, not saved).
    #[serde(skip)]
    whitened: VecDeque<Vec<f64>>,
    /// Scratch distances.
    #[serde(skip)]
    distances: Vec<f64>,
}

impl Detector for KnnCad {
    const NAME: &'static str = "knnCad";
    const OPTIONS: &'static [(&'static str, OptionType)] = &[
        ("dim", OptionType::Int),
        ("k", OptionType::Int),
        ("warmup", OptionType::Int),
        ("training", OptionType::Int),
        ("quiet", OptionType::Int),
        ("quietAbove", OptionType::Double),
    ];
    type Config = Config;

    fn config(options: &Options) -> Result<Config, InitError> {
        let dim = options.int("dim", 19);
        let k = options.int("k", 27);
        let training = options.int("training", 750);
        let warmup = options.int("warmup", training);
        let mut problems = Problems::default();
        let quiet = QuietConfig::read(options, training / 5, 0.9965, &mut problems);
        problems.check((1..=256).contains(&dim), "dim must be between 1 and 256");
        problems.check(k >= 1, "k must be >= 1");
        problems.check(warmup > dim.saturating_add(k), "warmup must be > dim + k");
        problems.check(training >= warmup, "training must be >= warmup");
        problems.or(Config {
            dim: count(dim),
            k: count(k),
            warmup: count(warmup),
            training: count(training),
            quiet,
        })
    }

    fn new(_config: &Config) -> Self {
        KnnCad {
            recent: VecDeque::new(),
            seen: 0,
            training: VecDeque::new(),
            scores: VecDeque::new(),
            factor: None,
            quiet: Quiet::default(),
            whitened: VecDeque::new(),
            distances: Vec::new(),
        }
    }

    fn score(&mut self, config: &Config, value: f64) -> f64 {
        self.seen += 1;
        self.recent.push_back(value);
        if self.recent.len() > config.dim {
            self.recent.pop_front();
        }
        if self.recent.len() < config.dim {
            return 0.0;
        }
        let shape: Vec<f64> = self.recent.iter().copied().collect();
        if self.seen < config.warmup {
            self.whitened.push_back(self.whiten(&shape));
            self.training.push_back(shape);
            return 0.0;
        }
        if (self.seen - config.warmup) % (config.training / 2).max(1) == 0 {
            self.refit(config.dim);
        }
        if self.scores.is_empty() {
            self.scores = (0..self.whitened.len())
                .map(|i| self.strangeness(&self.whitened[i].clone(), config.k + 1))
                .collect();
        }
        let whitened = self.whiten(&shape);
        let strangeness = self.strangeness(&whitened, config.k);
        let below = self.scores.iter().filter(|s| **s < strangeness).count();
        let score = below as f64 / self.scores.len().max(1) as f64;
        if self.quiet.hush() {
            return 0.0;
        }
        self.quiet.after(score, &config.quiet);
        self.training.push_back(shape);
        self.whitened.push_back(whitened);
        self.scores.push_back(strangeness);
        if self.training.len() > config.training {
            self.training.pop_front();
            self.whitened.pop_front();
            self.scores.pop_front();
        }
        score
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn from_json(config: &Config, state: &serde_json::Value) -> Option<Self> {
        let mut detector: KnnCad = serde_json::from_value(state.clone()).ok()?;
        let dim_ok = detector.training.iter().all(|s| s.len() == config.dim);
        let factor_ok =
            (detector.factor.as_ref()).is_none_or(|f| f.len() == config.dim * config.dim);
        if !dim_ok || !factor_ok || detector.recent.len() > config.dim {
            return None;
        }
        detector.whitened = detector
            .training
            .iter()
            .map(|s| detector.whiten(s))
            .collect();
        Some(detector)
    }
}

impl KnnCad {
    /// The sum of the `k` smallest squared distances from `whitened` to the training
    /// shapes (fewer when there are fewer shapes).
    fn strangeness(&mut self, whitened: &[f64], k: usize) -> f64 {
        self.distances.clear();
        for other in &self.whitened {
            let d: f64 = other
                .iter()
                .zip(whitened)
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            self.distances.push(d);
        }
        let k = k.min(self.distances.len());
        if k == 0 {
            return 0.0;
        }
        self.distances.select_nth_unstable_by(k - 1, f64::total_cmp);
        self.distances[..k].iter().sum()
    }

    /// `shape` in the metric's coordinates: `C⁻¹ shape` for `XᵀX = C Cᵀ`, so that
    /// squared Euclidean distances there are the metric's.
    fn whiten(&self, shape: &[f64]) -> Vec<f64> {
        let Some(factor) = &self.factor else {
            return shape.to_vec();
        };
        let n = shape.len();
        let mut y = vec![0.0; n];
        for i in 0..n {
            let sum: f64 = (0..i).map(|j| factor[i * n + j] * y[j]).sum();
            y[i] = (shape[i] - sum) / factor[i * n + i];
        }
        y
    }

    /// Refits the metric to the training shapes; a singular `XᵀX` (constant data) keeps
    /// the metric as it was.
    fn refit(&mut self, dim: usize) {
        let mut gram = vec![0.0; dim * dim];
        for shape in &self.training {
            for i in 0..dim {
                for j in 0..=i {
                    gram[i * dim + j] += shape[i] * shape[j];
                }
            }
        }
        if let Some(factor) = cholesky(&gram, dim) {
            self.factor = Some(factor);
            self.whitened = self.training.iter().map(|s| self.whiten(s)).collect();
        }
    }
}

/// The lower Cholesky factor of the symmetric matrix whose lower triangle is `a`
/// (row-major, `n × n`); `None` unless it is clearly positive definite.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let scale = (0..n).map(|i| a[i * n + i]).fold(0.0, f64::max);
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|m| l[i * n + m] * l[j * n + m]).sum();
            if i == j {
                let pivot = a[i * n + i] - sum;
                if pivot.is_nan() || pivot <= scale * 1e-10 {
                    return None;
                }
                l[i * n + i] = pivot.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - sum) / l[j * n + j];
            }
        }
    }
    l.iter().all(|v| v.is_finite()).then_some(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::detector::tests::{assert_resumes, daily, run, spike, step};

    fn config() -> Config {
        Config {
            dim: 8,
            k: 10,
            warmup: 200,
            training: 200,
            quiet: QuietConfig {
                length: 40,
                above: 0.9965,
            },
        }
    }

    fn max_after(scores: &[f64], from: usize) -> f64 {
        scores[from..].iter().copied().fold(0.0, f64::max)
    }

    #[test]
    fn a_spike_and_a_step_score_high_a_daily_cycle_low() {
        let spiked = run::<KnnCad>(&config(), &spike(600, 450));
        assert!(spiked[450] > 0.99, "spike scored {}", spiked[450]);
        let stepped = run::<KnnCad>(&config(), &step(600, 450));
        assert!(max_after(&stepped, 450) > 0.99);
        // A conformal score is uniform on data like the training's: about 0.1 % of the
        // rows of a known cycle reach 0.999, and the quiet period thins them out.
        let cycle = run::<KnnCad>(&config(), &daily(2000));
        let high = cycle[300..].iter().filter(|s| **s >= 0.999).count();
        assert!(
            high <= 8,
            "{high} rows of a known cycle scored 0.999 or more"
        );
    }

    #[test]
    fn a_restored_detector_goes_on_as_before() {
        assert_resumes::<KnnCad>(&config(), &spike(700, 600));
    }

    #[test]
    fn constant_data_scores_zero_without_nan() {
        let scores = run::<KnnCad>(&config(), &[3.0; 500]);
        assert!(scores.iter().all(|s| *s == 0.0));
    }

    #[test]
    fn cholesky_solves_and_refuses_a_singular_matrix() {
        let l = cholesky(&[4.0, 0.0, 2.0, 5.0], 2).expect("positive definite");
        assert_eq!(l, [2.0, 0.0, 1.0, 2.0]);
        assert!(cholesky(&[1.0, 0.0, 1.0, 1.0], 2).is_none());
    }
}
