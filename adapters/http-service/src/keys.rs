//! Service keys: the `service-keys` setting, the bearer token a caller presents, and finding the key
//! it matches.
//!
//! The setting lists one entry per key, `name:role:sha256hex`, separated by commas or new lines
//! (spaces around entries are ignored): `ci-bot:read:9f86…0f00a08, alice:admin:2c26…a2e9`. The
//! service keeps only the SHA-256 digest of each key (hex, 64 digits), so the configuration holds
//! nothing a caller could present. A presented key is hashed and compared with every configured
//! digest in constant time (`subtle`), all of them every time, so neither the comparison nor the
//! number of digests compared tells how close a guess came or which key it was near.
//!
//! Messages about the setting name an entry by its position, never by its text: an operator who
//! pasted a key instead of its digest must not see it echoed into an answer or a log.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

/// Longest key name, in bytes (it is written into every access-log line).
pub const MAX_NAME_BYTES: usize = 64;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read-only actions, the manifest, the health checks, and any write as a dry run.
    Read,
    /// Everything.
    Admin,
}

impl Role {
    /// The role as the setting spells it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Admin => "admin",
        }
    }
}

/// One configured key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceKey {
    /// Its name, for the access log and messages (never the key).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the key, as 64 lowercase hex digits.
    digest_hex: String,
}

/// The configured keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRing {
    keys: Vec<ServiceKey>,
}

impl KeyRing {
    /// Reads the `service-keys` setting (`None` or blank: no keys). An error says which entry is
    /// wrong, by position, and how to write it.
    pub fn parse(setting: Option<&str>) -> Result<KeyRing, String> {
        let mut keys: Vec<ServiceKey> = Vec::new();
        let entries = setting.unwrap_or_default().split([',', '\n']).map(str::trim).filter(|e| !e.is_empty());
        for (index, entry) in entries.enumerate() {
            let position = index + 1;
            let key = parse_entry(entry).map_err(|why| {
                format!(
                    "Entry {position} of the service-keys setting {why}. Write each key as name:role:sha256hex \
                     (role read or admin; the digest is `printf %s \"$KEY\" | sha256sum`), entries separated by commas."
                )
            })?;
            if keys.iter().any(|k| k.name == key.name) {
                return Err(format!(
                    "Entry {position} of the service-keys setting reuses the name \"{}\": give every key its own \
                     name, so the access log tells them apart.",
                    key.name
                ));
            }
            keys.push(key);
        }
        Ok(KeyRing { keys })
    }

    /// No key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key whose digest is the SHA-256 of `presented`, comparing with every configured digest
    /// in constant time.
    pub fn find(&self, presented: &str) -> Option<&ServiceKey> {
        let digest = sha256_hex(presented.as_bytes());
        let mut found: Option<&ServiceKey> = None;
        for key in &self.keys {
            let matches: Choice = key.digest_hex.as_bytes().ct_eq(digest.as_bytes());
            // Every digest is compared; the branch only records the (unique) match.
            if bool::from(matches) {
                found = Some(key);
            }
        }
        found
    }
}

/// SHA-256 of `bytes` as 64 lowercase hex digits (the form `sha256sum` prints).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// One `name:role:sha256hex` entry; the error completes "Entry N of the service-keys setting …".
fn parse_entry(entry: &str) -> Result<ServiceKey, &'static str> {
    let mut parts = entry.split(':').map(str::trim);
    let (Some(name), Some(role), Some(digest), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err("is not name:role:sha256hex (three parts separated by colons)");
    };
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err("has a name that is empty or longer than 64 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b)) {
        return Err("has a name with characters other than letters, digits, '-', '_', '.' and '@'");
    }
    let role = match role.to_ascii_lowercase().as_str() {
        "read" => Role::Read,
        "admin" => Role::Admin,
        _ => return Err("has a role other than read or admin"),
    };
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("has no SHA-256 digest (64 hex digits) as its third part");
    }
    Ok(ServiceKey { name: name.to_string(), role, digest_hex: digest.to_ascii_lowercase() })
}

/// Why a request's `Authorization` header names no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerProblem {
    /// No `Authorization` header.
    Missing,
    /// More than one `Authorization` header, a value that is not UTF-8, another scheme than
    /// `Bearer`, or no token after it.
    Malformed,
}

/// The token of a request's `Authorization` headers (`values`, every one the request carried):
/// exactly one header, `Bearer <token>` (the scheme in any case).
pub fn bearer_token(values: &[Vec<u8>]) -> Result<&str, BearerProblem> {
    let value = match values {
        [] => return Err(BearerProblem::Missing),
        [value] => value,
        _ => return Err(BearerProblem::Malformed),
    };
    let text = std::str::from_utf8(value).map_err(|_| BearerProblem::Malformed)?.trim();
    let (scheme, token) = text.split_once(' ').ok_or(BearerProblem::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(char::is_whitespace) {
        return Err(BearerProblem::Malformed);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `printf %s test-key | sha256sum`.
    const TEST_KEY_DIGEST: &str = "62af8704764faf8ea82fc61ce9c4c3908b6cb97d463a634e9e587d7c885db0ef";

    #[test]
    fn the_digest_is_what_sha256sum_prints() {
        assert_eq!(sha256_hex(b"test-key"), TEST_KEY_DIGEST);
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn a_presented_key_finds_its_entry_by_digest() {
        let setting =
            format!("ci-bot:read:{}, alice:ADMIN:{}", sha256_hex(b"ci-secret"), TEST_KEY_DIGEST.to_uppercase());
        let ring = KeyRing::parse(Some(&setting)).unwrap();
        let alice = ring.find("test-key").unwrap();
        assert_eq!((alice.name.as_str(), alice.role), ("alice", Role::Admin));
        assert_eq!(ring.find("ci-secret").map(|k| (k.name.as_str(), k.role)), Some(("ci-bot", Role::Read)));
        assert_eq!(ring.find("test-key "), None);
        assert_eq!(ring.find(TEST_KEY_DIGEST), None, "the digest itself is not a key");
        assert_eq!(ring.find(""), None);
    }

    #[test]
    fn entries_may_be_on_lines_and_blank_means_no_keys() {
        let setting = format!("\n  a:read:{TEST_KEY_DIGEST}\n\n b:admin:{}\n", sha256_hex(b"x"));
        assert_eq!(KeyRing::parse(Some(&setting)).unwrap().keys.len(), 2);
        assert!(KeyRing::parse(None).unwrap().is_empty());
        assert!(KeyRing::parse(Some(" , \n")).unwrap().is_empty());
    }

    #[test]
    fn a_bad_entry_is_named_by_position_and_never_echoed() {
        let pasted_key = "dckr_svc_thisIsTheRawKeyNotItsDigest";
        let cases = [
            (pasted_key.to_string(), "three parts"),
            (format!("a:read:{pasted_key}"), "64 hex digits"),
            (format!("a:owner:{TEST_KEY_DIGEST}"), "read or admin"),
            (format!(":read:{TEST_KEY_DIGEST}"), "empty"),
            (format!("a b:read:{TEST_KEY_DIGEST}"), "characters"),
            (format!("a:read:{TEST_KEY_DIGEST}:extra"), "three parts"),
        ];
        for (entry, why) in cases {
            let setting = format!("ok:read:{}, {entry}", sha256_hex(b"other"));
            let error = KeyRing::parse(Some(&setting)).unwrap_err();
            assert!(error.starts_with("Entry 2 of the service-keys setting"), "{error}");
            assert!(error.contains(why), "{entry}: {error}");
            assert!(!error.contains(pasted_key), "{error}");
            assert!(error.contains("sha256sum"), "{error}");
        }
        let twice = format!("a:read:{TEST_KEY_DIGEST},a:admin:{}", sha256_hex(b"y"));
        assert!(KeyRing::parse(Some(&twice)).unwrap_err().contains("reuses the name \"a\""));
    }

    #[test]
    fn the_bearer_token_comes_from_one_well_formed_header() {
        let header = |s: &str| vec![s.as_bytes().to_vec()];
        assert_eq!(bearer_token(&header("Bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(&header("bearer   abc  ")), Ok("abc"));
        assert_eq!(bearer_token(&[]), Err(BearerProblem::Missing));
        for bad in ["Basic YWJjOmRlZg==", "Bearer", "Bearer ", "abc", "Bearer a b", "Bearerabc"] {
            assert_eq!(bearer_token(&header(bad)), Err(BearerProblem::Malformed), "{bad:?}");
        }
        assert_eq!(bearer_token(&[vec![0xff, 0xfe]]), Err(BearerProblem::Malformed));
        let two = [b"Bearer a".to_vec(), b"Bearer b".to_vec()];
        assert_eq!(bearer_token(&two), Err(BearerProblem::Malformed));
    }
}
