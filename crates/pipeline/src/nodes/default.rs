//! `|default()`: sets fields (`.field(name, value)`) and tags (`.tag(name, value)`) that a
//! point lacks; and the field-value rule it shares with `sideload`.

use tickflow_model::FieldValue;

use crate::args::AnyArg;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::nodes::{describe_entries, upsert, Names, NodeKind, NodeSpec};
use crate::property::{property, Property};
use crate::value::Value;

/// The `default` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DefaultNode {
    /// Fields set when absent (or null), in first-set order.
    pub fields: Vec<(String, FieldValue)>,
    /// Tags set when absent (or empty), in first-set order.
    pub tags: Vec<(String, String)>,
}

/// A default that cannot be a field value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefaultError {
    /// The value is not a float, int, string or bool.
    #[error("unsupported type {go_type} for field {field:?}, field default values must be float,int,string or bool")]
    UnsupportedType {
        /// The value's Go type.
        go_type: &'static str,
        /// The field.
        field: String,
    },
}

/// `value` as the value of field `field`.
pub(crate) fn field_value(field: &str, value: Value) -> Result<FieldValue, DefaultError> {
    Ok(match value {
        Value::Float(v) => FieldValue::Float(v),
        Value::Int(v) => FieldValue::Integer(v),
        Value::Bool(v) => FieldValue::Boolean(v),
        Value::String(v) => FieldValue::string(v),
        other => {
            return Err(DefaultError::UnsupportedType {
                go_type: other.go_type(),
                field: field.to_string(),
            })
        }
    })
}

/// A field value written as in a script.
pub(crate) fn render_field(value: &FieldValue) -> String {
    match value {
        FieldValue::Float(v) => format!("{v:?}"),
        FieldValue::Integer(v) => v.to_string(),
        FieldValue::Unsigned(v) => v.to_string(),
        FieldValue::String(v) => quote(v),
        FieldValue::Boolean(v) => if *v { "TRUE" } else { "FALSE" }.to_string(),
    }
}

impl DefaultNode {
    fn field(&mut self, name: String, value: AnyArg) -> Result<(), DefaultError> {
        let value = field_value(&name, value.0)?;
        upsert(&mut self.fields, name, value);
        Ok(())
    }
}

impl NodeSpec for DefaultNode {
    const NAMES: Names<'static> = Names {
        method: "default",
        desc: "default",
        go_type: "*pipeline.DefaultNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "field", |n: DefaultNode, name: String, value: AnyArg| n.field(name, value)),
        property!(Method "tag", |n: DefaultNode, name: String, value: String| upsert(&mut n.tags, name, value)),
    ];

    fn describe(&self, props: &mut Props) {
        describe_entries(props, "field", &self.fields, render_field);
        describe_entries(props, "tag", &self.tags, |value| quote(value));
    }
}

/// `|default()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("default", || Created::child(
    NodeKind::Default(DefaultNode::default()),
    Edges::Same
))];
