//! An action's failure as an HTTP answer: the status for each error kind (the contract's table,
//! `dockerhub_org_wire::Kind`), `Retry-After` for a rate limit, and the JSON body
//! `{"error": kind, "message", "detail"}`.
//!
//! `missing-credential` answers 400, not 401: the service holds the connection values (they are
//! its configuration, not the caller's credentials), so there is no challenge a caller could answer
//! and a 401 would need a `WWW-Authenticate` the service cannot offer. The body names the missing
//! value; the operator fixes the deployment's config.

use dockerhub_org_wire::body::{Absent, ErrorBody};
use serde_json::Value;

/// The plugin's error kinds (the WIT `action-error` cases): the contract's table, which holds the
/// HTTP status the service answers with ([`ErrorKind::http_status`]).
pub use dockerhub_org_wire::Kind as ErrorKind;

/// Seconds to announce in `Retry-After` when Docker Hub gave no time (its window is a minute).
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 60;

/// One failure, as the plugin reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The kind.
    pub kind: ErrorKind,
    /// What happened and what to do.
    pub message: String,
    /// Extra context, a JSON object as text, when there is any.
    pub detail: Option<String>,
    /// For `rate-limited`: the Unix time Docker Hub accepts calls again.
    pub retry_after_unix: Option<u64>,
    /// For `upstream`: Docker Hub's status and its own message.
    pub upstream: Option<(u16, Option<String>)>,
}

impl Failure {
    /// A failure with only a kind and a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure { kind, message: message.into(), detail: None, retry_after_unix: None, upstream: None }
    }

    /// The JSON body: `error`, `message`, `detail` (the parsed object, or null), and for a rate
    /// limit `retry_after` (Unix seconds), for an upstream answer `status` and `docker_message`,
    /// each `null` when the failure has none ([`ErrorBody`], the body the MCP server shows too).
    pub fn body(&self) -> Value {
        let body = ErrorBody {
            detail: self.detail.as_deref(),
            retry_after: self.retry_after_unix,
            upstream: self.upstream.as_ref().map(|(status, docker_message)| (*status, docker_message.as_deref())),
            ..ErrorBody::new(self.kind, &self.message)
        };
        body.to_json(Absent::Null)
    }

    /// `Retry-After` in seconds from `now` (Unix seconds), for a rate limit: at least one second.
    pub fn retry_after_seconds(&self, now: u64) -> Option<u64> {
        (self.kind == ErrorKind::RateLimited).then(|| match self.retry_after_unix {
            Some(at) => at.saturating_sub(now).max(1),
            None => DEFAULT_RETRY_AFTER_SECONDS,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_body_carries_kind_message_and_parsed_detail() {
        let mut failure = Failure::new(ErrorKind::NotFound, "No team \"x\".");
        assert_eq!(failure.body(), json!({"error": "not-found", "message": "No team \"x\".", "detail": null}));
        failure.detail = Some(r#"{"resume_page": 3}"#.into());
        assert_eq!(failure.body()["detail"]["resume_page"], 3);
    }

    #[test]
    fn a_rate_limit_announces_seconds_until_docker_accepts_calls_again() {
        let mut failure = Failure::new(ErrorKind::RateLimited, "Rate limited.");
        failure.retry_after_unix = Some(1_060);
        assert_eq!(failure.retry_after_seconds(1_000), Some(60));
        assert_eq!(failure.retry_after_seconds(2_000), Some(1));
        assert_eq!(failure.body()["retry_after"], 1_060);
        failure.retry_after_unix = None;
        assert_eq!(failure.retry_after_seconds(1_000), Some(DEFAULT_RETRY_AFTER_SECONDS));
        assert_eq!(Failure::new(ErrorKind::Conflict, "x").retry_after_seconds(0), None);
    }

    #[test]
    fn an_upstream_failure_keeps_dockers_status_and_message() {
        let mut failure = Failure::new(ErrorKind::Upstream, "Docker Hub answered 500.");
        failure.upstream = Some((500, Some("boom".into())));
        let body = failure.body();
        assert_eq!((body["status"].clone(), body["docker_message"].clone()), (json!(500), json!("boom")));
    }
}
