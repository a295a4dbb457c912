//! [`HttpUrl`]: an `http://` or `https://` URL, checked when a task is built and
//! normalised into what the client sends (the request target percent-encoded as Go's
//! client does).

use std::fmt;

/// Why a URL cannot be posted to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Neither an `http://` nor an `https://` URL.
    #[error("unsupported url {url:?}: expected http:// or https://")]
    Scheme {
        /// The URL as given.
        url: String,
    },
    /// No host after the scheme.
    #[error("invalid url {url:?}: missing host")]
    MissingHost {
        /// The URL as given.
        url: String,
    },
    /// A port that is not a number from 0 to 65535.
    #[error("invalid url {url:?}: bad port {port:?}")]
    Port {
        /// The URL as given.
        url: String,
        /// The port as written.
        port: String,
    },
    /// `user:password@` in the authority.
    #[error("invalid url {url:?}: credentials in urls are not supported, use a header")]
    Credentials {
        /// The URL as given.
        url: String,
    },
}

/// A parsed `http[s]://host[:port][/path][?query]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    url: String,
    normalised: String,
    authority: String,
    host: String,
    port: u16,
    target: String,
}

impl HttpUrl {
    /// Parses `url`; the fragment is dropped and bytes not allowed in a request target
    /// (spaces, controls, non-ASCII) are percent-encoded, as Go's client does.
    pub fn parse(url: &str) -> Result<HttpUrl, UrlError> {
        let (scheme, rest) =
            strip_scheme(url).ok_or_else(|| UrlError::Scheme { url: url.into() })?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(UrlError::Credentials { url: url.into() });
        }
        let (host, port) =
            split_host_port(authority, scheme.default_port()).ok_or_else(|| UrlError::Port {
                url: url.into(),
                port: authority.rsplit(':').next().unwrap_or_default().into(),
            })?;
        if host.is_empty() {
            return Err(UrlError::MissingHost { url: url.into() });
        }
        let tail = tail.split('#').next().unwrap_or_default();
        let target = match tail.starts_with('/') {
            true => escape_target(tail),
            false => format!("/{}", escape_target(tail)),
        };
        Ok(HttpUrl {
            url: url.to_owned(),
            normalised: format!("{}://{authority}{target}", scheme.name()),
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
            target,
        })
    }

    /// The host to dial (an IPv6 address without its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The URL the client requests: scheme in lower case, target percent-encoded.
    pub fn as_str(&self) -> &str {
        &self.normalised
    }

    /// The port to dial (80 or 443 unless given).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `Host` header: the authority as written.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The request target: path and query, at least `/`.
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The schemes the client speaks.
#[derive(Debug, Clone, Copy)]
enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// The scheme and the URL after a case-insensitive `http://` or `https://`.
fn strip_scheme(url: &str) -> Option<(Scheme, &str)> {
    [Scheme::Http, Scheme::Https]
        .into_iter()
        .find_map(|scheme| {
            let prefix = scheme.name().len() + 3;
            let head = url.get(..prefix)?;
            let wanted = format!("{}://", scheme.name());
            head.eq_ignore_ascii_case(&wanted)
                .then(|| (scheme, &url[prefix..]))
        })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; `None` for a bad port.
fn split_host_port(authority: &str, default_port: u16) -> Option<(&str, u16)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    match port {
        None | Some("") => Some((host, default_port)),
        Some(port) => port.parse().ok().map(|port| (host, port)),
    }
}

/// Percent-encodes the bytes a request line cannot carry.
fn escape_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for byte in target.bytes() {
        if byte.is_ascii_graphic() {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, u16, String, String) {
        let u = HttpUrl::parse(url).expect("valid url");
        (
            u.host().into(),
            u.port(),
            u.authority().into(),
            u.target().into(),
        )
    }

    #[test]
    fn splits_host_port_and_target() {
        assert_eq!(
            parts("http://127.0.0.1:8080/cpu/?host=a&cpu=b#frag"),
            (
                "127.0.0.1".into(),
                8080,
                "127.0.0.1:8080".into(),
                "/cpu/?host=a&cpu=b".into()
            )
        );
        assert_eq!(
            parts("HTTP://example.com"),
            ("example.com".into(), 80, "example.com".into(), "/".into())
        );
        assert_eq!(
            parts("http://[::1]:9/x y?q"),
            ("::1".into(), 9, "[::1]:9".into(), "/x%20y?q".into())
        );
        assert_eq!(parts("http://h?q=1").3, "/?q=1");
        let tls = HttpUrl::parse("HTTPS://hooks.slack.com/services/x y").expect("valid");
        assert_eq!(
            (tls.port(), tls.as_str()),
            (443, "https://hooks.slack.com/services/x%20y")
        );
    }

    #[test]
    fn refuses_what_it_cannot_post_to() {
        let err = |url: &str| HttpUrl::parse(url).expect_err("invalid").to_string();
        assert_eq!(
            err("ftp://example.com"),
            "unsupported url \"ftp://example.com\": expected http:// or https://"
        );
        assert_eq!(
            err("http://h:99999/"),
            "invalid url \"http://h:99999/\": bad port \"99999\""
        );
        assert_eq!(err("http:///x"), "invalid url \"http:///x\": missing host");
        assert_eq!(
            err("http://u:p@h/"),
            "invalid url \"http://u:p@h/\": credentials in urls are not supported, use a header"
        );
    }
}
