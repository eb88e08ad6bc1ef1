//! Pure request builders and response models for the Docker Hub API, one file per resource.
//!
//! A builder only describes a request: method, an already-encoded path, query, JSON body, what it
//! addresses (for error messages) and which OAT scope it needs, as an [`Endpoint`] that also names
//! the type its answer reads as. The client sends it. Nothing here does I/O, so every builder and
//! mapper is tested natively.

pub mod auditlogs;
pub mod auth;
mod endpoint;
pub mod error_body;
pub mod groups;
pub mod invites;
pub mod members;
pub mod registry_access;
pub mod settings;
pub mod visibility;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
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

/// The OAT permission a request needs, named as Docker names its organization scopes (docker/docs
/// `content/manuals/security/access-tokens/reference.md`, "Organization scopes"): Member Read/Edit,
/// Invite Read/Edit, Group Read/Edit, Audit Log Read, Registry Access Management Read/Edit. The audit-log scope's value is still
/// `scope-activity-read`, but its name is "Audit Log Read".
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
    /// Audit Log Read (`scope-activity-read`): the organization's audit (activity) logs.
    #[serde(rename = "Audit Log Read")]
    AuditLogRead,
    /// Registry Access Management Read (`scope-ram-read`): read the registries Docker Desktop may
    /// use (token reference, "Organization scopes").
    #[serde(rename = "Registry Access Management Read")]
    RegistryAccessRead,
    /// Registry Access Management Edit (`scope-ram-write`, which includes the read scope).
    #[serde(rename = "Registry Access Management Edit")]
    RegistryAccessEdit,
    /// Image Access Management (the `restricted_images` settings): no OAT scope grants it. Docker's
    /// OAT page says organization access tokens don't work with Image Access Management
    /// (`content/manuals/security/access-tokens/organization-access-tokens.md`); only an owner,
    /// signed in as themselves, changes it.
    #[serde(rename = "Image Access Management (not available to organization access tokens)")]
    ImageAccessManagement,
}

/// Which OAT scopes to grant, for the connection form's help: every scope an action uses, by
/// Docker's names, and what no scope can give.
pub const OAT_SCOPES_HELP: &str = "Under Organization, grant the scopes for the operations your workflows use: Member Read \
and Member Edit (members), Invite Read and Invite Edit (invites), Group Read and Group Edit (teams), Audit Log Read \
(audit logs), and Registry Access Management Read and Registry Access Management Edit (get-registry-access, \
update-registry-access). Image Access Management (get-org-settings, update-org-settings) is not available to organization access \
tokens whatever their scopes.";

impl Scope {
    /// Every scope an OAT can be granted, in Docker's order (the connection help lists them).
    pub const GRANTABLE: [Scope; 9] = [
        Scope::MemberRead,
        Scope::MemberEdit,
        Scope::InviteRead,
        Scope::InviteEdit,
        Scope::GroupRead,
        Scope::GroupEdit,
        Scope::AuditLogRead,
        Scope::RegistryAccessRead,
        Scope::RegistryAccessEdit,
    ];

    /// The scope's name as Docker's Admin Console shows it.
    pub fn label(self) -> &'static str {
        match self {
            Scope::None => "none",
            Scope::MemberRead => "Member Read",
            Scope::MemberEdit => "Member Edit",
            Scope::InviteRead => "Invite Read",
            Scope::InviteEdit => "Invite Edit",
            Scope::GroupRead => "Group Read",
            Scope::GroupEdit => "Group Edit",
            Scope::AuditLogRead => "Audit Log Read",
            Scope::RegistryAccessRead => "Registry Access Management Read",
            Scope::RegistryAccessEdit => "Registry Access Management Edit",
            Scope::ImageAccessManagement => "Image Access Management",
        }
    }

    /// The value the token carries for the scope (Docker's scope reference), if an OAT can have it.
    pub fn value(self) -> Option<&'static str> {
        match self {
            Scope::None | Scope::ImageAccessManagement => None,
            Scope::MemberRead => Some("scope-member-read"),
            Scope::MemberEdit => Some("scope-member-edit"),
            Scope::InviteRead => Some("scope-invite-read"),
            Scope::InviteEdit => Some("scope-invite-edit"),
            Scope::GroupRead => Some("scope-group-read"),
            Scope::GroupEdit => Some("scope-group-edit"),
            Scope::AuditLogRead => Some("scope-activity-read"),
            Scope::RegistryAccessRead => Some("scope-ram-read"),
            Scope::RegistryAccessEdit => Some("scope-ram-write"),
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

pub use endpoint::{Endpoint, FromResponse, NoContent, unreadable};
pub use error_body::DockerError;

/// A Docker Hub paginated list (`count`, `next`, `previous`, `results`).
///
/// Docker's OpenAPI documents the member listing (`GET /v2/orgs/{org_name}/members`) as an *array*
/// of `org_member_paginated` objects, while the service answers one page object (as docker/hub-tool
/// and docker/terraform-provider-docker `internal/hubclient` decode it). Both are read: an array's
/// pages are merged (results in order, the first count and links that are present).
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// Total items matching, as reported.
    pub count: Option<f64>,
    /// Link to the next page; only its presence is used (links are never followed).
    pub next: Option<String>,
    /// Link to the previous page.
    pub previous: Option<String>,
    /// This page's items.
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// Docker's `count` as a whole number of items: the one place it is read.
    pub fn total(&self) -> Option<u64> {
        whole(self.count)
    }
}

/// A number Docker sends as a JSON number (its schema says `number`, so `3.0` arrives) as a whole
/// count: a negative, fractional or non-finite value is none.
pub fn whole(n: Option<f64>) -> Option<u64> {
    n.filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0).map(|v| v as u64)
}

/// Reads a field that must be present but may be `null`, for the one key that makes an answer what
/// it claims to be (`logs`, `data`, a team's `name`): `Option` fields are otherwise read as `None`
/// when missing, so a proxy's `200 {"error": ...}` would read as an empty result.
pub fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// One page of a listing, normalised.
pub struct Chunk<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Total reported by the service, if it reports one.
    pub count: Option<u64>,
    /// Whether the service says another page exists; `None` when it does not say (then a full page
    /// means "maybe more").
    pub has_next: Option<bool>,
}

/// An answer that is one page of a listing: how the client's walk reads it.
pub trait Paged: FromResponse {
    /// One item of the listing (compared to tell a page served twice from the next one).
    type Item: Clone + PartialEq;
    /// The page's items, with the count and the next page when the answer says.
    fn into_chunk(self) -> Chunk<Self::Item>;
}

/// A `count`/`next`/`results` page: a `next` link only says whether another page exists.
impl<T: DeserializeOwned + Clone + PartialEq> Paged for Page<T> {
    type Item = T;

    fn into_chunk(self) -> Chunk<T> {
        Chunk { count: self.total(), has_next: Some(self.next.is_some_and(|n| !n.is_empty())), items: self.results }
    }
}

/// One page object as Docker sends it.
#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct PageObject<T> {
    #[serde(default)]
    count: Option<f64>,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    previous: Option<String>,
    /// Required: a 2xx without it (`{}`, a proxy's `{"error": ...}`) is not an empty page.
    results: Vec<T>,
}

impl<T> From<PageObject<T>> for Page<T> {
    fn from(p: PageObject<T>) -> Self {
        Page { count: p.count, next: p.next, previous: p.previous, results: p.results }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        use std::marker::PhantomData;

        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a page object {count, next, previous, results} or an array of page objects")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Page<T>, A::Error> {
                PageObject::deserialize(de::value::MapAccessDeserializer::new(map)).map(Page::from)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
                let mut page = Page { count: None, next: None, previous: None, results: Vec::new() };
                while let Some(part) = seq.next_element::<PageObject<T>>()? {
                    page.count = page.count.or(part.count);
                    page.next = page.next.or(part.next);
                    page.previous = page.previous.or(part.previous);
                    page.results.extend(part.results);
                }
                Ok(page)
            }
        }

        deserializer.deserialize_any(PageVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HttpResponse;

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

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: u32,
    }

    #[test]
    fn a_page_is_read_as_one_object_or_as_an_array_of_pages() {
        let one: Page<Item> =
            serde_json::from_str(r#"{"count": 3, "next": "n", "previous": null, "results": [{"id": 1}]}"#).unwrap();
        assert_eq!((one.count, one.next.as_deref(), one.results), (Some(3.0), Some("n"), vec![Item { id: 1 }]));
        let documented: Page<Item> = serde_json::from_str(
            r#"[{"count": 3, "next": "n", "results": [{"id": 1}, {"id": 2}]}, {"results": [{"id": 3}]}]"#,
        )
        .unwrap();
        assert_eq!(documented.count, Some(3.0));
        assert_eq!(documented.next.as_deref(), Some("n"));
        assert_eq!(documented.results, vec![Item { id: 1 }, Item { id: 2 }, Item { id: 3 }]);
        let empty: Page<Item> = serde_json::from_str("[]").unwrap();
        assert!(empty.results.is_empty() && empty.count.is_none());
    }

    #[test]
    fn a_page_without_results_is_not_an_empty_page() {
        for body in [r#"{}"#, r#"{"error": "upstream proxy failure"}"#, r#"{"count": 3, "next": null}"#] {
            let e = serde_json::from_str::<Page<Item>>(body).unwrap_err().to_string();
            assert!(e.contains("missing field `results`"), "{body}: {e}");
        }
        let request: Endpoint<Page<Item>> =
            ApiRequest::new(Method::Get, path(&["v2"]), Scope::None, "members of x").into();
        let response =
            HttpResponse { status: 200, headers: vec![], body: br#"{"error": "upstream proxy failure"}"#.to_vec() };
        let e = request.read(&response).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::InvalidResponse);
        assert!(e.message.contains("answered 200 for members of x"), "{}", e.message);
        assert!(e.message.contains("it says \"upstream proxy failure\""), "{}", e.message);
    }

    #[test]
    fn a_page_of_another_shape_says_what_was_expected() {
        let e = serde_json::from_str::<Page<Item>>("42").unwrap_err().to_string();
        assert!(e.contains("a page object {count, next, previous, results} or an array of page objects"), "{e}");
        let e = serde_json::from_str::<Page<Item>>(r#"{"results": [{"id": "x"}]}"#).unwrap_err().to_string();
        assert!(e.contains("invalid type"), "{e}");
    }

    #[test]
    fn the_scope_help_names_every_grantable_scope_by_dockers_name() {
        for scope in Scope::GRANTABLE {
            assert!(OAT_SCOPES_HELP.contains(scope.label()), "{}", scope.label());
            assert!(scope.value().is_some_and(|v| v.starts_with("scope-")));
        }
        assert!(!OAT_SCOPES_HELP.contains("Activity Read"));
        assert_eq!(serde_json::to_value(Scope::AuditLogRead).unwrap(), "Audit Log Read");
    }
}
