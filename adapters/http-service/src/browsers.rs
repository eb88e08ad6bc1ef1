//! What keeps a web browser from driving the service: the `Host` a request names, the `Origin` a
//! browser sends with it, and the `Content-Type` of a `POST`.
//!
//! A page the operator opens can make the browser send requests to the service's port. Three
//! doors close on it: a `POST` must say `Content-Type: application/json`, which a page can only
//! send after a CORS preflight this service never answers (so a form or `text/plain` POST, which
//! needs none, is refused with 415); a request carrying an `Origin` that the operator did not list
//! is refused (browsers send one on every cross-origin request and on every `POST`); and the `Host`
//! must be one of the service's own names, so a page whose DNS name was rebound to 127.0.0.1 (DNS
//! rebinding, where the browser believes it talks to the page's own origin) names a host the
//! service does not answer for.

/// The host names answered when `allowed-hosts` is not set: loopback only, with any port.
pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Whether every name the request gives for its host (the `Host` headers and the request's
/// authority, which HTTP/2 sends instead) is in `allowed`, and it gives at least one. A name is
/// `host[:port]`; the port may be any, the host is compared without regard to ASCII case.
pub fn host_allowed(names: &[&[u8]], allowed: &[String]) -> bool {
    !names.is_empty()
        && names.iter().all(|name| {
            std::str::from_utf8(name)
                .ok()
                .and_then(host_of)
                .is_some_and(|host| allowed.iter().any(|a| a.eq_ignore_ascii_case(host)))
        })
}

/// Whether `entry` is a host name without a port (`example.com`, `127.0.0.1`, `[::1]`), as the
/// `allowed-hosts` setting lists them.
pub fn is_host_name(entry: &str) -> bool {
    host_of(entry) == Some(entry)
}

/// Whether `authority` is `host[:port]`.
pub fn is_authority(authority: &str) -> bool {
    host_of(authority).is_some()
}

/// The host part of `host[:port]` (`[v6]` kept in its brackets); `None` when the port is not
/// digits or the host is empty or has characters no host name has.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let rest = &authority[end..];
        if !rest.is_empty() && !rest.starts_with(':') {
            return None;
        }
        (&authority[..end], rest.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b))
        && (host.starts_with('[') || !host.contains([':', '[', ']']));
    (port_ok && host_ok).then_some(host)
}

/// Whether a request's `Origin` headers (`values`) let it through: none at all (not a browser's
/// cross-origin request), or exactly one that is in `allowed` (compared without regard to ASCII
/// case; `null`, which sandboxed pages send, only when listed).
pub fn origin_allowed(values: &[Vec<u8>], allowed: &[String]) -> bool {
    match values {
        [] => true,
        [value] => {
            std::str::from_utf8(value).is_ok_and(|origin| allowed.iter().any(|a| a.eq_ignore_ascii_case(origin.trim())))
        }
        _ => false,
    }
}

/// Whether a request's `Content-Type` headers (`values`) say JSON: exactly one, whose media type is
/// `application/json` (any case), parameters such as `; charset=utf-8` allowed.
pub fn is_json(values: &[Vec<u8>]) -> bool {
    let [value] = values else { return false };
    std::str::from_utf8(value).is_ok_and(|text| {
        let media_type = text.split(';').next().unwrap_or_default().trim();
        media_type.eq_ignore_ascii_case("application/json")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Vec<String> {
        DEFAULT_ALLOWED_HOSTS.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn loopback_names_with_any_port_are_answered_by_default() {
        for host in ["localhost", "LOCALHOST:8080", "127.0.0.1:1", "[::1]", "[::1]:8080", "127.0.0.1"] {
            assert!(host_allowed(&[host.as_bytes()], &defaults()), "{host}");
        }
        assert!(host_allowed(&[b"127.0.0.1:8080", b"127.0.0.1:8080"], &defaults()));
    }

    #[test]
    fn other_hosts_and_malformed_ones_are_not() {
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "localhost:",
            "localhost:80a",
            "localhost:123456",
            "[::1",
            "::1",
            "[::1]x",
            "",
            "local host",
            "localhost\u{0}",
        ] {
            assert!(!host_allowed(&[host.as_bytes()], &defaults()), "{host:?}");
        }
        assert!(!host_allowed(&[], &defaults()), "a request must name its host");
        assert!(!host_allowed(&[b"localhost", b"evil.example"], &defaults()), "every name must be allowed");
        assert!(!host_allowed(&[&[0xff, 0xfe]], &defaults()));
    }

    #[test]
    fn configured_hosts_replace_the_defaults() {
        let allowed = vec!["dockerhub-org.internal".to_string()];
        assert!(host_allowed(&[b"Dockerhub-Org.internal:80"], &allowed));
        assert!(!host_allowed(&[b"localhost:8080"], &allowed));
    }

    #[test]
    fn an_origin_is_refused_unless_listed() {
        assert!(origin_allowed(&[], &[]));
        assert!(!origin_allowed(&[b"https://evil.example".to_vec()], &[]));
        assert!(!origin_allowed(&[b"null".to_vec()], &[]));
        let allowed = vec!["https://admin.example.com".to_string()];
        assert!(origin_allowed(&[b"https://Admin.example.com".to_vec()], &allowed));
        assert!(!origin_allowed(&[b"https://admin.example.com.evil.example".to_vec()], &allowed));
        assert!(!origin_allowed(&[b"https://admin.example.com".to_vec(), b"https://evil.example".to_vec()], &allowed));
        assert!(!origin_allowed(&[vec![0xff]], &allowed));
    }

    #[test]
    fn only_json_content_types_pass() {
        let one = |s: &str| vec![s.as_bytes().to_vec()];
        for ok in ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"] {
            assert!(is_json(&one(ok)), "{ok}");
        }
        for bad in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonp", ""] {
            assert!(!is_json(&one(bad)), "{bad}");
        }
        assert!(!is_json(&[]));
        assert!(!is_json(&[b"application/json".to_vec(), b"text/plain".to_vec()]));
        assert!(!is_json(&[vec![0xff]]));
    }
}
