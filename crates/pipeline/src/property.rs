//! Property tables: for each node kind, the properties (`.name(args)`) it has, how their
//! arguments are typed and how they set the node's spec.
//!
//! A table is a slice of [`Property`] built with the `property!` macro, which reads like
//! the Go method it mirrors:
//!
//! ```text
//! property!(Field "period", |n: WindowNode, period: Duration| n.period = Some(period)),
//! property!(Method "align", |n: WindowNode| n.align = true),
//! ```
//!
//! The argument types (a tuple decoded by [`FromArgs`](crate::args::FromArgs)) give the
//! strict typing and Kapacitor's errors; `Field` or `Method` says which reflection path
//! Kapacitor takes, which decides the error wording and what the call returns.

use crate::args::{ArgError, Kind};
use crate::nodes::NodeError;
use crate::value::Value;

/// One property of a spec type `T`.
pub(crate) struct Property<T> {
    /// The name as written in scripts (`retentionPolicy`).
    pub name: &'static str,
    /// Whether Kapacitor sets a field or calls a method.
    pub kind: Kind,
    /// Decodes the arguments and updates the spec.
    pub apply: fn(&mut T, Vec<Value>) -> Result<Outcome, PropertyError>,
}

/// What a property call returns besides the updated spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The object it was called on (or, for a field, whatever object the chain had).
    Receiver,
    /// A new alert handler, at this index of the alert's handlers.
    Handler(usize),
}

/// Why a property call failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PropertyError {
    /// The arguments do not fit.
    Args(ArgError),
    /// The arguments fit but the value is invalid.
    Invalid(NodeError),
}

/// What a property body may evaluate to.
pub(crate) trait IntoOutcome {
    fn into_outcome(self) -> Result<Outcome, PropertyError>;
}

impl IntoOutcome for () {
    fn into_outcome(self) -> Result<Outcome, PropertyError> {
        Ok(Outcome::Receiver)
    }
}

impl IntoOutcome for Outcome {
    fn into_outcome(self) -> Result<Outcome, PropertyError> {
        Ok(self)
    }
}

impl IntoOutcome for Result<Outcome, PropertyError> {
    fn into_outcome(self) -> Result<Outcome, PropertyError> {
        self
    }
}

impl<E: Into<NodeError>> IntoOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<Outcome, PropertyError> {
        self.map(|()| Outcome::Receiver)
            .map_err(|err| PropertyError::Invalid(err.into()))
    }
}

/// Builds a [`Property`]: `property!(Field|Method "name", |node: Spec, arg: Type, …| body)`.
macro_rules! property {
    ($kind:ident $name:literal, |$node:ident: $spec:ty $(, $arg:ident: $ty:ty)* $(,)?| $body:expr) => {
        $crate::property::Property::<$spec> {
            name: $name,
            kind: $crate::args::Kind::$kind,
            apply: |$node: &mut $spec, args: Vec<$crate::value::Value>| {
                let ($($arg,)*) = <($($ty,)*) as $crate::args::FromArgs>::from_args(args)
                    .map_err($crate::property::PropertyError::Args)?;
                $crate::property::IntoOutcome::into_outcome($body)
            },
        }
    };
}

pub(crate) use property;

/// Whether a method written `written` is the one named `name`: Kapacitor capitalizes the
/// first letter before looking methods up, so `.Period()` is `.period()`.
pub(crate) fn same_name(written: &str, name: &str) -> bool {
    let (mut written, mut name) = (written.chars(), name.chars());
    match (written.next(), name.next()) {
        (Some(a), Some(b)) => {
            written.as_str() == name.as_str() && a.to_uppercase().eq(b.to_uppercase())
        }
        (a, b) => a == b,
    }
}

/// The property of `table` written `name`.
pub(crate) fn find<'t, T>(table: &'t [Property<T>], name: &str) -> Option<&'t Property<T>> {
    table.iter().find(|property| same_name(name, property.name))
}

/// The names in `table`.
pub(crate) fn names<T>(table: &[Property<T>]) -> impl Iterator<Item = &'static str> + '_ {
    table.iter().map(|property| property.name)
}

/// Applies the property of `table` written `name` to `spec`, if there is one.
pub(crate) fn apply<T>(
    spec: &mut T,
    table: &'static [Property<T>],
    name: &str,
    args: Vec<Value>,
) -> Option<Result<Outcome, PropertyError>> {
    find(table, name).map(|property| (property.apply)(spec, args))
}
