//! Turning a non-success answer from Docker Hub into a typed [`Error`] whose message says what to do.

use serde_json::json;

use super::rate_limit;
use crate::api::{ApiRequest, DockerError, Scope};
use crate::error::{Error, ErrorKind};
use crate::host::{FetchError, HttpResponse};

/// What Docker says when a Personal Access Token is used where an OAT is required.
pub const PAT_REFUSAL: &str = "token issued from personal access token is not allowed";

/// Guidance for a PAT used where an OAT is required.
pub const MSG_PAT_REFUSED: &str = "Docker Hub refused the token: \"token issued from personal access token is not allowed\". \
A Personal Access Token was used, but every organization, member and team operation requires an Organization Access Token \
(dckr_oat_...). An organization owner creates one in the Docker Admin Console under Access tokens; paste it as the \
Organization Access Token in the connection settings. For repository operations with a Personal Access Token, use the \
sibling DockerHub integration.";

/// The error for a non-2xx `response` to `request` in organization `org`.
pub fn status_error(request: &ApiRequest, response: &HttpResponse, org: &str) -> Error {
    let status = response.status;
    let docker = DockerError::text(&response.body);
    let said = docker.as_deref().map(|m| format!(" Docker Hub said: \"{m}\".")).unwrap_or_default();
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
        403 if docker.as_deref().is_some_and(|m| m.to_ascii_lowercase().contains(PAT_REFUSAL)) => {
            Error::new(ErrorKind::Forbidden, MSG_PAT_REFUSED)
        }
        403 => {
            let grant = match request.scope {
                Scope::None => String::new(),
                Scope::OrgSettings => {
                    " Only organization owners can use this endpoint; use a token with owner-level organization access."
                        .to_string()
                }
                scope => format!(
                    " It needs the \"{}\" permission: grant it to the token in the Docker Admin Console (Access tokens), or use a token that has it.",
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
            let retry_after = rate_limit::retry_after_unix(response);
            let when =
                retry_after.map(|t| format!(" Docker Hub accepts calls again at unix time {t}.")).unwrap_or_default();
            Error::new(
                ErrorKind::RateLimited { retry_after },
                format!(
                    "Docker Hub's rate limit was reached while requesting {target}, and the retry budget is spent.{when} Run the action again after that."
                ),
            )
        }
        _ => Error::new(ErrorKind::Upstream { status }, format!("Docker Hub answered {status} for {target}.{said}")),
    };
    Error { status: Some(status), docker_message: docker, ..error }
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
        .with_detail(json!({ "method": request.method.as_str(), "path": request.path }))
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
}
