//! `|deadman(threshold, interval, λ…)`: Kapacitor's deadman switch, built from plain nodes:
//! `|stats(interval).align()|derivative('emitted').unit(interval).nonNegative()|alert()`,
//! alerting when fewer than `threshold` points arrived per interval.

use tickflow_model::Duration;
use tickflow_tickscript::{Binary, BinaryOp, Expr, LitValue, Literal, Reference, Span};

use crate::catalogue::Deadman;
use crate::describe::go_duration;
use crate::lambda::Lambda;
use crate::nodes::alert::AlertNode;
use crate::nodes::derivative::DerivativeNode;

/// Kapacitor's default deadman alert ID; `NODE_NAME` becomes the observed node's name.
const ID: &str = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'";
/// Kapacitor's default deadman message; `INTERVAL` becomes the interval (`10s`, `1m0s`).
const MESSAGE: &str = "{{ .ID }} is {{ if eq .Level \"OK\" }}alive{{ else }}dead{{ end }}: \
    {{ index .Fields \"emitted\" | printf \"%0.3f\" }} points/INTERVAL.";

/// The derivative of the stats node's `emitted` count.
pub(crate) fn derivative(interval: Duration) -> DerivativeNode {
    let mut node = DerivativeNode::new("emitted".into());
    node.unit = interval;
    node.non_negative = true;
    node
}

/// The alert on the derivative: critical when `"emitted" <= threshold` (and every extra
/// lambda holds).
pub(crate) fn alert(deadman: Deadman, observed: &str, span: Span) -> AlertNode {
    let emitted = Expr::Reference(Reference {
        name: "emitted".into(),
        span,
        comment: None,
    });
    let threshold = Expr::Literal(Literal {
        value: LitValue::Float(deadman.threshold),
        span,
        comment: None,
    });
    let below = Expr::Binary(Binary {
        op: BinaryOp::LessEq,
        op_span: span,
        op_comment: None,
        lhs: Box::new(emitted),
        rhs: Box::new(threshold),
        parens: None,
        multiline: false,
        span,
    });
    let crit = deadman
        .lambdas
        .into_iter()
        .fold(Lambda { expr: below, span }, Lambda::and);
    AlertNode {
        id: ID.replacen("NODE_NAME", observed, 1),
        message: MESSAGE.replacen("INTERVAL", &go_duration(deadman.interval), 1),
        crit: Some(crit),
        ..AlertNode::default()
    }
}
