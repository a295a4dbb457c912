//! `|combine(λ, …)`: pairs (or triples, …) points of equal time from one parent, one
//! point per matching combination. Any edge in, stream edge out.

use tickflow_model::Duration;

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `combine` node.
#[derive(Debug, Clone, PartialEq)]
pub struct CombineNode {
    /// One predicate per member of a combination.
    pub expressions: Vec<Lambda>,
    /// The field prefix of each member.
    pub names: Vec<String>,
    /// Between prefix and field name (default `.`).
    pub delimiter: String,
    /// Times within this distance are the same time.
    pub tolerance: Option<Duration>,
    /// The most combinations computed for one time (default 1,000,000).
    pub max: i64,
}

/// An inconsistent `combine`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CombineError {
    /// No `.as()`.
    #[error("a call to combine.as() is required to specify the output stream prefixes.")]
    NoNames,
    /// `.as()` names and expressions differ in number.
    #[error(
        "number of prefixes specified by combine.as() must match the number of combine expressions"
    )]
    NameCount,
    /// An empty `.as()` name.
    #[error("must provide a prefix name for the combine node, see .as() property method")]
    EmptyName,
    /// An `.as()` name with the delimiter in it.
    #[error(
        "cannot use name {name} as field prefix, it contains the delimiter character {delimiter}"
    )]
    NameWithDelimiter {
        /// The name.
        name: String,
        /// The delimiter.
        delimiter: String,
    },
    /// Two equal `.as()` names.
    #[error("cannot use the same prefix name see .as() property method")]
    DuplicateName,
}

impl NodeSpec for CombineNode {
    const NAMES: Names<'static> = Names {
        method: "combine",
        desc: "combine",
        go_type: "*pipeline.CombineNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "as", |n: CombineNode, names: Rest<String>| n.names = names.0),
        property!(Field "delimiter", |n: CombineNode, delimiter: String| n.delimiter = delimiter),
        property!(Field "tolerance", |n: CombineNode, tolerance: Duration| n.tolerance = Some(tolerance)),
        property!(Field "max", |n: CombineNode, max: i64| n.max = max),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        if self.names.is_empty() {
            return Err(CombineError::NoNames.into());
        }
        if self.names.len() != self.expressions.len() {
            return Err(CombineError::NameCount.into());
        }
        for (i, name) in self.names.iter().enumerate() {
            if name.is_empty() {
                return Err(CombineError::EmptyName.into());
            }
            // Go's strings.Contains finds the empty delimiter in every name.
            if name.contains(self.delimiter.as_str()) {
                let delimiter = self.delimiter.clone();
                return Err(CombineError::NameWithDelimiter {
                    name: name.clone(),
                    delimiter,
                }
                .into());
            }
            if self.names[..i].contains(name) {
                return Err(CombineError::DuplicateName.into());
            }
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        for expression in &self.expressions {
            props.put("expression", expression);
        }
        props.list("as", &self.names);
        if self.delimiter != "." {
            props.put("delimiter", &self.delimiter);
        }
        props.opt("tolerance", self.tolerance);
        props.opt("max", Some(self.max).filter(|max| *max != DEFAULT_MAX));
    }
}

const DEFAULT_MAX: i64 = 1_000_000;

/// `|combine(λ…)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("combine", |expressions: Rest<Lambda>| {
        let node = CombineNode {
            expressions: expressions.0,
            names: Vec::new(),
            delimiter: ".".into(),
            tolerance: None,
            max: DEFAULT_MAX,
        };
        Created::child(NodeKind::Combine(node), Edges::Provides(EdgeType::Stream))
    })];
