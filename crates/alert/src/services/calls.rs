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

    /// Every string argument of the last call of `name` (`.teams('a', 'b')`); empty when
    /// not called.
    pub fn texts(&self, name: &str) -> Vec<String> {
        (self.0.options.iter().rev())
            .find(|(option, _)| option == name)
            .map(|(_, values)| values.iter().filter_map(text_of).collect())
            .unwrap_or_default()
    }

    /// The string arguments of every call of `name`, in order (`.link(href, text)`
    /// called twice gives two lists).
    pub fn each(&self, name: &str) -> Vec<Vec<String>> {
        (self.0.options.iter())
            .filter(|(option, _)| option == name)
            .map(|(_, values)| values.iter().filter_map(text_of).collect())
            .collect()
    }

    /// A duration option; `None` when not called.
    pub fn duration(&self, name: &str) -> Option<tickflow_model::Duration> {
        match self.last(name) {
            Some(OptionValue::Duration(d)) => Some(*d),
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

/// A string argument's text.
fn text_of(value: &OptionValue) -> Option<String> {
    match value {
        OptionValue::String(text) => Some(text.clone()),
        _ => None,
    }
}
