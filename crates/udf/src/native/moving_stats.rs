//! [`MovingStats`]: the running mean of the last `size` values (Welford's update, with
//! removal of the value that leaves the window), as `movingAvg` keeps it per group and
//! field.

use std::collections::VecDeque;

/// The mean over a sliding window of values.
#[derive(Debug, Clone, PartialEq)]
pub struct MovingStats {
    /// The window size.
    size: usize,
    window: VecDeque<f64>,
    mean: f64,
}

impl MovingStats {
    /// How many values the window has room for without growing.
    pub fn capacity(&self) -> usize {
        self.window.capacity()
    }

    /// The mean of the last `size` values.
    pub fn with_size(size: usize) -> Self {
        MovingStats {
            size,
            window: VecDeque::new(),
            mean: 0.0,
        }
    }

    /// The mean of the window.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The values in the window, oldest first.
    pub fn values(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        self.window.iter().copied()
    }

    /// Adds `value`, dropping the oldest value once the window is over its size.
    pub fn update(&mut self, value: f64) {
        let n = self.window.len() as f64 + 1.0;
        self.mean += (value - self.mean) / n;
        self.window.push_back(value);
        if self.window.len() > self.size {
            if let Some(old) = self.window.pop_front() {
                self.mean = (n * self.mean - old) / (n - 1.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_matches_a_direct_computation() {
        let values: Vec<f64> = (0..50)
            .map(|i| ((i * 37) % 11) as f64 + 0.5 * i as f64)
            .collect();
        let mut stats = MovingStats::with_size(10);
        for v in &values {
            stats.update(*v);
        }
        let mean = values[40..].iter().sum::<f64>() / 10.0;
        assert_eq!(stats.values().len(), 10);
        assert!((stats.mean() - mean).abs() < 1e-9);
    }
}
