//! [`ApiError`]: a failed API request: the status and the message of Kapacitor's
//! standard error body.

use hyper::StatusCode;
use tickflow::tasks::{TaskError, TaskErrorKind};

/// An API error: the status and the message of the standard error body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message (both `error` and `message`).
    pub message: String,
}

impl ApiError {
    /// A 400 with `message`.
    pub(crate) fn bad_request(message: impl ToString) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.to_string(),
        }
    }

    /// A 404 with `message`.
    pub(crate) fn not_found(message: impl ToString) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.to_string(),
        }
    }
}

impl From<TaskError> for ApiError {
    fn from(err: TaskError) -> Self {
        let status = match err.kind {
            TaskErrorKind::Invalid => StatusCode::BAD_REQUEST,
            TaskErrorKind::NotFound => StatusCode::NOT_FOUND,
            TaskErrorKind::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            message: err.message,
        }
    }
}
