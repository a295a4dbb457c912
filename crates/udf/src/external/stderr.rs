//! [`StderrTail`]: an agent's stderr, logged line by line and its last lines kept for
//! error messages.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, PoisonError};

use super::log;

/// How many stderr lines an error quotes.
const KEPT_LINES: usize = 10;

/// The last lines an agent wrote to stderr.
#[derive(Debug, Clone, Default)]
pub(crate) struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    /// Logs every line of `stream` as the UDF `udf`'s and keeps the last ones, until the
    /// stream ends (run it on its own thread).
    pub(crate) fn follow(&self, udf: &str, stream: impl Read) {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            log::udf_log(udf, &line);
            let mut lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if lines.len() == KEPT_LINES {
                lines.pop_front();
            }
            lines.push_back(line);
        }
    }

    /// The kept lines, oldest first.
    pub(crate) fn lines(&self) -> Vec<String> {
        let lines = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        lines.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_lines_are_kept() {
        let tail = StderrTail::default();
        let text: String = (0..15).map(|i| format!("line {i}\n")).collect();
        tail.follow("t", text.as_bytes());
        let lines = tail.lines();
        assert_eq!(lines.len(), KEPT_LINES);
        assert_eq!(lines[0], "line 5");
        assert_eq!(lines[9], "line 14");
    }
}
