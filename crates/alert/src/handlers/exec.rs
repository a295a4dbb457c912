//! The `.exec(program, args…)` handler: runs the program per event with `json + "\n"` on
//! its standard input (kapacitor-compat.md, alert-data §2.5); its output only appears in errors.

use std::io::{self, Write as _};
use std::process::{Command, ExitStatus, Stdio};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};

/// The most bytes of the program's output quoted in an error.
const MAX_OUTPUT: usize = 1024;

/// Why a program did not take an event.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The program could not be started or waited for.
    #[error("exec {program:?} failed: {source}")]
    Run {
        /// The program.
        program: String,
        /// Why.
        source: io::Error,
    },
    /// The program exited unsuccessfully.
    #[error("exec {program:?} failed: {status}, output {output:?}")]
    Status {
        /// The program.
        program: String,
        /// How it exited.
        status: ExitStatus,
        /// Its standard output and error, cut to a kilobyte.
        output: String,
    },
}

/// Runs a program per event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecHandler {
    program: String,
    args: Vec<String>,
}

impl ExecHandler {
    /// A handler running `program` with `args`.
    pub fn new(program: impl Into<String>, args: Vec<String>) -> Self {
        ExecHandler {
            program: program.into(),
            args,
        }
    }

    fn run(&self, input: &[u8]) -> Result<(), ExecError> {
        let run_error = |source| ExecError::Run {
            program: self.program.clone(),
            source,
        };
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(run_error)?;
        let stdin = child.stdin.take();
        // Writing on another thread: a program that prints much before reading its input
        // must not deadlock against us.
        let output = std::thread::scope(|scope| {
            scope.spawn(move || write_input(stdin, input));
            child.wait_with_output()
        })
        .map_err(run_error)?;
        if output.status.success() {
            return Ok(());
        }
        let mut text = output.stdout;
        text.extend_from_slice(&output.stderr);
        text.truncate(MAX_OUTPUT);
        Err(ExecError::Status {
            program: self.program.clone(),
            status: output.status,
            output: String::from_utf8_lossy(&text).into_owned(),
        })
    }
}

/// Writes the event and closes stdin; a program that exits without reading is not an
/// error here (its exit status tells).
fn write_input(stdin: Option<std::process::ChildStdin>, input: &[u8]) {
    if let Some(mut stdin) = stdin {
        let _ = stdin.write_all(input);
    }
}

impl Handler for ExecHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let mut input = event.to_json()?;
        input.push('\n');
        Ok(self.run(input.as_bytes())?)
    }

    fn describe(&self) -> String {
        format!("exec {:?}", self.program)
    }
}
