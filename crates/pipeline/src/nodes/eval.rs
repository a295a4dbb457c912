//! `|eval(λ, …)`: computes new fields (or tags) from each point.

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::lambda::Lambda;
use crate::nodes::{Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `eval` node.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalNode {
    /// The expressions, evaluated in order.
    pub expressions: Vec<Lambda>,
    /// The name of each expression's result.
    pub as_names: Vec<String>,
    /// The results that become tags.
    pub tags: Vec<String>,
    /// `None`: keep only the results; `Some([])`: keep all fields; `Some(names)`: keep
    /// exactly these.
    pub keep: Option<Vec<String>>,
}

/// An inconsistent `eval`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// `.as()` names and expressions differ in number.
    #[error("must specify same number of expressions and .as() names: got {names} as names, and {expressions} expressions.")]
    AsCount {
        /// `.as()` names given.
        names: usize,
        /// Expressions given.
        expressions: usize,
    },
    /// A `.tags()` name that is not an `.as()` name.
    #[error("invalid tag name {0:?}, name is not present is .as() names")]
    UnknownTag(String),
}

impl NodeSpec for EvalNode {
    const NAMES: Names<'static> = Names {
        method: "eval",
        desc: "eval",
        go_type: "*pipeline.EvalNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "as", |n: EvalNode, names: Rest<String>| n.as_names = names.0),
        property!(Method "tags", |n: EvalNode, names: Rest<String>| n.tags = names.0),
        property!(Method "keep", |n: EvalNode, fields: Rest<String>| n.keep = Some(fields.0)),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        if self.as_names.len() != self.expressions.len() {
            let (names, expressions) = (self.as_names.len(), self.expressions.len());
            return Err(EvalError::AsCount { names, expressions }.into());
        }
        match self.tags.iter().find(|tag| !self.as_names.contains(tag)) {
            Some(tag) => Err(EvalError::UnknownTag(tag.clone()).into()),
            None => Ok(()),
        }
    }

    fn describe(&self, props: &mut Props) {
        for expression in &self.expressions {
            props.put("expression", expression);
        }
        props.list("as", &self.as_names);
        props.list("tags", &self.tags);
        match &self.keep {
            Some(fields) if fields.is_empty() => props.flag("keep", true),
            Some(fields) => props.list("keep", fields),
            None => {}
        }
    }
}

/// `|eval(λ…)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("eval", |expressions: Rest<Lambda>| {
    let node = EvalNode {
        expressions: expressions.0,
        as_names: Vec::new(),
        tags: Vec::new(),
        keep: None,
    };
    Created::child(NodeKind::Eval(node), Edges::Same)
})];
