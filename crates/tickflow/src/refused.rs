//! The 400 body of a write with refused lines, bounded whatever the body: each line is
//! quoted cut to [`QUOTE_CHARS`] characters, at most [`LISTED`] lines are listed, and a
//! last line counts the rest. Without the bound, 24 MB of bad lines made a reply as big.

use tickflow_line_protocol::LineError;

pub use tickflow_engine::time_guard::{quote, QUOTE_CHARS};

/// The most refused lines listed.
pub const LISTED: usize = 20;

/// A line that does not parse, as Kapacitor words it, its quote cut.
pub(crate) fn parse_error(error: &LineError) -> String {
    format!("unable to parse '{}': {}", quote(&error.text), error.reason)
}

/// At most [`LISTED`] of `messages`, then `and N more lines refused` when there were more.
pub(crate) fn bounded(messages: impl ExactSizeIterator<Item = String>) -> Vec<String> {
    let total = messages.len();
    let mut listed: Vec<String> = messages.take(LISTED).collect();
    if total > LISTED {
        listed.push(format!("and {} more lines refused", total - LISTED));
    }
    listed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_many_lines_counted() {
        let long = "x".repeat(150);
        assert_eq!(quote(&long), format!("{}...", "x".repeat(100)));
        assert_eq!(quote("é short"), "é short");
        let messages = (0..25).map(|i| format!("line {i}"));
        let listed = bounded(messages.collect::<Vec<_>>().into_iter());
        assert_eq!(listed.len(), LISTED + 1);
        assert_eq!(listed[LISTED], "and 5 more lines refused");
        assert_eq!(bounded(vec!["one".to_string()].into_iter()), ["one"]);
    }
}
