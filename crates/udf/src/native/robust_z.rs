//! `robustZ`: a streaming robust z-score, the simplest detector to explain.
//!
//! **What it detects**: a value far from the recent level, measured in recent typical
//! deviations. The level is an exponentially weighted mean of the values and the spread
//! an exponentially weighted mean of the absolute deviations from it (both with a
//! half-life of `halfLife` values); `z = |value - level| / (1.2533 × spread)` (1.2533
//! makes the mean absolute deviation a standard deviation for normal data), and the score
//! is `erf(z / √2)`, the share of normal data closer to the level: 0.68 at one standard
//! deviation, 0.9973 at three. A value more than `clip` deviations away moves the level
//! and the spread as if it were `clip` deviations away, so one spike does not hide the
//! next one. After a score of `quietAbove` or more it stays silent for `quiet` values.
//!
//! For an operator: "this value is z typical deviations away from where the series has
//! been lately". It finds spikes and the start of level shifts; it does not know daily
//! cycles: one whose period is many half-lives is followed, a faster one makes its peaks
//! stand out (and NAB's series are full of them, hence its modest score). The first `warmup`
//! values score 0. A series that has been constant scores 0 for the same value and 1 for
//! any other.
//!
//! Options: `.halfLife(100)`, `.warmup(100)`, `.clip(5.0)`, `.quiet(0)`,
//! `.quietAbove(0.9999)`.
//!
//! NAB scores of `tickscripts/nab/robust_z.tick` (`.quiet(200)`): standard 37.29, reward
//! low FP 13.35, reward low FN 48.14, below NAB's windowed Gaussian (39.65); without a
//! quiet period its alerts repeat and it scores 0.

use serde::{Deserialize, Serialize};
use tickflow_pipeline::nodes::udf::OptionType;

use super::detector::{count, Detector, Options, Problems, Quiet, QuietConfig};
use super::InitError;

/// `robustZ`'s options.
#[derive(Debug, Clone)]
pub struct Config {
    /// The weight of each new value.
    alpha: f64,
    warmup: usize,
    clip: f64,
    quiet: QuietConfig,
}

/// One group's detector.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RobustZ {
    seen: usize,
    level: f64,
    spread: f64,
    quiet: Quiet,
}

/// `√(π / 2)`: the ratio of a normal distribution's standard deviation to its mean
/// absolute deviation.
const MAD_TO_SD: f64 = 1.253_314_137_315_500_3;

impl Detector for RobustZ {
    const NAME: &'static str = "robustZ";
    const OPTIONS: &'static [(&'static str, OptionType)] = &[
        ("halfLife", OptionType::Int),
        ("warmup", OptionType::Int),
        ("clip", OptionType::Double),
        ("quiet", OptionType::Int),
        ("quietAbove", OptionType::Double),
    ];
    type Config = Config;

    fn config(options: &Options) -> Result<Config, InitError> {
        let half_life = options.int("halfLife", 100);
        let warmup = options.int("warmup", 100);
        let clip = options.double("clip", 5.0);
        let mut problems = Problems::default();
        let quiet = QuietConfig::read(options, 0, 0.9999, &mut problems);
        problems.check(half_life >= 1, "halfLife must be >= 1");
        problems.check(warmup >= 0, "warmup must be >= 0");
        problems.check(clip > 0.0, "clip must be > 0");
        problems.or(Config {
            alpha: 1.0 - 0.5f64.powf(1.0 / half_life.max(1) as f64),
            warmup: count(warmup),
            clip,
            quiet,
        })
    }

    fn new(_config: &Config) -> Self {
        RobustZ {
            seen: 0,
            level: 0.0,
            spread: 0.0,
            quiet: Quiet::default(),
        }
    }

    fn score(&mut self, config: &Config, value: f64) -> f64 {
        self.seen += 1;
        if self.seen == 1 {
            self.level = value;
            return 0.0;
        }
        let deviation = value - self.level;
        let sd = MAD_TO_SD * self.spread;
        let z = match sd > 0.0 {
            true => deviation.abs() / sd,
            false if deviation == 0.0 => 0.0,
            false => f64::INFINITY,
        };
        let learned = match z > config.clip && sd > 0.0 {
            true => config.clip * sd * deviation.signum(),
            false => deviation,
        };
        self.level += config.alpha * learned;
        self.spread += config.alpha * (learned.abs() - self.spread);
        let score = match self.seen > config.warmup {
            true => libm::erf(z.min(40.0) / std::f64::consts::SQRT_2),
            false => 0.0,
        };
        if self.quiet.hush() {
            return 0.0;
        }
        self.quiet.after(score, &config.quiet);
        score
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    fn from_json(_config: &Config, state: &serde_json::Value) -> Option<Self> {
        let detector: RobustZ = serde_json::from_value(state.clone()).ok()?;
        (detector.level.is_finite() && detector.spread.is_finite()).then_some(detector)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::detector::tests::{assert_resumes, daily, run, spike, step};

    fn config() -> Config {
        RobustZ::config(&Options::default()).expect("defaults are valid")
    }

    #[test]
    fn a_spike_and_a_step_score_high_a_daily_cycle_stays_below_three_sigma() {
        let spiked = run::<RobustZ>(&config(), &spike(600, 450));
        assert!(spiked[450] > 0.9999, "spike scored {}", spiked[450]);
        assert!(
            spiked[451] < 0.99,
            "the spike did not blind it: {}",
            spiked[451]
        );
        let stepped = run::<RobustZ>(&config(), &step(600, 450));
        assert!(stepped[450] > 0.9999);
        // A cycle is followed when the half-life is well under its period (96 values),
        // and not when it is longer: then the level lags and the peaks stand out.
        let short = Config {
            alpha: 1.0 - 0.5f64.powf(1.0 / 5.0),
            ..config()
        };
        let high = |config: &Config| {
            let cycle = run::<RobustZ>(config, &daily(2000));
            cycle.iter().filter(|s| **s > 0.9973).count()
        };
        assert_eq!(high(&short), 0, "a daily cycle followed");
        assert!(
            high(&config()) > 0,
            "a daily cycle too fast for the half-life"
        );
    }

    #[test]
    fn constant_data_scores_zero_then_one_for_a_change() {
        let mut values = vec![3.0; 300];
        values.push(3.5);
        let scores = run::<RobustZ>(&config(), &values);
        assert!(scores[..300].iter().all(|s| *s == 0.0));
        assert_eq!(scores[300], 1.0);
    }

    #[test]
    fn a_restored_detector_goes_on_as_before() {
        assert_resumes::<RobustZ>(&config(), &spike(600, 450));
    }
}
