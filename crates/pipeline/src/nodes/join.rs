//! `a|join(b, c)`: joins its parents' data on time (and group). Its parents are
//! `[a, b, c]`; `.as(…)` names each parent's fields.

use tickflow_model::Duration;

use crate::args::{AnyArg, NodeArg, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created};
use crate::describe::Props;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};
use crate::value::Value;

/// The `join` node.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinNode {
    /// The field prefix of each parent, in parent order.
    pub names: Vec<String>,
    /// The dimensions to join less specific groups on.
    pub on: Vec<String>,
    /// Between prefix and field name (default `.`).
    pub delimiter: String,
    /// The output measurement; empty takes the first member's.
    pub stream_name: String,
    /// Times within this distance are joined (rounded to it).
    pub tolerance: Option<Duration>,
    /// What to do with a missing member.
    pub fill: Fill,
    /// A group deleted in any parent is deleted for all.
    pub delete_all: bool,
}

impl Default for JoinNode {
    fn default() -> Self {
        JoinNode {
            names: Vec::new(),
            on: Vec::new(),
            delimiter: ".".into(),
            stream_name: String::new(),
            tolerance: None,
            fill: Fill::None,
            delete_all: false,
        }
    }
}

/// How `join` fills in a missing member.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Fill {
    /// Drop the incomplete set (an inner join).
    #[default]
    None,
    /// Fields of the missing member are null.
    Null,
    /// Fields of the missing member are this int.
    Int(i64),
    /// Fields of the missing member are this float.
    Float(f64),
}

/// An inconsistent `join`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// No `.as()`.
    #[error("a call to join.as() is required to specify the output stream prefixes.")]
    NoNames,
    /// `.as()` names and parents differ in number.
    #[error("number of prefixes specified by join.as() must match the number of joined streams")]
    NameCount,
    /// An empty `.as()` name.
    #[error("must provide a prefix name for the join node, see .as() property method")]
    EmptyName,
    /// An `.as()` name with the delimiter in it.
    #[error("cannot use name {name} as field prefix, it contains the delimiter {delimiter:?}\t")]
    NameWithDelimiter {
        /// The name.
        name: String,
        /// The delimiter.
        delimiter: String,
    },
    /// Two equal `.as()` names.
    #[error("cannot use the same prefix name see .as() property method")]
    DuplicateName,
    /// A `.fill()` string other than `none` and `null`.
    #[error("unexpected fill option {0}")]
    FillOption(String),
    /// A `.fill()` value that is not a string or a number.
    #[error("unexpected fill type {0}")]
    FillType(&'static str),
}

/// The fill of `.fill(value)`.
fn fill(value: Value) -> Result<Fill, JoinError> {
    match value {
        Value::String(s) if s == "none" => Ok(Fill::None),
        Value::String(s) if s == "null" => Ok(Fill::Null),
        Value::String(s) => Err(JoinError::FillOption(s)),
        Value::Int(v) => Ok(Fill::Int(v)),
        Value::Float(v) => Ok(Fill::Float(v)),
        other => Err(JoinError::FillType(other.go_type())),
    }
}

/// Checks prefix names (shared with `combine`'s rules but with `join`'s wording).
fn check_names(names: &[String], delimiter: &str) -> Result<(), JoinError> {
    for name in names {
        if name.is_empty() {
            return Err(JoinError::EmptyName);
        }
        if !delimiter.is_empty() && name.contains(delimiter) {
            return Err(JoinError::NameWithDelimiter {
                name: name.clone(),
                delimiter: delimiter.to_string(),
            });
        }
    }
    match names
        .iter()
        .enumerate()
        .any(|(i, name)| names[..i].contains(name))
    {
        true => Err(JoinError::DuplicateName),
        false => Ok(()),
    }
}

impl NodeSpec for JoinNode {
    const NAMES: Names<'static> = Names {
        method: "join",
        desc: "join",
        go_type: "*pipeline.JoinNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "as", |n: JoinNode, names: Rest<String>| n.names = names.0),
        property!(Method "on", |n: JoinNode, dims: Rest<String>| n.on = dims.0),
        property!(Field "delimiter", |n: JoinNode, delimiter: String| n.delimiter = delimiter),
        property!(Field "streamName", |n: JoinNode, name: String| n.stream_name = name),
        property!(Field "tolerance", |n: JoinNode, tolerance: Duration| n.tolerance = Some(tolerance)),
        property!(Field "fill", |n: JoinNode, value: AnyArg| fill(value.0).map(|fill| n.fill = fill)),
        property!(Field "deleteAll", |n: JoinNode, delete_all: bool| n.delete_all = delete_all),
    ];

    fn validate(&self, parents: usize) -> Result<(), NodeError> {
        if self.names.is_empty() {
            return Err(JoinError::NoNames.into());
        }
        if self.names.len() != parents {
            return Err(JoinError::NameCount.into());
        }
        Ok(check_names(&self.names, &self.delimiter)?)
    }

    fn describe(&self, props: &mut Props) {
        props.list("as", &self.names);
        props.list("on", &self.on);
        if self.delimiter != "." {
            props.put("delimiter", &self.delimiter);
        }
        props.text("streamName", &self.stream_name);
        props.opt("tolerance", self.tolerance);
        match self.fill {
            Fill::None => {}
            Fill::Null => props.put("fill", "null"),
            Fill::Int(v) => props.put("fill", v),
            Fill::Float(v) => props.put("fill", v),
        }
        props.flag("deleteAll", self.delete_all);
    }
}

/// `|join(nodes…)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!(
        "join",
        |others: Rest<NodeArg>| Created::Join(NodeKind::Join(JoinNode::default()), others.0)
    )];
