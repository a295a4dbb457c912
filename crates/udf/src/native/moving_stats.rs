//! [`MovingStats`]: running mean and variance of the last `size` values (Welford's
//! algorithm with removal), as the t-test agent of the Kapacitor guide keeps them.

use std::collections::VecDeque;

/// Mean and variance over a sliding window of values, or over all values seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MovingStats {
    /// The window size; `None` keeps every value.
    size: Option<usize>,
    window: VecDeque<f64>,
    mean: f64,
    /// The sum of squared differences from the mean.
    s: f64,
}

impl MovingStats {
    /// Statistics over the last `size` values.
    pub fn with_size(size: usize) -> Self {
        MovingStats {
            size: Some(size),
            ..Self::default()
        }
    }

    /// Statistics over every value.
    pub fn unbounded() -> Self {
        Self::default()
    }

    /// Statistics with the same window size and no values.
    pub fn emptied(&self) -> Self {
        MovingStats {
            size: self.size,
            ..Self::default()
        }
    }

    /// How many values are in the window.
    pub fn n(&self) -> usize {
        self.window.len()
    }

    /// The mean of the window.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The sample variance of the window (0 for fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.window.len() < 2 {
            return 0.0;
        }
        self.s / (self.window.len() - 1) as f64
    }

    /// The values in the window, oldest first.
    pub fn values(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        self.window.iter().copied()
    }

    /// Adds a value, dropping the oldest when the window is full.
    pub fn update(&mut self, value: f64) {
        let n = self.window.len() as f64 + 1.0;
        let diff = value - self.mean;
        self.mean += diff / n;
        self.s += diff * (value - self.mean);
        self.window.push_back(value);
        if self.size.is_some_and(|size| self.window.len() > size) {
            if let Some(old) = self.window.pop_front() {
                let old_mean = (n * self.mean - old) / (n - 1.0);
                self.s -= (old - self.mean) * (old - old_mean);
                self.mean = old_mean;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn sliding_window_matches_a_direct_computation() {
        let values: Vec<f64> = (0..50)
            .map(|i| ((i * 37) % 11) as f64 + 0.5 * i as f64)
            .collect();
        let mut stats = MovingStats::with_size(10);
        for v in &values {
            stats.update(*v);
        }
        let (mean, var) = naive(&values[40..]);
        assert_eq!(stats.n(), 10);
        assert!((stats.mean() - mean).abs() < 1e-9);
        assert!((stats.variance() - var).abs() < 1e-9);
    }
}
