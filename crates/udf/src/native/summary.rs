//! [`Summary`]: the count, mean and sample variance of some values, computed in two passes
//! (the mean, then the squared differences from it). Two passes are the most accurate way
//! short of compensated sums, need no division per value, and the four-lane sums below
//! let the compiler use vector instructions.

/// Count, mean and sample variance of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values there are.
    pub n: f64,
    /// Their mean; 0 when there are none.
    pub mean: f64,
    /// Their sample variance (divided by `n - 1`); 0 with fewer than two values.
    pub variance: f64,
}

impl Summary {
    /// The summary of the values of `parts` taken together (a ring buffer's two halves).
    pub fn of(parts: &[&[f64]]) -> Summary {
        let count: usize = parts.iter().map(|part| part.len()).sum();
        if count == 0 {
            return Summary {
                n: 0.0,
                mean: 0.0,
                variance: 0.0,
            };
        }
        let n = count as f64;
        let mean = parts.iter().map(|part| lane_sum(part, |v| v)).sum::<f64>() / n;
        let variance = match count {
            1 => 0.0,
            _ => {
                let squares = |v: f64| (v - mean) * (v - mean);
                parts
                    .iter()
                    .map(|part| lane_sum(part, squares))
                    .sum::<f64>()
                    / (n - 1.0)
            }
        };
        Summary { n, mean, variance }
    }
}

/// The sum of `f` over `values`, in four independent lanes.
fn lane_sum(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 4];
    let chunks = values.chunks_exact(4);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &value) in lanes.iter_mut().zip(chunk) {
            *lane += f(value);
        }
    }
    let tail: f64 = rest.iter().map(|&v| f(v)).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_textbook_formulas() {
        let values: Vec<f64> = (0..37)
            .map(|i| 220.0 + ((i * 17) % 11) as f64 * 0.1)
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let (head, tail) = values.split_at(10);
        let summary = Summary::of(&[head, tail]);
        assert_eq!(summary.n, n);
        assert!((summary.mean - mean).abs() < 1e-12);
        assert!((summary.variance - variance).abs() < 1e-12);
    }

    #[test]
    fn empty_and_single_values() {
        assert_eq!(Summary::of(&[]).n, 0.0);
        let one = Summary::of(&[&[5.0]]);
        assert_eq!((one.n, one.mean, one.variance), (1.0, 5.0, 0.0));
    }
}
