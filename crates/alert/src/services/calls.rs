//! [`Calls`]: the option calls of a TICKscript service handler (`.channel('#a')`,
//! `.disableNotification()`), read by name; the last call of a name wins, as in
//! Kapacitor. The pipeline has checked their types.

use tickflow_pipeline::nodes::alert::ServiceHandler;
use tickflow_pipeline::nodes::udf::OptionValue;

/// A service handler's option calls.
#[derive(Debug, Clone, Copy)]
pub struct Calls<'a>(pub &'a ServiceHandler);

impl Calls<'_> {
    /// The first argument of the last call of `name`.
    fn last(&self, name: &str) -> Option<&OptionValue> {
        (self.0.options.iter().rev())
            .find(|(option, _)| option == name)
            .and_then(|(_, values)| values.first())
    }

    /// A string option; `None` when not called.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.last(name) {
            Some(OptionValue::String(text)) => Some(text.clone()),
            _ => None,
        }
    }

    /// A string option, or `default` when not called or empty.
    pub fn text_or(&self, name: &str, default: &str) -> String {
        self.text(name)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_owned())
    }

    /// An integer option; `None` when not called.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.last(name) {
            Some(OptionValue::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// A boolean option, or a call without arguments (`.disableNotification()`).
    pub fn flag(&self, name: &str) -> bool {
        let called = self.0.options.iter().any(|(option, _)| option == name);
        match self.last(name) {
            Some(OptionValue::Bool(value)) => *value,
            _ => called,
        }
    }
}
