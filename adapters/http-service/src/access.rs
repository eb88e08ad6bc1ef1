//! Who may ask for what: every request passes the same doors in the same order, decided without
//! I/O from the request's head (and, for a write, its input).
//!
//! 1. The settings must be readable (else 503 `service-misconfigured`).
//! 2. The `Host` must be one the service answers for (421 `host-not-allowed`), and an `Origin`, when
//!    there is one, must be allowed (403 `origin-not-allowed`): [`crate::browsers`].
//! 3. The route must exist (404, 405).
//! 4. The caller must present a configured key (401 `unauthenticated`, with `WWW-Authenticate:
//!    Bearer`). With no key configured every request is refused (503 `service-not-configured`, the
//!    message says how to configure one) unless `allow-unauthenticated` is `true`. `GET /health`
//!    without a key answers only that the service is up ([`Caller::Nobody`]); with a key it runs
//!    the organization's health checks.
//! 5. An action's `POST` must be JSON (415 `unsupported-media-type`).
//! 6. A write needs an `admin` key; a `read` key may run it as a dry run (403 `insufficient-role`).

use crate::action_table::{self, Access};
use crate::browsers;
use crate::dry_run;
use crate::keys::{BearerProblem, Role, bearer_token};
use crate::routes::{self, Refusal, Route};
use crate::settings::Settings;

/// What the doors read of a request: its method, path and the headers they look at, each header
/// with every value the request carried (a repeated header is not the same as one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHead {
    /// The method, upper case.
    pub method: String,
    /// The path with its query.
    pub path: String,
    /// The request's authority (HTTP/2's `:authority`, or what the engine took from `Host`).
    pub authority: Option<String>,
    /// `Host` values.
    pub host: Vec<Vec<u8>>,
    /// `Origin` values.
    pub origin: Vec<Vec<u8>>,
    /// `Authorization` values.
    pub authorization: Vec<Vec<u8>>,
    /// `Content-Type` values.
    pub content_type: Vec<Vec<u8>>,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A configured key: its name and role.
    Key {
        /// The key's name (never the key).
        name: String,
        /// What it may do.
        role: Role,
    },
    /// No key, let in because `allow-unauthenticated` is `true`: may do everything.
    Anonymous,
    /// No key on `GET /health` while keys are required: gets only "the service is up".
    Nobody,
}

impl Caller {
    /// The key's name, for the access log.
    pub fn key_name(&self) -> Option<&str> {
        match self {
            Caller::Key { name, .. } => Some(name),
            Caller::Anonymous | Caller::Nobody => None,
        }
    }
}

/// Why a request is refused before (or instead of) running anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// A setting cannot be read; what is wrong with it.
    Misconfigured(String),
    /// No key is configured and `allow-unauthenticated` is not on.
    NotConfigured,
    /// The `Host` is not one the service answers for.
    HostNotAllowed,
    /// The request carries an `Origin` that is not allowed.
    OriginNotAllowed,
    /// No such route.
    NoRoute(Refusal),
    /// No key, a malformed `Authorization`, or a key that is not configured.
    Unauthenticated(Unauthenticated),
    /// A `POST` whose body is not declared as JSON.
    UnsupportedMediaType,
    /// A `read` key asked for a write that is not a dry run.
    NeedsAdmin {
        /// The key's name.
        key: String,
        /// The write asked for.
        action: String,
    },
}

/// How a request failed to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthenticated {
    /// No `Authorization` header.
    Missing,
    /// Not exactly one `Authorization: Bearer <key>`.
    Malformed,
    /// A key that is not configured.
    UnknownKey,
}

impl Denial {
    /// The name in the answer's `error` and the access log's `outcome`.
    pub fn kind(&self) -> &'static str {
        match self {
            Denial::Misconfigured(_) => "service-misconfigured",
            Denial::NotConfigured => "service-not-configured",
            Denial::HostNotAllowed => "host-not-allowed",
            Denial::OriginNotAllowed => "origin-not-allowed",
            Denial::NoRoute(Refusal::NotFound) => "not-found",
            Denial::NoRoute(Refusal::MethodNotAllowed(_)) => "method-not-allowed",
            Denial::Unauthenticated(_) => "unauthenticated",
            Denial::UnsupportedMediaType => "unsupported-media-type",
            Denial::NeedsAdmin { .. } => "insufficient-role",
        }
    }
}

/// What the request may go on to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    /// Where it goes.
    pub route: Route,
    /// Who asks.
    pub caller: Caller,
}

/// Doors 1 to 5 for the request `head` under `settings` (as read, or why they could not be).
pub fn admit(head: &RequestHead, settings: &Result<Settings, String>) -> Result<Admitted, Denial> {
    let settings = settings.as_ref().map_err(|why| Denial::Misconfigured(why.clone()))?;

    let mut names: Vec<&[u8]> = head.host.iter().map(Vec::as_slice).collect();
    names.extend(head.authority.as_deref().map(str::as_bytes));
    if !browsers::host_allowed(&names, &settings.allowed_hosts) {
        return Err(Denial::HostNotAllowed);
    }
    if !browsers::origin_allowed(&head.origin, &settings.allowed_origins) {
        return Err(Denial::OriginNotAllowed);
    }

    let route = routes::route(&head.method, &head.path).map_err(Denial::NoRoute)?;

    if settings.keys.is_empty() && !settings.allow_unauthenticated {
        return Err(Denial::NotConfigured);
    }
    let caller = match bearer_token(&head.authorization) {
        Ok(token) => match settings.keys.find(token) {
            Some(key) => Caller::Key { name: key.name.clone(), role: key.role },
            None => return Err(Denial::Unauthenticated(Unauthenticated::UnknownKey)),
        },
        Err(BearerProblem::Malformed) => return Err(Denial::Unauthenticated(Unauthenticated::Malformed)),
        Err(BearerProblem::Missing) if settings.allow_unauthenticated => Caller::Anonymous,
        Err(BearerProblem::Missing) if route == Route::Health => Caller::Nobody,
        Err(BearerProblem::Missing) => return Err(Denial::Unauthenticated(Unauthenticated::Missing)),
    };

    if matches!(route, Route::Action(_)) && !browsers::is_json(&head.content_type) {
        return Err(Denial::UnsupportedMediaType);
    }
    Ok(Admitted { route, caller })
}

/// Door 6: whether `caller` may run `action` with `input`. An action the table does not know is let
/// through here (it is answered 404 when it is not found).
pub fn authorize(caller: &Caller, action: &str, input: &str) -> Result<(), Denial> {
    match caller {
        // `admit` lets `Nobody` only into `GET /health`; anywhere else it has no key.
        Caller::Nobody => Err(Denial::Unauthenticated(Unauthenticated::Missing)),
        Caller::Anonymous | Caller::Key { role: Role::Admin, .. } => Ok(()),
        Caller::Key { name, role: Role::Read } => match action_table::access(action) {
            None | Some(Access::Read) => Ok(()),
            Some(Access::Write) if dry_run::requested(input) => Ok(()),
            Some(Access::Write) => Err(Denial::NeedsAdmin { key: name.clone(), action: action.to_string() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::sha256_hex;

    fn settings(keys: &str, allow_unauthenticated: bool) -> Result<Settings, String> {
        let keys = keys.to_string();
        Settings::read(move |key| match key {
            "service-keys" => Some(keys.clone()),
            "allow-unauthenticated" => Some(allow_unauthenticated.to_string()),
            _ => None,
        })
    }

    fn with_keys() -> Result<Settings, String> {
        settings(&format!("reader:read:{},boss:admin:{}", sha256_hex(b"read-key"), sha256_hex(b"admin-key")), false)
    }

    fn head(method: &str, path: &str, key: Option<&str>) -> RequestHead {
        RequestHead {
            method: method.into(),
            path: path.into(),
            authority: Some("127.0.0.1:8080".into()),
            host: vec![b"127.0.0.1:8080".to_vec()],
            authorization: key.map(|k| vec![format!("Bearer {k}").into_bytes()]).unwrap_or_default(),
            content_type: vec![b"application/json".to_vec()],
            ..RequestHead::default()
        }
    }

    #[test]
    fn a_configured_key_gets_in_with_its_name_and_role() {
        let admitted = admit(&head("POST", "/actions/list-members", Some("read-key")), &with_keys()).unwrap();
        assert_eq!(admitted.route, Route::Action("list-members".into()));
        assert_eq!(admitted.caller, Caller::Key { name: "reader".into(), role: Role::Read });
        let admitted = admit(&head("GET", "/actions", Some("admin-key")), &with_keys()).unwrap();
        assert_eq!(admitted.caller.key_name(), Some("boss"));
    }

    #[test]
    fn no_key_a_wrong_key_or_a_malformed_header_is_unauthenticated() {
        let settings = with_keys();
        let denied = |h: RequestHead| admit(&h, &settings).unwrap_err();
        assert_eq!(
            denied(head("POST", "/actions/list-members", None)),
            Denial::Unauthenticated(Unauthenticated::Missing)
        );
        assert_eq!(denied(head("GET", "/actions", None)), Denial::Unauthenticated(Unauthenticated::Missing));
        assert_eq!(
            denied(head("POST", "/actions/list-members", Some("guess"))),
            Denial::Unauthenticated(Unauthenticated::UnknownKey)
        );
        let mut basic = head("POST", "/actions/list-members", None);
        basic.authorization = vec![b"Basic cmVhZC1rZXk6".to_vec()];
        assert_eq!(denied(basic), Denial::Unauthenticated(Unauthenticated::Malformed));
        let mut wrong_on_health = head("GET", "/health", Some("guess"));
        wrong_on_health.content_type.clear();
        assert_eq!(denied(wrong_on_health), Denial::Unauthenticated(Unauthenticated::UnknownKey));
    }

    #[test]
    fn health_without_a_key_is_let_in_as_nobody() {
        let admitted = admit(&head("GET", "/health", None), &with_keys()).unwrap();
        assert_eq!((admitted.route, admitted.caller), (Route::Health, Caller::Nobody));
    }

    #[test]
    fn with_no_keys_every_route_is_refused_unless_unauthenticated_is_allowed() {
        let none = settings("", false);
        for (method, path) in [("POST", "/actions/list-members"), ("GET", "/actions"), ("GET", "/health")] {
            assert_eq!(admit(&head(method, path, None), &none), Err(Denial::NotConfigured), "{path}");
            assert_eq!(admit(&head(method, path, Some("any")), &none), Err(Denial::NotConfigured), "{path}");
        }
        let open = settings("", true);
        let admitted = admit(&head("POST", "/actions/remove-member", None), &open).unwrap();
        assert_eq!(admitted.caller, Caller::Anonymous);
        assert_eq!(authorize(&admitted.caller, "remove-member", "{}"), Ok(()));
        // A presented key is still checked, so the log can name it.
        let open_with_keys = settings(&format!("boss:admin:{}", sha256_hex(b"admin-key")), true);
        let h = head("POST", "/actions/list-teams", Some("wrong"));
        assert_eq!(admit(&h, &open_with_keys), Err(Denial::Unauthenticated(Unauthenticated::UnknownKey)));
    }

    #[test]
    fn host_origin_and_route_are_checked_before_the_key() {
        let settings = with_keys();
        let mut foreign = head("POST", "/actions/list-members", None);
        foreign.host = vec![b"rebound.evil.example:8080".to_vec()];
        assert_eq!(admit(&foreign, &settings), Err(Denial::HostNotAllowed));
        let mut no_host = head("GET", "/health", None);
        (no_host.host, no_host.authority) = (Vec::new(), None);
        assert_eq!(admit(&no_host, &settings), Err(Denial::HostNotAllowed));
        let mut page = head("POST", "/actions/list-members", Some("admin-key"));
        page.origin = vec![b"https://evil.example".to_vec()];
        assert_eq!(admit(&page, &settings), Err(Denial::OriginNotAllowed));
        assert_eq!(admit(&head("GET", "/nowhere", None), &settings), Err(Denial::NoRoute(Refusal::NotFound)));
        let broken: Result<Settings, String> = Err("Entry 1 of the service-keys setting …".into());
        assert!(matches!(admit(&head("GET", "/health", None), &broken), Err(Denial::Misconfigured(_))));
    }

    #[test]
    fn an_action_post_must_be_json() {
        let mut plain = head("POST", "/actions/list-members", Some("read-key"));
        plain.content_type = vec![b"text/plain".to_vec()];
        assert_eq!(admit(&plain, &with_keys()), Err(Denial::UnsupportedMediaType));
        plain.content_type.clear();
        assert_eq!(admit(&plain, &with_keys()), Err(Denial::UnsupportedMediaType));
    }

    #[test]
    fn a_read_key_reads_and_previews_but_does_not_write() {
        let reader = Caller::Key { name: "reader".into(), role: Role::Read };
        let boss = Caller::Key { name: "boss".into(), role: Role::Admin };
        assert_eq!(authorize(&reader, "list-members", "{}"), Ok(()));
        assert_eq!(authorize(&reader, "remove-member", r#"{"username": "x", "dry_run": true}"#), Ok(()));
        assert_eq!(
            authorize(&reader, "remove-member", r#"{"username": "x"}"#),
            Err(Denial::NeedsAdmin { key: "reader".into(), action: "remove-member".into() })
        );
        assert!(authorize(&reader, "api-request", r#"{"method": "GET", "path": "/x", "dry_run": false}"#).is_err());
        assert!(authorize(&reader, "remove-member", r#"{"dry_run": true, "dry_run": false}"#).is_err());
        assert_eq!(authorize(&boss, "remove-member", r#"{"username": "x"}"#), Ok(()));
        assert!(authorize(&Caller::Nobody, "list-members", "{}").is_err());
    }
}
