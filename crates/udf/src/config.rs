//! [`Config`]: the UDFs a config file declares, read from Kapacitor's
//! `[udf.functions.NAME]` tables (kapacitor-compat.md, udf-protocol §4.1) in TOML.
//!
//! Every other section is ignored, so a whole `kapacitor.conf` works. Each function is a
//! process (`prog`, `args`, `env`, `timeout`), a Unix socket (`socket`, `timeout`), or,
//! tickflow's addition, a native built-in under another name (`builtin = "ttest"`).
//!
//! `snapshot-interval` (tickflow's, per function; Kapacitor has one `[task]
//! snapshot-interval` for every task) is how often a running agent is asked for a
//! snapshot: a Go duration, [`DEFAULT_SNAPSHOT_INTERVAL`] (Kapacitor's default) when
//! absent, `"0"` to never ask. A native built-in's state is read exactly whenever the
//! task's state is taken, so the key means nothing for `builtin` functions.
//!
//! ```
//! use tickflow_udf::config::{Agent, Config};
//!
//! let config = Config::parse(r#"
//! [udf.functions.tTest]
//!     prog = "python3"
//!     args = ["-u", "tickscripts/udf/ttest.py"]
//!     timeout = "10s"
//! "#).expect("valid config");
//! assert!(matches!(config.functions["tTest"].agent, Agent::Process { .. }));
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tickflow_model::parse_go_duration;

/// The UDFs of a config file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Each function by the name scripts call it (`@tTest()`).
    pub functions: BTreeMap<String, Function>,
}

/// One `[udf.functions.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// How to reach the UDF.
    pub agent: Agent,
    /// The keepalive timeout: an agent silent this long is stopped.
    pub timeout: Duration,
    /// How often a running agent is asked for a snapshot; `None` never.
    pub snapshot_interval: Option<Duration>,
}

/// How often an agent is asked for a snapshot unless its table says otherwise:
/// Kapacitor's `[task] snapshot-interval` default, one minute.
pub const DEFAULT_SNAPSHOT_INTERVAL: Duration = Duration::from_secs(60);

/// Where a UDF runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Agent {
    /// A process started per use, speaking the protocol on stdin and stdout.
    Process {
        /// The executable (looked up in `PATH` when bare).
        prog: String,
        /// Its arguments.
        args: Vec<String>,
        /// Variables added to (and overriding) tickflow's own environment.
        env: BTreeMap<String, String>,
    },
    /// A server listening on a Unix socket, one connection per use.
    Socket {
        /// The socket's path.
        path: PathBuf,
    },
    /// A native built-in, by its name in any case (`ttest` is `tTest`).
    Builtin {
        /// The built-in's name as written.
        name: String,
    },
}

/// Why a config file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not TOML or a UDF table has keys of the wrong type.
    #[error("invalid config: {0}")]
    Toml(String),
    /// A function's table is inconsistent (Kapacitor's messages, prefixed `UDF <name>: `).
    #[error("UDF {name}: {problem}")]
    Function {
        /// The function's name.
        name: String,
        /// What is wrong with it.
        problem: FunctionProblem,
    },
}

/// What can be wrong with one function's table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FunctionProblem {
    /// Neither `prog`, `socket` nor `builtin`.
    #[error("must set either prog or socket")]
    NoAgent,
    /// More than one of `prog`, `socket` and `builtin`.
    #[error("both {0} and {1} config provided")]
    Both(&'static str, &'static str),
    /// The timeout is 1ms or less (or missing).
    #[error("timeout is too small: {0}")]
    TimeoutTooSmall(String),
    /// The timeout does not parse.
    #[error("invalid timeout {0:?}: expected a duration such as \"10s\"")]
    BadTimeout(String),
    /// The snapshot interval does not parse.
    #[error("invalid snapshot-interval {0:?}: expected a duration such as \"1m\", or \"0\"")]
    BadSnapshotInterval(String),
}

/// The shape of the file, as far as UDFs go.
#[derive(Debug, Deserialize, Default)]
struct RawFile {
    #[serde(default)]
    udf: Section,
}

/// The `[udf]` section as written: Kapacitor's `[udf.functions.NAME]` tables, checked by
/// [`Config::from_section`]. Part of tickflow's one configuration file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Section {
    /// Each function's table by name.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionSection>,
}

/// One `[udf.functions.NAME]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct FunctionSection {
    /// The program to start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prog: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Variables for its environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The keepalive timeout, a Go duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// A Unix socket to connect to instead of a program.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    /// tickflow's: a native built-in under this function's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    /// tickflow's: how often to ask for a snapshot, a Go duration or `"0"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_interval: Option<String>,
}

/// The smallest timeout Kapacitor accepts is just over this.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

impl Config {
    /// Reads the `[udf.functions.*]` tables of a TOML file's text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        Config::from_section(raw.udf)
    }

    /// Checks each function of a `[udf]` section as Kapacitor does.
    pub fn from_section(section: Section) -> Result<Config, ConfigError> {
        let functions = section
            .functions
            .into_iter()
            .map(|(name, raw)| match function(raw) {
                Ok(function) => Ok((name, function)),
                Err(problem) => Err(ConfigError::Function { name, problem }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Config { functions })
    }
}

/// Checks one table as Kapacitor does.
fn function(raw: FunctionSection) -> Result<Function, FunctionProblem> {
    let snapshot_interval = match raw.snapshot_interval {
        Some(text) => parse_go_duration(&text).ok_or(FunctionProblem::BadSnapshotInterval(text))?,
        None => DEFAULT_SNAPSHOT_INTERVAL,
    };
    let snapshot_interval = Some(snapshot_interval).filter(|d| !d.is_zero());
    let process = raw.prog.is_some() || !raw.args.is_empty() || !raw.env.is_empty();
    let agent = match (raw.prog, raw.socket, raw.builtin) {
        (_, Some(_), _) if process => return Err(FunctionProblem::Both("socket", "process")),
        (_, Some(_), Some(_)) => return Err(FunctionProblem::Both("builtin", "socket")),
        (_, None, Some(_)) if process => return Err(FunctionProblem::Both("builtin", "process")),
        (None, None, None) => return Err(FunctionProblem::NoAgent),
        (_, None, Some(name)) => {
            return Ok(Function {
                agent: Agent::Builtin { name },
                timeout: Duration::ZERO,
                snapshot_interval,
            })
        }
        (_, Some(path), None) => Agent::Socket { path: path.into() },
        (prog, None, None) => Agent::Process {
            prog: prog.unwrap_or_default(),
            args: raw.args,
            env: raw.env,
        },
    };
    let timeout = match raw.timeout {
        Some(text) => parse_go_duration(&text).ok_or(FunctionProblem::BadTimeout(text))?,
        None => Duration::ZERO,
    };
    if timeout <= MIN_TIMEOUT {
        return Err(FunctionProblem::TimeoutTooSmall(go_duration(timeout)));
    }
    Ok(Function {
        agent,
        timeout,
        snapshot_interval,
    })
}

/// A duration as Go prints the ones a config holds (`0s`, `1ms`, `10s`).
fn go_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:?}", d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        Config::parse(text).expect_err("invalid").to_string()
    }

    #[test]
    fn a_kapacitor_conf_keeps_only_its_udfs() {
        let config = Config::parse(
            r#"
hostname = "localhost"
[http]
  bind-address = ":9092"
[udf]
[udf.functions]
    [udf.functions.movingAverage]
        prog = "/usr/bin/python3"
        args = ["-u", "moving_avg.py"]
        timeout = "10s"
        [udf.functions.movingAverage.env]
            PYTHONPATH = "/agent/py"
    [udf.functions.sock]
        socket = "/tmp/sock.sock"
        timeout = "1m30s"
        snapshot-interval = "10s"
    [udf.functions.off]
        socket = "/tmp/off.sock"
        timeout = "1s"
        snapshot-interval = "0"
    [udf.functions.tt]
        builtin = "ttest"
"#,
        )
        .expect("valid");
        assert_eq!(
            config.functions["movingAverage"],
            Function {
                agent: Agent::Process {
                    prog: "/usr/bin/python3".into(),
                    args: vec!["-u".into(), "moving_avg.py".into()],
                    env: BTreeMap::from([("PYTHONPATH".into(), "/agent/py".into())]),
                },
                timeout: Duration::from_secs(10),
                snapshot_interval: Some(DEFAULT_SNAPSHOT_INTERVAL),
            }
        );
        assert_eq!(
            config.functions["sock"],
            Function {
                agent: Agent::Socket {
                    path: "/tmp/sock.sock".into()
                },
                timeout: Duration::from_secs(90),
                snapshot_interval: Some(Duration::from_secs(10)),
            }
        );
        assert_eq!(config.functions["off"].snapshot_interval, None);
        assert!(matches!(
            &config.functions["tt"].agent,
            Agent::Builtin { name } if name == "ttest"
        ));
    }

    #[test]
    fn inconsistent_functions_get_kapacitors_messages() {
        assert_eq!(
            problem("[udf.functions.a]\ntimeout = \"1s\""),
            "UDF a: must set either prog or socket"
        );
        assert_eq!(
            problem("[udf.functions.a]\nprog = \"x\"\nsocket = \"/s\"\ntimeout = \"1s\""),
            "UDF a: both socket and process config provided"
        );
        assert_eq!(
            problem("[udf.functions.a]\nprog = \"x\""),
            "UDF a: timeout is too small: 0s"
        );
        assert_eq!(
            problem("[udf.functions.a]\nprog = \"x\"\ntimeout = \"1ms\""),
            "UDF a: timeout is too small: 1ms"
        );
        assert_eq!(
            problem("[udf.functions.a]\nprog = \"x\"\ntimeout = \"ten\""),
            "UDF a: invalid timeout \"ten\": expected a duration such as \"10s\""
        );
        assert_eq!(
            problem("[udf.functions.a]\nprog = \"x\"\ntimeout = \"1s\"\nsnapshot-interval = \"often\""),
            "UDF a: invalid snapshot-interval \"often\": expected a duration such as \"1m\", or \"0\""
        );
        assert!(problem("[udf.functions.a]\nprog = 3").starts_with("invalid config: "));
    }
}
