//! `@name()`: a user-defined function node. The UDF catalogue the caller passes in
//! ([`UdfInfo`] per name, from each UDF process's Info response) gives the node's edges
//! and its options; `.option(args…)` calls are checked against them (kapacitor-compat.md, nodes §10) and
//! kept in order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use tickflow_model::Duration;

use crate::describe::{quote, Props, Render};
use crate::edge::EdgeType;
use crate::nodes::{Names, NodeSpec};
use crate::property::Property;
use crate::value::Value;

/// What a UDF declares about itself (the UDF protocol's Info response).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdfInfo {
    /// The edge it reads.
    pub wants: EdgeType,
    /// The edge it writes.
    pub provides: EdgeType,
    /// Its options and the types of each option's arguments.
    pub options: BTreeMap<String, Vec<OptionType>>,
    /// Options whose last argument may repeat (`.field('a', 'b', 'c')`). Only native
    /// UDFs declare these; Kapacitor's Info response cannot, so it is empty for agents.
    pub variadic: BTreeSet<String>,
}

/// The type of a UDF option argument (the UDF protocol's `ValueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionType {
    /// `BOOL`.
    Bool,
    /// `INT`.
    Int,
    /// `DOUBLE`.
    Double,
    /// `STRING`.
    String,
    /// `DURATION`.
    Duration,
}

impl fmt::Display for OptionType {
    /// The protocol's name: `BOOL`, `INT`, `DOUBLE`, `STRING`, `DURATION`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptionType::Bool => "BOOL",
            OptionType::Int => "INT",
            OptionType::Double => "DOUBLE",
            OptionType::String => "STRING",
            OptionType::Duration => "DURATION",
        })
    }
}

/// A UDF option argument.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Double(f64),
    /// A string.
    String(String),
    /// A duration.
    Duration(Duration),
}

impl OptionValue {
    /// The argument's type.
    pub fn option_type(&self) -> OptionType {
        match self {
            OptionValue::Bool(_) => OptionType::Bool,
            OptionValue::Int(_) => OptionType::Int,
            OptionValue::Double(_) => OptionType::Double,
            OptionValue::String(_) => OptionType::String,
            OptionValue::Duration(_) => OptionType::Duration,
        }
    }

    /// A script value as an option argument, if it is one of the five types.
    pub(crate) fn from_value(value: &Value) -> Option<OptionValue> {
        Some(match value {
            Value::Bool(v) => OptionValue::Bool(*v),
            Value::Int(v) => OptionValue::Int(*v),
            Value::Float(v) => OptionValue::Double(*v),
            Value::String(v) => OptionValue::String(v.clone()),
            Value::Duration(v) => OptionValue::Duration(*v),
            _ => return None,
        })
    }
}

impl Render for &OptionValue {
    fn render(&self) -> String {
        match self {
            OptionValue::Bool(v) => v.render(),
            OptionValue::Int(v) => v.render(),
            OptionValue::Double(v) => v.render(),
            OptionValue::String(v) => quote(v),
            OptionValue::Duration(v) => v.render(),
        }
    }
}

/// Option arguments written as in a script: `'a', 10, 1.5`.
pub(crate) fn render_values(values: &[OptionValue]) -> String {
    values
        .iter()
        .map(|value| value.render())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One option call on a UDF node.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfOption {
    /// The option.
    pub name: String,
    /// Its arguments.
    pub values: Vec<OptionValue>,
}

/// A UDF node.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfNode {
    /// The UDF's name in the catalogue.
    pub name: String,
    /// What the UDF declared.
    pub info: UdfInfo,
    /// The option calls, in script order (an option may repeat).
    pub options: Vec<UdfOption>,
}

/// An option call that does not fit the UDF's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OptionError {
    Arity { got: usize, expected: usize },
    Type { got: String, expected: OptionType },
}

impl UdfNode {
    /// Whether the UDF declares option `name`.
    pub(crate) fn has_option(&self, name: &str) -> bool {
        self.info.options.contains_key(name)
    }

    /// Records the call `.name(args…)` of a declared option.
    pub(crate) fn set_option(&mut self, name: &str, args: Vec<Value>) -> Result<(), OptionError> {
        let types = self.info.options.get(name).map_or(&[][..], Vec::as_slice);
        let repeats = self.info.variadic.contains(name) && args.len() > types.len();
        let types: Vec<OptionType> = match types.last() {
            Some(&last) if repeats => types
                .iter()
                .copied()
                .chain(std::iter::repeat(last))
                .take(args.len())
                .collect(),
            _ => types.to_vec(),
        };
        if args.len() != types.len() {
            return Err(OptionError::Arity {
                got: args.len(),
                expected: types.len(),
            });
        }
        let values = args
            .iter()
            .zip(types)
            .map(|(arg, expected)| match OptionValue::from_value(arg) {
                Some(value) if value.option_type() == expected => Ok(value),
                Some(value) => Err(OptionError::Type {
                    got: value.option_type().to_string(),
                    expected,
                }),
                None => Err(OptionError::Type {
                    got: arg.go_type().to_string(),
                    expected,
                }),
            })
            .collect::<Result<_, _>>()?;
        self.options.push(UdfOption {
            name: name.to_string(),
            values,
        });
        Ok(())
    }

    /// The option names, for suggestions.
    pub(crate) fn option_names(&self) -> impl Iterator<Item = &str> {
        self.info.options.keys().map(String::as_str)
    }
}

impl NodeSpec for UdfNode {
    /// The names shared by every UDF; [`UdfNode::names`] uses the UDF's own name.
    const NAMES: Names<'static> = Names {
        method: "udf",
        desc: "udf",
        go_type: "*pipeline.UDFNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn names(&self) -> Names<'_> {
        Names {
            method: &self.name,
            desc: &self.name,
            ..Self::NAMES
        }
    }

    fn describe(&self, props: &mut Props) {
        for option in &self.options {
            props.put(&option.name, render_values(&option.values));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(variadic: bool) -> UdfNode {
        UdfNode {
            name: "movingAvg".into(),
            info: UdfInfo {
                wants: EdgeType::Stream,
                provides: EdgeType::Stream,
                options: BTreeMap::from([("field".to_string(), vec![OptionType::String])]),
                variadic: variadic.then(|| "field".to_string()).into_iter().collect(),
            },
            options: Vec::new(),
        }
    }

    fn strings(values: &[&str]) -> Vec<Value> {
        values.iter().map(|v| Value::String((*v).into())).collect()
    }

    #[test]
    fn a_variadic_option_takes_several_arguments_of_its_last_type() {
        let mut udf = node(true);
        udf.set_option("field", strings(&["hotend", "bed", "air"]))
            .expect("three fields");
        assert_eq!(udf.options[0].values.len(), 3);
        assert_eq!(
            udf.set_option("field", vec![Value::Int(1), Value::Int(2)]),
            Err(OptionError::Type {
                got: "INT".into(),
                expected: OptionType::String
            })
        );
        assert_eq!(
            node(false).set_option("field", strings(&["hotend", "bed"])),
            Err(OptionError::Arity {
                got: 2,
                expected: 1
            })
        );
    }
}
