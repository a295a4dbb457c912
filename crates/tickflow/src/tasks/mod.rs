//! Tasks defined from TICKscript text: [`TaskStore`] keeps each task's record (script,
//! vars, status, dates, last error) over the engine's task master, with Kapacitor's
//! create, update, enable, disable and delete semantics; [`definition`] is the checks a
//! script goes through to become a task, [`vars`] the typed vars of Kapacitor's API,
//! [`object`] a task as Kapacitor's tasks API shows it, and [`templates`] the templates
//! tasks are made from.

pub mod definition;
mod glob;
pub mod object;
mod store;
pub mod templates;
pub mod vars;

pub use glob::matches as glob_matches;
pub use store::{DbrpBody, ScriptFormat, TaskBody, TaskError, TaskErrorKind, TaskStore};
