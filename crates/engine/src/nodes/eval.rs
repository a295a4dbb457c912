//! `|eval(λ, …)`: computes new fields, or tags, from each point (kapacitor-compat.md, nodes §4.2).
//!
//! The lambdas run in order over one scope: the point's own fields and tags, plus the
//! results of earlier lambdas under their `.as` names where such a name is neither a
//! field nor a tag of the point (an `.as` name that shadows a field is read back from the
//! point, as Kapacitor does). Each group has its own evaluators, so stateful functions
//! count per group. A point on which any lambda fails is dropped and the error reported;
//! a batch keeps its envelope and loses only the failing points. When a lambda calls a
//! stateful function, a snapshot holds each group's evaluator states.

use std::collections::HashMap;

use serde_json::Value as Json;
use tickflow_expr::{EvalError, Evaluator, Lambda, Scope, Type, Value};
use tickflow_model::{Batch, FieldValue, Fields, Message, Point, Str, Tags, Time};
use tickflow_pipeline::nodes::eval::EvalNode;

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::{self, StateError};

/// Why one point could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum EvalNodeError {
    /// A lambda failed.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A `.tags()` result that is not a string.
    #[error("result of a tag expression must be of type string, got {0}")]
    TagNotString(Type),
    /// A result that cannot be stored in a field.
    #[error("cannot store {name:?}: expression returned unsupported type {ty}")]
    Unstorable {
        /// The `.as` name.
        name: String,
        /// The result's type.
        ty: Type,
    },
    /// A `.keep()` name that is neither a result nor a field.
    #[error("cannot keep field {0:?}, field does not exist")]
    NoSuchField(String),
}

/// Which fields a point keeps (`.keep()`).
enum Keep {
    /// Only the results that do not become tags.
    Results,
    /// Every field of the point and every result.
    All,
    /// Exactly these names.
    Only(Vec<Str>),
}

/// The eval transform: a group's state is its evaluators, one per lambda.
pub(crate) struct Eval {
    lambdas: Vec<Lambda>,
    results: Results,
}

/// What becomes of the lambdas' results.
struct Results {
    names: Vec<Str>,
    as_tag: Vec<bool>,
    keep: Keep,
}

impl Eval {
    /// An eval transform with its compiled lambdas, in the spec's order.
    pub(crate) fn new(spec: &EvalNode, lambdas: Vec<Lambda>) -> Self {
        let keep = match &spec.keep {
            None => Keep::Results,
            Some(names) if names.is_empty() => Keep::All,
            Some(names) => Keep::Only(names.iter().map(|n| Str::from(n.as_str())).collect()),
        };
        Eval {
            lambdas,
            results: Results {
                names: spec
                    .as_names
                    .iter()
                    .map(|n| Str::from(n.as_str()))
                    .collect(),
                as_tag: spec
                    .as_names
                    .iter()
                    .map(|n| spec.tags.contains(n))
                    .collect(),
                keep,
            },
        }
    }
}

impl Results {
    /// The evaluated fields and tags of one point, with its group's `evaluators`.
    fn point(
        &self,
        evaluators: &mut [Evaluator],
        fields: &Fields,
        tags: &Tags,
        time: Time,
    ) -> Result<(Fields, Tags), EvalNodeError> {
        let mut scope_fields = fields.clone();
        let mut results = Vec::with_capacity(self.names.len());
        for (evaluator, name) in evaluators.iter_mut().zip(&self.names) {
            let scope = Scope {
                fields: &scope_fields,
                tags,
                time,
            };
            let value = evaluator.eval(&scope)?;
            let field = value.to_field().ok_or_else(|| EvalNodeError::Unstorable {
                name: name.to_string(),
                ty: value.ty(),
            })?;
            if !fields.contains_key(name) && !tags.contains_key(name) {
                scope_fields.insert(name.clone(), field.clone());
            }
            results.push((name.clone(), value, field));
        }
        let mut out_tags = tags.clone();
        for ((name, value, _), _) in results.iter().zip(&self.as_tag).filter(|(_, t)| **t) {
            let Value::String(text) = value else {
                return Err(EvalNodeError::TagNotString(value.ty()));
            };
            out_tags.insert(name.clone(), text.clone());
        }
        let out_fields = self.fields(fields, &scope_fields, tags, results)?;
        Ok((out_fields, out_tags))
    }

    /// The fields of the evaluated point, as `.keep()` says.
    fn fields(
        &self,
        original: &Fields,
        scope: &Fields,
        tags: &Tags,
        results: Vec<(Str, Value, FieldValue)>,
    ) -> Result<Fields, EvalNodeError> {
        let results = results.into_iter().map(|(name, _, field)| (name, field));
        Ok(match &self.keep {
            Keep::Results => Fields::from_unsorted(
                results
                    .zip(&self.as_tag)
                    .filter(|(_, tag)| !**tag)
                    .map(|(pair, _)| pair)
                    .collect(),
            ),
            Keep::All => {
                let mut all = original.clone();
                results.for_each(|(name, field)| {
                    all.insert(name, field);
                });
                all
            }
            Keep::Only(names) => {
                let results: HashMap<Str, FieldValue> = results.collect();
                let kept = names
                    .iter()
                    .map(|name| {
                        let value = results
                            .get(name)
                            .or_else(|| scope.get(name))
                            .cloned()
                            .or_else(|| tags.get(name).map(|t| FieldValue::from(t.clone())))
                            .ok_or_else(|| EvalNodeError::NoSuchField(name.to_string()))?;
                        Ok((name.clone(), value))
                    })
                    .collect::<Result<Vec<_>, EvalNodeError>>()?;
                Fields::from_unsorted(kept)
            }
        })
    }
}

impl GroupTransform for Eval {
    type State = Vec<Evaluator>;
    const SCOPE: StateScope = StateScope::Group;

    fn new_state(&self) -> Vec<Evaluator> {
        self.lambdas.iter().map(Lambda::evaluator).collect()
    }

    fn point(
        &mut self,
        evaluators: &mut Vec<Evaluator>,
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match self
            .results
            .point(evaluators, &point.fields, &point.tags, point.time)
        {
            Ok((fields, tags)) => {
                point.fields = fields;
                point.tags = tags;
                ctx.emit(Message::Point(point));
            }
            Err(err) => ctx.error(&err),
        }
        Ok(())
    }

    fn batch(
        &mut self,
        evaluators: &mut Vec<Evaluator>,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let results = &self.results;
        batch.points.retain(
            |p| match results.point(evaluators, &p.fields, &p.tags, p.time) {
                Ok((fields, tags)) => {
                    p.fields = fields;
                    p.tags = tags;
                    true
                }
                Err(err) => {
                    ctx.error(&err);
                    false
                }
            },
        );
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's evaluator states, when a lambda has state.
    fn codec(&self) -> Option<&dyn StateCodec<Vec<Evaluator>>> {
        self.lambdas.iter().any(Lambda::is_stateful).then_some(self)
    }
}

impl StateCodec<Vec<Evaluator>> for Eval {
    fn member(&self) -> &'static str {
        "groups"
    }

    fn encode(&self, evaluators: &Vec<Evaluator>) -> Json {
        state::evaluators_json(evaluators)
    }

    fn decode(&self, value: &Json) -> Result<Vec<Evaluator>, StateError> {
        state::evaluators_from(&self.lambdas, value)
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, GroupId};

    use serde_json::json;

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, lambda, point, points, run};

    fn eval(
        lambdas: &[&str],
        names: &[&str],
        tags: &[&str],
        keep: Option<&[&str]>,
    ) -> PerGroup<Eval> {
        let spec = EvalNode {
            expressions: Vec::new(),
            as_names: names.iter().map(|n| n.to_string()).collect(),
            tags: tags.iter().map(|n| n.to_string()).collect(),
            keep: keep.map(|k| k.iter().map(|n| n.to_string()).collect()),
        };
        PerGroup::new(Eval::new(
            &spec,
            lambdas.iter().map(|l| lambda(l)).collect(),
        ))
    }

    fn input() -> Message {
        Message::Point(point(
            1,
            &[("host", "a")],
            &[
                ("value", FieldValue::Float(10.0)),
                ("other", FieldValue::Integer(3)),
            ],
        ))
    }

    fn fields_of(message: &tickflow_model::Point) -> Vec<(String, FieldValue)> {
        message
            .fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn later_lambdas_see_earlier_results_and_only_results_are_kept() {
        let mut node = eval(
            &["\"value\" * 2.0", "\"double\" + 1.0"],
            &["double", "plus"],
            &[],
            None,
        );
        let (out, errors) = run(&mut node, vec![input()]);
        assert_eq!(errors, Vec::<String>::new());
        let out = points(out);
        assert_eq!(
            fields_of(&out[0]),
            [
                ("double".to_string(), FieldValue::Float(20.0)),
                ("plus".to_string(), FieldValue::Float(21.0))
            ]
        );
    }

    #[test]
    fn an_as_name_shadowing_a_field_is_read_back_from_the_point() {
        let mut node = eval(
            &["\"value\" * 2.0", "\"value\" + 1.0"],
            &["value", "next"],
            &[],
            None,
        );
        let out = points(run(&mut node, vec![input()]).0);
        assert_eq!(
            fields_of(&out[0]),
            [
                ("next".to_string(), FieldValue::Float(11.0)),
                ("value".to_string(), FieldValue::Float(20.0))
            ]
        );
    }

    #[test]
    fn tags_take_string_results_and_keep_all_keeps_them_as_fields_too() {
        let mut node = eval(&["'high'"], &["level"], &["level"], Some(&[]));
        let out = points(run(&mut node, vec![input()]).0);
        assert_eq!(out[0].tags.get("level").map(|t| &**t), Some("high"));
        assert_eq!(out[0].fields.len(), 3);
        let mut bad = eval(&["1.0"], &["level"], &["level"], None);
        let (out, errors) = run(&mut bad, vec![input()]);
        assert!(out.is_empty());
        assert_eq!(
            errors,
            ["node1: result of a tag expression must be of type string, got float"]
        );
    }

    #[test]
    fn keep_a_list_takes_exactly_those_names() {
        let mut node = eval(
            &["\"value\" / 2.0"],
            &["half"],
            &[],
            Some(&["half", "other"]),
        );
        let out = points(run(&mut node, vec![input()]).0);
        assert_eq!(
            fields_of(&out[0]),
            [
                ("half".to_string(), FieldValue::Float(5.0)),
                ("other".to_string(), FieldValue::Integer(3))
            ]
        );
        let mut missing = eval(&["1.0"], &["one"], &[], Some(&["nope"]));
        let (_, errors) = run(&mut missing, vec![input()]);
        assert_eq!(
            errors,
            ["node1: cannot keep field \"nope\", field does not exist"]
        );
    }

    #[test]
    fn a_failing_point_is_dropped_and_the_node_goes_on() {
        let mut node = eval(&["\"other\" / 0"], &["div"], &[], None);
        let (out, errors) = run(&mut node, vec![input(), input()]);
        assert!(out.is_empty());
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn stateful_functions_count_per_group() {
        let mut node = eval(&["count()"], &["n"], &[], None);
        let mut second = point(2, &[("host", "b")], &[("value", FieldValue::Float(1.0))]);
        second.dimensions = Dimensions::by_tags(["host"]);
        second.group = GroupId::new("cpu", &second.tags, &second.dimensions);
        let (out, _) = run(&mut node, vec![input(), input(), Message::Point(second)]);
        let counts: Vec<_> = points(out)
            .iter()
            .map(|p| p.fields.get("n").cloned())
            .collect();
        assert_eq!(
            counts,
            [
                Some(FieldValue::Integer(1)),
                Some(FieldValue::Integer(2)),
                Some(FieldValue::Integer(1))
            ]
        );
    }

    #[test]
    fn a_restored_node_goes_on_with_each_groups_state() {
        let at = |t: i64, host: &str, v: f64| {
            let mut p = point(t, &[("host", host)], &[("value", FieldValue::Float(v))]);
            p.set_dimensions(Dimensions::by_tags(["host"]));
            Message::Point(p)
        };
        let node = || {
            eval(
                &["count()", "spread(\"value\")", "\"value\" * 2.0"],
                &["n", "spread", "double"],
                &[],
                None,
            )
        };
        let (out, errors) = assert_resumes(
            node,
            vec![at(0, "a", 1.0), at(1, "b", 5.0), at(2, "a", 4.0)],
            vec![at(3, "a", 2.0), at(4, "b", 7.0), at(5, "c", 1.0)],
        );
        assert!(errors.is_empty());
        let shown: Vec<_> = points(out).iter().map(fields_of).collect();
        let row = |n: i64, spread: f64, double: f64| {
            vec![
                ("double".to_string(), FieldValue::Float(double)),
                ("n".to_string(), FieldValue::Integer(n)),
                ("spread".to_string(), FieldValue::Float(spread)),
            ]
        };
        assert_eq!(
            shown,
            [row(3, 3.0, 4.0), row(2, 2.0, 14.0), row(1, 0.0, 2.0)]
        );
        assert_eq!(eval(&["1.0"], &["one"], &[], None).snapshot(), None);
        assert!(node().restore(json!({"groups": [{"group": {"name": "cpu", "tags": {}, "dimensions": [], "by_name": false}, "state": [{}]}]})).is_err());
    }
}
