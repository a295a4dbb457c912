//! One module per `tickflow` subcommand, each with its clap `Args` and a `run` function.

pub mod fmt;
