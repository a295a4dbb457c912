//! `|httpOut('name')`: keeps the latest point or batch of each group for
//! `GET /kapacitor/v1/tasks/<task>/<name>`, and forwards everything.

use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::Props;
use crate::nodes::{Names, NodeKind, NodeSpec};
use crate::property::Property;

/// The `httpOut` node.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOutNode {
    /// The last path segment the data is served at.
    pub endpoint: String,
}

impl NodeSpec for HttpOutNode {
    const NAMES: Names<'static> = Names {
        method: "httpOut",
        desc: "http_out",
        go_type: "*pipeline.HTTPOutNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[];

    fn describe(&self, props: &mut Props) {
        props.put("endpoint", &self.endpoint);
    }
}

/// `|httpOut(endpoint)`.
pub(crate) const CHAINS: &[ChainMethod] =
    &[chain_method!("httpOut", |endpoint: String| Created::child(
        NodeKind::HttpOut(HttpOutNode { endpoint }),
        Edges::Same
    ))];
