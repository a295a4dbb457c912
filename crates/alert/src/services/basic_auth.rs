//! The `Authorization: Basic` header of a user name and password (ServiceNow, Zenoss),
//! sent only when both are set, as Kapacitor sends it.

use base64::Engine;

/// The header value for `username` and `password`, if both are set.
pub(super) fn basic_auth(username: &str, password: &str) -> Option<String> {
    (!username.is_empty() && !password.is_empty()).then(|| {
        let pair = format!("{username}:{password}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_are_needed() {
        assert_eq!(
            basic_auth("admin", "secret").as_deref(),
            Some("Basic YWRtaW46c2VjcmV0")
        );
        assert_eq!(basic_auth("admin", ""), None);
    }
}
