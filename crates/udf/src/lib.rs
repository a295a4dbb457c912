//! User-defined functions: the `@name()` nodes of a TICKscript.
//!
//! [`native`] holds UDFs written in Rust that run in-process: the [`native::NativeUdf`]
//! trait and the built-ins ([`native::ttest`], the t-test anomaly detector of the
//! Kapacitor guide). [`external`] drives agents speaking Kapacitor's UDF protocol, with
//! snapshots on a schedule ([`config`]'s `snapshot-interval`) and restarts that lose and
//! duplicate nothing: a failed agent restores its last snapshot, the requests sent since
//! are sent again and the outputs it had already produced for them are dropped (exact for
//! agents that are deterministic and answer in order; see `external`'s journal).
//!
//! ```
//! use tickflow_udf::native::builtin;
//!
//! let ttest = builtin("tTest").expect("tTest is built in");
//! assert!((ttest.info)().options.contains_key("alpha"));
//! ```

pub mod config;
pub mod convert;
pub mod external;
pub mod framing;
pub mod native;
pub mod proto;
mod registry;

pub use registry::{
    check_options, Instance, InstanceError, OptionProblem, Registry, RegistryError,
};
