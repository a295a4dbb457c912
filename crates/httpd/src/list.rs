//! The query parameters every list endpoint takes (`pattern`, `fields`, `offset`,
//! `limit`), with Kapacitor's messages for bad ones (kapacitor-compat.md, http-api §3.5).

use crate::error::ApiError;
use crate::write::query;

/// A list request's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListParams {
    /// A glob on ids; empty for all.
    pub pattern: String,
    /// The fields asked for (repeatable); empty for the default set.
    pub fields: Vec<String>,
    /// How many to skip.
    pub offset: usize,
    /// How many at most (100 by default).
    pub limit: usize,
}

/// The parameters of `uri`; a field outside `allowed` is `unsupported field "<f>"`.
pub(crate) fn params(uri: &hyper::Uri, allowed: &[&str]) -> Result<ListParams, ApiError> {
    let params = query(uri.query());
    let number = |key: &str, default: usize| match params.get(key) {
        None => Ok(default),
        Some(text) => text.parse::<usize>().map_err(|err| {
            ApiError::bad_request(format!(
                "invalid {key} parameter {text:?} must be an integer: {err}"
            ))
        }),
    };
    let (offset, limit) = (number("offset", 0)?, number("limit", 100)?);
    let fields: Vec<String> = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == "fields")
        .map(|(_, value)| value.into_owned())
        .collect();
    if let Some(unknown) = fields.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unsupported field {unknown:?}"
        )));
    }
    Ok(ListParams {
        pattern: params.get("pattern").cloned().unwrap_or_default(),
        fields,
        offset,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(uri: &str) -> Result<ListParams, ApiError> {
        params(&uri.parse().expect("uri"), &["id", "script"])
    }

    #[test]
    fn defaults_fields_and_bad_numbers() {
        let all = parse("/x").expect("no parameters");
        assert_eq!((all.offset, all.limit, all.fields.len()), (0, 100, 0));
        let some = parse("/x?fields=script&fields=id&pattern=a*&limit=2").expect("valid");
        assert_eq!(
            (some.fields.len(), some.pattern.as_str(), some.limit),
            (2, "a*", 2)
        );
        let err = parse("/x?fields=dot").expect_err("unknown field");
        assert_eq!(err.message, "unsupported field \"dot\"");
        let err = parse("/x?offset=a").expect_err("not a number");
        assert!(err
            .message
            .starts_with("invalid offset parameter \"a\" must be an integer: "));
    }
}
