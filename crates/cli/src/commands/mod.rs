//! One module per `tickflow` subcommand (and `client`, Kapacitor's client verbs), each with its clap `Args` and a `run` function,
//! `script`, the loading they share, and `vars`, template values typed by a script.

pub(crate) mod check;
pub(crate) mod client;
pub(crate) mod config;
pub(crate) mod conformance;
mod destinations;
pub(crate) mod fmt;
pub(crate) mod plot;
mod precision_hint;
pub(crate) mod replay;
pub(crate) mod run;
pub(crate) mod score;
mod script;
pub(crate) mod serve;
pub(crate) mod show;
pub(crate) mod test;
mod vars;
