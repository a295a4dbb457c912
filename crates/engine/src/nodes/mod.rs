//! The running nodes, one file per node kind, named as in `crates/pipeline/src/nodes/`.
//!
//! Each takes its validated spec from the pipeline crate and implements
//! [`Node`](crate::Node); [`create`] picks the implementation for a pipeline node. Nodes
//! are added here as the engine grows; the catalogue of what a script may contain is the
//! pipeline crate's, and a kind not listed in [`create`] fails the task with
//! [`TaskError::Unsupported`].

use tickflow_model::{Batch, Dimensions, GroupId, Point, Str};
use tickflow_pipeline::{EdgeType, NodeKind};

use tickflow_udf::{Instance, Registry};

use crate::node::Node;
use crate::nodes::group_transform::PerGroup;
use crate::task::{Environment, TaskError};

pub(crate) mod alert;
pub(crate) mod barrier;
pub(crate) mod batch;
pub(crate) mod change_detect;
pub(crate) mod chunked;
pub(crate) mod combine;
pub(crate) mod default;
pub(crate) mod delete;
pub(crate) mod derivative;
pub(crate) mod eval;
pub(crate) mod flatten;
pub(crate) mod from;
pub(crate) mod group_by;
pub(crate) mod group_limits;
pub(crate) mod group_map;
pub(crate) mod group_state;
pub(crate) mod group_transform;
pub(crate) mod http_out;
pub(crate) mod http_post;
pub(crate) mod influxdb_out;
pub(crate) mod influxql;
pub(crate) mod join;
pub(crate) mod kapacitor_loopback;
pub(crate) mod log;
pub(crate) mod memory;
pub(crate) mod noop;
pub(crate) mod query;
pub(crate) mod sample;
pub(crate) mod shift;
pub(crate) mod sideload;
pub(crate) mod state_count;
pub(crate) mod state_duration;
pub(crate) mod state_tracking;
pub(crate) mod stats;
pub(crate) mod stream;
pub(crate) mod time_buffer;
pub(crate) mod trickle;
pub(crate) mod udf;
pub(crate) mod union;
pub(crate) mod r#where;
pub(crate) mod window;

/// The running node for a pipeline node of task `task`, with the program's `env`
/// (alert services, UDFs); an `httpOut` node adds its endpoint to `outputs`, a
/// `kapacitorLoopback` node its target to the task's `loopback`, a query node itself to
/// the task's `batching`.
pub(crate) fn create(
    node: &tickflow_pipeline::Node,
    task: &str,
    env: &Environment,
    outputs: &mut http_out::HttpOutputs,
    loopback: &mut kapacitor_loopback::Loopback,
    batching: &mut query::Batching,
) -> Result<Box<dyn Node>, TaskError> {
    let lambda = |lambda: &tickflow_pipeline::Lambda| {
        tickflow_expr::Lambda::compile(&lambda.expr).map_err(|source| TaskError::Lambda {
            node: node.name.clone(),
            source,
        })
    };
    Ok(match &node.kind {
        NodeKind::Stream(_) => Box::new(stream::Stream),
        NodeKind::Batch(_) => Box::new(batch::BatchSource),
        NodeKind::Trickle(_) => Box::new(trickle::Trickle),
        NodeKind::Query(spec) => Box::new(
            query::Query::new(spec, task, batching, &node.name)
                .map_err(|source| query_error(node, source))?,
        ),
        NodeKind::QueryFlux(spec) => Box::new(
            query::Query::flux(spec, task, batching, &node.name)
                .map_err(|source| query_error(node, source))?,
        ),
        NodeKind::From(spec) => Box::new(from::From::new(
            spec,
            spec.predicate.as_ref().map(lambda).transpose()?,
        )),
        NodeKind::Where(spec) => {
            Box::new(PerGroup::new(r#where::Where::new(lambda(&spec.predicate)?)))
        }
        NodeKind::GroupBy(spec) => Box::new(group_by::GroupBy::new(spec)),
        NodeKind::Eval(spec) => {
            let lambdas = spec
                .expressions
                .iter()
                .map(lambda)
                .collect::<Result<_, _>>()?;
            Box::new(PerGroup::new(eval::Eval::new(spec, lambdas)))
        }
        NodeKind::InfluxQl(spec) => Box::new(influxql::InfluxQl::new(spec)),
        NodeKind::Default(spec) => Box::new(PerGroup::new(default::Default::new(spec))),
        NodeKind::Delete(spec) => Box::new(PerGroup::new(delete::Delete::new(spec))),
        NodeKind::Log(spec) => Box::new(log::Log::new(spec)),
        NodeKind::Window(spec) => Box::new(
            window::Window::new(spec)
                .in_task(task)
                .with_limits(env.limits),
        ),
        NodeKind::HttpOut(spec) => {
            let output = outputs.entry(spec.endpoint.clone()).or_default();
            Box::new(http_out::HttpOut::new(output.clone()))
        }
        NodeKind::Alert(spec) => Box::new(alert::Alert::new(
            spec,
            &node.name,
            task,
            &env.services,
            env.deliveries.as_ref(),
            lambda,
        )?),
        NodeKind::HttpPost(spec) => Box::new(PerGroup::new(http_post::HttpPost::new(
            spec,
            &node.name,
            &env.services,
        )?)),
        NodeKind::InfluxDbOut(spec) => Box::new(
            influxdb_out::InfluxDbOut::new(spec, &node.name, &env.influxdb).map_err(|source| {
                TaskError::InfluxDbOut {
                    node: node.name.clone(),
                    source,
                }
            })?,
        ),
        NodeKind::NoOp(_) => Box::new(noop::NoOp),
        NodeKind::Shift(spec) => Box::new(PerGroup::new(shift::Shift::new(spec))),
        NodeKind::Sideload(spec) => Box::new(PerGroup::new(sideload::Sideload::new(
            spec,
            &node.name,
            sideload::RECHECK,
        )?)),
        NodeKind::Derivative(spec) => Box::new(PerGroup::new(derivative::Derivative::new(spec))),
        NodeKind::Sample(spec) => Box::new(PerGroup::new(sample::Sample::new(spec))),
        NodeKind::ChangeDetect(spec) => {
            Box::new(PerGroup::new(change_detect::ChangeDetect::new(spec)))
        }
        NodeKind::StateDuration(spec) => {
            Box::new(state_duration::new(spec, lambda(&spec.predicate)?))
        }
        NodeKind::StateCount(spec) => Box::new(state_count::new(spec, lambda(&spec.predicate)?)),
        NodeKind::Flatten(spec) => Box::new(PerGroup::new(flatten::Flatten::new(spec))),
        NodeKind::Combine(spec) => {
            let lambdas = spec
                .expressions
                .iter()
                .map(lambda)
                .collect::<Result<_, _>>()?;
            Box::new(PerGroup::new(combine::Combine::new(spec, lambdas)))
        }
        NodeKind::Barrier(spec) => Box::new(barrier::Barrier::new(spec)),
        NodeKind::Stats(spec) => Box::new(stats::Stats::new(spec)),
        NodeKind::KapacitorLoopback(spec) => Box::new(loopback.node(&node.name, spec)),
        NodeKind::Union(spec) => Box::new(union::Union::new(spec, node.parents.len())),
        NodeKind::Join(spec) if node.wants == EdgeType::Batch => {
            Box::new(join::Join::<Batch>::new(spec, node.parents.len()))
        }
        NodeKind::Join(spec) => Box::new(join::Join::<Point>::new(spec, node.parents.len())),
        NodeKind::Udf(spec) => Box::new(udf::Udf::new(
            udf_instance(node, spec, task, &env.udfs)?,
            &node.name,
        )),
        _ => return Err(unsupported(node, kind_name(&node.name))),
    })
}

/// Starts the UDF a `@name()` node calls: a native instance, or an agent that has
/// accepted Init with the node's options.
fn udf_instance(
    node: &tickflow_pipeline::Node,
    spec: &tickflow_pipeline::nodes::udf::UdfNode,
    task: &str,
    udfs: &Registry,
) -> Result<Instance, TaskError> {
    udfs.instance(&spec.name, task, &node.name, &spec.options)
        .map_err(|source| TaskError::UdfInit {
            node: node.name.clone(),
            udf: spec.name.clone(),
            source: Box::new(source),
        })
}

/// The start error of a query node.
fn query_error(node: &tickflow_pipeline::Node, source: query::QueryNodeError) -> TaskError {
    TaskError::Query {
        node: node.name.clone(),
        source,
    }
}

/// The unsupported-node error for `node`.
fn unsupported(node: &tickflow_pipeline::Node, kind: &str) -> TaskError {
    TaskError::Unsupported {
        node: node.name.clone(),
        kind: kind.to_string(),
    }
}

/// A node's kind as its name shows it: `mean4` without the id.
fn kind_name(name: &str) -> &str {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// A spec's `(key, value)` pairs with the keys as [`Str`]s and each value mapped by
/// `value`: the fields and tags that default, sideload, influxDBOut and kapacitorLoopback
/// set.
pub(crate) fn str_pairs<V, W>(pairs: &[(String, V)], value: impl Fn(&V) -> W) -> Vec<(Str, W)> {
    pairs
        .iter()
        .map(|(k, v)| (Str::from(k.as_str()), value(v)))
        .collect()
}

/// Re-derives a batch's dimensions and group from its (changed) group tags, as
/// Kapacitor does when a node sets a batch's tags.
pub(crate) fn regroup_batch(batch: &mut Batch) {
    batch.dimensions =
        Dimensions::by_tags(batch.tags.keys().cloned()).with_by_name(batch.dimensions.by_name);
    batch.group = GroupId::new(&batch.name, &batch.tags, &batch.dimensions);
}

#[cfg(test)]
pub(crate) mod testing;
