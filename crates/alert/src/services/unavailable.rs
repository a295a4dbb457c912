//! [`Unavailable`]: the handler of a service that is disabled or not configured. The task
//! starts, as in Kapacitor, and every event is an error saying why.

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::services::ServiceError;

/// A handler that refuses every event with the same reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    service: &'static str,
    reason: String,
}

impl Unavailable {
    /// The handler of `service`, refusing because of `reason`.
    pub fn new(service: &'static str, reason: impl Into<String>) -> Self {
        Unavailable {
            service,
            reason: reason.into(),
        }
    }
}

impl Handler for Unavailable {
    fn handle(&self, _: &AlertData) -> Result<(), HandlerError> {
        Err(ServiceError::Unavailable {
            service: self.service,
            reason: self.reason.clone(),
        }
        .into())
    }

    fn describe(&self) -> String {
        format!("{} (unavailable)", self.service)
    }
}
