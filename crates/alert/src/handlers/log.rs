//! The `.log(path)` handler: appends each event as one JSON line to a file
//! (kapacitor-compat.md, alert-data §2.5).
//!
//! **Invariant:** a line is written with a single `write_all` on a file opened in append
//! mode, so concurrent writers (several tasks logging to one file) never interleave lines.
//! The file is opened and closed per event, as Kapacitor does, so it can be rotated freely.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};

/// Why the log handler could not write an event.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A missing parent directory of the log could not be created.
    #[error("cannot create directory \"{}\" for alert log: {source}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The log could not be opened or created.
    #[error("cannot open alert log \"{}\": {source}", path.display())]
    Open {
        /// The log file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The line could not be written.
    #[error("cannot write alert log \"{}\": {source}", path.display())]
    Write {
        /// The log file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Appends `json + "\n"` per event to a file, creating it (and its directory) if needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHandler {
    path: PathBuf,
    mode: u32,
}

impl LogHandler {
    /// The permissions of a newly created log when `.mode()` is not given.
    pub const DEFAULT_MODE: u32 = 0o600;

    /// A handler appending to `path`, creating it with [`Self::DEFAULT_MODE`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LogHandler {
            path: path.into(),
            mode: Self::DEFAULT_MODE,
        }
    }

    /// Sets the unix permissions a newly created log gets (`.mode()`; the umask applies).
    pub fn with_mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the log for appending, creating missing parent directories on demand.
    fn open(&self) -> Result<File, LogError> {
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        options.mode(self.mode);
        let open_error = |source| LogError::Open {
            path: self.path.clone(),
            source,
        };
        match options.open(&self.path) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| LogError::CreateDir {
                        dir: dir.to_path_buf(),
                        source,
                    })?;
                }
                options.open(&self.path).map_err(open_error)
            }
            result => result.map_err(open_error),
        }
    }

    /// Appends one line (which must end in `\n`) with a single write, then closes the file.
    fn append(&self, line: &str) -> Result<(), LogError> {
        self.open()?
            .write_all(line.as_bytes())
            .map_err(|source| LogError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

impl Handler for LogHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let mut line = event.to_json()?;
        line.push('\n');
        self.append(&line)?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("log {:?}", self.path.display().to_string())
    }
}
