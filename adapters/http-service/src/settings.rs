//! The service's own settings: who may call it and from where. Read through `wasi:config` with the
//! connection values (the imports adapter's one lookup: the key as written, then with underscores
//! for Spin, `service_keys`), on every request, so a changed setting applies at once.
//!
//! | key | default | |
//! | --- | --- | --- |
//! | `service-keys` | none | `name:role:sha256hex` entries ([`crate::keys`]) |
//! | `allow-unauthenticated` | `false` | `true`: requests without a key are let in, as admin (loopback experiments only) |
//! | `allowed-origins` | none | origins (`https://admin.example.com`) whose browser requests are let in |
//! | `allowed-hosts` | `localhost, 127.0.0.1, [::1]` | host names the service answers for, any port |
//!
//! A setting that cannot be read is not guessed at: every request is refused (503) with what is
//! wrong, until the operator fixes it.

use crate::browsers::{self, DEFAULT_ALLOWED_HOSTS};
use crate::keys::KeyRing;

/// Setting: the service keys.
pub const SERVICE_KEYS: &str = "service-keys";
/// Setting: `true` lets requests without a key in.
pub const ALLOW_UNAUTHENTICATED: &str = "allow-unauthenticated";
/// Setting: the origins whose browser requests are let in.
pub const ALLOWED_ORIGINS: &str = "allowed-origins";
/// Setting: the host names the service answers for.
pub const ALLOWED_HOSTS: &str = "allowed-hosts";

/// The settings, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The configured keys (maybe none).
    pub keys: KeyRing,
    /// Requests without an `Authorization` header are let in, as admin.
    pub allow_unauthenticated: bool,
    /// Origins whose requests are let in (none by default).
    pub allowed_origins: Vec<String>,
    /// Host names the service answers for (loopback names by default).
    pub allowed_hosts: Vec<String>,
}

impl Settings {
    /// Reads the settings through `get` (a config lookup). An error says which setting is wrong and
    /// how to write it.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let keys = KeyRing::parse(get(SERVICE_KEYS).as_deref())?;
        let allow_unauthenticated = match get(ALLOW_UNAUTHENTICATED).as_deref().map(str::trim) {
            None | Some("") => false,
            Some(value) if value.eq_ignore_ascii_case("false") => false,
            Some(value) if value.eq_ignore_ascii_case("true") => true,
            Some(_) => return Err(format!("The {ALLOW_UNAUTHENTICATED} setting must be true or false.")),
        };
        let allowed_origins = list(get(ALLOWED_ORIGINS).as_deref())
            .map(|(position, entry)| origin(entry).ok_or(position))
            .collect::<Result<Vec<_>, usize>>()
            .map_err(|position| {
                format!(
                    "Entry {position} of the {ALLOWED_ORIGINS} setting is not an origin: write scheme://host or \
                     scheme://host:port (https://admin.example.com), entries separated by commas."
                )
            })?;
        let configured_hosts = list(get(ALLOWED_HOSTS).as_deref())
            .map(|(position, entry)| browsers::is_host_name(entry).then(|| entry.to_string()).ok_or(position))
            .collect::<Result<Vec<_>, usize>>()
            .map_err(|position| {
                format!(
                    "Entry {position} of the {ALLOWED_HOSTS} setting is not a host name: write names without a \
                     port (any port is answered), such as dockerhub-org.internal or [::1], separated by commas."
                )
            })?;
        let allowed_hosts = if configured_hosts.is_empty() {
            DEFAULT_ALLOWED_HOSTS.iter().map(|h| h.to_string()).collect()
        } else {
            configured_hosts
        };
        Ok(Settings { keys, allow_unauthenticated, allowed_origins, allowed_hosts })
    }
}

/// The entries of a list setting (commas, new lines or spaces between them), with their positions
/// from 1.
fn list(setting: Option<&str>) -> impl Iterator<Item = (usize, &str)> {
    setting
        .unwrap_or_default()
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .enumerate()
        .map(|(index, entry)| (index + 1, entry))
}

/// `entry` as an origin the way browsers send it (`scheme://host[:port]`, no path; one trailing `/`
/// is dropped), or `null`.
fn origin(entry: &str) -> Option<String> {
    if entry == "null" {
        return Some(entry.to_string());
    }
    let entry = entry.strip_suffix('/').unwrap_or(entry);
    let (scheme, authority) = entry.split_once("://")?;
    let scheme_ok = !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    (scheme_ok && browsers::is_authority(authority)).then(|| entry.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::read(|key| map.get(key).cloned())
    }

    #[test]
    fn nothing_configured_means_no_keys_no_origins_and_loopback_hosts() {
        let settings = read(&[]).unwrap();
        assert!(settings.keys.is_empty());
        assert!(!settings.allow_unauthenticated);
        assert!(settings.allowed_origins.is_empty());
        assert_eq!(settings.allowed_hosts, ["localhost", "127.0.0.1", "[::1]"]);
    }

    #[test]
    fn allow_unauthenticated_is_true_or_false_and_nothing_else() {
        assert!(read(&[(ALLOW_UNAUTHENTICATED, " TRUE ")]).unwrap().allow_unauthenticated);
        assert!(!read(&[(ALLOW_UNAUTHENTICATED, "false")]).unwrap().allow_unauthenticated);
        for vague in ["yes", "1", "on"] {
            let error = read(&[(ALLOW_UNAUTHENTICATED, vague)]).unwrap_err();
            assert!(error.contains("true or false"), "{error}");
        }
    }

    #[test]
    fn origins_and_hosts_are_lists_checked_entry_by_entry() {
        let settings = read(&[
            (ALLOWED_ORIGINS, "https://admin.example.com/, http://localhost:3000"),
            (ALLOWED_HOSTS, "dockerhub-org.internal\n[::1]"),
        ])
        .unwrap();
        assert_eq!(settings.allowed_origins, ["https://admin.example.com", "http://localhost:3000"]);
        assert_eq!(settings.allowed_hosts, ["dockerhub-org.internal", "[::1]"]);

        let error = read(&[(ALLOWED_ORIGINS, "https://ok.example, https://x.example/path")]).unwrap_err();
        assert!(error.starts_with("Entry 2 of the allowed-origins setting"), "{error}");
        assert!(read(&[(ALLOWED_ORIGINS, "admin.example.com")]).is_err());
        let error = read(&[(ALLOWED_HOSTS, "example.com:8080")]).unwrap_err();
        assert!(error.contains("without a port"), "{error}");
    }

    #[test]
    fn a_bad_key_entry_makes_the_settings_unreadable() {
        let error = read(&[(SERVICE_KEYS, "alice:admin:not-a-digest")]).unwrap_err();
        assert!(error.contains("service-keys"), "{error}");
    }
}
