//! The InfluxQL functions: `|count('f')`, `|mean('f')`, `|top(3, 'f')`, … Each creates a
//! node named after its method, computing the function over each batch (or over the
//! points of equal time on a stream).

use tickflow_model::Duration;

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::edge::EdgeType;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// An InfluxQL function node.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxQlNode {
    /// The function and its extra arguments.
    pub function: InfluxQlFunction,
    /// The field it is computed over.
    pub field: String,
    /// The output field (default: the function's name).
    pub as_name: String,
    /// Selectors: use the selected point's time instead of the batch's.
    pub use_point_times: bool,
}

/// An InfluxQL function, with its arguments beyond the field.
#[derive(Debug, Clone, PartialEq)]
pub enum InfluxQlFunction {
    /// `count`: number of values.
    Count,
    /// `distinct`: one point per distinct value.
    Distinct,
    /// `mean`.
    Mean,
    /// `median`.
    Median,
    /// `mode`: the most frequent value.
    Mode,
    /// `spread`: max − min.
    Spread,
    /// `sum`.
    Sum,
    /// `first`: the earliest point.
    First,
    /// `last`: the latest point.
    Last,
    /// `min`: the smallest value.
    Min,
    /// `max`: the largest value.
    Max,
    /// `percentile(f, p)`.
    Percentile {
        /// The percentile, 0–100.
        percentile: f64,
    },
    /// `top(n, f, extra…)`: the n largest values.
    Top {
        /// How many.
        n: i64,
        /// Extra fields and tags, recorded only.
        fields_and_tags: Vec<String>,
    },
    /// `bottom(n, f, extra…)`: the n smallest values.
    Bottom {
        /// How many.
        n: i64,
        /// Extra fields and tags, recorded only.
        fields_and_tags: Vec<String>,
    },
    /// `stddev`: the sample standard deviation.
    Stddev,
    /// `elapsed(f, unit)`: time since the previous point.
    Elapsed {
        /// The unit of the result.
        unit: Duration,
    },
    /// `difference`: change since the previous point.
    Difference,
    /// `movingAverage(f, n)`: the mean of the last n values.
    MovingAverage {
        /// How many values.
        window: i64,
    },
    /// `cumulativeSum`: the running sum.
    CumulativeSum,
    /// `holtWinters(f, h, m, interval)` or `holtWintersWithFit(…)`: a forecast.
    HoltWinters {
        /// Points forecast.
        h: i64,
        /// The seasonal pattern length.
        m: i64,
        /// The interval between points.
        interval: Duration,
        /// Also output the fitted points (`holtWintersWithFit`).
        with_fit: bool,
    },
}

impl InfluxQlFunction {
    /// The chaining method that creates it.
    pub fn method(&self) -> &'static str {
        use InfluxQlFunction::*;
        match self {
            Count => "count",
            Distinct => "distinct",
            Mean => "mean",
            Median => "median",
            Mode => "mode",
            Spread => "spread",
            Sum => "sum",
            First => "first",
            Last => "last",
            Min => "min",
            Max => "max",
            Percentile { .. } => "percentile",
            Top { .. } => "top",
            Bottom { .. } => "bottom",
            Stddev => "stddev",
            Elapsed { .. } => "elapsed",
            Difference => "difference",
            MovingAverage { .. } => "movingAverage",
            CumulativeSum => "cumulativeSum",
            HoltWinters {
                with_fit: false, ..
            } => "holtWinters",
            HoltWinters { with_fit: true, .. } => "holtWintersWithFit",
        }
    }

    /// Kapacitor's name for the function, the node description and default output field:
    /// the method, except `holtWinters` for both forecasts.
    pub fn name(&self) -> &'static str {
        match self {
            InfluxQlFunction::HoltWinters { .. } => "holtWinters",
            other => other.method(),
        }
    }

    /// The edges: aggregates and selectors output points, `distinct`, `top`, `bottom` and
    /// the forecasts output batches, the transformations keep the input's edge.
    fn edges(&self) -> Edges {
        use InfluxQlFunction::*;
        match self {
            Distinct | Top { .. } | Bottom { .. } | HoltWinters { .. } => {
                Edges::Provides(EdgeType::Batch)
            }
            Elapsed { .. } | Difference | MovingAverage { .. } | CumulativeSum => Edges::Same,
            _ => Edges::Provides(EdgeType::Stream),
        }
    }

    fn describe(&self, props: &mut Props) {
        use InfluxQlFunction::*;
        match self {
            Percentile { percentile } => props.put("percentile", *percentile),
            Top { n, fields_and_tags } | Bottom { n, fields_and_tags } => {
                props.put("n", *n);
                props.list("fieldsAndTags", fields_and_tags);
            }
            Elapsed { unit } => props.put("unit", *unit),
            MovingAverage { window } => props.put("window", *window),
            HoltWinters {
                h,
                m,
                interval,
                with_fit,
            } => {
                props.put("h", *h);
                props.put("m", *m);
                props.put("interval", *interval);
                props.flag("withFit", *with_fit);
            }
            _ => {}
        }
    }
}

impl NodeSpec for InfluxQlNode {
    /// The names shared by every function; [`InfluxQlNode::names`] gives each its own.
    const NAMES: Names<'static> = Names {
        method: "influxql",
        desc: "influxql",
        go_type: "*pipeline.InfluxQLNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "as", |n: InfluxQlNode, name: String| n.as_name = name),
        property!(Method "usePointTimes", |n: InfluxQlNode| n.use_point_times = true),
    ];

    fn names(&self) -> Names<'_> {
        Names {
            method: self.function.method(),
            desc: self.function.name(),
            ..Self::NAMES
        }
    }

    fn describe(&self, props: &mut Props) {
        props.put("field", &self.field);
        self.function.describe(props);
        if self.as_name != self.function.name() {
            props.put("as", &self.as_name);
        }
        let forced = matches!(self.function, InfluxQlFunction::HoltWinters { .. });
        props.flag("usePointTimes", self.use_point_times && !forced);
    }
}

/// The node computing `function` over `field`.
fn node(function: InfluxQlFunction, field: String) -> Created {
    let edges = function.edges();
    let node = InfluxQlNode {
        as_name: function.name().to_string(),
        use_point_times: matches!(function, InfluxQlFunction::HoltWinters { .. }),
        function,
        field,
    };
    Created::child(NodeKind::InfluxQl(node), edges)
}

fn holt_winters(field: String, h: i64, m: i64, interval: Duration, with_fit: bool) -> Created {
    node(
        InfluxQlFunction::HoltWinters {
            h,
            m,
            interval,
            with_fit,
        },
        field,
    )
}

/// Every InfluxQL function's chaining method.
pub(crate) const CHAINS: &[ChainMethod] = {
    use InfluxQlFunction::*;
    &[
        chain_method!("count", |field: String| node(Count, field)),
        chain_method!("distinct", |field: String| node(Distinct, field)),
        chain_method!("mean", |field: String| node(Mean, field)),
        chain_method!("median", |field: String| node(Median, field)),
        chain_method!("mode", |field: String| node(Mode, field)),
        chain_method!("spread", |field: String| node(Spread, field)),
        chain_method!("sum", |field: String| node(Sum, field)),
        chain_method!("first", |field: String| node(First, field)),
        chain_method!("last", |field: String| node(Last, field)),
        chain_method!("min", |field: String| node(Min, field)),
        chain_method!("max", |field: String| node(Max, field)),
        chain_method!("percentile", |field: String, percentile: f64| node(
            Percentile { percentile },
            field
        )),
        chain_method!("top", |n: i64, field: String, extra: Rest<String>| {
            node(
                Top {
                    n,
                    fields_and_tags: extra.0,
                },
                field,
            )
        }),
        chain_method!("bottom", |n: i64, field: String, extra: Rest<String>| {
            node(
                Bottom {
                    n,
                    fields_and_tags: extra.0,
                },
                field,
            )
        }),
        chain_method!("stddev", |field: String| node(Stddev, field)),
        chain_method!("elapsed", |field: String, unit: Duration| node(
            Elapsed { unit },
            field
        )),
        chain_method!("difference", |field: String| node(Difference, field)),
        chain_method!("movingAverage", |field: String, window: i64| node(
            MovingAverage { window },
            field
        )),
        chain_method!("cumulativeSum", |field: String| node(CumulativeSum, field)),
        chain_method!(
            "holtWinters",
            |field: String, h: i64, m: i64, interval: Duration| {
                holt_winters(field, h, m, interval, false)
            }
        ),
        chain_method!(
            "holtWintersWithFit",
            |field: String, h: i64, m: i64, interval: Duration| {
                holt_winters(field, h, m, interval, true)
            }
        ),
    ]
};
