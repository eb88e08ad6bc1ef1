//! The answer to one request, decided without I/O: status, headers and JSON body.

use serde_json::{Value, json};

use crate::access::{Denial, Unauthenticated};
use crate::errors::{ErrorKind, Failure};
use crate::routes::Refusal;
use crate::settings::{ALLOW_UNAUTHENTICATED, ALLOWED_HOSTS, ALLOWED_ORIGINS, SERVICE_KEYS};

/// The challenge a 401 carries.
pub const CHALLENGE: &str = "Bearer realm=\"dockerhub-org\"";

/// What `/health` says about who may call the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication {
    /// Every request needs a configured key.
    Required,
    /// `allow-unauthenticated` is on: anyone who reaches the service may do anything.
    Off,
}

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

    /// The health checks' output: 200 when every check passed (`"ok": true`), else 503; with
    /// `authentication` added (and a warning when it is off).
    pub fn health(output: String, authentication: Authentication) -> Self {
        let Ok(Value::Object(mut body)) = serde_json::from_str::<Value>(&output) else {
            return Reply { status: 503, headers: Vec::new(), body: output };
        };
        let ok = body.get("ok").and_then(Value::as_bool).unwrap_or(false);
        match authentication {
            Authentication::Required => {
                body.insert("authentication".into(), json!("required"));
            }
            Authentication::Off => {
                body.insert("authentication".into(), json!("off"));
                body.insert("warning".into(), json!(UNAUTHENTICATED_WARNING));
            }
        }
        Reply::json(if ok { 200 } else { 503 }, &Value::Object(body))
    }

    /// `GET /health` without a key while keys are required: the service is up; nothing about the
    /// organization (the checks run for a caller with a key).
    pub fn up() -> Self {
        Reply::json(
            200,
            &json!({
                "status": "up",
                "authentication": "required",
                "message": "The service is up. Send a service key (Authorization: Bearer <key>) to run the organization's health checks.",
            }),
        )
    }

    /// A request refused by [`crate::access`]: its status, the body `{"error", "message", "detail"}`,
    /// `WWW-Authenticate` on a 401 and `Allow` on a 405.
    pub fn denied(denial: &Denial) -> Self {
        let (status, message) = match denial {
            Denial::NoRoute(refusal) => return Reply::refusal(refusal),
            Denial::Misconfigured(why) => (503, why.clone()),
            Denial::NotConfigured => (503, not_configured_message()),
            Denial::HostNotAllowed => (
                421,
                format!(
                    "This service does not answer for the host this request names. Call it by one of its names \
                     (localhost, 127.0.0.1 or [::1] unless the {ALLOWED_HOSTS} setting lists others), or add the \
                     name to {ALLOWED_HOSTS}."
                ),
            ),
            Denial::OriginNotAllowed => (
                403,
                format!(
                    "Requests from web pages are refused: this one carries an Origin that the {ALLOWED_ORIGINS} \
                     setting does not list (it lists none unless configured)."
                ),
            ),
            Denial::Unauthenticated(how) => (
                401,
                match how {
                    Unauthenticated::Missing => "This service needs a service key: send Authorization: Bearer <key>.",
                    Unauthenticated::Malformed => "Send exactly one Authorization header, Authorization: Bearer <key>.",
                    Unauthenticated::UnknownKey => {
                        "This service key is not configured here: check the key sent in Authorization: Bearer, or \
                         ask the operator to add its digest to service-keys."
                    }
                }
                .to_string(),
            ),
            Denial::UnsupportedMediaType => (
                415,
                "An action's POST needs Content-Type: application/json (the body is the action's JSON input)."
                    .to_string(),
            ),
            Denial::NeedsAdmin { key, action } => (
                403,
                format!(
                    "The key \"{key}\" has the read role, and {action} can change the organization: use an admin \
                     key, or send \"dry_run\": true to preview it."
                ),
            ),
        };
        let mut reply = Reply::json(status, &json!({"error": denial.kind(), "message": message, "detail": null}));
        if status == 401 {
            reply.headers.push(("WWW-Authenticate".to_string(), CHALLENGE.to_string()));
        }
        reply
    }

    /// A failed action, at `now` (Unix seconds, for `Retry-After`).
    pub fn failure(failure: &Failure, now: u64) -> Self {
        let mut reply = Reply::json(failure.kind.http_status(), &failure.body());
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

/// `/health`'s warning while `allow-unauthenticated` is on.
pub const UNAUTHENTICATED_WARNING: &str = "allow-unauthenticated is on: anyone who can reach this service can run every \
action, writes included, without a key. Use it on loopback only, and remove it (and configure service-keys) \
before anyone else can reach the port.";

/// How to configure a key: the answer to every request while none is configured.
fn not_configured_message() -> String {
    format!(
        "This service has no service keys, so it refuses every request. Configure one: make a key \
         (KEY=$(openssl rand -hex 32)), take its digest (printf %s \"$KEY\" | sha256sum), set the config value \
         {SERVICE_KEYS} to name:role:digest with role admin or read (wasmtime serve: -S \
         config-var={SERVICE_KEYS}=alice:admin:<digest>), and call with Authorization: Bearer $KEY. For an \
         experiment on loopback only, {ALLOW_UNAUTHENTICATED}=true lets every caller in. See docs/deploy.md."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_503_unless_every_check_passed() {
        assert_eq!(Reply::health(r#"{"ok": true}"#.into(), Authentication::Required).status, 200);
        assert_eq!(Reply::health(r#"{"ok": false}"#.into(), Authentication::Required).status, 503);
        assert_eq!(Reply::health("not json".into(), Authentication::Required).status, 503);
    }

    #[test]
    fn health_says_whether_authentication_is_off() {
        let body = |a| serde_json::from_str::<Value>(&Reply::health(r#"{"ok": true}"#.into(), a).body).unwrap();
        assert_eq!(body(Authentication::Required)["authentication"], "required");
        assert!(body(Authentication::Required).get("warning").is_none());
        let off = body(Authentication::Off);
        assert_eq!(off["authentication"], "off");
        assert!(off["warning"].as_str().unwrap().contains("allow-unauthenticated is on"));
    }

    #[test]
    fn refusals_have_their_status_kind_and_challenge() {
        let table = [
            (Denial::NotConfigured, 503, "service-not-configured"),
            (Denial::Misconfigured("x".into()), 503, "service-misconfigured"),
            (Denial::HostNotAllowed, 421, "host-not-allowed"),
            (Denial::OriginNotAllowed, 403, "origin-not-allowed"),
            (Denial::Unauthenticated(Unauthenticated::Missing), 401, "unauthenticated"),
            (Denial::Unauthenticated(Unauthenticated::UnknownKey), 401, "unauthenticated"),
            (Denial::UnsupportedMediaType, 415, "unsupported-media-type"),
            (Denial::NeedsAdmin { key: "k".into(), action: "remove-member".into() }, 403, "insufficient-role"),
            (Denial::NoRoute(Refusal::NotFound), 404, "not-found"),
        ];
        for (denial, status, kind) in table {
            let reply = Reply::denied(&denial);
            let body: Value = serde_json::from_str(&reply.body).unwrap();
            assert_eq!((reply.status, body["error"].as_str()), (status, Some(kind)), "{denial:?}");
            assert_eq!(denial.kind(), kind);
            let challenge = reply.headers.iter().find(|(n, _)| n == "WWW-Authenticate").map(|(_, v)| v.as_str());
            assert_eq!(challenge.is_some(), status == 401, "{denial:?}");
            if status == 401 {
                assert!(challenge.unwrap().starts_with("Bearer "));
            }
        }
        let how = Reply::denied(&Denial::NotConfigured).body;
        assert!(how.contains("service-keys") && how.contains("sha256sum") && how.contains("allow-unauthenticated"));
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
