//! Pure request builders and response models for the Docker Hub API, one file per resource.
//!
//! A builder only describes a request ([`ApiRequest`]): method, an already-encoded path, query,
//! JSON body, what it addresses (for error messages) and which OAT scope it needs. The client sends
//! it. Nothing here does I/O, so every builder and mapper is tested natively.

pub mod auditlogs;
pub mod auth;
pub mod groups;
pub mod invites;
pub mod members;
pub mod settings;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde_json::Value;

use crate::host::Method;

/// Characters left as they are in a path segment: RFC 3986 unreserved. Everything else, `/`, `?`,
/// `#`, `%`, `.` sequences' neighbours and spaces included, is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Builds an absolute path from segments, percent-encoding each one. Never ends in a slash.
///
/// A segment of `.` or `..` is encoded as `%2E`/`%2E%2E` so that no URL normalisation can turn it
/// into a parent-directory step.
pub fn path(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        if segment.chars().all(|c| c == '.') {
            out.push_str(&"%2E".repeat(segment.len()));
        } else {
            out.extend(utf8_percent_encode(segment, SEGMENT));
        }
    }
    out
}

/// The `Accept` of every request that does not ask for something else.
pub const JSON_MEDIA_TYPE: &str = "application/json";

/// The OAT permission a request needs; named as Docker's Admin Console names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Scope {
    /// No scope: the token exchange itself.
    None,
    /// Member Read
    #[serde(rename = "Member Read")]
    MemberRead,
    /// Member Edit
    #[serde(rename = "Member Edit")]
    MemberEdit,
    /// Invite Read
    #[serde(rename = "Invite Read")]
    InviteRead,
    /// Invite Edit
    #[serde(rename = "Invite Edit")]
    InviteEdit,
    /// Group Read
    #[serde(rename = "Group Read")]
    GroupRead,
    /// Group Edit
    #[serde(rename = "Group Edit")]
    GroupEdit,
    /// Activity Read (audit logs)
    #[serde(rename = "Activity Read")]
    ActivityRead,
    /// Organization settings: Docker lets only owners change them.
    #[serde(rename = "Organization Settings (owner)")]
    OrgSettings,
}

impl Scope {
    /// The scope's display name.
    pub fn label(self) -> &'static str {
        match self {
            Scope::None => "none",
            Scope::MemberRead => "Member Read",
            Scope::MemberEdit => "Member Edit",
            Scope::InviteRead => "Invite Read",
            Scope::InviteEdit => "Invite Edit",
            Scope::GroupRead => "Group Read",
            Scope::GroupEdit => "Group Edit",
            Scope::ActivityRead => "Activity Read",
            Scope::OrgSettings => "Organization Settings (owner)",
        }
    }
}

/// One request to the Docker Hub API, described but not sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// Method.
    pub method: Method,
    /// Encoded path starting with `/v2/`, no trailing slash.
    pub path: String,
    /// Query pairs, encoded when the URL is built.
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// What the request addresses, for messages: `team "devs" in organization "acme"`.
    pub target: String,
    /// The OAT scope it needs.
    pub scope: Scope,
    /// Whether it carries the bearer token.
    pub authenticated: bool,
    /// Whether sending it twice is harmless (safe to retry after a 5xx or a broken connection).
    pub idempotent: bool,
    /// The media type asked for in `Accept`: JSON unless the endpoint answers something else.
    pub accept: &'static str,
}

impl ApiRequest {
    /// A request with `method` and `path`; idempotency follows the method (GET, PUT, DELETE).
    pub fn new(method: Method, path: String, scope: Scope, target: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path,
            query: Vec::new(),
            body: None,
            target: target.into(),
            scope,
            authenticated: true,
            idempotent: matches!(method, Method::Get | Method::Put | Method::Delete),
            accept: JSON_MEDIA_TYPE,
        }
    }

    /// Asks for `media_type` instead of JSON (the member export answers `text/csv`).
    pub fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = media_type;
        self
    }

    /// Adds a query pair.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds a query pair when `value` is present.
    pub fn query_opt<V: ToString>(self, name: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Sets the JSON body.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The path and query as they go on the wire.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(self.query.iter()).finish();
        format!("{}?{}", self.path, query)
    }
}

/// A Docker Hub paginated list (`count`, `next`, `previous`, `results`).
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    /// Total items matching, as reported.
    #[serde(default)]
    pub count: Option<f64>,
    /// Link to the next page; only its presence is used (links are never followed).
    #[serde(default)]
    pub next: Option<String>,
    /// Link to the previous page.
    #[serde(default)]
    pub previous: Option<String>,
    /// This page's items.
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// Docker's `count` as a whole number of items: the one place it is read (Docker's schema types
    /// it as a number, so `3.0` arrives; a negative, fractional or non-finite value is no count).
    pub fn total(&self) -> Option<u64> {
        self.count.filter(|c| c.is_finite() && *c >= 0.0 && c.fract() == 0.0).map(|c| c as u64)
    }
}

/// Docker's error body (`detail`, `message`, `errinfo`); any of them may be missing.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DockerError {
    /// Usually the human-readable reason.
    #[serde(default)]
    pub detail: Option<Value>,
    /// Sometimes the reason is here instead.
    #[serde(default)]
    pub message: Option<Value>,
    /// Some endpoints use `error`.
    #[serde(default)]
    pub error: Option<Value>,
}

impl DockerError {
    /// The best single message in the body, if any.
    pub fn text(body: &[u8]) -> Option<String> {
        let parsed: DockerError = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
        [parsed.detail, parsed.message, parsed.error].into_iter().flatten().find_map(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Object(_) | Value::Array(_) => Some(v.to_string()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_encodes_every_reserved_character_in_segments() {
        assert_eq!(
            path(&["v2", "orgs", "acme", "members", "a/b?c#d e%f"]),
            "/v2/orgs/acme/members/a%2Fb%3Fc%23d%20e%25f"
        );
    }

    #[test]
    fn path_neutralises_dot_segments() {
        assert_eq!(path(&["v2", "orgs", ".."]), "/v2/orgs/%2E%2E");
        assert_eq!(path(&["v2", "invites", "."]), "/v2/invites/%2E");
        assert_eq!(path(&["v2", "orgs", "a..b"]), "/v2/orgs/a..b");
    }

    #[test]
    fn path_never_ends_with_a_slash() {
        assert!(!path(&["v2", "orgs", "acme", "groups"]).ends_with('/'));
    }

    #[test]
    fn query_is_form_encoded() {
        let r = ApiRequest::new(Method::Get, path(&["v2"]), Scope::MemberRead, "x")
            .query("search", "a b&c=d")
            .query_opt("role", None::<&str>);
        assert_eq!(r.path_and_query(), "/v2?search=a+b%26c%3Dd");
    }

    #[test]
    fn idempotency_follows_the_method() {
        let p = path(&["v2"]);
        assert!(ApiRequest::new(Method::Get, p.clone(), Scope::None, "").idempotent);
        assert!(ApiRequest::new(Method::Delete, p.clone(), Scope::None, "").idempotent);
        assert!(!ApiRequest::new(Method::Post, p.clone(), Scope::None, "").idempotent);
        assert!(!ApiRequest::new(Method::Patch, p, Scope::None, "").idempotent);
    }

    #[test]
    fn accept_is_json_unless_a_request_asks_otherwise() {
        let r = ApiRequest::new(Method::Get, path(&["v2"]), Scope::None, "");
        assert_eq!(r.accept, "application/json");
        assert_eq!(r.accept("text/csv").accept, "text/csv");
    }

    #[test]
    fn docker_error_text_prefers_detail_then_message() {
        assert_eq!(DockerError::text(br#"{"detail":"nope","message":"m"}"#).as_deref(), Some("nope"));
        assert_eq!(DockerError::text(br#"{"errinfo":{},"message":"m"}"#).as_deref(), Some("m"));
        assert_eq!(DockerError::text(b"<html>"), None);
    }
}
