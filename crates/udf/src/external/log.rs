//! Where external UDFs log: each stderr line of an agent (Kapacitor logs them at INFO as
//! `UDF log`) and warnings that do not stop a task. Both go to tickflow's stderr.

/// Logs one line an agent wrote to its stderr.
pub(crate) fn udf_log(udf: &str, line: &str) {
    eprintln!("UDF log udf={udf}: {line}");
}

/// Logs a problem that tickflow works around.
pub(crate) fn warn(udf: &str, message: &str) {
    eprintln!("warning: UDF {udf}: {message}");
}
