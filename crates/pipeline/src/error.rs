//! [`BuildError`]: why a script does not make a pipeline, worded as Kapacitor words it.
//!
//! Kapacitor prefixes the errors it raises while calling a node method with the method's
//! position (`line 3 char 6: error calling func "period" on obj *pipeline.WindowNode: …`)
//! and reports the others (undefined names, template variables, node validation) as plain
//! messages. A [`BuildError`] always keeps the span it is about; [`BuildError::message`]
//! adds Kapacitor's prefix where Kapacitor has one, [`BuildError::render`] also shows the
//! source line with a caret.

use tickflow_expr::{ArithError, CheckError, OperatorError};
use tickflow_tickscript::{render_diagnostic, Location, Span};

use crate::edge::EdgeType;
use crate::nodes::NodeError;

/// Why a program could not be built into a pipeline, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct BuildError {
    /// The bytes of the script the error is about.
    pub span: Span,
    /// What went wrong.
    pub kind: BuildErrorKind,
}

/// The cause of a [`BuildError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildErrorKind {
    /// A name with no binding (Kapacitor lists the names in scope, unsorted; these are
    /// sorted).
    #[error("name {name:?} is undefined. Names in scope: {}", in_scope.join(","))]
    Undefined {
        /// The name used.
        name: String,
        /// Every name defined at that point.
        in_scope: Vec<String>,
    },
    /// A second `var` of the same name.
    #[error("attempted to redefine {name}, vars are immutable")]
    Redefined {
        /// The name.
        name: String,
    },
    /// `var x nosuchtype`.
    #[error("invalid var type {name:?}")]
    InvalidVarType {
        /// The type name written.
        name: String,
    },
    /// `var x float` with no value supplied, outside template definition.
    #[error("missing value for var {name:?}.")]
    MissingVar {
        /// The variable.
        name: String,
    },
    /// A supplied variable value whose type is not the declared one.
    #[error("invalid type supplied for {name}, got {got} exp {expected}")]
    VarTypeMismatch {
        /// The variable.
        name: String,
        /// The type of the value supplied.
        got: &'static str,
        /// The type the script declares.
        expected: &'static str,
    },
    /// A variable inside a lambda whose value has no literal form (a node).
    #[error("unsupported literal type {go_type}")]
    UnsupportedLiteral {
        /// The value's Go type, as Kapacitor names it.
        go_type: &'static str,
    },
    /// Unary `-` or `!` outside a lambda applied to a value it does not take (Kapacitor's
    /// spelling).
    #[error("invalid arugument to '{op}' {value}")]
    InvalidUnaryOperand {
        /// The operator.
        op: &'static str,
        /// The operand as Go's `%v` prints it.
        value: String,
    },
    /// A binary operator outside a lambda applied to operands it does not take.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// An operator outside a lambda failed (integer division by zero, a duration that
    /// does not fit).
    #[error(transparent)]
    Arith(#[from] ArithError),
    /// Something that can only be computed per point, outside a lambda.
    #[error("{what} cannot be evaluated outside a lambda expression")]
    NotConstant {
        /// What was found.
        what: &'static str,
    },
    /// A lambda that breaks the static type rules.
    #[error(transparent)]
    Lambda(#[from] CheckError),
    /// A method applied to a value that is not a node.
    #[error("cannot get properties of non pointer value")]
    NotAnObject,
    /// A method called with arguments of the wrong number or type: Go's reflection panic,
    /// as Kapacitor reports it.
    #[error("error calling func {func:?} on obj {obj}: {cause}")]
    CallPanicked {
        /// The method name as written.
        func: String,
        /// The Go type of the object.
        obj: String,
        /// The panic message, e.g. `reflect: Call using int64 as type float64`.
        cause: String,
    },
    /// A reference (`"x"`) where a string is required.
    #[error(
        "cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?"
    )]
    ReferenceForString,
    /// A property that sets a field called with other than one argument.
    #[error("too many arguments to set property {property} on {obj}")]
    FieldArity {
        /// The property, capitalized as Kapacitor prints it.
        property: String,
        /// The Go type of the object.
        obj: String,
    },
    /// A method that exists, but for another operator (`|period()` instead of
    /// `.period()`).
    #[error("no {used} method {name:?} on {obj}, but {exists} does exist. Use '{op}' operator instead: 'node{op}{name}(..)'.")]
    WrongOperator {
        /// What was called: `chaining`, `property` or `dynamic`.
        used: &'static str,
        /// The method name.
        name: String,
        /// The Go type of the object.
        obj: String,
        /// What exists: `property`, `chaining method` or `dynamic method`.
        exists: &'static str,
        /// The operator to use.
        op: &'static str,
    },
    /// A property that the object does not have.
    #[error("unknown property .{name} on {on}{}", suggest(".", suggestion))]
    UnknownProperty {
        /// The property written.
        name: String,
        /// The object, e.g. `window`.
        on: String,
        /// The nearest property of the object.
        suggestion: Option<String>,
    },
    /// A chaining method that the node does not have.
    #[error("unknown chaining method |{name} on {on}{}", suggest("|", suggestion))]
    UnknownChainMethod {
        /// The method written.
        name: String,
        /// The node, e.g. `from`.
        on: String,
        /// The nearest chaining method of the node.
        suggestion: Option<String>,
    },
    /// `@name()` for a name that is not in the UDF catalogue.
    #[error("unknown UDF @{name}{}", suggest("@", suggestion))]
    UnknownUdf {
        /// The name written.
        name: String,
        /// The nearest UDF name.
        suggestion: Option<String>,
    },
    /// `@name(args)`: a UDF is configured through its options, not arguments.
    #[error(
        "@{name}() takes no arguments, got {got}; set the UDF's options with property methods"
    )]
    UdfArguments {
        /// The UDF.
        name: String,
        /// The number of arguments given.
        got: usize,
    },
    /// A UDF option called with the wrong number of arguments.
    #[error("unexpected number of args to {option}, got {got} expected {expected}")]
    UdfOptionArity {
        /// The option.
        option: String,
        /// Arguments given.
        got: usize,
        /// Arguments declared by the UDF.
        expected: usize,
    },
    /// A UDF option argument of the wrong type.
    #[error("unexpected arg to {option}, got {got} expected {expected}")]
    UdfOptionType {
        /// The option.
        option: String,
        /// The type given (`INT`, `DOUBLE`, … or a TICKscript type for other values).
        got: String,
        /// The type declared (`INT`, `DOUBLE`, …).
        expected: String,
    },
    /// `a.name` (a property read) of a property the object does not have.
    #[error("object {obj} has no property {name}")]
    NoProperty {
        /// The property.
        name: String,
        /// The Go type of the object.
        obj: String,
    },
    /// `a.name` of a property that exists: reading properties is not supported.
    #[error(
        "reading property .{name} of {on} is not supported; properties are set with .{name}(...)"
    )]
    PropertyRead {
        /// The property.
        name: String,
        /// The object, e.g. `window`.
        on: String,
    },
    /// A call of a global function that does not exist (only `time` does).
    #[error("no global function {name:?} defined")]
    NoGlobalFunction {
        /// The function.
        name: String,
    },
    /// A child whose input edge is not its parent's output edge.
    #[error("cannot add child mismatched edges: {parent}:{parent_edge} -> {child}:{child_edge}")]
    MismatchedEdges {
        /// The parent's name.
        parent: String,
        /// What the parent provides.
        parent_edge: EdgeType,
        /// The child's name.
        child: String,
        /// What the child wants.
        child_edge: EdgeType,
    },
    /// A node whose configuration is invalid.
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// `; did you mean <op><name>?` when there is a suggestion.
fn suggest(op: &str, suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|name| format!("; did you mean {op}{name}?"))
        .unwrap_or_default()
}

impl BuildError {
    /// An error of `kind` about `span`.
    pub fn new(span: Span, kind: impl Into<BuildErrorKind>) -> BuildError {
        BuildError {
            span,
            kind: kind.into(),
        }
    }

    /// Whether Kapacitor prefixes this error with the position of the call it occurred in.
    pub fn has_kapacitor_position(&self) -> bool {
        use BuildErrorKind::*;
        matches!(
            self.kind,
            InvalidUnaryOperand { .. }
                | NotAnObject
                | CallPanicked { .. }
                | ReferenceForString
                | FieldArity { .. }
                | WrongOperator { .. }
                | UnknownProperty { .. }
                | UnknownChainMethod { .. }
                | UnknownUdf { .. }
                | UdfArguments { .. }
                | UdfOptionArity { .. }
                | UdfOptionType { .. }
                | NoProperty { .. }
                | PropertyRead { .. }
                | NoGlobalFunction { .. }
        )
    }

    /// Where the error is in `src`.
    pub fn location(&self, src: &str) -> Location {
        Location::of(src, self.span.start)
    }

    /// Kapacitor's one-line message: `line L char C: …` for errors raised by a method
    /// call, the bare message otherwise.
    ///
    /// ```
    /// use tickflow_pipeline::{build, BuildOptions};
    ///
    /// let src = "stream\n    |from()\n    |window().period(10)\n";
    /// let program = tickflow_tickscript::parse(src)?;
    /// let err = build(&program, &BuildOptions::default()).unwrap_err();
    /// assert_eq!(
    ///     err.message(src),
    ///     "line 3 char 15: error calling func \"period\" on obj *pipeline.WindowNode: \
    ///      reflect.Set: value of type int64 is not assignable to type time.Duration",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self, src: &str) -> String {
        if self.has_kapacitor_position() {
            format!("{}: {self}", self.location(src))
        } else {
            self.to_string()
        }
    }

    /// The error for the script at `path`, for a terminal: `path:line:col:`, the message,
    /// the source line and a caret under the column. Ends with a newline.
    pub fn render(&self, src: &str, path: &str) -> String {
        render_diagnostic(src, path, self.span.start, self.location(src), self)
    }
}
