//! Turning a non-success answer from Docker Hub into a typed [`Error`] whose message says what to do.
//!
//! Docker's own words, from any of its error-body shapes ([`DockerError`]), always reach the message
//! and [`Error::docker_message`]; field errors also go into the detail (`docker_fields`) so the
//! refusal heuristics in `api::error_body` can tell validation from conflict.

use serde_json::json;

use super::rate_limit;
use crate::api::{ApiRequest, DockerError, Scope};
use crate::error::{Error, ErrorKind};
use crate::host::{FetchError, HttpResponse};

/// What Docker says when a Personal Access Token is used where an OAT is required.
pub const PAT_REFUSAL: &str = "token issued from personal access token is not allowed";

/// What Docker says on an endpoint that refuses organization access tokens whatever their scopes
/// (docker/docs `content/manuals/security/access-tokens/reference.md`, "Unsupported legacy
/// endpoints": `403 token issued from organization access token is not allowed`).
pub const OAT_REFUSAL: &str = "token issued from organization access token is not allowed";

/// Guidance for a PAT used where an OAT is required.
pub const MSG_PAT_REFUSED: &str = "Docker Hub refused the token: \"token issued from personal access token is not allowed\". \
A Personal Access Token was used, but every organization, member and team operation requires an Organization Access Token \
(dckr_oat_...). An organization owner creates one in the Docker Admin Console under Access tokens; paste it as the \
Organization Access Token in the connection settings. For repository operations with a Personal Access Token, use the \
sibling DockerHub integration.";

/// Why Image Access Management answers 403 to an OAT, and where it is changed instead.
pub const MSG_IAM_NOT_FOR_OATS: &str = "Image Access Management (the organization's restricted_images settings) is not \
available to Organization Access Tokens: Docker's documentation states that organization access tokens don't work with \
Image Access Management, and no OAT scope grants it, so no permission added to this token will help. Only organization \
owners can use this endpoint, signed in as themselves: an owner reads and changes these settings in Docker Home \
(app.docker.com) under the organization's settings for Image Access, or through the API with their own credentials.";

/// The error for a non-2xx `response` to `request` in organization `org`.
pub fn status_error(request: &ApiRequest, response: &HttpResponse, org: &str) -> Error {
    let status = response.status;
    let parsed = DockerError::parse(&response.body);
    let docker = parsed.as_ref().map(DockerError::to_text);
    let said = docker.as_deref().map(|m| format!(" Docker Hub said: \"{m}\".")).unwrap_or_default();
    let lower = docker.as_deref().unwrap_or("").to_ascii_lowercase();
    let target = &request.target;
    let error = match status {
        400 => Error::invalid_input(format!("Docker Hub rejected the request for {target} as invalid (400).{said}")),
        401 if !request.authenticated => Error::new(
            ErrorKind::Unauthorized,
            format!(
                "Docker Hub rejected the Organization Access Token for organization \"{org}\" (the token exchange returned 401). \
The token may have been revoked or have expired, or the Organization Name may not match the organization the token was \
issued for: the name is used in the exchange too. Check both in the connection settings.{said}"
            ),
        ),
        401 => Error::new(
            ErrorKind::Unauthorized,
            format!(
                "Docker Hub did not accept the session token for {target} (401), even after a fresh token exchange. \
Verify the Organization Access Token has not been revoked and was issued for organization \"{org}\".{said}"
            ),
        ),
        403 if lower.contains(PAT_REFUSAL) => Error::new(ErrorKind::Forbidden, MSG_PAT_REFUSED),
        403 if request.scope == Scope::ImageAccessManagement => Error::new(
            ErrorKind::Forbidden,
            format!("The Organization Access Token may not access {target} (403). {MSG_IAM_NOT_FOR_OATS}{said}"),
        ),
        403 if lower.contains(OAT_REFUSAL) => Error::new(
            ErrorKind::Forbidden,
            format!(
                "Docker Hub does not accept Organization Access Tokens for {target} (403: \"{OAT_REFUSAL}\"). This endpoint \
refuses every organization access token whatever its scopes, so granting this token more permissions will not help. An \
organization owner can make this change in Docker Home (app.docker.com) while signed in as themselves."
            ),
        ),
        403 => {
            let grant = match (request.scope, request.scope.value()) {
                (Scope::None, _) | (_, None) => String::new(),
                (scope, Some(value)) => format!(
                    " It needs the \"{}\" permission ({value}): an organization owner grants it to the token in Docker Home (app.docker.com) under Identity & auth, Access tokens, or you use a token that has it.",
                    scope.label()
                ),
            };
            Error::new(
                ErrorKind::Forbidden,
                format!("The Organization Access Token may not access {target} (403).{grant}{said}"),
            )
        }
        404 => Error::not_found(format!("Docker Hub found no {target} (404).{said}")),
        409 => Error::conflict(format!("The change to {target} conflicts with its current state (409).{said}")),
        429 => {
            let at = rate_limit::retry_at(response);
            let when = rate_limit::describe(at);
            let detail = at.map(|at| {
                json!({
                    "retry_after_unix": at.unix,
                    "retry_after": at.unix.and_then(rate_limit::rfc3339),
                    "wait_seconds": at.wait_seconds,
                    "source_header": at.source.header(),
                })
            });
            let error = Error::new(
                ErrorKind::RateLimited { retry_after: at.and_then(|at| at.unix) },
                format!(
                    "Docker Hub's rate limit was reached while requesting {target}, and the retry budget is spent.{when} Run the action again after that.{said}"
                ),
            );
            Error { detail, ..error }
        }
        _ => Error::new(ErrorKind::Upstream { status }, format!("Docker Hub answered {status} for {target}.{said}")),
    };
    let fields = parsed.as_ref().and_then(DockerError::fields_json);
    let detail = match (error.detail, fields) {
        (Some(detail), _) => Some(detail),
        (None, Some(fields)) => Some(json!({ crate::api::error_body::FIELDS_DETAIL_KEY: fields })),
        (None, None) => None,
    };
    Error { status: Some(status), docker_message: docker, detail, ..error }
}

/// The error for a request that got no answer at all.
pub fn transport_error(request: &ApiRequest, failure: &FetchError) -> Error {
    let hint = match failure {
        FetchError::HostNotAllowed(_) => {
            " Add the host to the host's allow-list, or correct the hub URL in the connection."
        }
        FetchError::BodyTooLarge(_) => " Ask for smaller pages (page_size) or narrow the query.",
        _ => " Check the network path to Docker Hub and try again.",
    };
    Error::new(ErrorKind::Transport, format!("No answer from Docker Hub for {}: {failure}.{hint}", request.target))
        .with_detail(json!({ "method": request.method.as_str(), "path": request.path, "failure": failure.kind_name() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::path;
    use crate::host::Method;

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![], body: body.as_bytes().to_vec() }
    }

    fn members_request() -> ApiRequest {
        ApiRequest::new(
            Method::Get,
            path(&["v2", "orgs", "acme", "members"]),
            Scope::MemberRead,
            "the members of organization \"acme\"",
        )
    }

    #[test]
    fn a_pat_refusal_says_an_oat_is_required() {
        let e = status_error(
            &members_request(),
            &answer(403, r#"{"detail":"token issued from personal access token is not allowed"}"#),
            "acme",
        );
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("Personal Access Token was used"));
        assert!(e.message.contains("Organization Access Token"));
        assert_eq!(e.status, Some(403));
    }

    #[test]
    fn a_plain_403_names_the_scope_needed() {
        let e = status_error(&members_request(), &answer(403, r#"{"detail":"forbidden"}"#), "acme");
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("\"Member Read\" permission"), "{}", e.message);
    }

    #[test]
    fn an_exchange_401_explains_revocation_and_org_mismatch() {
        let e = status_error(&crate::api::auth::exchange_token("acme", "s"), &answer(401, "{}"), "acme");
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert!(e.message.contains("revoked"));
        assert!(e.message.contains("Organization Name may not match"));
    }

    #[test]
    fn other_statuses_are_upstream_with_dockers_message() {
        let e = status_error(&members_request(), &answer(502, r#"{"message":"bad gateway"}"#), "acme");
        assert_eq!(e.kind, ErrorKind::Upstream { status: 502 });
        assert_eq!(e.docker_message.as_deref(), Some("bad gateway"));
        let e = status_error(&members_request(), &answer(500, "<html>oops</html>"), "acme");
        assert_eq!(e.kind, ErrorKind::Upstream { status: 500 });
        assert_eq!(e.docker_message, None);
    }

    #[test]
    fn dockers_own_words_are_kept_on_the_error() {
        let e = status_error(&members_request(), &answer(409, r#"{"detail":"cannot remove the last owner"}"#), "acme");
        assert_eq!(e.docker_message.as_deref(), Some("cannot remove the last owner"));
        assert_eq!(status_error(&members_request(), &answer(404, "<html>"), "acme").docker_message, None);
    }

    #[test]
    fn not_found_and_conflict_name_the_target() {
        let e = status_error(&members_request(), &answer(404, "{}"), "acme");
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains("the members of organization \"acme\""));
        assert_eq!(status_error(&members_request(), &answer(409, "{}"), "acme").kind, ErrorKind::Conflict);
    }

    fn request(scope: Scope) -> ApiRequest {
        ApiRequest::new(Method::Get, path(&["v2", "x"]), scope, "the thing")
    }

    #[test]
    fn an_oat_refusal_says_the_endpoint_refuses_every_oat() {
        let body = r#"{"detail":"token issued from organization access token is not allowed"}"#;
        let e = status_error(&request(Scope::GroupRead), &answer(403, body), "acme");
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert!(e.message.contains("does not accept Organization Access Tokens for the thing"), "{}", e.message);
        assert!(e.message.contains("will not help"), "{}", e.message);
        assert!(!e.message.contains("permission ("), "no scope is suggested: {}", e.message);
    }

    #[test]
    fn image_access_management_403_explains_oats_cannot_use_it() {
        for body in
            [r#"{"detail":"forbidden"}"#, r#"{"detail":"token issued from organization access token is not allowed"}"#]
        {
            let e = status_error(&request(Scope::ImageAccessManagement), &answer(403, body), "acme");
            assert_eq!(e.kind, ErrorKind::Forbidden);
            assert!(e.message.contains("not available to Organization Access Tokens"), "{}", e.message);
            assert!(e.message.contains("organization owner"), "{}", e.message);
            assert!(!e.message.contains("grants it to the token"), "{}", e.message);
        }
    }

    #[test]
    fn the_audit_log_scope_is_named_as_docker_names_it() {
        let e = status_error(&request(Scope::AuditLogRead), &answer(403, "{}"), "acme");
        assert!(e.message.contains("\"Audit Log Read\" permission (scope-activity-read)"), "{}", e.message);
    }

    #[test]
    fn a_429_says_seconds_rfc3339_and_unix_time_and_keeps_them_in_detail() {
        let response = HttpResponse {
            status: 429,
            headers: vec![
                ("Date".into(), "Tue, 14 Nov 2023 22:13:20 GMT".into()),
                ("Retry-After".into(), "1700000030".into()),
            ],
            body: br#"{"detail":"Rate limit exceeded","error":false}"#.to_vec(),
        };
        let e = status_error(&members_request(), &response, "acme");
        assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: Some(1_700_000_030) });
        assert!(e.message.contains("in 30 seconds, at 2023-11-14T22:13:50Z (unix time 1700000030)"), "{}", e.message);
        assert!(e.message.contains("Rate limit exceeded"), "{}", e.message);
        let detail = e.detail.unwrap();
        assert_eq!(detail["wait_seconds"], 30);
        assert_eq!(detail["retry_after"], "2023-11-14T22:13:50Z");
    }

    #[test]
    fn field_errors_reach_the_message_and_the_detail() {
        let body =
            r#"{"fields":{"name":["Ensure this field has no more than 100 characters."]},"text":"Invalid team"}"#;
        let e = status_error(&members_request(), &answer(400, body), "acme");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(
            e.message.contains("Invalid team (name: Ensure this field has no more than 100 characters.)"),
            "{}",
            e.message
        );
        assert_eq!(e.detail.unwrap()["docker_fields"]["name"][0], "Ensure this field has no more than 100 characters.");
        let django =
            status_error(&members_request(), &answer(400, r#"{"name":["This field may not be blank."]}"#), "acme");
        assert_eq!(django.docker_message.as_deref(), Some("name: This field may not be blank."));
    }
}
