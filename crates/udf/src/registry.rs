//! [`Registry`]: every UDF a task may call, by name — the native built-ins, and the
//! functions of a [`Config`] (processes and sockets, probed once for their Info at
//! start-up, or built-ins under other names) — and [`Instance`]s of them for the nodes
//! of a task.
//!
//! ```
//! use tickflow_udf::Registry;
//!
//! let registry = Registry::builtins();
//! assert!(registry.infos().contains_key("tTest"));
//! let instance = registry.instance("tTest", "task", "tTest2", &[]);
//! assert!(instance.is_err(), "tTest needs a field, a size and an alpha");
//! ```

use std::collections::BTreeMap;

use tickflow_pipeline::nodes::udf::{OptionType, UdfInfo, UdfOption};

use crate::config::{Agent, Config, Function};
use crate::external::{self, AgentError, ExternalUdf, Spec};
use crate::native::{Builtin, InitError, NativeUdf, BUILTINS};

/// The UDFs a task may call.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Native(Builtin),
    External { function: Function, info: UdfInfo },
}

/// A UDF running for one node.
pub enum Instance {
    /// In-process, no protocol.
    Native(Box<dyn NativeUdf>),
    /// An agent process or socket connection.
    External(Box<ExternalUdf>),
}

/// Why the UDFs of a config cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// A `builtin = "..."` entry names no built-in.
    #[error(
        "UDF {udf}: unknown built-in {builtin:?}; the built-ins are {}",
        builtin_names()
    )]
    UnknownBuiltin {
        /// The function's name.
        udf: String,
        /// The name written.
        builtin: String,
    },
    /// The Info probe failed (Kapacitor's start-up error).
    #[error("failed to load process info: {0}")]
    Probe(#[from] AgentError),
}

/// Why a node's UDF cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InstanceError {
    /// No UDF of that name.
    #[error("unknown UDF {0:?}")]
    Unknown(String),
    /// An option call does not fit what the UDF declared (Kapacitor's messages).
    #[error("UDF {udf}: {problem}")]
    Option {
        /// The UDF.
        udf: String,
        /// What does not fit.
        problem: OptionProblem,
    },
    /// A native UDF refused its options.
    #[error("UDF {udf} refused its options: {source}")]
    NativeInit {
        /// The UDF.
        udf: String,
        /// Its reason.
        source: InitError,
    },
    /// The agent did not start or refused Init.
    #[error(transparent)]
    Agent(#[from] AgentError),
}

/// An option call that does not fit the UDF's Info.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionProblem {
    /// The UDF has no such option.
    #[error("unknown option {0}")]
    Unknown(String),
    /// Wrong number of arguments.
    #[error("unexpected number of args to {option}, got {got} expected {expected}")]
    Arity {
        /// The option.
        option: String,
        /// Arguments given.
        got: usize,
        /// Arguments declared.
        expected: usize,
    },
    /// An argument of the wrong type.
    #[error("unexpected arg to {option}, got {got} expected {expected}")]
    Type {
        /// The option.
        option: String,
        /// The argument's type.
        got: OptionType,
        /// The declared type.
        expected: OptionType,
    },
}

fn builtin_names() -> String {
    BUILTINS
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in called `name`, in any case (`ttest` is `tTest`).
fn builtin_named(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name.eq_ignore_ascii_case(name))
}

impl Registry {
    /// The native built-ins under their names.
    pub fn builtins() -> Registry {
        let entries = BUILTINS
            .iter()
            .map(|b| (b.name.to_string(), Entry::Native(*b)))
            .collect();
        Registry { entries }
    }

    /// The built-ins, then the functions of `config` (which may replace a built-in of
    /// the same name). Each external function is started once and asked for its Info.
    pub fn from_config(config: &Config) -> Result<Registry, RegistryError> {
        let mut registry = Registry::builtins();
        for (name, function) in &config.functions {
            let entry = match &function.agent {
                Agent::Builtin { name: builtin } => {
                    Entry::Native(*builtin_named(builtin).ok_or_else(|| {
                        RegistryError::UnknownBuiltin {
                            udf: name.clone(),
                            builtin: builtin.clone(),
                        }
                    })?)
                }
                _ => Entry::External {
                    info: external::probe(name, function)?,
                    function: function.clone(),
                },
            };
            registry.entries.insert(name.clone(), entry);
        }
        Ok(registry)
    }

    /// Adds a native UDF of the embedding program (replacing any UDF of its name), as
    /// a built-in is: scripts call it by `builtin.name`, its Info checks their options.
    pub fn register(&mut self, builtin: Builtin) {
        self.entries
            .insert(builtin.name.to_string(), Entry::Native(builtin));
    }

    /// What each UDF declares, for `tickflow_pipeline::BuildOptions::udfs`.
    pub fn infos(&self) -> BTreeMap<String, UdfInfo> {
        self.entries
            .iter()
            .map(|(name, entry)| (name.clone(), entry.info()))
            .collect()
    }

    /// Starts UDF `udf` for node `node` of task `task`: checks the options against its
    /// Info, then initialises a native instance, or starts an agent and sends Init.
    pub fn instance(
        &self,
        udf: &str,
        task: &str,
        node: &str,
        options: &[UdfOption],
    ) -> Result<Instance, InstanceError> {
        let entry = self
            .entries
            .get(udf)
            .ok_or_else(|| InstanceError::Unknown(udf.to_string()))?;
        check_options(&entry.info(), options).map_err(|problem| InstanceError::Option {
            udf: udf.to_string(),
            problem,
        })?;
        match entry {
            Entry::Native(builtin) => {
                (builtin.init)(options)
                    .map(Instance::Native)
                    .map_err(|source| InstanceError::NativeInit {
                        udf: udf.to_string(),
                        source,
                    })
            }
            Entry::External { function, .. } => {
                let spec = Spec {
                    udf: udf.to_string(),
                    function: function.clone(),
                    task: task.to_string(),
                    node: node.to_string(),
                    options: options.to_vec(),
                };
                Ok(Instance::External(Box::new(ExternalUdf::start(
                    spec, None,
                )?)))
            }
        }
    }
}

impl Entry {
    fn info(&self) -> UdfInfo {
        match self {
            Entry::Native(builtin) => (builtin.info)(),
            Entry::External { info, .. } => info.clone(),
        }
    }
}

/// Checks option calls against an Info as Kapacitor does before Init (no coercion).
pub fn check_options(info: &UdfInfo, options: &[UdfOption]) -> Result<(), OptionProblem> {
    for option in options {
        let types = info
            .options
            .get(&option.name)
            .ok_or_else(|| OptionProblem::Unknown(option.name.clone()))?;
        let variadic = info.variadic.contains(&option.name) && !types.is_empty();
        let arity_ok =
            option.values.len() == types.len() || (variadic && option.values.len() > types.len());
        if !arity_ok {
            return Err(OptionProblem::Arity {
                option: option.name.clone(),
                got: option.values.len(),
                expected: types.len(),
            });
        }
        let expected = types.iter().chain(std::iter::repeat(
            types.last().unwrap_or(&OptionType::String),
        ));
        for (value, &expected) in option.values.iter().zip(expected) {
            if value.option_type() != expected {
                return Err(OptionProblem::Type {
                    option: option.name.clone(),
                    got: value.option_type(),
                    expected,
                });
            }
        }
    }
    Ok(())
}
