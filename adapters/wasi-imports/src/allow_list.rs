//! Which URLs the adapter fetches: only the configured hub URL's origin (scheme, host and port),
//! and plain `http://` only when that host is loopback. Everything else is refused before a
//! connection is attempted.

use std::net::IpAddr;

/// Docker Hub, when no `hub-url` is configured.
pub const DEFAULT_HUB_URL: &str = "https://hub.docker.com";

/// The scheme of an allowed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (loopback only).
    Http,
    /// HTTPS.
    Https,
}

/// An allowed request's address, split the way `wasi:http` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The scheme.
    pub scheme: Scheme,
    /// `host[:port]` as written in the URL.
    pub authority: String,
    /// The path and query (`/` when the URL has none).
    pub path_with_query: String,
}

/// Why a URL is not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute `http(s)://host/...` URL.
    InvalidUrl(String),
    /// A well-formed URL outside the allow-list.
    HostNotAllowed(String),
}

/// `scheme://host:port`, lower-cased, with the scheme's default port filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: Scheme,
    host: String,
    port: u16,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

/// Splits `url` into its origin and [`Target`].
fn parse(url: &str) -> Result<(Origin, Target), Refusal> {
    let invalid = |why: &str| Refusal::InvalidUrl(format!("{url:?} is not usable: {why}"));
    let uri: http::Uri = url.parse().map_err(|e| invalid(&format!("{e}")))?;
    let scheme = match uri.scheme_str() {
        Some("https") => Scheme::Https,
        Some("http") => Scheme::Http,
        Some(other) => return Err(invalid(&format!("the scheme {other:?} is not http or https"))),
        None => return Err(invalid("it is not absolute (no scheme)")),
    };
    let authority = uri.authority().ok_or_else(|| invalid("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("it carries credentials"));
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if host.is_empty() {
        return Err(invalid("it has no host"));
    }
    let port = authority.port_u16().unwrap_or(match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    });
    let path_with_query = uri.path_and_query().map(|p| p.as_str()).filter(|p| !p.is_empty()).unwrap_or("/");
    let target =
        Target { scheme, authority: authority.as_str().to_string(), path_with_query: path_with_query.to_string() };
    Ok((Origin { scheme, host, port }, target))
}

/// Whether `host` (without brackets) is this machine: `localhost` or a loopback address.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The one origin requests may go to.
#[derive(Debug, Clone)]
pub struct AllowList {
    origin: Result<Origin, Refusal>,
}

impl AllowList {
    /// The allow-list for the configured `hub-url` (blank or absent: Docker Hub). A hub URL that
    /// cannot be used (not http(s), or plain `http://` to a host that is not loopback) is kept as
    /// the refusal every request then gets, so the plugin reports it as a transport error.
    pub fn for_hub_url(hub_url: Option<&str>) -> Self {
        let raw = hub_url.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(DEFAULT_HUB_URL);
        let origin = parse(raw).and_then(|(origin, _)| {
            if origin.scheme == Scheme::Http && !is_loopback(&origin.host) {
                Err(Refusal::HostNotAllowed(format!(
                    "the hub URL {raw:?} uses plain http:// to a host that is not loopback; use https:// \
                     (plain http:// is allowed only for 127.0.0.1, ::1 and localhost)"
                )))
            } else {
                Ok(origin)
            }
        });
        AllowList { origin }
    }

    /// The [`Target`] for `url` when it is on the allow-list.
    pub fn check(&self, url: &str) -> Result<Target, Refusal> {
        let allowed = self.origin.as_ref().map_err(Clone::clone)?;
        let (origin, target) = parse(url)?;
        if &origin != allowed {
            return Err(Refusal::HostNotAllowed(format!("{origin} is not the configured hub origin {allowed}")));
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_is_the_default_and_only_its_origin_passes() {
        let list = AllowList::for_hub_url(None);
        let target = list.check("https://hub.docker.com/v2/orgs/acme/members?page=2").unwrap();
        assert_eq!(target.scheme, Scheme::Https);
        assert_eq!(target.authority, "hub.docker.com");
        assert_eq!(target.path_with_query, "/v2/orgs/acme/members?page=2");
        assert!(list.check("https://HUB.docker.com:443/v2/x").is_ok());
        for other in ["https://evil.example/v2", "http://hub.docker.com/v2", "https://hub.docker.com:8443/v2"] {
            assert!(matches!(list.check(other), Err(Refusal::HostNotAllowed(_))), "{other}");
        }
    }

    #[test]
    fn plain_http_is_allowed_only_to_loopback() {
        for hub in ["http://127.0.0.1:8089", "http://localhost:1", "http://[::1]:80"] {
            let list = AllowList::for_hub_url(Some(hub));
            assert!(list.check(&format!("{hub}/v2/auth/token")).is_ok(), "{hub}");
        }
        let list = AllowList::for_hub_url(Some("http://hub.example.com"));
        let Err(Refusal::HostNotAllowed(why)) = list.check("http://hub.example.com/v2") else { panic!() };
        assert!(why.contains("use https://"), "{why}");
        assert!(AllowList::for_hub_url(Some("https://hub.example.com")).check("https://hub.example.com/v2").is_ok());
    }

    #[test]
    fn malformed_urls_are_invalid_not_fetched() {
        let list = AllowList::for_hub_url(Some("http://127.0.0.1:9"));
        for bad in ["/v2/relative", "ftp://127.0.0.1:9/x", "not a url", "http://user:pw@127.0.0.1:9/x"] {
            assert!(matches!(list.check(bad), Err(Refusal::InvalidUrl(_))), "{bad}");
        }
        let broken = AllowList::for_hub_url(Some("gopher://x"));
        assert!(matches!(broken.check("https://hub.docker.com/v2"), Err(Refusal::InvalidUrl(_))));
    }
}
