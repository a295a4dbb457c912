//! [`Payload`] and [`PostService`]: a service that POSTs one JSON body per event is its
//! payload (what it sends, and where when the URL depends on the event) plus a
//! [`JsonPost`]; [`PostService`] is the [`Handler`] that joins them, so each service's
//! file holds only its configuration and its body.

use serde_json::Value;

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::services::JsonPost;

/// What a service sends for an event.
pub trait Payload: Send + Sync {
    /// The JSON body for `event`.
    fn body(&self, event: &AlertData) -> Result<Value, HandlerError>;

    /// The URL for `event` when it is not the configured one (OpsGenie's recoveries).
    fn url(&self, _event: &AlertData) -> Option<String> {
        None
    }

    /// The service and its target, for messages.
    fn describe(&self) -> String;
}

/// A handler POSTing each event's [`Payload`] body.
#[derive(Debug, Clone)]
pub struct PostService<P> {
    post: JsonPost,
    payload: P,
}

impl<P: Payload> PostService<P> {
    /// The handler sending `payload` through `post`.
    pub fn new(post: JsonPost, payload: P) -> Self {
        PostService { post, payload }
    }
}

impl<P: Payload> Handler for PostService<P> {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let body = self.payload.body(event)?;
        match self.payload.url(event) {
            Some(url) => Ok(self.post.send_to(&self.post.parse_url(&url)?, &body)?),
            None => Ok(self.post.send(&body)?),
        }
    }

    fn describe(&self) -> String {
        self.payload.describe()
    }
}
