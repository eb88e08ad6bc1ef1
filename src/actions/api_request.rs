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
use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::parse;
use crate::api::{ApiRequest, Scope, path};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::host::{Host, Method};

/// HTTP method of a generic request.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum RequestMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

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
    pub method: RequestMethod,
    /// A path under this organization: /v2/orgs/{org}/..., /v2/invites/..., /v2/auditlogs/{org}...
    /// No scheme or host, no query string (use "query"), no trailing slash (removed if present).
    pub path: String,
    /// Query parameters.
    #[serde(default)]
    pub query: BTreeMap<String, QueryValue>,
    /// JSON body.
    pub body: Option<Value>,
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

/// `api-request`
pub fn api_request(host: &dyn Host, input: &str) -> Result<Value> {
    let input: ApiRequestInput = parse("api-request", input)?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let guarded = guard_path(&input.path, &org)?;
    if let Some(other) = input.body.as_ref().and_then(|b| b.get("org")).and_then(Value::as_str)
        && !other.trim().eq_ignore_ascii_case(&org)
    {
        return Err(Error::invalid_input(format!(
            "api-request refused the body: its \"org\" is \"{other}\", but this connection administers \"{org}\"."
        )));
    }
    let method = match input.method {
        RequestMethod::Get => Method::Get,
        RequestMethod::Post => Method::Post,
        RequestMethod::Put => Method::Put,
        RequestMethod::Patch => Method::Patch,
        RequestMethod::Delete => Method::Delete,
    };
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
    let response = client.send(&request)?;
    let body = if response.body.is_empty() {
        Value::Null
    } else {
        std::str::from_utf8(&response.body)
            .ok()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&response.body).into_owned()))
    };
    let headers: BTreeMap<String, String> = response
        .headers
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
    Ok(json!({
        "status": response.status,
        "method": method.as_str(),
        "path": request.path_and_query(),
        "headers": headers,
        "body": body,
        "notes": notes,
        "meta": client.meta(),
    }))
}

/// The generic request action.
pub static ACTIONS: &[ActionSpec] = &[action!("api-request", "DockerHub Organization API request",
    "Sends one request to a Docker Hub path of this organization (/v2/orgs/{org}/..., /v2/invites/..., /v2/auditlogs/{org}...) with the connection's token, and returns the status, the rate-limit headers and the JSON body. The host and scheme come from the connection, never from input; paths of other organizations, absolute URLs, traversal and hidden separators are refused; a trailing slash is removed (Docker answers 404 to it). Docker Hub has no endpoint that reads the organization itself: list one member or team instead.",
    scopes: [MemberRead], read_only: false, destructive: true, idempotent: false,
    example: r#"{"method": "GET", "path": "/v2/orgs/example-org/groups", "query": {"page_size": 5}}"#,
    output: "{status, method, path, headers {x-ratelimit-*, content-type, …}, body (JSON, or text), notes: [string], meta}",
        run: api_request, input: ApiRequestInput)];

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
    }
}
