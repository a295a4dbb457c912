//! Task vars as the HTTP API carries them: `{"name": {"type", "value", "description"}}`
//! (kapacitor-compat.md, http-api §3.2), turned into the pipeline's [`VarValue`]s and back into the
//! JSON a task object shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tickflow_model::Duration;
use tickflow_pipeline::VarValue;

/// One var of a request body or a task object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Var {
    /// `bool`, `int`, `float`, `duration`, `string`, `regex`, `lambda`, `star` or `list`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The value, in the type's JSON form.
    #[serde(default)]
    pub value: Value,
    /// What the var is for.
    #[serde(default)]
    pub description: String,
}

/// A var that does not give a value of its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid var {name}: {reason}")]
pub struct VarError {
    /// The var's name.
    pub name: String,
    /// What is wrong.
    pub reason: String,
}

/// A request's vars, converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Converted {
    /// The values the pipeline is built with.
    pub values: BTreeMap<String, VarValue>,
    /// The vars as a task object shows them (durations in nanoseconds).
    pub shown: BTreeMap<String, Var>,
}

/// The pipeline values of `vars`, and the vars as a task object shows them.
pub fn convert(vars: &BTreeMap<String, Var>) -> Result<Converted, VarError> {
    let mut values = BTreeMap::new();
    let mut shown = BTreeMap::new();
    for (name, var) in vars {
        let value = value(&var.ty, &var.value).map_err(|reason| VarError {
            name: name.clone(),
            reason,
        })?;
        let mut var = var.clone();
        if let VarValue::Duration(d) = &value {
            var.value = Value::from(d.nanos());
        }
        values.insert(name.clone(), value);
        shown.insert(name.clone(), var);
    }
    Ok(Converted { values, shown })
}

/// A var a template declares, as the templates API shows it: its type, its default in
/// the type's JSON form (`null` when the script gives none: a task must supply it) and
/// the comment above it.
pub fn declared(var: &tickflow_pipeline::Var) -> Var {
    Var {
        ty: var.ty.name().to_string(),
        value: var.default.as_ref().map_or(Value::Null, json),
        description: var.description.clone(),
    }
}

/// A value in its type's JSON form, as a request would give it.
fn json(value: &VarValue) -> Value {
    match value {
        VarValue::Bool(v) => Value::from(*v),
        VarValue::Int(v) => Value::from(*v),
        VarValue::Float(v) => Value::from(*v),
        VarValue::String(v) => Value::from(v.as_str()),
        VarValue::Duration(d) => Value::from(d.nanos()),
        VarValue::Regex { source, .. } => Value::from(source.as_str()),
        lambda @ VarValue::Lambda(_) => {
            let text = lambda.to_string();
            Value::from(text.strip_prefix("lambda: ").unwrap_or(&text))
        }
        VarValue::List(items) => items
            .iter()
            .map(|item| {
                let ty = if matches!(item, VarValue::Star) {
                    "star"
                } else {
                    "string"
                };
                serde_json::json!({"type": ty, "value": json(item)})
            })
            .collect(),
        VarValue::Star => Value::Null,
    }
}

/// The value of one var of type `ty`.
fn value(ty: &str, value: &Value) -> Result<VarValue, String> {
    let wrong = || format!("value {value} is not a valid {ty}");
    Ok(match ty {
        "bool" => VarValue::Bool(value.as_bool().ok_or_else(wrong)?),
        "int" => VarValue::Int(value.as_i64().ok_or_else(wrong)?),
        "float" => VarValue::Float(value.as_f64().ok_or_else(wrong)?),
        "string" => VarValue::String(value.as_str().ok_or_else(wrong)?.to_string()),
        "duration" => VarValue::Duration(duration(value).ok_or_else(wrong)?),
        "regex" => VarValue::regex(value.as_str().ok_or_else(wrong)?).map_err(|e| e.to_string())?,
        "lambda" => {
            VarValue::lambda(value.as_str().ok_or_else(wrong)?).map_err(|e| e.to_string())?
        }
        "star" => VarValue::Star,
        "list" => VarValue::List(list(value).ok_or_else(wrong)?),
        other => return Err(format!("unknown type {other:?}")),
    })
}

/// A list var: `[{"type": "string"|"star", "value": …}, …]`.
fn list(value: &Value) -> Option<Vec<VarValue>> {
    value
        .as_array()?
        .iter()
        .map(|item| match item.get("type")?.as_str()? {
            "string" => Some(VarValue::String(item.get("value")?.as_str()?.to_string())),
            "star" => Some(VarValue::Star),
            _ => None,
        })
        .collect()
}

/// A duration var: integer nanoseconds, or an InfluxQL duration (`10s`, `1h`, `2w`).
fn duration(value: &Value) -> Option<Duration> {
    if let Some(nanos) = value.as_i64() {
        return Some(Duration::from_nanos(nanos));
    }
    let text = value.as_str()?;
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let unit = match unit {
        "ns" => 1,
        "u" | "µ" => 1_000,
        "ms" => 1_000_000,
        "s" => Duration::SECOND.nanos(),
        "m" => Duration::MINUTE.nanos(),
        "h" => Duration::HOUR.nanos(),
        "d" => 24 * Duration::HOUR.nanos(),
        "w" => 7 * 24 * Duration::HOUR.nanos(),
        _ => return None,
    };
    n.checked_mul(unit).map(Duration::from_nanos)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars(json: Value) -> BTreeMap<String, Var> {
        serde_json::from_value(json).expect("vars decode")
    }

    #[test]
    fn each_type_converts_and_durations_show_as_nanoseconds() {
        let Converted { values, shown } = convert(&vars(json!({
            "alpha": {"type": "float", "value": 0.01},
            "every": {"type": "duration", "value": "10s"},
            "hosts": {"type": "list", "value": [{"type": "string", "value": "a"}, {"type": "star"}]},
            "crit": {"type": "lambda", "value": "\"value\" > 5", "description": "when"},
        })))
        .expect("valid vars");
        assert_eq!(values["alpha"], VarValue::Float(0.01));
        assert_eq!(
            values["every"],
            VarValue::Duration(Duration::from_nanos(10_000_000_000))
        );
        assert_eq!(
            values["hosts"],
            VarValue::List(vec![VarValue::String("a".into()), VarValue::Star])
        );
        assert_eq!(shown["every"].value, json!(10_000_000_000_i64));
        assert_eq!(shown["crit"].description, "when");
    }

    #[test]
    fn a_wrong_value_names_the_var() {
        let err =
            convert(&vars(json!({"n": {"type": "int", "value": "five"}}))).expect_err("not an int");
        assert_eq!(
            err.to_string(),
            "invalid var n: value \"five\" is not a valid int"
        );
        let err = convert(&vars(json!({"n": {"type": "complex", "value": 1}})))
            .expect_err("unknown type");
        assert_eq!(err.to_string(), "invalid var n: unknown type \"complex\"");
    }
}
