//! The Nelder-Mead downhill simplex minimiser that fits Holt-Winters' parameters.
//!
//! This is the textbook method in the form Michael F. Hutt published (the variant InfluxDB
//! 1.x uses, whose forecasts Kapacitor users compare against to the last digit), so its
//! choices are kept even where a modern implementation would differ:
//!
//! * the start simplex is regular with edge `scale`, built around the start point;
//! * reflection 1, expansion 2 (kept when it beats the reflected point), contraction ½
//!   (outside when the reflected point beats only the worst vertex, else inside);
//! * a failed contraction halves every vertex towards the best one but re-evaluates only
//!   the worst and second worst (the others keep their old values);
//! * it stops after 1000 iterations or when the standard deviation of the vertex values
//!   (divided by `n`) is below `epsilon`;
//! * the objective may project a point it is given (clamp it, overwrite part of it) and
//!   the simplex keeps the projected point.
//!
//! No crate offers this exact variant, and a different one would change forecasts in
//! their low-order digits.

/// Most iterations of one minimisation.
const MAX_ITERATIONS: usize = 1000;
/// Reflection coefficient.
const REFLECT: f64 = 1.0;
/// Contraction coefficient.
const CONTRACT: f64 = 0.5;
/// Expansion coefficient.
const EXPAND: f64 = 2.0;

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Minimum {
    /// The objective at `point`.
    pub value: f64,
    /// The best vertex found.
    pub point: Vec<f64>,
}

/// Minimises `objective` from `start`, with a start simplex of edge `scale`, until the
/// spread of the vertex values falls below `epsilon`.
pub(super) fn minimize(
    mut objective: impl FnMut(&mut [f64]) -> f64,
    start: &[f64],
    epsilon: f64,
    scale: f64,
) -> Minimum {
    let mut simplex = Simplex::around(start, scale, &mut objective);
    for _ in 0..MAX_ITERATIONS {
        simplex.step(&mut objective);
        if simplex.spread() < epsilon {
            break;
        }
    }
    let best = simplex.best();
    let point = simplex.vertices[best].clone();
    let value = objective(&mut simplex.vertices[best]);
    Minimum { value, point }
}

/// `n + 1` vertices and the objective's value at each.
struct Simplex {
    vertices: Vec<Vec<f64>>,
    values: Vec<f64>,
}

impl Simplex {
    /// The regular simplex of edge `scale` with `start` as a vertex.
    fn around(start: &[f64], scale: f64, objective: &mut impl FnMut(&mut [f64]) -> f64) -> Self {
        let n = start.len() as f64;
        let root = (n + 1.0).sqrt();
        let p = scale * (root - 1.0 + n) / (n * std::f64::consts::SQRT_2);
        let q = scale * (root - 1.0) / (n * std::f64::consts::SQRT_2);
        let mut vertices = vec![start.to_vec()];
        for i in 0..start.len() {
            let vertex = start
                .iter()
                .enumerate()
                .map(|(j, x)| if i == j { p + x } else { q + x })
                .collect();
            vertices.push(vertex);
        }
        let values = vertices.iter_mut().map(|v| objective(v)).collect();
        Simplex { vertices, values }
    }

    /// The index of the first smallest value.
    fn best(&self) -> usize {
        let mut best = 0;
        for (i, value) in self.values.iter().enumerate() {
            if *value < self.values[best] {
                best = i;
            }
        }
        best
    }

    /// The index of the first largest value.
    fn worst(&self) -> usize {
        let mut worst = 0;
        for (i, value) in self.values.iter().enumerate() {
            if *value > self.values[worst] {
                worst = i;
            }
        }
        worst
    }

    /// The index of the largest value below the worst one (the best when none is).
    fn second_worst(&self, best: usize, worst: usize) -> usize {
        let mut second = best;
        for (i, value) in self.values.iter().enumerate() {
            if *value > self.values[second] && *value < self.values[worst] {
                second = i;
            }
        }
        second
    }

    /// The centroid of every vertex but `worst`.
    fn centroid(&self, worst: usize) -> Vec<f64> {
        let n = self.vertices.len() - 1;
        (0..n)
            .map(|i| {
                let mut sum = 0.0;
                for (row, vertex) in self.vertices.iter().enumerate() {
                    if row != worst {
                        sum += vertex[i];
                    }
                }
                sum / n as f64
            })
            .collect()
    }

    /// Replaces vertex `row` by `vertex`, whose value is `value`.
    fn replace(&mut self, row: usize, vertex: &[f64], value: f64) {
        self.vertices[row].copy_from_slice(vertex);
        self.values[row] = value;
    }

    /// One iteration: reflect the worst vertex, then expand, contract or shrink. The
    /// three tests read the values as they stand after the previous one, as Hutt's does.
    fn step(&mut self, objective: &mut impl FnMut(&mut [f64]) -> f64) {
        let (best, worst) = (self.best(), self.worst());
        let second = self.second_worst(best, worst);
        let centroid = self.centroid(worst);
        let mut reflected = along(&centroid, &self.vertices[worst], -REFLECT);
        let fr = objective(&mut reflected);
        if fr < self.values[second] && fr >= self.values[best] {
            self.replace(worst, &reflected, fr);
        }
        if fr < self.values[best] {
            let mut expanded = along(&centroid, &reflected, EXPAND);
            let fe = objective(&mut expanded);
            if fe < fr {
                self.replace(worst, &expanded, fe);
            } else {
                self.replace(worst, &reflected, fr);
            }
        }
        if fr >= self.values[second] {
            let mut contracted = if fr < self.values[worst] {
                along(&centroid, &reflected, CONTRACT)
            } else {
                along(&centroid, &self.vertices[worst], CONTRACT)
            };
            let fc = objective(&mut contracted);
            if fc < self.values[worst] {
                self.replace(worst, &contracted, fc);
            } else {
                self.shrink(best, worst, second, objective);
            }
        }
    }

    /// Halves every vertex's distance to the best one; only the worst and second worst
    /// are evaluated again.
    fn shrink(
        &mut self,
        best: usize,
        worst: usize,
        second: usize,
        objective: &mut impl FnMut(&mut [f64]) -> f64,
    ) {
        let anchor = self.vertices[best].clone();
        for (row, vertex) in self.vertices.iter_mut().enumerate() {
            if row != best {
                for (x, a) in vertex.iter_mut().zip(&anchor) {
                    *x = a + (*x - a) / 2.0;
                }
            }
        }
        self.values[worst] = objective(&mut self.vertices[worst]);
        self.values[second] = objective(&mut self.vertices[second]);
    }

    /// The standard deviation of the values, with `n` (not `n + 1`) as the divisor of
    /// each squared deviation.
    fn spread(&self) -> f64 {
        let count = self.values.len() as f64;
        let n = count - 1.0;
        let mean = self.values.iter().sum::<f64>() / count;
        let mut sum = 0.0;
        for value in &self.values {
            let d = value - mean;
            sum += d * d / n;
        }
        sum.sqrt()
    }
}

/// `from + t·(to − from)` per coordinate, `from` being the centroid: `to` reflected
/// through it for `t = −1`, expanded for 2, contracted for ½.
fn along(from: &[f64], to: &[f64], t: f64) -> Vec<f64> {
    from.iter().zip(to).map(|(f, x)| f + t * (x - f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_quadratic_bowl() {
        let bowl = |x: &mut [f64]| (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2);
        let found = minimize(bowl, &[0.0, 0.0], 1e-12, 1.0);
        assert!((found.point[0] - 3.0).abs() < 1e-4, "{found:?}");
        assert!((found.point[1] + 1.0).abs() < 1e-4, "{found:?}");
        assert!(found.value < 1e-8);
    }

    #[test]
    fn finds_the_rosenbrock_valley_floor() {
        let rosenbrock =
            |x: &mut [f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let found = minimize(rosenbrock, &[-1.2, 1.0], 1e-10, 1.0);
        assert!((found.point[0] - 1.0).abs() < 1e-3, "{found:?}");
        assert!((found.point[1] - 1.0).abs() < 1e-3, "{found:?}");
    }

    #[test]
    fn keeps_the_points_the_objective_projects() {
        let mut seen_outside = false;
        let clamped = |x: &mut [f64]| {
            seen_outside |= x[0] > 1.0;
            x[0] = x[0].min(1.0);
            (x[0] - 2.0).powi(2)
        };
        let found = minimize(clamped, &[0.0], 1e-12, 1.0);
        assert_eq!(found.point, [1.0]);
        assert_eq!(found.value, 1.0);
        assert!(seen_outside, "the search stepped past the bound");
    }
}
