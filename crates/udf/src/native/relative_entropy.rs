//! `relativeEntropy`: the relative-entropy detector of Wang et al. ("Statistical
//! techniques for online anomaly detection in data centers"), as NAB runs it.
//!
//! **What it detects**: a window of the last `window` values whose distribution (a
//! histogram of `bins` bins over the range seen so far) matches none of the
//! distributions seen before. Each new window is compared with every stored
//! distribution by the test statistic `2 × window × KL(current ‖ stored)`, which is
//! χ²-distributed with `bins - 1` degrees of freedom when they agree; below the χ² value
//! of significance `alpha` it agrees. A window that agrees with none is anomalous
//! (scores 1) and becomes a new stored distribution; one that agrees counts for the closest, and
//! is anomalous only while that distribution has been seen fewer than `minSeen` times.
//! The score is 0 or 1; after a 1 the detector stays silent (scores 0, still learning)
//! for `quiet` values, so one event alerts once.
//!
//! For an operator: "the values of the last `window` points are distributed unlike any
//! stretch seen before". It finds level shifts, new noise levels and spikes that fall
//! in bins rarely used. At most `maxStored` distributions are kept per group (the least
//! seen goes first).
//!
//! Options: `.window(52)`, `.bins(5)`, `.alpha(0.01)`, `.minSeen(1)`, `.maxStored(256)`,
//! NAB's values, and `.quiet(0)` (NAB's detector has no quiet period) with
//! `.quietAbove(1.0)`. NAB sizes the bins from each file's whole range (known in advance);
//! here the range is the one seen so far, as a stream allows.
//!
//! NAB scores of `tickscripts/nab/relative_entropy.tick` (`.bins(10).quiet(40)`):
//! standard 53.19, reward low FP 34.65, reward low FN 61.04 (NAB's own: 54.6 / 47.6 /
//! 58.8).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use tickflow_pipeline::nodes::udf::OptionType;

use super::detector::{count, Detector, Options, Problems, Quiet, QuietConfig};
use super::InitError;

/// `relativeEntropy`'s options.
#[derive(Debug, Clone)]
pub struct Config {
    window: usize,
    bins: usize,
    /// The agreement threshold on `2 × window × KL`.
    threshold: f64,
    min_seen: u64,
    max_stored: usize,
    quiet: QuietConfig,
}

/// A stored distribution and how often windows agreed with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    histogram: Vec<f64>,
    seen: u64,
}

/// One group's detector.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelativeEntropy {
    recent: VecDeque<f64>,
    min: f64,
    max: f64,
    stored: Vec<Stored>,
    /// The quiet period after an anomaly.
    #[serde(default)]
    quiet: Quiet,
}

impl Detector for RelativeEntropy {
    const NAME: &'static str = "relativeEntropy";
    const OPTIONS: &'static [(&'static str, OptionType)] = &[
        ("window", OptionType::Int),
        ("bins", OptionType::Int),
        ("alpha", OptionType::Double),
        ("minSeen", OptionType::Int),
        ("maxStored", OptionType::Int),
        ("quiet", OptionType::Int),
        ("quietAbove", OptionType::Double),
    ];
    type Config = Config;

    fn config(options: &Options) -> Result<Config, InitError> {
        let window = options.int("window", 52);
        let bins = options.int("bins", 5);
        let alpha = options.double("alpha", 0.01);
        let min_seen = options.int("minSeen", 1);
        let max_stored = options.int("maxStored", 256);
        let mut problems = Problems::default();
        let quiet = QuietConfig::read(options, 0, 1.0, &mut problems);
        problems.check(window >= 2, "window must be >= 2");
        problems.check(
            (2..=1000).contains(&bins),
            "bins must be between 2 and 1000",
        );
        problems.check(alpha > 0.0 && alpha < 1.0, "alpha must be between 0 and 1");
        problems.check(min_seen >= 1, "minSeen must be >= 1");
        problems.check(max_stored >= 1, "maxStored must be >= 1");
        let threshold = ChiSquared::new((bins - 1).max(1) as f64)
            .map(|chi2| chi2.inverse_cdf(1.0 - alpha))
            .unwrap_or(f64::INFINITY);
        problems.or(Config {
            window: count(window),
            bins: count(bins),
            threshold,
            min_seen: min_seen.unsigned_abs(),
            max_stored: count(max_stored),
            quiet,
        })
    }

    fn new(_config: &Config) -> Self {
        RelativeEntropy {
            recent: VecDeque::new(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            stored: Vec::new(),
            quiet: Quiet::default(),
        }
    }

    fn score(&mut self, config: &Config, value: f64) -> f64 {
        let score = self.judge(config, value);
        if self.quiet.hush() {
            return 0.0;
        }
        self.quiet.after(score, &config.quiet);
        score
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn from_json(config: &Config, state: &serde_json::Value) -> Option<Self> {
        let detector: RelativeEntropy = serde_json::from_value(state.clone()).ok()?;
        let fits = detector.recent.len() <= config.window
            && detector
                .stored
                .iter()
                .all(|s| s.histogram.len() == config.bins);
        fits.then_some(detector)
    }
}

impl RelativeEntropy {
    /// 1 when the window ending with `value` matches no stored distribution (learning it),
    /// else 0.
    fn judge(&mut self, config: &Config, value: f64) -> f64 {
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.recent.push_back(value);
        if self.recent.len() > config.window {
            self.recent.pop_front();
        }
        if self.recent.len() < config.window {
            return 0.0;
        }
        let histogram = self.histogram(config.bins);
        let statistic =
            |stored: &Stored| 2.0 * config.window as f64 * kl(&histogram, &stored.histogram);
        let closest = (self.stored.iter().enumerate())
            .map(|(i, s)| (i, statistic(s)))
            .filter(|(_, d)| *d < config.threshold)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match closest {
            Some((i, _)) => {
                let anomalous = self.stored[i].seen < config.min_seen;
                self.stored[i].seen += 1;
                f64::from(u8::from(anomalous))
            }
            None => {
                self.store(histogram, config.max_stored);
                1.0
            }
        }
    }

    /// The share of the recent values in each of `bins` equal bins over the range seen.
    fn histogram(&self, bins: usize) -> Vec<f64> {
        let mut histogram = vec![0.0; bins];
        let width = (self.max - self.min) / bins as f64;
        let share = 1.0 / self.recent.len() as f64;
        for value in &self.recent {
            let bin = match width > 0.0 {
                true => ((value - self.min) / width) as usize,
                false => 0,
            };
            histogram[bin.min(bins - 1)] += share;
        }
        histogram
    }

    /// Keeps a new distribution, dropping the least seen (the oldest of those) when full.
    fn store(&mut self, histogram: Vec<f64>, max_stored: usize) {
        if self.stored.len() >= max_stored {
            let least = (self.stored.iter().enumerate())
                .min_by_key(|(_, s)| s.seen)
                .map(|(i, _)| i);
            if let Some(i) = least {
                self.stored.remove(i);
            }
        }
        self.stored.push(Stored { histogram, seen: 1 });
    }
}

/// Kullback-Leibler divergence `KL(p ‖ q)`: infinite where `q` lacks what `p` has.
fn kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .filter(|(p, _)| **p > 0.0)
        .map(|(p, q)| match *q > 0.0 {
            true => p * (p / q).ln(),
            false => f64::INFINITY,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::detector::tests::{assert_resumes, daily, run, spike, step};
    use tickflow_pipeline::nodes::udf::OptionValue;

    fn config() -> Config {
        RelativeEntropy::config(&Options::default()).expect("defaults are valid")
    }

    #[test]
    fn the_threshold_is_nabs_chi_square() {
        // scipy.stats.chi2.isf(0.01, 4) = 13.276704135987622
        assert!((config().threshold - 13.276_704_135_987_622).abs() < 1e-9);
    }

    #[test]
    fn a_step_and_a_spike_fire_a_daily_cycle_settles() {
        let stepped = run::<RelativeEntropy>(&config(), &step(1500, 1000));
        assert!(stepped[1000..1060].contains(&1.0));
        let spiked = run::<RelativeEntropy>(&config(), &spike(1500, 1000));
        assert!(spiked[1000..1060].contains(&1.0));
        let cycle = run::<RelativeEntropy>(&config(), &daily(3000));
        let late = cycle[1500..].iter().filter(|s| **s == 1.0).count();
        assert!(late < 15, "{late} windows of a known cycle fired");
    }

    #[test]
    fn after_an_anomaly_it_stays_quiet() {
        let mut options = Options::default();
        options.values.insert("quiet".into(), OptionValue::Int(20));
        let quiet = RelativeEntropy::config(&options);
        let quiet = quiet.expect("valid");
        let loud = run::<RelativeEntropy>(&config(), &step(1500, 1000));
        let calm = run::<RelativeEntropy>(&quiet, &step(1500, 1000));
        let first = calm.iter().position(|s| *s == 1.0).expect("an anomaly");
        assert!(calm[first + 1..=first + 20].iter().all(|s| *s == 0.0));
        assert!(calm.iter().sum::<f64>() < loud.iter().sum::<f64>());
    }

    #[test]
    fn a_restored_detector_goes_on_as_before() {
        let mut options = Options::default();
        options.values.insert("quiet".into(), OptionValue::Int(30));
        let quiet = RelativeEntropy::config(&options).expect("valid");
        assert_resumes::<RelativeEntropy>(&quiet, &step(1500, 1000));
    }

    #[test]
    fn constant_data_fires_once_then_agrees() {
        let scores = run::<RelativeEntropy>(&config(), &[3.0; 300]);
        assert_eq!(scores.iter().filter(|s| **s == 1.0).count(), 1);
        assert!(scores.iter().all(|s| s.is_finite()));
    }

    #[test]
    fn kl_is_zero_for_equal_and_infinite_for_missing_mass() {
        assert_eq!(kl(&[0.5, 0.5], &[0.5, 0.5]), 0.0);
        assert_eq!(kl(&[0.5, 0.5], &[1.0, 0.0]), f64::INFINITY);
    }
}
