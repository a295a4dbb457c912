//! The second stage of tickflow's front end: from a TICKscript's syntax tree
//! ([`tickflow_tickscript::Program`]) to a validated, typed DAG of node specs
//! ([`Pipeline`]), the way Kapacitor evaluates a script when a task is defined.
//!
//! [`build`] runs the script's statements: it evaluates `var`s (immutable; template
//! variables supplied through [`BuildOptions::vars`] as [`VarValue`]s), records `dbrp`
//! statements, and calls each chaining method (`|window()`), property (`.period(10s)`) and
//! UDF (`@tTest()`) against the node catalogue in [`nodes`], with Kapacitor's strict
//! argument types. Lambdas keep their expression with variables substituted
//! ([`Lambda`]) after passing the static type rules of [`tickflow_expr::check`]. Finally
//! every node is validated and every edge checked.
//!
//! The result is a [`Pipeline`] of [`Node`]s, each with Kapacitor's ID and name
//! (`stream0`, `from1`, `window2`), its parents and children, its edge types and its
//! typed spec ([`NodeKind`]). [`Pipeline::to_text`] lists it; [`Pipeline::to_dot`] gives
//! the Graphviz DOT Kapacitor shows for a task. A script that does not make a pipeline
//! gives a [`BuildError`] worded as Kapacitor words it, with the span it is about;
//! [`BuildError::render`] shows it under the source line. Building does no I/O: UDFs are
//! described by the caller ([`UdfInfo`]).
//!
//! ```
//! use std::collections::BTreeMap;
//! use tickflow_pipeline::{build, BuildOptions, EdgeType, NodeKind, OptionType, UdfInfo};
//!
//! let src = "\
//! var data = stream|from().measurement('temperatures')|window().period(5m).every(5m)
//! data@tTest().field('hotend').size(3600)|alert().crit(lambda: \"pvalue\" < 0.001)";
//! let udf = UdfInfo {
//!     wants: EdgeType::Batch,
//!     provides: EdgeType::Stream,
//!     options: BTreeMap::from([
//!         ("field".to_string(), vec![OptionType::String]),
//!         ("size".to_string(), vec![OptionType::Int]),
//!     ]),
//!     variadic: Default::default(),
//! };
//! let options = BuildOptions { udfs: BTreeMap::from([("tTest".to_string(), udf)]), ..Default::default() };
//! let pipeline = build(&tickflow_tickscript::parse(src)?, &options)?;
//!
//! let names: Vec<&str> = pipeline.walk().iter().map(|node| node.name.as_str()).collect();
//! assert_eq!(names, ["stream0", "from1", "window2", "tTest3", "alert4"]);
//! let NodeKind::Window(window) = &pipeline.nodes[2].kind else { panic!() };
//! assert_eq!(window.period.map(|d| d.nanos()), Some(300_000_000_000));
//! assert_eq!(
//!     pipeline.to_dot("printer"),
//!     "digraph printer {\nstream0 -> from1;\nfrom1 -> window2;\nwindow2 -> tTest3;\ntTest3 -> alert4;\n}",
//! );
//!
//! let typo = tickflow_tickscript::parse("stream|from()|window().peroid(5m)")?;
//! let err = build(&typo, &options).unwrap_err();
//! assert_eq!(err.to_string(), "unknown property .peroid on window; did you mean .period?");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use tickflow_tickscript::Program;

mod args;
mod catalogue;
mod deadman;
mod describe;
mod edge;
mod error;
mod evaluate;
mod fold;
mod lambda;
pub mod nodes;
mod pipeline;
mod property;
mod task_type;
mod value;
mod vars;

pub use edge::EdgeType;
pub use error::{BuildError, BuildErrorKind};
pub use lambda::Lambda;
pub use nodes::udf::{OptionType, OptionValue, UdfInfo};
pub use nodes::{NodeError, NodeKind};
pub use pipeline::{Node, NodeId, Pipeline, PropertyCall, TaskType};
pub use task_type::{task_type, TaskTypeError};
pub use value::TimeDimension;
pub use vars::{Var, VarValue};

/// What a build needs besides the script.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Stream or batch: decides whether the script's source is `stream` or `batch`.
    pub task_type: TaskType,
    /// The UDFs `@name()` can call, by name.
    pub udfs: BTreeMap<String, UdfInfo>,
    /// Values for the script's variables (a task created from a template).
    pub vars: BTreeMap<String, VarValue>,
    /// Defining a template rather than a task: a `var x type` without a value takes the
    /// type's zero value instead of failing.
    pub template: bool,
}

/// Evaluates `program` into a validated pipeline.
pub fn build(program: &Program, options: &BuildOptions) -> Result<Pipeline, BuildError> {
    evaluate::Builder::new(options).build(program)
}
