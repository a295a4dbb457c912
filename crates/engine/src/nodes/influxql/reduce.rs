//! The InfluxQL aggregates, selectors and multi-point selectors over the values of one
//! batch (or one run of equal-time stream points), with InfluxQL's rules for types,
//! ties and empty input (kapacitor-compat.md, nodes §7).
//!
//! Every function sees the same input: the [`Sample`]s of the points that have the field,
//! all of the type of the first one. It answers with a [`Reduced`]: a value, the index of
//! the selected sample, several samples with their values, or nothing.

use std::cmp::Ordering;

use tickflow_model::{FieldValue, Time};
use tickflow_pipeline::nodes::influxql::InfluxQlFunction;

/// One value of the field, with the time and position of its point.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sample {
    /// The point's position in its batch.
    pub row: usize,
    /// The point's time.
    pub time: Time,
    /// The field's value; every sample of one reduction has the same type.
    pub value: FieldValue,
}

/// What a function makes of its samples.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Reduced {
    /// An aggregate value, timed at the batch's time.
    Value(FieldValue),
    /// A selector's choice: the sample at this index of the input.
    Selected(usize),
    /// A multi-point selector's choices, in output order: sample index and value.
    Many(Vec<(usize, FieldValue)>),
    /// New points: a Holt-Winters forecast.
    Forecast(Vec<(Time, f64)>),
    /// No output (an empty batch, a percentile out of range).
    Nothing,
}

/// Whether `function` accepts fields of the type of `value`.
pub(super) fn accepts(function: &InfluxQlFunction, value: &FieldValue) -> bool {
    use InfluxQlFunction::*;
    match value {
        FieldValue::Float(_) | FieldValue::Integer(_) => true,
        FieldValue::String(_) | FieldValue::Boolean(_) => {
            matches!(function, Count | Distinct | First | Last | Elapsed { .. })
        }
        FieldValue::Unsigned(_) => false,
    }
}

/// Runs an aggregate or selector over `samples`.
pub(super) fn reduce(function: &InfluxQlFunction, samples: &[Sample]) -> Reduced {
    use InfluxQlFunction::*;
    if samples.is_empty() {
        return match function {
            Count => Reduced::Value(FieldValue::Integer(0)),
            Sum => Reduced::Value(FieldValue::Float(0.0)),
            _ => Reduced::Nothing,
        };
    }
    match function {
        Count => Reduced::Value(FieldValue::Integer(samples.len() as i64)),
        Sum => Reduced::Value(sum(samples)),
        Mean => Reduced::Value(FieldValue::Float(mean(samples))),
        Median => Reduced::Value(FieldValue::Float(median(samples))),
        Mode => Reduced::Value(mode(samples)),
        Spread => Reduced::Value(spread(samples)),
        Stddev => Reduced::Value(FieldValue::Float(stddev(samples))),
        First => Reduced::Selected(pick(samples, |a, b| first_wins(a, b, Ordering::Less))),
        Last => Reduced::Selected(pick(samples, |a, b| first_wins(a, b, Ordering::Greater))),
        Min => Reduced::Selected(pick(samples, |a, b| extreme_wins(a, b, Ordering::Less))),
        Max => Reduced::Selected(pick(samples, |a, b| extreme_wins(a, b, Ordering::Greater))),
        Percentile { percentile } => percentile_of(samples, *percentile),
        Distinct => Reduced::Many(distinct(samples)),
        Top { n, .. } => Reduced::Many(ranked(samples, *n, Ordering::Greater)),
        Bottom { n, .. } => Reduced::Many(ranked(samples, *n, Ordering::Less)),
        HoltWinters {
            h,
            m,
            interval,
            with_fit,
        } => {
            let forecast = super::holt_winters::HoltWinters {
                horizon: *h,
                season: *m,
                interval: *interval,
                with_fit: *with_fit,
            };
            Reduced::Forecast(forecast.forecast(&numbers(samples)))
        }
        Elapsed { .. } | Difference | MovingAverage { .. } | CumulativeSum => Reduced::Nothing,
    }
}

/// Compares two values of one type; floats by total order of their numbers.
pub(super) fn compare(a: &FieldValue, b: &FieldValue) -> Ordering {
    match (a, b) {
        (FieldValue::Float(a), FieldValue::Float(b)) => a.total_cmp(b),
        (FieldValue::Integer(a), FieldValue::Integer(b)) => a.cmp(b),
        (FieldValue::String(a), FieldValue::String(b)) => a.cmp(b),
        (FieldValue::Boolean(a), FieldValue::Boolean(b)) => a.cmp(b),
        _ => Ordering::Equal,
    }
}

/// The index of the sample that wins every pairwise comparison; `wins(a, b)` is whether
/// `a` beats the current best `b`.
fn pick(samples: &[Sample], wins: impl Fn(&Sample, &Sample) -> bool) -> usize {
    let mut best = 0;
    for (i, sample) in samples.iter().enumerate().skip(1) {
        if wins(sample, &samples[best]) {
            best = i;
        }
    }
    best
}

/// `first` (`towards = Less`) and `last` (`Greater`): the earliest or latest time; on a
/// tie the larger value, except that `first` prefers `false` to `true`.
fn first_wins(a: &Sample, best: &Sample, towards: Ordering) -> bool {
    match a.time.cmp(&best.time) {
        Ordering::Equal => {
            let by_value = compare(&a.value, &best.value);
            match (&a.value, towards) {
                (FieldValue::Boolean(_), Ordering::Less) => by_value == Ordering::Less,
                _ => by_value == Ordering::Greater,
            }
        }
        by_time => by_time == towards,
    }
}

/// `min` (`Less`) and `max` (`Greater`): the extreme value; on a tie the earliest time.
fn extreme_wins(a: &Sample, best: &Sample, towards: Ordering) -> bool {
    match compare(&a.value, &best.value) {
        Ordering::Equal => a.time < best.time,
        by_value => by_value == towards,
    }
}

/// The sum, in input order: an int for int fields, else a float.
fn sum(samples: &[Sample]) -> FieldValue {
    match &samples[0].value {
        FieldValue::Integer(_) => {
            FieldValue::Integer(ints(samples).fold(0i64, |total, v| total.wrapping_add(v)))
        }
        _ => FieldValue::Float(floats(samples).sum()),
    }
}

/// The mean; int fields are summed as ints first.
fn mean(samples: &[Sample]) -> f64 {
    let n = samples.len() as f64;
    match &samples[0].value {
        FieldValue::Integer(_) => ints(samples).fold(0i64, |t, v| t.wrapping_add(v)) as f64 / n,
        _ => floats(samples).sum::<f64>() / n,
    }
}

/// The middle value, or halfway between the two middle values.
fn median(samples: &[Sample]) -> f64 {
    let mut sorted: Vec<&Sample> = samples.iter().collect();
    sorted.sort_by(|a, b| compare(&a.value, &b.value));
    let mid = sorted.len() / 2;
    let number = |s: &Sample| s.value.as_f64().unwrap_or(f64::NAN);
    if sorted.len() % 2 == 1 {
        return number(sorted[mid]);
    }
    match (&sorted[mid - 1].value, &sorted[mid].value) {
        (FieldValue::Integer(lo), FieldValue::Integer(hi)) => {
            *lo as f64 + hi.wrapping_sub(*lo) as f64 / 2.0
        }
        _ => {
            let (lo, hi) = (number(sorted[mid - 1]), number(sorted[mid]));
            lo + (hi - lo) / 2.0
        }
    }
}

/// The most frequent value; a tie goes to the value first seen earliest.
fn mode(samples: &[Sample]) -> FieldValue {
    let mut counts: Vec<(&FieldValue, usize, Time)> = Vec::new();
    for sample in samples {
        match counts.iter_mut().find(|(v, _, _)| *v == &sample.value) {
            Some((_, count, first)) => {
                *count += 1;
                *first = (*first).min(sample.time);
            }
            None => counts.push((&sample.value, 1, sample.time)),
        }
    }
    let mut best = counts[0];
    for entry in &counts[1..] {
        if entry.1 > best.1 || (entry.1 == best.1 && entry.2 < best.2) {
            best = *entry;
        }
    }
    best.0.clone()
}

/// Max − min, in the field's type.
fn spread(samples: &[Sample]) -> FieldValue {
    match &samples[0].value {
        FieldValue::Integer(_) => {
            let (min, max) =
                ints(samples).fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            FieldValue::Integer(max.wrapping_sub(min))
        }
        _ => {
            let (min, max) = floats(samples)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            FieldValue::Float(max - min)
        }
    }
}

/// The sample standard deviation; NaN below two values.
fn stddev(samples: &[Sample]) -> f64 {
    if samples.len() < 2 {
        return f64::NAN;
    }
    let n = samples.len() as f64;
    let mean = floats(samples).sum::<f64>() / n;
    let variance = floats(samples)
        .map(|v| (v - mean) * (v - mean))
        .sum::<f64>();
    (variance / (n - 1.0)).sqrt()
}

/// The `p`th percentile: sorted by value, the sample at `floor(n·p/100 + 0.5) − 1`.
fn percentile_of(samples: &[Sample], p: f64) -> Reduced {
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&a, &b| compare(&samples[a].value, &samples[b].value));
    let index = (samples.len() as f64 * p / 100.0 + 0.5).floor() as i64 - 1;
    match usize::try_from(index).ok().and_then(|i| order.get(i)) {
        Some(&selected) => Reduced::Selected(selected),
        None => Reduced::Nothing,
    }
}

/// One sample per distinct value (its first occurrence), by time then value.
fn distinct(samples: &[Sample]) -> Vec<(usize, FieldValue)> {
    let mut firsts: Vec<usize> = Vec::new();
    for (i, sample) in samples.iter().enumerate() {
        if !firsts.iter().any(|&f| samples[f].value == sample.value) {
            firsts.push(i);
        }
    }
    firsts.sort_by(|&a, &b| {
        let (a, b) = (&samples[a], &samples[b]);
        a.time
            .cmp(&b.time)
            .then_with(|| compare(&a.value, &b.value))
    });
    firsts
        .into_iter()
        .map(|i| (i, samples[i].value.clone()))
        .collect()
}

/// `top` (`Greater`) or `bottom` (`Less`): the `n` best values, best first, ties by
/// earlier time.
fn ranked(samples: &[Sample], n: i64, towards: Ordering) -> Vec<(usize, FieldValue)> {
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&samples[a], &samples[b]);
        let by_value = compare(&b.value, &a.value);
        let by_value = if towards == Ordering::Less {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then_with(|| a.time.cmp(&b.time))
    });
    order.truncate(usize::try_from(n).unwrap_or(0));
    order
        .into_iter()
        .map(|i| (i, samples[i].value.clone()))
        .collect()
}

/// The values of int samples.
fn ints(samples: &[Sample]) -> impl Iterator<Item = i64> + '_ {
    samples.iter().filter_map(|s| match s.value {
        FieldValue::Integer(v) => Some(v),
        _ => None,
    })
}

/// The times and values of numeric samples, values as floats.
fn numbers(samples: &[Sample]) -> Vec<(Time, f64)> {
    samples
        .iter()
        .filter_map(|s| Some((s.time, s.value.as_f64()?)))
        .collect()
}

/// The values of numeric samples as floats.
fn floats(samples: &[Sample]) -> impl Iterator<Item = f64> + '_ {
    samples.iter().filter_map(|s| s.value.as_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(values: &[(i64, FieldValue)]) -> Vec<Sample> {
        values
            .iter()
            .enumerate()
            .map(|(row, (secs, value))| Sample {
                row,
                time: Time::from_nanos(secs * 1_000_000_000),
                value: value.clone(),
            })
            .collect()
    }

    fn floats_at(values: &[f64]) -> Vec<Sample> {
        let pairs: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64, FieldValue::Float(*v)))
            .collect();
        samples(&pairs)
    }

    fn value(function: InfluxQlFunction, input: &[Sample]) -> FieldValue {
        match reduce(&function, input) {
            Reduced::Value(v) => v,
            other => panic!("not a value: {other:?}"),
        }
    }

    #[test]
    fn aggregates_follow_influxql() {
        let input = floats_at(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            value(InfluxQlFunction::Count, &input),
            FieldValue::Integer(4)
        );
        assert_eq!(
            value(InfluxQlFunction::Sum, &input),
            FieldValue::Float(10.0)
        );
        assert_eq!(
            value(InfluxQlFunction::Mean, &input),
            FieldValue::Float(2.5)
        );
        assert_eq!(
            value(InfluxQlFunction::Median, &input),
            FieldValue::Float(2.5)
        );
        assert_eq!(
            value(InfluxQlFunction::Spread, &input),
            FieldValue::Float(3.0)
        );
        let sd = (5.0f64 / 3.0).sqrt();
        assert_eq!(
            value(InfluxQlFunction::Stddev, &input),
            FieldValue::Float(sd)
        );
    }

    #[test]
    fn int_fields_stay_ints_where_influxql_keeps_them() {
        let input = samples(&[(0, FieldValue::Integer(3)), (1, FieldValue::Integer(8))]);
        assert_eq!(
            value(InfluxQlFunction::Sum, &input),
            FieldValue::Integer(11)
        );
        assert_eq!(
            value(InfluxQlFunction::Spread, &input),
            FieldValue::Integer(5)
        );
        assert_eq!(
            value(InfluxQlFunction::Median, &input),
            FieldValue::Float(5.5)
        );
        assert_eq!(
            value(InfluxQlFunction::Mean, &input),
            FieldValue::Float(5.5)
        );
    }

    #[test]
    fn empty_input_counts_and_sums_to_zero_and_nothing_else() {
        assert_eq!(value(InfluxQlFunction::Count, &[]), FieldValue::Integer(0));
        assert_eq!(value(InfluxQlFunction::Sum, &[]), FieldValue::Float(0.0));
        assert_eq!(reduce(&InfluxQlFunction::Mean, &[]), Reduced::Nothing);
        let one = floats_at(&[1.0]);
        assert!(matches!(
            reduce(&InfluxQlFunction::Stddev, &one),
            Reduced::Value(FieldValue::Float(v)) if v.is_nan()
        ));
    }

    #[test]
    fn selectors_break_ties_as_influxql_does() {
        let same_time = samples(&[(5, FieldValue::Float(1.0)), (5, FieldValue::Float(2.0))]);
        assert_eq!(
            reduce(&InfluxQlFunction::First, &same_time),
            Reduced::Selected(1)
        );
        assert_eq!(
            reduce(&InfluxQlFunction::Last, &same_time),
            Reduced::Selected(1)
        );
        let bools = samples(&[
            (5, FieldValue::Boolean(true)),
            (5, FieldValue::Boolean(false)),
        ]);
        assert_eq!(
            reduce(&InfluxQlFunction::First, &bools),
            Reduced::Selected(1)
        );
        assert_eq!(
            reduce(&InfluxQlFunction::Last, &bools),
            Reduced::Selected(0)
        );
        let equal = samples(&[(2, FieldValue::Float(7.0)), (1, FieldValue::Float(7.0))]);
        assert_eq!(reduce(&InfluxQlFunction::Max, &equal), Reduced::Selected(1));
        assert_eq!(reduce(&InfluxQlFunction::Min, &equal), Reduced::Selected(1));
    }

    #[test]
    fn percentile_indexes_the_sorted_values() {
        let input = floats_at(&[10.0, 30.0, 20.0, 40.0]);
        let p = |percentile| reduce(&InfluxQlFunction::Percentile { percentile }, &input);
        assert_eq!(p(50.0), Reduced::Selected(2));
        assert_eq!(p(100.0), Reduced::Selected(3));
        assert_eq!(p(1.0), Reduced::Nothing);
    }

    #[test]
    fn top_bottom_and_distinct_order_their_points() {
        let input = floats_at(&[1.0, 5.0, 3.0, 5.0, 1.0]);
        let top = InfluxQlFunction::Top {
            n: 2,
            fields_and_tags: Vec::new(),
        };
        let bottom = InfluxQlFunction::Bottom {
            n: 3,
            fields_and_tags: Vec::new(),
        };
        let rows = |r: Reduced| match r {
            Reduced::Many(many) => many.into_iter().map(|(i, _)| i).collect::<Vec<_>>(),
            other => panic!("not many: {other:?}"),
        };
        assert_eq!(rows(reduce(&top, &input)), [1, 3]);
        assert_eq!(rows(reduce(&bottom, &input)), [0, 4, 2]);
        assert_eq!(rows(reduce(&InfluxQlFunction::Distinct, &input)), [0, 1, 2]);
    }

    #[test]
    fn mode_prefers_the_most_frequent_then_the_earliest() {
        let input = floats_at(&[2.0, 1.0, 1.0, 2.0, 3.0]);
        assert_eq!(
            value(InfluxQlFunction::Mode, &input),
            FieldValue::Float(2.0)
        );
    }
}
