//! `|httpPost([url])`: posts every point or batch as JSON to a URL or a configured
//! endpoint, and forwards it; and the header rule alert `.post()` handlers share.

use tickflow_model::Duration;

use crate::args::Rest;
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::nodes::{describe_entries, upsert, Names, NodeError, NodeKind, NodeSpec};
use crate::property::{property, Property};

/// The `httpPost` node. After validation it has exactly one URL or one endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpPostNode {
    /// URLs given to `|httpPost(url)` (Go text templates rendered per row).
    pub urls: Vec<String>,
    /// Endpoints of the configuration, from `.endpoint(name)`.
    pub endpoints: Vec<String>,
    /// Request headers, from `.header(k, v)`.
    pub headers: Vec<(String, String)>,
    /// The field that receives the HTTP status code.
    pub code_field: String,
    /// Log the response body of failed requests.
    pub capture_response: bool,
    /// The request timeout.
    pub timeout: Option<Duration>,
}

/// An invalid `httpPost` (or alert `.post()`) target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpPostError {
    /// More than one URL.
    #[error("httpPost expects 0 or 1 arguments, got {0}")]
    Urls(usize),
    /// More than one endpoint.
    #[error("httpPost expects 0 or 1 endpoints, got {0}")]
    Endpoints(usize),
    /// Neither a URL nor an endpoint.
    #[error("must provide url or endpoint")]
    NoTarget,
    /// Both a URL and an endpoint.
    #[error("only one endpoint and url may be specified")]
    UrlAndEndpoint,
    /// An `Authenticate` header.
    #[error("cannot set 'authenticate' header")]
    AuthenticateHeader,
}

/// Checks headers: Kapacitor forbids `Authenticate`.
pub(crate) fn check_headers(headers: &[(String, String)]) -> Result<(), HttpPostError> {
    match headers
        .iter()
        .any(|(key, _)| key.eq_ignore_ascii_case("authenticate"))
    {
        true => Err(HttpPostError::AuthenticateHeader),
        false => Ok(()),
    }
}

/// Checks that exactly one of a URL and an endpoint is given.
pub(crate) fn check_target(urls: usize, endpoints: usize) -> Result<(), HttpPostError> {
    match (urls, endpoints) {
        (2.., _) => Err(HttpPostError::Urls(urls)),
        (_, 2..) => Err(HttpPostError::Endpoints(endpoints)),
        (0, 0) => Err(HttpPostError::NoTarget),
        (1, 1) => Err(HttpPostError::UrlAndEndpoint),
        _ => Ok(()),
    }
}

impl NodeSpec for HttpPostNode {
    const NAMES: Names<'static> = Names {
        method: "httpPost",
        desc: "http_post",
        go_type: "*pipeline.HTTPPostNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Method "endpoint", |n: HttpPostNode, endpoint: String| n.endpoints.push(endpoint)),
        property!(Method "header", |n: HttpPostNode, key: String, value: String| upsert(&mut n.headers, key, value)),
        property!(Field "codeField", |n: HttpPostNode, field: String| n.code_field = field),
        property!(Method "captureResponse", |n: HttpPostNode| n.capture_response = true),
        property!(Field "timeout", |n: HttpPostNode, timeout: Duration| n.timeout = Some(timeout)),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        check_target(self.urls.len(), self.endpoints.len())?;
        Ok(check_headers(&self.headers)?)
    }

    fn describe(&self, props: &mut Props) {
        props.list("url", &self.urls);
        props.list("endpoint", &self.endpoints);
        describe_entries(props, "header", &self.headers, |value| quote(value));
        props.text("codeField", &self.code_field);
        props.flag("captureResponse", self.capture_response);
        props.opt("timeout", self.timeout);
    }
}

/// `|httpPost(urls…)`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("httpPost", |urls: Rest<String>| {
    let node = HttpPostNode {
        urls: urls.0,
        ..HttpPostNode::default()
    };
    Created::child(NodeKind::HttpPost(node), Edges::Same)
})];
