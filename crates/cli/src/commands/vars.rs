//! Values for a template's vars: a `--vars FILE` in Kapacitor's JSON format
//! (`{"name": {"type": "float", "value": 90}}`, as `kapacitor define -vars` reads), and
//! values given without types (a test file's `vars = { threshold = 90.0 }`), each taking
//! the type the script declares for it. Both are checked and converted as the HTTP
//! API's typed vars are (`tickflow::tasks::vars`). YAML vars files are not read:
//! serde_yaml, the crate for them, is no longer maintained.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use tickflow::pipeline::{Var, VarValue};
use tickflow::tasks::vars::{convert, Var as TypedVar, VarError};

/// A value for a var the script does not declare, or of the wrong type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VarsError {
    /// No `var` statement of that name.
    #[error("var {0:?} is not declared by the script")]
    Undeclared(String),
    /// A value of the wrong type, or one that cannot be a value (a table).
    #[error(transparent)]
    Invalid(#[from] VarError),
}

/// The vars of the Kapacitor JSON vars file at `path` as written.
pub(crate) fn read_typed(path: &Path) -> anyhow::Result<BTreeMap<String, TypedVar>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    serde_json::from_str(&text).with_context(|| format!("{shown}: not a vars file"))
}

/// The values of the vars file at `path`, none without one.
pub(crate) fn read_optional(path: Option<&Path>) -> anyhow::Result<BTreeMap<String, VarValue>> {
    let Some(path) = path else {
        return Ok(BTreeMap::new());
    };
    let converted = convert(&read_typed(path)?).with_context(|| path.display().to_string())?;
    Ok(converted.values)
}

/// The pipeline values of `values`, each typed by its declaration in `declared`.
pub(crate) fn typed(
    values: &toml::Table,
    declared: &[Var],
) -> Result<BTreeMap<String, VarValue>, VarsError> {
    let mut typed = BTreeMap::new();
    for (name, value) in values {
        let var = declared
            .iter()
            .find(|var| &var.name == name)
            .ok_or_else(|| VarsError::Undeclared(name.clone()))?;
        let json = serde_json::to_value(value).map_err(|e| VarError {
            name: name.clone(),
            reason: e.to_string(),
        })?;
        let typed_var = TypedVar {
            ty: var.ty.name().to_string(),
            value: list_items(var.ty.name(), json),
            description: String::new(),
        };
        typed.insert(name.clone(), typed_var);
    }
    Ok(convert(&typed)?.values)
}

/// A plain list (`["a", "*"]`) in the HTTP API's form, each item typed (`*` is a star);
/// any other value as it is.
fn list_items(ty: &str, value: serde_json::Value) -> serde_json::Value {
    match (ty, value) {
        ("list", serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|item| match item.as_str() {
                Some("*") => serde_json::json!({"type": "star"}),
                _ => serde_json::json!({"type": "string", "value": item}),
            })
            .collect(),
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow::tickscript::VarType;

    fn declared(name: &str, ty: VarType) -> Var {
        Var {
            name: name.to_string(),
            ty,
            default: None,
            description: String::new(),
        }
    }

    fn values(text: &str) -> toml::Table {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn plain_values_take_the_declared_types() {
        let declared = [
            declared("threshold", VarType::Float),
            declared("every", VarType::Duration),
            declared("hosts", VarType::List),
        ];
        let typed = typed(
            &values("threshold = 90\nevery = \"10s\"\nhosts = [\"a\", \"*\"]"),
            &declared,
        )
        .expect("typed");
        assert_eq!(typed["threshold"], VarValue::Float(90.0));
        assert_eq!(
            typed["every"],
            VarValue::Duration(tickflow::model::Duration::from_nanos(10_000_000_000))
        );
        assert_eq!(
            typed["hosts"],
            VarValue::List(vec![VarValue::String("a".into()), VarValue::Star])
        );
    }

    #[test]
    fn a_wrong_type_or_an_undeclared_var_is_an_error_naming_it() {
        let declared = [declared("threshold", VarType::Float)];
        let err = typed(&values("threshold = \"hot\""), &declared).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid var threshold: value \"hot\" is not a valid float"
        );
        let err = typed(&values("other = 1"), &declared).unwrap_err();
        assert_eq!(
            err.to_string(),
            "var \"other\" is not declared by the script"
        );
    }
}
