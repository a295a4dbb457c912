//! Script evaluation: runs a program's statements against a scope and builds the nodes.
//!
//! It follows Kapacitor's evaluator (`tick/eval.go`) step by step, because the order of
//! its steps decides which error a faulty script gets: a chain evaluates its target, then
//! its arguments (calling global functions among them, spreading a lone list argument),
//! then resolves a target name, and only then looks the method up — as a chaining method
//! (`|`), a property (`.`, on an alert handler first, then on the alert) or a UDF (`@`).
//! After the last statement every node is validated in walk order, then every edge.

use std::collections::BTreeMap;

use tickflow_expr::suggest::nearest;
use tickflow_model::{Dbrp, Duration};
use tickflow_tickscript::{
    Chain, ChainOp, Expr, Ident, Lambda as LambdaExpr, Program, Span, Statement, VarDecl, VarInit,
    VarType,
};

use crate::args::{CallSite, FromArgs, Kind, Rest};
use crate::catalogue::{self, Created, Deadman, Edges};
use crate::deadman;
use crate::edge::EdgeType;
use crate::error::{BuildError, BuildErrorKind};
use crate::fold;
use crate::lambda::{substitute, Lambda};
use crate::nodes::alert::Handler;
use crate::nodes::batch::BatchNode;
use crate::nodes::noop::NoOpNode;
use crate::nodes::stats::StatsNode;
use crate::nodes::stream::StreamNode;
use crate::nodes::udf::{OptionError, UdfNode};
use crate::nodes::NodeKind;
use crate::pipeline::{Node, NodeId, Pipeline, PropertyCall, TaskType};
use crate::property::{self, property, same_name, Outcome, Property, PropertyError};
use crate::value::{type_name, Function, Handle, Target, TimeDimension, Value};
use crate::vars::{Var, VarValue};
use crate::BuildOptions;

/// The property every node has.
const COMMON: &[Property<Node>] = &[property!(Method "quiet", |n: Node| n.quiet = true)];

/// The state of an evaluation: the scope and the nodes built so far.
pub(crate) struct Builder<'o> {
    options: &'o BuildOptions,
    scope: BTreeMap<String, Value>,
    /// The nodes by creation order, which is also ID order; [`Target`]s index it.
    nodes: Vec<Node>,
    sources: Vec<NodeId>,
    next_id: usize,
    dbrps: Vec<Dbrp>,
    vars: Vec<Var>,
}

/// A chain's target before it is resolved: Kapacitor looks a name up only after the
/// arguments are evaluated.
enum Pending<'e> {
    Value(Value),
    Name(&'e Ident),
}

impl<'o> Builder<'o> {
    /// An evaluation with the task's source (`stream` or `batch`) and `time` in scope.
    pub(crate) fn new(options: &'o BuildOptions) -> Self {
        let mut builder = Builder {
            options,
            scope: BTreeMap::new(),
            nodes: Vec::new(),
            sources: Vec::new(),
            next_id: 0,
            dbrps: Vec::new(),
            vars: Vec::new(),
        };
        let (name, kind, wants, provides) = match options.task_type {
            TaskType::Stream => (
                "stream",
                NodeKind::Stream(StreamNode),
                EdgeType::Stream,
                EdgeType::Stream,
            ),
            TaskType::Batch => (
                "batch",
                NodeKind::Batch(BatchNode),
                EdgeType::None,
                EdgeType::Batch,
            ),
        };
        let source = builder.add_node(kind, wants, provides, Span::default(), 1);
        builder.sources.push(builder.nodes[source].id);
        let value = builder.handle(Target::Node(source));
        builder.scope.insert(name.into(), value);
        let time = Function {
            name: "time".into(),
            args: Vec::new(),
            span: Span::default(),
        };
        builder.scope.insert("time".into(), Value::Function(time));
        builder
    }

    /// Evaluates `program` and validates the result.
    pub(crate) fn build(mut self, program: &Program) -> Result<Pipeline, BuildError> {
        for statement in &program.statements {
            self.statement(statement)?;
        }
        let pipeline = Pipeline {
            task_type: self.options.task_type,
            dbrps: self.dbrps,
            vars: self.vars,
            nodes: self.nodes,
            sources: self.sources,
        };
        validate(&pipeline)?;
        Ok(pipeline)
    }

    fn statement(&mut self, statement: &Statement) -> Result<(), BuildError> {
        match statement {
            Statement::Dbrp(dbrp) => {
                self.dbrps
                    .push(Dbrp::new(dbrp.db.name.as_str(), dbrp.rp.name.as_str()));
                Ok(())
            }
            Statement::Var(decl) => match &decl.init {
                VarInit::Value(expr) => self.declare(decl, expr),
                VarInit::Type(ty) => self.declare_type(decl, ty),
            },
            // Kapacitor never resolves a name standing alone (`var x = 1.5s` leaves `s`).
            Statement::Expr(Expr::Ident(_)) => Ok(()),
            Statement::Expr(expr) => match self.expr(expr)? {
                Value::Function(function) => self.call_function(function).map(drop),
                _ => Ok(()),
            },
        }
    }

    // --- variables ---------------------------------------------------------------------

    fn declare(&mut self, decl: &VarDecl, expr: &Expr) -> Result<(), BuildError> {
        let value = self.expr(expr)?;
        self.check_new(decl)?;
        let ty = value.var_type();
        if let Some(ty) = ty {
            let default = VarValue::from_value(&value);
            self.vars.push(Var {
                name: decl.name.name.clone(),
                ty,
                default,
                description: description(decl),
            });
        }
        let value = match self.supplied(decl, ty)? {
            Some(supplied) => supplied,
            None => value,
        };
        self.scope.insert(decl.name.name.clone(), value);
        Ok(())
    }

    fn declare_type(&mut self, decl: &VarDecl, ty: &Ident) -> Result<(), BuildError> {
        let invalid = || {
            BuildError::new(
                ty.span,
                BuildErrorKind::InvalidVarType {
                    name: ty.name.clone(),
                },
            )
        };
        let var_type = VarType::from_name(&ty.name).ok_or_else(invalid)?;
        self.check_new(decl)?;
        let name = decl.name.name.clone();
        self.vars.push(Var {
            name: name.clone(),
            ty: var_type,
            default: None,
            description: description(decl),
        });
        let value = match self.supplied(decl, Some(var_type))? {
            Some(supplied) => supplied,
            None if self.options.template => VarValue::zero(var_type).to_value(),
            None => {
                return Err(BuildError::new(
                    decl.span,
                    BuildErrorKind::MissingVar { name },
                ))
            }
        };
        self.scope.insert(name, value);
        Ok(())
    }

    /// Fails if the name is taken: vars are immutable.
    fn check_new(&self, decl: &VarDecl) -> Result<(), BuildError> {
        match self.scope.contains_key(&decl.name.name) {
            true => Err(BuildError::new(
                decl.name.span,
                BuildErrorKind::Redefined {
                    name: decl.name.name.clone(),
                },
            )),
            false => Ok(()),
        }
    }

    /// The value supplied for the variable, checked against its type.
    fn supplied(&self, decl: &VarDecl, ty: Option<VarType>) -> Result<Option<Value>, BuildError> {
        let Some(supplied) = self.options.vars.get(&decl.name.name) else {
            return Ok(None);
        };
        if Some(supplied.var_type()) != ty {
            let kind = BuildErrorKind::VarTypeMismatch {
                name: decl.name.name.clone(),
                got: type_name(Some(supplied.var_type())),
                expected: type_name(ty),
            };
            return Err(BuildError::new(decl.name.span, kind));
        }
        Ok(Some(supplied.to_value()))
    }

    fn lookup(&self, ident: &Ident) -> Result<Value, BuildError> {
        self.scope.get(&ident.name).cloned().ok_or_else(|| {
            let in_scope = self.scope.keys().cloned().collect();
            BuildError::new(
                ident.span,
                BuildErrorKind::Undefined {
                    name: ident.name.clone(),
                    in_scope,
                },
            )
        })
    }

    // --- expressions -------------------------------------------------------------------

    fn expr(&mut self, expr: &Expr) -> Result<Value, BuildError> {
        match expr {
            Expr::Literal(lit) => Ok(fold::literal(&lit.value)),
            Expr::Reference(reference) => Ok(Value::Reference(reference.name.clone())),
            Expr::Ident(ident) => self.lookup(ident),
            Expr::List(list) => {
                let mut items = Vec::with_capacity(list.items.len());
                for item in &list.items {
                    items.push(self.expr(item)?);
                }
                Ok(Value::List(items))
            }
            Expr::Lambda(lambda) => self.lambda(lambda),
            Expr::Unary(unary) => {
                let operand = self.expr(&unary.operand)?;
                fold::unary(unary.op, operand).map_err(|kind| BuildError::new(unary.span, kind))
            }
            Expr::Binary(_) => fold::evaluate(expr, &mut |ident| self.lookup(ident)),
            Expr::Call(call) => {
                let args = self.args(&call.args.exprs)?;
                Ok(Value::Function(Function {
                    name: call.name.name.clone(),
                    args,
                    span: call.name.span,
                }))
            }
            Expr::Chain(chain) => self.chain(chain),
        }
    }

    /// A lambda with the variables it names replaced by their values.
    fn lambda(&self, lambda: &LambdaExpr) -> Result<Value, BuildError> {
        let expr = substitute(&lambda.body, &mut |ident| self.lookup(ident))?;
        Ok(Value::Lambda(Lambda {
            expr,
            span: lambda.span,
        }))
    }

    /// Argument values: global function calls among them are made.
    fn args(&mut self, exprs: &[Expr]) -> Result<Vec<Value>, BuildError> {
        let mut args = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let value = match self.expr(expr)? {
                Value::Function(function) => self.call_function(function)?,
                value => value,
            };
            args.push(value);
        }
        Ok(args)
    }

    /// Calls a global function; `time(length[, offset])` is the only one.
    fn call_function(&self, function: Function) -> Result<Value, BuildError> {
        if function.name != "time" {
            return Err(BuildError::new(
                function.span,
                BuildErrorKind::NoGlobalFunction {
                    name: function.name,
                },
            ));
        }
        let site = CallSite {
            func: "time",
            obj: "<nil>",
            span: function.span,
            kind: Kind::Method,
        };
        let (length, offset) = <(Duration, Rest<Duration>)>::from_args(spread(function.args))
            .map_err(|err| err.at(&site))?;
        Ok(Value::TimeDimension(TimeDimension {
            length,
            offset: offset.0.first().copied(),
        }))
    }

    // --- chains ------------------------------------------------------------------------

    fn chain(&mut self, chain: &Chain) -> Result<Value, BuildError> {
        let pending = match &*chain.target {
            Expr::Ident(ident) => Pending::Name(ident),
            other => Pending::Value(self.expr(other)?),
        };
        let args = match &chain.args {
            Some(args) => Some(spread(self.args(&args.exprs)?)),
            None => None,
        };
        let target = match pending {
            Pending::Value(value) => value,
            Pending::Name(ident) => self.lookup(ident)?,
        };
        let Value::Node(handle) = target else {
            let span = if args.is_some() {
                chain.method.span
            } else {
                chain.op_span
            };
            return Err(BuildError::new(span, BuildErrorKind::NotAnObject));
        };
        let Some(args) = args else {
            return Err(self.read_property(handle, chain));
        };
        let next = match chain.op {
            ChainOp::Pipe => self.chain_method(handle, chain, args)?,
            ChainOp::Dot => self.property(handle, chain, args)?,
            ChainOp::At => self.udf(handle, chain, args)?,
        };
        Ok(self.handle(next))
    }

    /// `a|name(args)`.
    fn chain_method(
        &mut self,
        handle: Handle,
        chain: &Chain,
        args: Vec<Value>,
    ) -> Result<Target, BuildError> {
        let name = chain.method.name.as_str();
        let parent = handle.target.node();
        let Some(method) = catalogue::find(self.nodes[parent].kind.chains(), name) else {
            return Err(self.missing(handle, chain));
        };
        let site = CallSite {
            func: name,
            obj: handle.go_type,
            span: chain.method.span,
            kind: Kind::Method,
        };
        let created = (method.create)(args).map_err(|err| err.at(&site))?;
        self.create(parent, created, &site, call_span(chain))
    }

    fn create(
        &mut self,
        parent: usize,
        created: Created,
        site: &CallSite<'_>,
        span: Span,
    ) -> Result<Target, BuildError> {
        let provides = self.nodes[parent].provides;
        let node = match created {
            Created::Child(kind, edges) => {
                let (wants, output) = match edges {
                    Edges::Same => (provides, provides),
                    Edges::Provides(output) => (provides, output),
                    Edges::Fixed(wants, output) => (wants, output),
                    Edges::Window if provides != EdgeType::Stream => {
                        let cause = "cannot Window batch edge".to_string();
                        let kind = BuildErrorKind::CallPanicked {
                            func: site.func.into(),
                            obj: site.obj.into(),
                            cause,
                        };
                        return Err(BuildError::new(site.span, kind));
                    }
                    Edges::Window => (EdgeType::Stream, EdgeType::Batch),
                };
                self.add_child(parent, kind, wants, output, span)
            }
            Created::Join(kind, others) => {
                let parents: Vec<usize> = std::iter::once(parent)
                    .chain(others.iter().map(|other| other.0.node()))
                    .collect();
                self.add_merge(&parents, kind, provides, span)
            }
            Created::Union(kind, others) => {
                let parents: Vec<usize> = others
                    .iter()
                    .map(|other| other.0.node())
                    .chain(std::iter::once(parent))
                    .collect();
                self.add_merge(&parents, kind, provides, span)
            }
            Created::Stats(interval) => self.add_stats(parent, interval, false, span),
            Created::Deadman(deadman) => self.add_deadman(parent, deadman, span),
        };
        Ok(Target::Node(node))
    }

    /// `a.name(args)`: on an alert handler its own properties come first, then the
    /// alert's; setting an alert field keeps the handler as the object.
    fn property(
        &mut self,
        handle: Handle,
        chain: &Chain,
        args: Vec<Value>,
    ) -> Result<Target, BuildError> {
        let name = chain.method.name.as_str();
        let node = handle.target.node();
        let site = |kind| CallSite {
            func: name,
            obj: handle.go_type,
            span: chain.method.span,
            kind,
        };
        if let Target::Handler { index, .. } = handle.target {
            if let Some(kind) = self
                .handler(node, index)
                .and_then(|handler| handler.property_kind(name))
            {
                let result = self
                    .handler_mut(node, index)
                    .and_then(|handler| handler.apply_property(name, args));
                return self.applied(result, &site(kind), handle, handle.target, chain);
            }
        }
        if let NodeKind::Udf(udf) = &mut self.nodes[node].kind {
            if udf.has_option(name) {
                udf.set_option(name, args)
                    .map_err(|err| udf_error(err, name, chain.method.span))?;
                self.record(node, chain);
                return Ok(handle.target);
            }
        }
        if let Some(kind) = self.nodes[node].kind.property_kind(name) {
            let result = self.nodes[node].kind.apply_property(name, args);
            let receiver = if kind == Kind::Field {
                handle.target
            } else {
                Target::Node(node)
            };
            return self.applied(result, &site(kind), handle, receiver, chain);
        }
        if property::find(COMMON, name).is_some() {
            let result = property::apply(&mut self.nodes[node], COMMON, name, args);
            return self.applied(result, &site(Kind::Method), handle, handle.target, chain);
        }
        Err(self.missing(handle, chain))
    }

    /// The object after a property call on `handle` (`None`: there was no such property),
    /// or the call's error.
    fn applied(
        &mut self,
        result: Option<Result<Outcome, PropertyError>>,
        site: &CallSite<'_>,
        handle: Handle,
        receiver: Target,
        chain: &Chain,
    ) -> Result<Target, BuildError> {
        let node = handle.target.node();
        let target = match result {
            Some(Ok(Outcome::Receiver)) => receiver,
            Some(Ok(Outcome::Handler(index))) => Target::Handler { node, index },
            Some(Err(PropertyError::Args(err))) => return Err(err.at(site)),
            Some(Err(PropertyError::Invalid(err))) => return Err(BuildError::new(site.span, err)),
            None => return Err(self.missing(handle, chain)),
        };
        self.record(node, chain);
        Ok(target)
    }

    /// `a@name()`: a UDF node.
    fn udf(
        &mut self,
        handle: Handle,
        chain: &Chain,
        args: Vec<Value>,
    ) -> Result<Target, BuildError> {
        let name = &chain.method.name;
        let Some(info) = self.options.udfs.get(name) else {
            return Err(self.missing(handle, chain));
        };
        if !args.is_empty() {
            let kind = BuildErrorKind::UdfArguments {
                name: name.clone(),
                got: args.len(),
            };
            return Err(BuildError::new(chain.method.span, kind));
        }
        let kind = NodeKind::Udf(UdfNode {
            name: name.clone(),
            info: info.clone(),
            options: Vec::new(),
        });
        let node = self.add_child(
            handle.target.node(),
            kind,
            info.wants,
            info.provides,
            call_span(chain),
        );
        Ok(Target::Node(node))
    }

    /// `a.name` without parentheses: Kapacitor reads a field; this pipeline only reports.
    fn read_property(&self, handle: Handle, chain: &Chain) -> BuildError {
        let name = chain.method.name.clone();
        let kind = match self.has_property(handle.target, &name) {
            true => BuildErrorKind::PropertyRead {
                name,
                on: self.label(handle.target),
            },
            false => BuildErrorKind::NoProperty {
                name,
                obj: handle.go_type.to_string(),
            },
        };
        BuildError::new(chain.op_span, kind)
    }

    /// The error for a method the object does not have for this operator.
    fn missing(&self, handle: Handle, chain: &Chain) -> BuildError {
        let name = chain.method.name.clone();
        let node = &self.nodes[handle.target.node()];
        let chains: Vec<&str> = catalogue::chain_methods(node.kind.chains())
            .map(|method| method.name)
            .collect();
        let has_chain = chains.iter().any(|method| same_name(&name, method));
        let has_property = self.has_property(handle.target, &name);
        let has_udf = self.options.udfs.contains_key(&name);
        let obj = handle.go_type.to_string();
        let wrong = |used, exists, op| BuildErrorKind::WrongOperator {
            used,
            name: name.clone(),
            obj: obj.clone(),
            exists,
            op,
        };
        let kind = match chain.op {
            ChainOp::Pipe if has_property => wrong("chaining", "property", "."),
            ChainOp::Pipe if has_udf => wrong("chaining", "dynamic method", "@"),
            ChainOp::Pipe => BuildErrorKind::UnknownChainMethod {
                suggestion: nearest(&name, chains).map(str::to_string),
                on: self.label(handle.target),
                name,
            },
            ChainOp::Dot if has_chain => wrong("property", "chaining method", "|"),
            ChainOp::Dot if has_udf => wrong("property", "dynamic method", "@"),
            ChainOp::Dot => BuildErrorKind::UnknownProperty {
                suggestion: nearest(
                    &name,
                    self.property_names(handle.target)
                        .iter()
                        .map(String::as_str),
                )
                .map(str::to_string),
                on: self.label(handle.target),
                name,
            },
            ChainOp::At if has_property => wrong("dynamic", "property", "."),
            ChainOp::At if has_chain => wrong("dynamic", "chaining method", "|"),
            ChainOp::At => BuildErrorKind::UnknownUdf {
                suggestion: nearest(&name, self.options.udfs.keys().map(String::as_str))
                    .map(str::to_string),
                name,
            },
        };
        BuildError::new(chain.method.span, kind)
    }

    fn has_property(&self, target: Target, name: &str) -> bool {
        self.property_names(target)
            .iter()
            .any(|property| same_name(name, property))
    }

    /// Every property of the object: a handler's own, the node's (a UDF's options), and
    /// `quiet`.
    fn property_names(&self, target: Target) -> Vec<String> {
        let node = &self.nodes[target.node()];
        let mut names: Vec<String> = Vec::new();
        if let Target::Handler { node, index } = target {
            if let Some(handler) = self.handler(node, index) {
                names.extend(handler.property_names().into_iter().map(str::to_string));
            }
        }
        if let NodeKind::Udf(udf) = &node.kind {
            names.extend(udf.option_names().map(str::to_string));
        }
        names.extend(node.kind.property_names().into_iter().map(str::to_string));
        names.extend(property::names(COMMON).map(str::to_string));
        names
    }

    /// How messages name the object: `window`, `@tTest`, `.log() handler`.
    fn label(&self, target: Target) -> String {
        let node = &self.nodes[target.node()];
        match (target, &node.kind) {
            (Target::Handler { node, index }, _) => self.handler(node, index).map_or_else(
                || "alert".into(),
                |handler| format!(".{}() handler", handler.method()),
            ),
            (_, NodeKind::Udf(udf)) => format!("@{}", udf.name),
            (_, kind) => kind.names().method.to_string(),
        }
    }

    // --- nodes -------------------------------------------------------------------------

    /// Adds a node linked to `links` parents: Kapacitor gives a node a new ID each time it
    /// links it, so the node keeps the last.
    fn add_node(
        &mut self,
        kind: NodeKind,
        wants: EdgeType,
        provides: EdgeType,
        span: Span,
        links: usize,
    ) -> usize {
        let links = links.max(1);
        let id = NodeId(self.next_id + links - 1);
        self.next_id += links;
        let name = format!("{}{id}", kind.names().desc);
        let node = Node {
            id,
            name,
            kind,
            parents: Vec::new(),
            children: Vec::new(),
            wants,
            provides,
            quiet: false,
            span,
            properties: Vec::new(),
        };
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn link(&mut self, parent: usize, child: usize) {
        let (parent_id, child_id) = (self.nodes[parent].id, self.nodes[child].id);
        self.nodes[parent].children.push(child_id);
        self.nodes[child].parents.push(parent_id);
    }

    fn add_child(
        &mut self,
        parent: usize,
        kind: NodeKind,
        wants: EdgeType,
        provides: EdgeType,
        span: Span,
    ) -> usize {
        let child = self.add_node(kind, wants, provides, span, 1);
        self.link(parent, child);
        child
    }

    /// A join or union: one node under every parent, wanting what the first one provides.
    fn add_merge(
        &mut self,
        parents: &[usize],
        kind: NodeKind,
        edge: EdgeType,
        span: Span,
    ) -> usize {
        let node = self.add_node(kind, edge, edge, span, parents.len());
        for &parent in parents {
            self.link(parent, node);
        }
        node
    }

    /// A `stats` source observing `observed`, and a `noop` child for `observed` if it has
    /// no child yet (so that it emits something).
    fn add_stats(&mut self, observed: usize, interval: Duration, align: bool, span: Span) -> usize {
        let spec = StatsNode {
            observed: self.nodes[observed].id,
            interval,
            align,
        };
        let stats = self.add_node(
            NodeKind::Stats(spec),
            EdgeType::Stream,
            EdgeType::Stream,
            span,
            1,
        );
        self.sources.push(self.nodes[stats].id);
        if self.nodes[observed].children.is_empty() {
            let edge = self.nodes[observed].provides;
            self.add_child(observed, NodeKind::NoOp(NoOpNode), edge, edge, span);
        }
        stats
    }

    /// `stats(interval).align()|derivative('emitted')|alert()`.
    fn add_deadman(&mut self, observed: usize, spec: Deadman, span: Span) -> usize {
        let stream = EdgeType::Stream;
        let stats = self.add_stats(observed, spec.interval, true, span);
        let derivative = NodeKind::Derivative(deadman::derivative(spec.interval));
        let derivative = self.add_child(stats, derivative, stream, stream, span);
        let alert = NodeKind::Alert(deadman::alert(spec, &self.nodes[observed].name, span));
        self.add_child(derivative, alert, stream, stream, span)
    }

    fn handler(&self, node: usize, index: usize) -> Option<&Handler> {
        match &self.nodes[node].kind {
            NodeKind::Alert(alert) => alert.handlers.get(index),
            _ => None,
        }
    }

    fn handler_mut(&mut self, node: usize, index: usize) -> Option<&mut Handler> {
        match &mut self.nodes[node].kind {
            NodeKind::Alert(alert) => alert.handlers.get_mut(index),
            _ => None,
        }
    }

    /// The value standing for an object.
    fn handle(&self, target: Target) -> Value {
        let go_type = match target {
            Target::Node(node) => self.nodes[node].kind.names().go_type,
            Target::Handler { node, index } => self
                .handler(node, index)
                .map_or("*pipeline.AlertNode", Handler::go_type),
        };
        Value::Node(Handle { target, go_type })
    }

    fn record(&mut self, node: usize, chain: &Chain) {
        let call = PropertyCall {
            name: chain.method.name.clone(),
            span: call_span(chain),
        };
        self.nodes[node].properties.push(call);
    }
}

/// Kapacitor's validation of a finished pipeline: each node's settings in walk order,
/// then each edge (what a parent provides must be what its child wants).
fn validate(pipeline: &Pipeline) -> Result<(), BuildError> {
    let walk = pipeline.walk();
    for node in &walk {
        node.kind
            .validate(node.parents.len())
            .map_err(|err| BuildError::new(node.span, err))?;
    }
    for node in &walk {
        for parent in node.parents.iter().filter_map(|&id| pipeline.node(id)) {
            if parent.provides != node.wants {
                let kind = BuildErrorKind::MismatchedEdges {
                    parent: parent.name.clone(),
                    parent_edge: parent.provides,
                    child: node.name.clone(),
                    child_edge: node.wants,
                };
                return Err(BuildError::new(node.span, kind));
            }
        }
    }
    Ok(())
}

/// A lone list argument stands for its items (`.groupBy(tags)` with `var tags = [...]`).
fn spread(mut args: Vec<Value>) -> Vec<Value> {
    match args.as_mut_slice() {
        [Value::List(items)] => std::mem::take(items),
        _ => args,
    }
}

/// From the chain operator to the end of the call.
fn call_span(chain: &Chain) -> Span {
    Span::new(chain.op_span.start, chain.span.end)
}

/// The comment before a `var`: the variable's description.
fn description(decl: &VarDecl) -> String {
    decl.comment
        .as_ref()
        .map(|comment| comment.text())
        .unwrap_or_default()
}

fn udf_error(err: OptionError, option: &str, span: Span) -> BuildError {
    let option = option.to_string();
    let kind = match err {
        OptionError::Arity { got, expected } => BuildErrorKind::UdfOptionArity {
            option,
            got,
            expected,
        },
        OptionError::Type { got, expected } => BuildErrorKind::UdfOptionType {
            option,
            got,
            expected: expected.to_string(),
        },
    };
    BuildError::new(span, kind)
}
