//! One module per `tickflow` subcommand, each with its clap `Args` and a `run` function,
//! and `script`, the loading they share.

pub mod check;
pub mod config;
pub mod conformance;
pub mod fmt;
pub mod replay;
pub mod run;
pub mod score;
mod script;
pub mod serve;
pub mod show;
