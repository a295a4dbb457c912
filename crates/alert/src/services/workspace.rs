//! [`Workspace`]: a section Kapacitor allows several of (`[[slack]]`, `[[discord]]`),
//! each named by `workspace`, and [`select`], which picks the one a handler names.

/// A section of which several may be configured.
pub trait Workspace {
    /// The name `.workspace()` refers to.
    fn workspace(&self) -> &str;
    /// Whether handlers naming none use it.
    fn is_default(&self) -> bool;
}

/// The section a handler naming `workspace` (empty for none) uses among `configs`: the
/// named one, else the default one, else the only one.
pub fn select<'a, W: Workspace>(configs: &'a [W], workspace: &str) -> Option<&'a W> {
    match workspace {
        "" => (configs.iter().find(|c| c.is_default())).or(match configs {
            [only] => Some(only),
            _ => None,
        }),
        name => configs.iter().find(|c| c.workspace() == name),
    }
}
