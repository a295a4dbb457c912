//! [`Reply`]: what a handler answers, before the headers every response gets (spec:
//! kapacitor-compat.md, http-api §1.2) are added by the router.

use hyper::StatusCode;

use crate::error::ApiError;
use crate::json;

/// A status, a body and, for redirects, where to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The body (JSON or, for the write endpoint's errors, plain text).
    pub body: String,
    /// The `Location` of a redirect.
    pub location: Option<String>,
}

impl Reply {
    /// A status with an empty body.
    pub(crate) fn empty(status: StatusCode) -> Self {
        Reply {
            status,
            body: String::new(),
            location: None,
        }
    }

    /// A status with a body.
    pub(crate) fn body(status: StatusCode, body: String) -> Self {
        Reply {
            status,
            body,
            location: None,
        }
    }

    /// A status with the standard error body.
    pub(crate) fn error(status: StatusCode, message: &str) -> Self {
        Reply::body(status, json::error_body(message))
    }

    /// 404 with the standard error body saying `Not Found`.
    pub(crate) fn not_found() -> Self {
        Reply::error(StatusCode::NOT_FOUND, "Not Found")
    }

    /// A 301 to `location`.
    pub(crate) fn redirect(location: String) -> Self {
        Reply {
            status: StatusCode::MOVED_PERMANENTLY,
            body: String::new(),
            location: Some(location),
        }
    }
}

impl From<ApiError> for Reply {
    fn from(err: ApiError) -> Self {
        Reply::error(err.status, &err.message)
    }
}
