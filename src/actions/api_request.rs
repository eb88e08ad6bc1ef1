//! `api-request`: a generic request confined to this organization's paths.
//!
//! The host and scheme always come from the connection, never from input. The path is split into
//! segments, each percent-decoded and checked (no empty, `.` or `..` segment, no slash, backslash,
//! `?`, `#` or control character hidden inside one), then encoded again by [`crate::api::path`].
//! Only `/v2/orgs/{org}/…`, `/v2/invites/…` and `/v2/auditlogs/{org}…` of the configured
//! organization are allowed. A trailing slash is removed (Docker answers 404 to it) and the output
//! says so.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::plan::{Plan, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::{ApiRequest, Endpoint, Scope, path};
use crate::error::{Error, Result};
use crate::host::{HttpResponse, Method};
use crate::output::Meta;

/// A query value.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum QueryValue {
    /// Text.
    Text(String),
    /// A number.
    Number(serde_json::Number),
    /// A boolean.
    Flag(bool),
}

impl QueryValue {
    fn render(&self) -> String {
        match self {
            QueryValue::Text(s) => s.clone(),
            QueryValue::Number(n) => n.to_string(),
            QueryValue::Flag(b) => b.to_string(),
        }
    }
}

/// Input of `api-request`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiRequestInput {
    /// GET, POST, PUT, PATCH or DELETE.
    pub method: Method,
    /// A path under this organization: /v2/orgs/{org}/..., /v2/invites/..., /v2/auditlogs/{org}...
    /// No scheme or host, no query string (use "query"), no trailing slash (removed if present).
    pub path: String,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, QueryValue>,
    /// JSON body.
    pub body: Option<Value>,
    /// Check only: return the request that would be sent and send nothing (default false).
    pub dry_run: Option<bool>,
}

/// A checked path: decoded segments, and whether a trailing slash was dropped.
#[derive(Debug, PartialEq)]
pub struct GuardedPath {
    /// Decoded segments (`["v2", "orgs", "acme", "members"]`).
    pub segments: Vec<String>,
    /// A trailing slash was removed.
    pub trailing_slash_removed: bool,
}

fn refuse(why: &str) -> Error {
    Error::invalid_input(format!("api-request refused the path: {why}"))
}

/// Checks `raw` against the organization `org`.
pub fn guard_path(raw: &str, org: &str) -> Result<GuardedPath> {
    let raw = raw.trim();
    if raw.contains("://") || raw.starts_with("//") {
        return Err(refuse(
            "give a path such as /v2/orgs/{org}/members, not a URL; the host always comes from the connection.",
        ));
    }
    if !raw.starts_with('/') {
        return Err(refuse("it must start with /v2/."));
    }
    if raw.contains(['?', '#']) {
        return Err(refuse("put query parameters in \"query\", not in the path."));
    }
    if raw.contains('\\') || raw.chars().any(char::is_control) {
        return Err(refuse("it contains a backslash or a control character."));
    }
    let mut body = &raw[1..];
    let mut trailing_slash_removed = false;
    while let Some(stripped) = body.strip_suffix('/') {
        body = stripped;
        trailing_slash_removed = true;
    }
    let mut segments = Vec::new();
    for encoded in body.split('/') {
        let decoded = percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| refuse("a segment is not valid UTF-8 once decoded."))?
            .into_owned();
        if decoded.is_empty() {
            return Err(refuse("it has an empty segment (//)."));
        }
        if decoded == "." || decoded == ".." {
            return Err(refuse("\".\" and \"..\" segments are not allowed."));
        }
        if decoded.contains(['/', '\\', '?', '#']) || decoded.chars().any(char::is_control) {
            return Err(refuse("a segment hides /, \\, ?, # or a control character in percent-encoding."));
        }
        segments.push(decoded);
    }
    let same_org = |s: &String| s.eq_ignore_ascii_case(org);
    let allowed = match segments.as_slice() {
        [v2, orgs, o, ..] if v2 == "v2" && orgs == "orgs" => same_org(o),
        [v2, invites, _, ..] if v2 == "v2" && invites == "invites" => true,
        [v2, audit, o, ..] if v2 == "v2" && audit == "auditlogs" => same_org(o),
        _ => false,
    };
    if !allowed {
        return Err(refuse(&format!(
            "only this organization's paths are allowed: /v2/orgs/{org}/..., /v2/invites/..., /v2/auditlogs/{org}... (got {raw})."
        )));
    }
    Ok(GuardedPath { segments, trailing_slash_removed })
}

/// The OAT permission a path most likely needs (for the 403 message).
fn scope_for(segments: &[String], method: Method) -> Scope {
    let write = method != Method::Get;
    let at = |i: usize| segments.get(i).map(String::as_str);
    match (at(1), at(3)) {
        (Some("auditlogs"), _) => Scope::AuditLogRead,
        (Some("invites"), _) | (Some("orgs"), Some("invites")) => {
            if write {
                Scope::InviteEdit
            } else {
                Scope::InviteRead
            }
        }
        (Some("orgs"), Some("groups")) => {
            if write {
                Scope::GroupEdit
            } else {
                Scope::GroupRead
            }
        }
        (Some("orgs"), Some("settings")) if at(4) == Some("registry-access-management") => {
            if write {
                Scope::RegistryAccessEdit
            } else {
                Scope::RegistryAccessRead
            }
        }
        (Some("orgs"), Some("settings")) => Scope::ImageAccessManagement,
        _ => {
            if write {
                Scope::MemberEdit
            } else {
                Scope::MemberRead
            }
        }
    }
}

/// The output of `api-request`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ApiRequestOutput {
    /// Docker Hub's HTTP status (null in a dry run).
    pub status: Option<u16>,
    /// The method sent.
    pub method: &'static str,
    /// The path and query sent, encoded.
    pub path: String,
    /// The rate-limit, content-type and content-disposition headers of the answer, lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The answer's body: JSON when it parses, else its text; null when empty or in a dry run.
    pub body: Value,
    /// Remarks about how the request was adjusted.
    pub notes: Vec<&'static str>,
    /// What was sent (`changed` is true for a method other than GET that was carried out).
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// Refuses an `org` (in the body or the query) that names another organization: a generic
/// request must not reach past the connection's organization however the field is typed.
fn guard_org_field(place: &str, value: Option<&Value>, org: &str) -> Result<()> {
    let Some(value) = value else { return Ok(()) };
    match value.as_str() {
        Some(named) if named.trim().eq_ignore_ascii_case(org) => Ok(()),
        _ => Err(Error::invalid_input(format!(
            "api-request refused the {place}: its \"org\" is {value}, but this connection administers \"{org}\"; \
only this organization's name (as text) may appear there."
        ))),
    }
}

/// `api-request`
pub fn api_request(ctx: &Ctx, input: ApiRequestInput) -> Result<ApiRequestOutput> {
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let guarded = guard_path(&input.path, org)?;
    guard_org_field("body", input.body.as_ref().and_then(|b| b.get("org")), org)?;
    let query_org = input.query.get("org").map(|v| Value::String(v.render()));
    guard_org_field("query", query_org.as_ref(), org)?;
    let method = input.method;
    let segments: Vec<&str> = guarded.segments.iter().map(String::as_str).collect();
    let encoded = path(&segments);
    let mut request = ApiRequest::new(
        method,
        encoded.clone(),
        scope_for(&guarded.segments, method),
        format!("{} {encoded}", method.as_str()),
    );
    for (name, value) in &input.query {
        request = request.query(name, value.render());
    }
    if let Some(body) = input.body {
        request = request.json(body);
    }
    let path_and_query = request.path_and_query();
    let mut plan = Plan::new();
    plan.add(&Endpoint::<HttpResponse>::from(request), format!("{} {path_and_query}", method.as_str()));
    let mut ran = plan.run(&client, ctx.action, dry_run, Words::new("", "", ""))?;
    let response = ran.response(0).cloned();
    let response = response.as_ref();
    let body = match response {
        Some(r) if !r.body.is_empty() => std::str::from_utf8(&r.body)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&r.body).into_owned())),
        _ => Value::Null,
    };
    let headers: BTreeMap<String, String> = response
        .map(|r| r.headers.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            name.starts_with("x-ratelimit-")
                || name == "x-retry-after"
                || name == "content-type"
                || name == "content-disposition"
        })
        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
        .collect();
    let mut notes = Vec::new();
    if guarded.trailing_slash_removed {
        notes.push(
            "A trailing slash was removed from the path: Docker Hub answers 404 to organization paths that end in one.",
        );
    }
    let status = response.map(|r| r.status);
    let message = match status {
        Some(code) => format!("Docker Hub answered {code}."),
        None => format!("Dry run: {} {path_and_query} would be sent.", method.as_str()),
    };
    // Docker's status is the message: the words come from the answer.
    ran.report.message = message;
    let write = ran.report;
    Ok(ApiRequestOutput {
        status,
        method: method.as_str(),
        path: path_and_query,
        headers,
        body,
        notes,
        write,
        meta: Meta::of(&client),
    })
}

/// The generic request action.
pub static ACTIONS: &[ActionSpec] = &[action!("api-request", "DockerHub Organization API request",
    "Sends one request to a Docker Hub path of this organization (/v2/orgs/{org}/..., /v2/invites/..., /v2/auditlogs/{org}...) with the connection's token, and returns the status, the rate-limit headers and the JSON body. The host and scheme come from the connection, never from input; paths of other organizations (and an \"org\" in the body or query naming another one), absolute URLs, traversal and hidden separators are refused; a trailing slash is removed (Docker answers 404 to it). dry_run returns the request without sending it. Docker Hub has no endpoint that reads the organization itself: list one member or team instead.",
    scopes: [MemberRead], read_only: false, destructive: true, idempotent: false,
    example: r#"{"method": "GET", "path": "/v2/orgs/example-org/groups", "query": {"page_size": 5}}"#,
    run: api_request, input: ApiRequestInput, output: ApiRequestOutput)];

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(p: &str) -> Vec<String> {
        guard_path(p, "acme").unwrap().segments
    }

    #[test]
    fn organization_paths_pass_and_are_decoded() {
        assert_eq!(segments("/v2/orgs/acme/members"), ["v2", "orgs", "acme", "members"]);
        assert_eq!(segments("/v2/orgs/ACME/groups/dev%20ops"), ["v2", "orgs", "ACME", "groups", "dev ops"]);
        assert_eq!(segments("/v2/invites/abc/resend"), ["v2", "invites", "abc", "resend"]);
        assert_eq!(segments("/v2/auditlogs/acme"), ["v2", "auditlogs", "acme"]);
    }

    #[test]
    fn a_trailing_slash_is_removed_and_reported() {
        let g = guard_path("/v2/orgs/acme/members/", "acme").unwrap();
        assert!(g.trailing_slash_removed);
        assert_eq!(g.segments.last().map(String::as_str), Some("members"));
    }

    #[test]
    fn other_orgs_urls_and_traversal_are_refused() {
        for bad in [
            "/v2/orgs/other/members",
            "https://evil.example/v2/orgs/acme",
            "//evil.example/v2/orgs/acme",
            "/v2/orgs/acme/../other/members",
            "/v2/orgs/acme/%2e%2e/x",
            "/v2/orgs/acme%2Fother/members",
            "/v2/orgs/acme/members?x=1",
            "/v2/orgs/acme//members",
            "/v2/users/login",
            "/v2/orgs",
            "v2/orgs/acme",
            "/v2/orgs/acme/a%5Cb",
            "/v2/orgs/acme/%00",
            "/v2/auditlogs/other",
            "/v2/invites",
        ] {
            assert!(guard_path(bad, "acme").is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn scopes_follow_the_resource_and_method() {
        let s = |p: &str, m| scope_for(&segments(p), m);
        assert_eq!(s("/v2/orgs/acme/groups", Method::Get), Scope::GroupRead);
        assert_eq!(s("/v2/orgs/acme/groups/x", Method::Delete), Scope::GroupEdit);
        assert_eq!(s("/v2/invites/x", Method::Delete), Scope::InviteEdit);
        assert_eq!(s("/v2/auditlogs/acme", Method::Get), Scope::AuditLogRead);
        assert_eq!(s("/v2/orgs/acme/members/x", Method::Put), Scope::MemberEdit);
        assert_eq!(s("/v2/orgs/acme/settings/registry-access-management", Method::Get), Scope::RegistryAccessRead);
        assert_eq!(s("/v2/orgs/acme/settings/registry-access-management", Method::Put), Scope::RegistryAccessEdit);
        assert_eq!(s("/v2/orgs/acme/settings", Method::Get), Scope::ImageAccessManagement);
    }
}
