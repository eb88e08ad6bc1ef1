//! One request to the Docker Hub API, described but not sent: its method, encoded path and query,
//! body, target, scope, and what its 404 and refusals mean.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::{Scope, error_body};
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
    /// What a 404 to this request means when it is a write.
    pub if_absent: IfAbsent,
    /// The refusals Docker may answer this write with, told apart by [`Refusal::recognises`].
    pub refusals: Vec<Refusal>,
}

/// What Docker's 404 to a write means, as its endpoint declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfAbsent {
    /// The 404 is the write's failure (`not-found`).
    Fails,
    /// The target is gone, so what the write does already holds: a removal whose target someone
    /// else removed between the read that found it and the write.
    Done,
}

/// A refusal Docker may answer a write with, declared by the endpoint that can get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change would leave the organization without an owner.
    LastOwner,
    /// The name asked for is in use.
    NameTaken(String),
    /// The person is on the team already: the end state holds.
    AlreadyMember(String),
}

impl Refusal {
    /// Whether `error` is this refusal, read from Docker's status and words ([`error_body`]).
    pub fn recognises(&self, error: &crate::error::Error) -> bool {
        match self {
            Refusal::LastOwner => error_body::says_last_owner(error),
            Refusal::NameTaken(name) => error_body::says_name_taken(error, name),
            Refusal::AlreadyMember(username) => error_body::says_already_member(error, username),
        }
    }

    /// Whether this refusal means the write's end state already holds.
    pub fn means_done(&self) -> bool {
        matches!(self, Refusal::AlreadyMember(_))
    }
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
            if_absent: IfAbsent::Fails,
            refusals: Vec::new(),
        }
    }

    /// Declares that a 404 to this write means its end state already holds.
    pub fn absent_is_done(mut self) -> Self {
        self.if_absent = IfAbsent::Done;
        self
    }

    /// Declares a refusal Docker may answer this write with.
    pub fn may_refuse(mut self, refusal: Refusal) -> Self {
        self.refusals.push(refusal);
        self
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
}
