//! `|log()`: logs every point or batch it forwards, at `.level(…)` with `.prefix(…)`.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `log` node.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNode {
    /// `DEBUG`, `INFO` (the default), `WARN` or `ERROR`.
    pub level: String,
    /// Written before each entry.
    pub prefix: String,
}

impl Default for LogNode {
    fn default() -> Self {
        LogNode {
            level: "INFO".into(),
            prefix: String::new(),
        }
    }
}

impl NodeSpec for LogNode {
    const NAMES: Names<'static> = Names {
        method: "log",
        desc: "log",
        go_type: "*pipeline.LogNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "level", |n: LogNode, level: String| n.level = level),
        property!(Field "prefix", |n: LogNode, prefix: String| n.prefix = prefix),
    ];

    fn describe(&self, props: &mut Props) {
        props.put("level", &self.level);
        props.text("prefix", &self.prefix);
    }
}

/// `|log()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("log", || Created::child(
    NodeKind::Log(LogNode::default()),
    Edges::Same
))];
