//! The connection values an action runs with, read once per call through `secret-get`.

use crate::error::{Error, Result};
use crate::host::Host;

/// `secret-get` key of the organization name.
pub const KEY_ORG: &str = "organization-name";
/// `secret-get` key of the Organization Access Token.
pub const KEY_OAT: &str = "organization-access-token";
/// `secret-get` key of an alternative base URL (simulator, test server).
pub const KEY_HUB_URL: &str = "hub-url";
/// `secret-get` key of the per-action retry budget in seconds.
pub const KEY_RETRY_BUDGET: &str = "retry-budget-seconds";

/// `secret-get` key of the call's deadline in whole seconds (enforced by the host; the guest keeps
/// its retry waits inside it and names it when it passes).
/// The key and its bounds are the contract's ([`dockerhub_org_wire`]), which the hosts read too.
pub use dockerhub_org_wire::{DEFAULT_CALL_TIMEOUT_SECONDS, KEY_CALL_TIMEOUT, MAX_CALL_TIMEOUT_SECONDS};

/// Docker Hub.
pub const DEFAULT_HUB_URL: &str = "https://hub.docker.com";
/// Default total time an action may spend waiting on rate limits and backoff.
pub const DEFAULT_RETRY_BUDGET_SECONDS: u64 = 30;

/// The seed's message for a missing organization name.
pub const MSG_ORG_REQUIRED: &str = "Organization Name is required.";
/// The seed's message for a missing token.
pub const MSG_OAT_REQUIRED: &str = "Organization Access Token is required.";

/// Validated connection values.
#[derive(Clone)]
pub struct Connection {
    /// Organization slug, trimmed.
    pub org: String,
    /// The OAT. Used only in the token exchange body; never displayed.
    pub oat: String,
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Retry budget in milliseconds (never more than the call's deadline).
    pub retry_budget_ms: u64,
    /// The call's deadline in seconds.
    pub call_timeout_s: u64,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("org", &self.org)
            .field("oat", &"[redacted]")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Connection {
    /// Reads and validates the connection values.
    pub fn from_host(host: &dyn Host) -> Result<Self> {
        let org = host.secret(KEY_ORG).map(|s| s.trim().to_string()).unwrap_or_default();
        if org.is_empty() {
            return Err(Error::missing_credential(MSG_ORG_REQUIRED));
        }
        if org == "."
            || org == ".."
            || org.contains(['/', '\\', '?', '#', '%'])
            || org.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid_input(format!(
                "The Organization Name \"{}\" is not a Docker Hub organization slug: use the segment after hub.docker.com/u/ in your organization's address.",
                org.escape_debug()
            )));
        }
        let oat = host.secret(KEY_OAT).map(|s| s.trim().to_string()).unwrap_or_default();
        if oat.is_empty() {
            return Err(Error::missing_credential(MSG_OAT_REQUIRED));
        }
        let base_url = normalize_base_url(host.secret(KEY_HUB_URL).as_deref())?;
        let retry_budget_ms = match host.secret(KEY_RETRY_BUDGET) {
            None => DEFAULT_RETRY_BUDGET_SECONDS * 1000,
            Some(v) => v.trim().parse::<u64>().map(|s| s.min(3600) * 1000).map_err(|_| {
                Error::invalid_input(format!(
                    "The connection value \"{KEY_RETRY_BUDGET}\" must be a whole number of seconds (got \"{}\").",
                    v.trim()
                ))
            })?,
        };
        let call_timeout_s = call_timeout(host)?;
        let retry_budget_ms = retry_budget_ms.min(call_timeout_s * 1000);
        Ok(Connection { org, oat, base_url, retry_budget_ms, call_timeout_s })
    }
}

/// The call's deadline from [`KEY_CALL_TIMEOUT`], by the contract's rule
/// ([`dockerhub_org_wire::call_timeout`]): whole seconds from 1 to one day; absent or blank means
/// [`DEFAULT_CALL_TIMEOUT_SECONDS`].
pub fn call_timeout(host: &dyn Host) -> Result<u64> {
    let raw = host.secret(KEY_CALL_TIMEOUT);
    dockerhub_org_wire::call_timeout(raw.as_deref()).map_err(|_| {
        Error::invalid_input(format!(
            "The connection value \"{KEY_CALL_TIMEOUT}\" must be a whole number of seconds from 1 to \
{MAX_CALL_TIMEOUT_SECONDS} (got \"{}\").",
            raw.as_deref().unwrap_or_default().trim().escape_debug()
        ))
    })
}

/// Checks a base URL: `http(s)://host[:port]` with no path, query or credentials; trailing slash
/// removed. `None` or blank means Docker Hub.
pub fn normalize_base_url(value: Option<&str>) -> Result<String> {
    let raw = value.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Ok(DEFAULT_HUB_URL.to_string());
    }
    let trimmed = raw.trim_end_matches('/');
    let (rest, plain) = match (trimmed.strip_prefix("https://"), trimmed.strip_prefix("http://")) {
        (Some(rest), _) => (rest, false),
        (None, Some(rest)) => (rest, true),
        (None, None) => return Err(bad_url(raw, "it must start with https:// or http://")),
    };
    if rest.is_empty() {
        return Err(bad_url(raw, "it has no host"));
    }
    if rest.contains(['/', '?', '#', '@', ' ', '\\']) || rest.chars().any(char::is_control) {
        return Err(bad_url(raw, "it must be a scheme and host only, like https://hub.docker.com"));
    }
    // The token exchange sends the OAT: plain HTTP only where it never leaves the machine.
    if plain && !is_loopback(rest) {
        return Err(bad_url(
            raw,
            "plain http:// would send the Organization Access Token unencrypted; use https://, or http:// only for a loopback address (127.0.0.1, [::1], localhost)",
        ));
    }
    Ok(trimmed.to_string())
}

/// Whether `authority` (`host[:port]`) names this machine: `localhost`, `127.0.0.0/8` or `[::1]`.
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _port)| host),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn bad_url(raw: &str, why: &str) -> Error {
    Error::invalid_input(format!("The connection value \"{KEY_HUB_URL}\" (\"{raw}\") is not usable: {why}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_defaults_to_docker_hub() {
        assert_eq!(normalize_base_url(None).unwrap(), DEFAULT_HUB_URL);
        assert_eq!(normalize_base_url(Some("  ")).unwrap(), DEFAULT_HUB_URL);
    }

    #[test]
    fn base_url_drops_trailing_slashes() {
        assert_eq!(normalize_base_url(Some("http://127.0.0.1:8080/")).unwrap(), "http://127.0.0.1:8080");
    }

    #[test]
    fn plain_http_is_for_loopback_only() {
        for ok in [
            "http://127.0.0.1:8089",
            "http://127.9.0.1",
            "http://localhost:1",
            "http://[::1]:80",
            "https://hub.example",
        ] {
            assert!(normalize_base_url(Some(ok)).is_ok(), "{ok}");
        }
        for bad in ["http://hub.docker.com", "http://10.0.0.1:80", "http://127.0.0.1.evil.example", "http://[::2]"] {
            let e = normalize_base_url(Some(bad)).unwrap_err();
            assert!(e.message.contains("unencrypted"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn base_url_refuses_paths_credentials_and_other_schemes() {
        for bad in ["ftp://x", "https://a/b", "https://u:p@h", "hub.docker.com", "https://", "https://a?b"] {
            assert!(normalize_base_url(Some(bad)).is_err(), "{bad}");
        }
    }
}
