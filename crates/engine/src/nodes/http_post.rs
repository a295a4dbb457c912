//! `|httpPost([url])`: POSTs each point, or each whole batch, as Kapacitor does (kapacitor-compat.md, nodes
//! §5.2) and forwards it, with `.codeField()` adding the response's status code.
//!
//! The body is `{"series":[row]}` + `"\n"` with `Content-Type: application/json`, or the
//! configured endpoint's row template rendered with the row (no content type). The URL,
//! given or the endpoint's, is a Go template rendered per row when it has an action
//! (`.../{{ .Name }}/?host={{ index .Tags "host" }}`). Requests are synchronous: the
//! status code must be known before the data moves on. A failed request (transport error,
//! code 0, or a non-2xx status) is reported as a per-message error; the data is forwarded
//! regardless.

use std::time::Duration;

use tickflow_alert::http::{self, HttpUrl, Request, UrlError};
use tickflow_alert::template::{Kind, TemplateError};
use tickflow_alert::{result_json, EncodeError, PostError, Row, Services, SetupError, Template};
use tickflow_model::{Batch, FieldValue, Fields, Point, Str};
use tickflow_pipeline::nodes::http_post::HttpPostNode;

use crate::node::Context;
use crate::nodes::group_transform::Rewrite;
use crate::task::TaskError;
use tickflow_alert::handlers::std_duration;

/// Why one row could not be posted.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpPostError {
    /// The URL template failed on this row.
    #[error("cannot render the url: {0}")]
    UrlTemplate(TemplateError),
    /// The rendered URL cannot be posted to.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The endpoint's row template failed on this row.
    #[error("cannot render the row template: {0}")]
    RowTemplate(TemplateError),
    /// The row holds a NaN or infinite float.
    #[error("failed to marshal row json: {0}")]
    Encode(#[from] EncodeError),
    /// The request failed or the status was not 2xx.
    #[error(transparent)]
    Post(#[from] PostError),
}

/// Where requests go.
enum Target {
    /// A URL without template actions.
    Fixed(HttpUrl),
    /// A URL rendered per row.
    Template(Template),
}

/// The `httpPost` transform (stateless).
pub(crate) struct HttpPost {
    target: Target,
    headers: Vec<(String, String)>,
    row_template: Option<Template>,
    code_field: Option<Str>,
    capture_response: bool,
    timeout: Duration,
    /// [`Services::capture`]: the loopback base URL every request goes to instead.
    capture: Option<String>,
}

impl HttpPost {
    /// The node for a validated spec (exactly one URL or endpoint); endpoints come from
    /// `services`.
    pub(crate) fn new(
        spec: &HttpPostNode,
        node: &str,
        services: &Services,
    ) -> Result<Self, TaskError> {
        let setup = |source: SetupError| TaskError::Handler {
            node: node.to_string(),
            source,
        };
        let template = |property: &str, text: &str| {
            Template::parse(property, text, Kind::Text).map_err(|source| TaskError::Template {
                node: node.to_string(),
                source,
            })
        };
        let (url, mut headers, row_template) = match spec.endpoints.first() {
            Some(name) => {
                let endpoint = services.endpoint(name).map_err(|e| setup(e.into()))?;
                let row_template = endpoint
                    .row_template
                    .as_deref()
                    .map(|text| template("[[httppost]] row-template", text));
                (
                    endpoint.url.as_str(),
                    endpoint.headers.clone(),
                    row_template,
                )
            }
            None => (
                spec.urls.first().map_or("", String::as_str),
                Vec::new(),
                None,
            ),
        };
        for (key, value) in &spec.headers {
            http::set_header(&mut headers, key.clone(), value.clone());
        }
        let target = match url.contains("{{") {
            true => Target::Template(template("httpPost url", url)?),
            false => Target::Fixed(HttpUrl::parse(url).map_err(|e| setup(e.into()))?),
        };
        Ok(HttpPost {
            target,
            headers,
            row_template: row_template.transpose()?,
            code_field: (!spec.code_field.is_empty()).then(|| Str::from(spec.code_field.as_str())),
            capture_response: spec.capture_response,
            timeout: spec.timeout.map_or(http::DEFAULT_TIMEOUT, std_duration),
            capture: services.capture.clone(),
        })
    }

    /// Posts `row` and returns the status code (0 when no response arrived), reporting a
    /// failure as a per-message error.
    fn post(&self, row: &Row, ctx: &mut Context<'_>) -> i64 {
        match self.send(row) {
            Ok(status) => i64::from(status),
            Err(err) => {
                ctx.error(&err);
                match err {
                    HttpPostError::Post(PostError::Status { status, .. }) => i64::from(status),
                    _ => 0,
                }
            }
        }
    }

    fn send(&self, row: &Row) -> Result<u16, HttpPostError> {
        let rendered;
        let url = match &self.target {
            Target::Fixed(url) => url,
            Target::Template(template) => {
                let text = template
                    .render_row(row)
                    .map_err(HttpPostError::UrlTemplate)?;
                rendered = HttpUrl::parse(&text)?;
                &rendered
            }
        };
        let captured;
        let url = match &self.capture {
            Some(base) => {
                captured = HttpUrl::parse(&format!("{base}/{url}"))?;
                &captured
            }
            None => url,
        };
        let (body, content_type) = match &self.row_template {
            Some(template) => (
                template
                    .render_row(row)
                    .map_err(HttpPostError::RowTemplate)?,
                None,
            ),
            None => (
                result_json(std::slice::from_ref(row))? + "\n",
                Some("application/json"),
            ),
        };
        let request = Request {
            url,
            headers: &self.headers,
            content_type,
            body: body.as_bytes(),
            timeout: self.timeout,
        };
        let response = http::post(&request).map_err(|source| PostError::Request {
            url: url.to_string(),
            source,
        })?;
        match response.is_success() {
            true => Ok(response.status),
            false => Err(PostError::status(url, &response, self.capture_response).into()),
        }
    }

    /// Adds the status code field, when asked for.
    fn set_code(&self, fields: &mut Fields, code: i64) {
        if let Some(field) = &self.code_field {
            fields.insert(field.clone(), FieldValue::Integer(code));
        }
    }
}

impl Rewrite for HttpPost {
    fn rewrite_point(&mut self, point: &mut Point, ctx: &mut Context<'_>) {
        let code = self.post(&Row::from_point(point), ctx);
        self.set_code(&mut point.fields, code);
    }

    fn rewrite_batch(&mut self, batch: &mut Batch, ctx: &mut Context<'_>) {
        let code = self.post(&Row::from_batch(batch), ctx);
        for point in batch.points.make_mut() {
            self.set_code(&mut point.fields, code);
        }
    }
}

#[cfg(test)]
mod tests {
    use tickflow_alert::HttpPostEndpoint;
    use tickflow_model::{Batch, BatchPoint, Dimensions, GroupId, Message, Tags, Time};
    use tickflow_pipeline::{BuildOptions, NodeKind};
    use tickflow_testkit::sink::{closed_address, Sink};

    use super::*;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, points, run};

    /// The `httpPost` node of `stream|from()|httpPost…` with `services`.
    fn node(chain: &str, services: &Services) -> PerGroup<HttpPost> {
        let program =
            tickflow_tickscript::parse(&format!("stream|from(){chain}")).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("pipeline builds");
        let NodeKind::HttpPost(spec) = &pipeline.nodes[2].kind else {
            panic!("not an httpPost node")
        };
        PerGroup::new(HttpPost::new(spec, "http_post2", services).expect("node builds"))
    }

    fn value(v: f64) -> Message {
        Message::Point(point(
            0,
            &[("host", "a")],
            &[("value", FieldValue::Float(v))],
        ))
    }

    fn codes(out: Vec<Message>) -> Vec<Option<FieldValue>> {
        points(out)
            .iter()
            .map(|p| p.fields.get("code").cloned())
            .collect()
    }

    #[test]
    fn points_are_posted_as_rows_and_forwarded_with_their_status_code() {
        let sink = Sink::http(2, vec![200, 404], "", || {});
        let mut node = node(
            &format!(
                "|httpPost('{}/x').header('my', 'header').codeField('code')",
                sink.url
            ),
            &Services::default(),
        );
        let (out, errors) = run(&mut node, vec![value(1.5), value(2.0)]);
        let url = sink.url.clone();
        let requests = sink.finish();
        assert_eq!(
            codes(out),
            [
                Some(FieldValue::Integer(200)),
                Some(FieldValue::Integer(404))
            ]
        );
        assert_eq!(
            errors,
            [format!(
                "node1: post to \"{url}/x\" failed: status code 404"
            )]
        );
        assert_eq!(
            requests[0].body,
            "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"value\"],\"values\":[[\"1970-01-01T00:00:00Z\",1.5]]}]}\n"
        );
        assert_eq!(requests[0].request_line, "POST /x HTTP/1.1");
        assert_eq!(requests[0].header("content-type"), Some("application/json"));
        assert_eq!(requests[0].header("my"), Some("header"));
    }

    #[test]
    fn an_unreachable_target_gives_code_zero_and_the_data_moves_on() {
        let url = format!("http://{}/", closed_address());
        let mut node = node(
            &format!("|httpPost('{url}').codeField('code')"),
            &Services::default(),
        );
        let (out, errors) = run(&mut node, vec![value(1.0)]);
        assert_eq!(codes(out), [Some(FieldValue::Integer(0))]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(&format!("node1: post to {url:?} failed: cannot connect")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_batch_is_one_request_and_every_point_gets_the_code() {
        let sink = Sink::http(1, vec![201], "", || {});
        let services = Services {
            http_post: vec![HttpPostEndpoint {
                name: "e".into(),
                url: sink.url.clone(),
                headers: vec![("Authorization".into(), "works".into())],
                row_template: Some(
                    "{{ .Name }}{{ range .Values }} {{ index . \"v\" }}{{ end }}".into(),
                ),
                alert_template: None,
            }],
            ..Services::default()
        };
        let mut node = node("|httpPost().endpoint('e').codeField('code')", &services);
        let batch_point = |secs: i64, v: i64| BatchPoint {
            fields: Fields::from_pairs([("v", FieldValue::Integer(v))]),
            tags: Tags::new(),
            time: Time::from_nanos(secs * 1_000_000_000),
        };
        let batch = Batch {
            name: "cpu".into(),
            group: GroupId::nil(),
            tags: Tags::new(),
            dimensions: Dimensions::default(),
            tmax: Time::from_nanos(0),
            points: vec![batch_point(0, 1), batch_point(1, 2)].into(),
        };
        let (out, errors) = run(&mut node, vec![Message::Batch(batch)]);
        assert!(errors.is_empty(), "{errors:?}");
        let requests = sink.finish();
        assert_eq!(requests[0].body, "cpu 1 2");
        assert_eq!(requests[0].header("content-type"), None);
        assert_eq!(requests[0].header("authorization"), Some("works"));
        let Some(Message::Batch(batch)) = out.first() else {
            panic!("no batch forwarded")
        };
        assert!(batch
            .points
            .iter()
            .all(|p| p.fields.get("code") == Some(&FieldValue::Integer(201))));
    }
}
