//! Stateful functions: `count`, `sigma`, `spread` and `rand`.
//!
//! Their state belongs to one evaluator (one compiled lambda instance; the consuming node
//! decides whether that is per group or shared), and all calls of one function name in
//! a lambda share it: `count() + count()` is 1 + 2. Every evaluation advances the state,
//! even one whose result is later discarded.
//!
//! The state saves as a JSON object holding only the functions that have run
//! (`{"count": 3, "sigma": {"n": 2.0, "mean": 1.5, "m2": 0.5}, "spread": {"min": 1.0,
//! "max": 2.0}, "rand": [1, 2, 3, 4]}`); a fresh state is `{}`.

use serde_json::{json, Map, Value as Json};

use super::mwc::Mwc;
use super::FnError;
use crate::snapshot::{float_from, float_json, RestoreError};
use crate::Value;

/// A stateful built-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatefulFn {
    /// `count()`: 1, 2, 3, ... per evaluation.
    Count,
    /// `sigma(x)`: how many running standard deviations `x` is from the running mean.
    Sigma,
    /// `spread(x)`: the running maximum minus the running minimum.
    Spread,
    /// `rand()` / `rand(n)`: a pseudo-random non-negative integer, below `n` if given.
    Rand,
}

impl StatefulFn {
    /// The stateful function called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "count" => StatefulFn::Count,
            "sigma" => StatefulFn::Sigma,
            "spread" => StatefulFn::Spread,
            "rand" => StatefulFn::Rand,
            _ => return None,
        })
    }
}

/// The state of every stateful function of one lambda instance.
#[derive(Debug, Clone, Default)]
pub struct State {
    count: i64,
    sigma: Welford,
    spread: Option<(f64, f64)>,
    rand: Mwc,
}

/// Welford's running mean and sum of squared differences.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Welford {
    n: f64,
    mean: f64,
    m2: f64,
}

impl State {
    /// Calls `f` on `args`, advancing its state.
    pub fn call(&mut self, f: StatefulFn, args: &[Value]) -> Result<Value, FnError> {
        match (f, args) {
            (StatefulFn::Count, []) => {
                self.count = self.count.wrapping_add(1);
                Ok(Value::Int(self.count))
            }
            (StatefulFn::Sigma, [Value::Float(x)]) => Ok(Value::Float(self.sigma(*x))),
            (StatefulFn::Spread, [Value::Float(x)]) => {
                let (min, max) = self
                    .spread
                    .map_or((*x, *x), |(min, max)| (min.min(*x), max.max(*x)));
                self.spread = Some((min, max));
                Ok(Value::Float(max - min))
            }
            (StatefulFn::Rand, []) => Ok(Value::Int(self.rand.next_i63())),
            (StatefulFn::Rand, [Value::Int(n)]) => Ok(Value::Int(self.rand.below(*n))),
            _ => Err(FnError::Signature),
        }
    }

    fn sigma(&mut self, x: f64) -> f64 {
        let w = &mut self.sigma;
        w.n += 1.0;
        let delta = x - w.mean;
        w.mean += delta / w.n;
        w.m2 += delta * (x - w.mean);
        if w.n == 1.0 {
            return 0.0;
        }
        let variance = w.m2 / (w.n - 1.0);
        if variance == 0.0 {
            return 0.0;
        }
        (x - w.mean).abs() / variance.sqrt()
    }

    /// The state as JSON, with only the functions that have run.
    pub fn to_json(&self) -> Json {
        let mut object = Map::new();
        if self.count != 0 {
            object.insert("count".into(), json!(self.count));
        }
        if self.sigma != Welford::default() {
            let Welford { n, mean, m2 } = self.sigma;
            let sigma =
                json!({ "n": float_json(n), "mean": float_json(mean), "m2": float_json(m2) });
            object.insert("sigma".into(), sigma);
        }
        if let Some((min, max)) = self.spread {
            let spread = json!({ "min": float_json(min), "max": float_json(max) });
            object.insert("spread".into(), spread);
        }
        if self.rand != Mwc::default() {
            object.insert("rand".into(), json!(self.rand.words()));
        }
        Json::Object(object)
    }

    /// The state [`State::to_json`] wrote.
    pub fn from_json(value: &Json) -> Result<Self, RestoreError> {
        let object = value
            .as_object()
            .ok_or_else(|| RestoreError::new(format!("{value} is not an object")))?;
        let mut state = State::default();
        for (key, member) in object {
            let bad = || RestoreError::new(format!("bad {key:?}: {member}"));
            match key.as_str() {
                "count" => state.count = member.as_i64().ok_or_else(bad)?,
                "sigma" => {
                    state.sigma = Welford {
                        n: float_member(member, "n").ok_or_else(bad)?,
                        mean: float_member(member, "mean").ok_or_else(bad)?,
                        m2: float_member(member, "m2").ok_or_else(bad)?,
                    }
                }
                "spread" => {
                    let min = float_member(member, "min").ok_or_else(bad)?;
                    let max = float_member(member, "max").ok_or_else(bad)?;
                    state.spread = Some((min, max));
                }
                "rand" => state.rand = Mwc::from_words(words(member).ok_or_else(bad)?),
                _ => return Err(RestoreError::new(format!("unknown function {key:?}"))),
            }
        }
        Ok(state)
    }
}

/// The four numbers of a saved generator.
fn words(value: &Json) -> Option<[u64; 4]> {
    let numbers: Vec<u64> = value
        .as_array()?
        .iter()
        .map(Json::as_u64)
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

/// `value[key]` as a float written by [`float_json`].
fn float_member(value: &Json, key: &str) -> Option<f64> {
    value.get(key).and_then(float_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_counts_every_call() {
        let mut state = State::default();
        assert_eq!(state.call(StatefulFn::Count, &[]), Ok(Value::Int(1)));
        assert_eq!(state.call(StatefulFn::Count, &[]), Ok(Value::Int(2)));
    }

    #[test]
    fn sigma_is_zero_until_there_is_variance() {
        let mut state = State::default();
        let mut sigma = |x: f64| match state.call(StatefulFn::Sigma, &[Value::Float(x)]) {
            Ok(Value::Float(v)) => v,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(sigma(10.0), 0.0);
        assert_eq!(sigma(10.0), 0.0);
        // values 10, 10, 16: mean 12, sample stddev sqrt(12), |16 - 12| / sqrt(12)
        assert!((sigma(16.0) - 4.0 / 12f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn spread_and_rand() {
        let mut state = State::default();
        let _ = state.call(StatefulFn::Spread, &[Value::Float(5.0)]);
        assert_eq!(
            state.call(StatefulFn::Spread, &[Value::Float(2.0)]),
            Ok(Value::Float(3.0))
        );
        assert_eq!(
            state.call(StatefulFn::Rand, &[Value::Int(0)]),
            Ok(Value::Int(0))
        );
        for _ in 0..100 {
            match state.call(StatefulFn::Rand, &[Value::Int(20)]) {
                Ok(Value::Int(v)) => assert!((0..20).contains(&v)),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_state_round_trips_through_json_text_and_goes_on_alike() {
        assert_eq!(State::default().to_json(), json!({}));
        let mut state = State::default();
        for x in [0.1, 0.7, f64::INFINITY] {
            let _ = state.call(StatefulFn::Count, &[]);
            let _ = state.call(StatefulFn::Sigma, &[Value::Float(x)]);
            let _ = state.call(StatefulFn::Spread, &[Value::Float(-x)]);
            let _ = state.call(StatefulFn::Rand, &[]);
        }
        let text = state.to_json().to_string();
        let mut back =
            State::from_json(&serde_json::from_str(&text).expect("JSON")).expect("decodes");
        assert_eq!(back.to_json(), state.to_json());
        for (f, args) in [
            (StatefulFn::Count, vec![]),
            (StatefulFn::Spread, vec![Value::Float(2.0)]),
            (StatefulFn::Rand, vec![Value::Int(1000)]),
        ] {
            assert_eq!(back.call(f, &args), state.call(f, &args), "{f:?}");
        }
    }

    #[test]
    fn a_bad_state_names_what_is_wrong() {
        let error = |value: Json| {
            State::from_json(&value)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            error(json!([])),
            Err("invalid lambda state: [] is not an object".into())
        );
        assert_eq!(
            error(json!({"count": "x"})),
            Err("invalid lambda state: bad \"count\": \"x\"".into())
        );
        assert_eq!(
            error(json!({"mean": 1})),
            Err("invalid lambda state: unknown function \"mean\"".into())
        );
        assert_eq!(
            error(json!({"spread": {"min": 1.0}})).map_err(|_| ()),
            Err(())
        );
    }
}
