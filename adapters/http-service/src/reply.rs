//! The answer to one request, decided without I/O: status, headers and JSON body.

use serde_json::{Value, json};

use crate::errors::{ErrorKind, Failure};
use crate::routes::Refusal;

/// Largest request body accepted, in bytes (an action's input is a small JSON object).
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers besides `Content-Type: application/json`.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
}

impl Reply {
    fn json(status: u16, body: &Value) -> Self {
        Reply { status, headers: Vec::new(), body: body.to_string() }
    }

    /// A successful action: its output as it is.
    pub fn output(output: String) -> Self {
        Reply { status: 200, headers: Vec::new(), body: output }
    }

    /// The health checks' output: 200 when every check passed (`"ok": true`), else 503.
    pub fn health(output: String) -> Self {
        let ok = serde_json::from_str::<Value>(&output).ok().and_then(|v| v["ok"].as_bool()).unwrap_or(false);
        Reply { status: if ok { 200 } else { 503 }, headers: Vec::new(), body: output }
    }

    /// A failed action, at `now` (Unix seconds, for `Retry-After`).
    pub fn failure(failure: &Failure, now: u64) -> Self {
        let mut reply = Reply::json(failure.kind.status(), &failure.body());
        if let Some(seconds) = failure.retry_after_seconds(now) {
            reply.headers.push(("Retry-After".to_string(), seconds.to_string()));
        }
        reply
    }

    /// A request with no route.
    pub fn refusal(refusal: &Refusal) -> Self {
        match refusal {
            Refusal::NotFound => Reply::json(
                404,
                &json!({"error": "not-found", "message": "No such route: use POST /actions/{name}, GET /actions or GET /health.", "detail": null}),
            ),
            Refusal::MethodNotAllowed(allow) => {
                let mut reply = Reply::json(
                    405,
                    &json!({"error": "method-not-allowed", "message": format!("This route takes {allow} only."), "detail": null}),
                );
                reply.headers.push(("Allow".to_string(), (*allow).to_string()));
                reply
            }
        }
    }

    /// A route to an action the plugin does not have.
    pub fn unknown_action(name: &str) -> Self {
        let message = format!("There is no action named \"{name}\"; GET /actions lists them.");
        Reply::json(404, &json!({"error": "not-found", "message": message, "detail": null}))
    }

    /// A request body over [`MAX_INPUT_BYTES`] (413), or one that is not UTF-8 (400).
    pub fn unreadable_input(too_large: bool) -> Self {
        if too_large {
            let message = format!("The input is larger than {MAX_INPUT_BYTES} bytes.");
            Reply::json(413, &json!({"error": ErrorKind::InvalidInput.name(), "message": message, "detail": null}))
        } else {
            Reply::failure(&Failure::new(ErrorKind::InvalidInput, "The input must be a JSON object in UTF-8."), 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_503_unless_every_check_passed() {
        assert_eq!(Reply::health(r#"{"ok": true}"#.into()).status, 200);
        assert_eq!(Reply::health(r#"{"ok": false}"#.into()).status, 503);
        assert_eq!(Reply::health("not json".into()).status, 503);
    }

    #[test]
    fn a_rate_limit_reply_has_retry_after_and_405_has_allow() {
        let mut failure = Failure::new(ErrorKind::RateLimited, "Slow down.");
        failure.retry_after_unix = Some(130);
        let reply = Reply::failure(&failure, 100);
        assert_eq!((reply.status, reply.headers.clone()), (429, vec![("Retry-After".into(), "30".into())]));
        let reply = Reply::refusal(&Refusal::MethodNotAllowed("POST"));
        assert_eq!((reply.status, reply.headers), (405, vec![("Allow".into(), "POST".into())]));
    }

    #[test]
    fn oversized_input_is_413_and_unknown_actions_404() {
        assert_eq!(Reply::unreadable_input(true).status, 413);
        assert_eq!(Reply::unreadable_input(false).status, 400);
        let reply = Reply::unknown_action("nope");
        assert_eq!(reply.status, 404);
        assert!(reply.body.contains("GET /actions"));
    }
}
