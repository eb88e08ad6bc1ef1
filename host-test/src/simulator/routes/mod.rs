//! The simulator's endpoints: Docker Hub's paths, status codes and body shapes.
//!
//! This module checks the token and the quirks, then asks each resource's router in turn
//! (`ROUTERS`; each module declares its own routes, so a new endpoint is one module's change),
//! one module per resource as in the guest's `src/api/`: `auth` (the token exchange), `members` (members and their
//! export), `groups` (teams and their members), `invites`, `auditlogs` and `settings`. It also holds
//! what every resource uses: the authentication check, JSON and error answers (put into the shape
//! the quirks ask for) and Docker-style paging.

mod auditlogs;
mod auth;
mod groups;
mod invites;
mod members;
mod settings;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::quirks::{ErrorShape, Quirks};
use super::state::{State, now};

pub use auditlogs::AUDIT_ACTIONS;

/// Docker's refusal of a personal access token on organization endpoints.
pub const PAT_REFUSAL: &str = "token issued from personal access token is not allowed";
/// Docker's refusal of an organization access token on endpoints that do not accept one (docker/docs
/// `content/manuals/security/access-tokens/reference.md`).
pub const OAT_REFUSAL: &str = "token issued from organization access token is not allowed";
/// Where an error body names the field it is about, until [`shape`] turns it into the configured
/// shape (never sent).
const FIELD_KEY: &str = "_field";

/// One parsed request.
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Decoded path segments.
    pub segments: Vec<String>,
    /// Whether the raw path ended in `/`.
    pub trailing_slash: bool,
    /// Query parameters (last value wins).
    pub query: HashMap<String, String>,
    /// Parsed JSON body, if any.
    pub body: Option<Value>,
    /// Bearer token, if any.
    pub bearer: Option<String>,
    /// `http://127.0.0.1:port`, for page links.
    pub base_url: String,
}

/// A reply body.
pub enum Body {
    /// JSON.
    Json(Value),
    /// CSV text.
    Csv(String),
    /// Nothing (204).
    Empty,
}

/// One reply.
pub struct Reply {
    /// Status.
    pub status: u16,
    /// Body.
    pub body: Body,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply { status, body: Body::Json(body) }
}

fn error(status: u16, detail: &str) -> Reply {
    reply(status, json!({ "errinfo": {}, "detail": detail, "message": detail }))
}

/// A 400 about one input field.
fn invalid(field: &str, detail: &str) -> Reply {
    reply(400, json!({ "errinfo": {}, "detail": detail, "message": detail, FIELD_KEY: field }))
}

/// Puts an error body into the shape `quirks` asks for (bodies this module built with [`error`] or
/// [`invalid`] only; a 429 and successful answers are left alone).
fn shape(mut reply: Reply, quirks: &Quirks) -> Reply {
    let Body::Json(Value::Object(map)) = &mut reply.body else { return reply };
    if reply.status < 400 || reply.status == 429 || !map.contains_key("errinfo") {
        return reply;
    }
    let field = map.remove(FIELD_KEY).and_then(|f| f.as_str().map(str::to_string));
    let detail = map.get("detail").cloned().unwrap_or(Value::Null);
    let body = match (quirks.error_shape, reply.status) {
        (ErrorShape::TxnId, _) => {
            json!({ "txnid": format!("sim-{:x}", now()), "message": detail, "errinfo": {} })
        }
        (ErrorShape::Fields, 400) => {
            json!({ "fields": { field.as_deref().unwrap_or("detail"): [detail] }, "text": detail })
        }
        (ErrorShape::Django, 400) => json!({ field.as_deref().unwrap_or("non_field_errors"): [detail] }),
        (ErrorShape::ErrinfoFieldErrors, 400) => json!({
            "message": "httperror 400: request had 1 validation error",
            "errinfo": { "fielderrors": { field.as_deref().unwrap_or("request"): detail } },
        }),
        _ => Value::Object(std::mem::take(map)),
    };
    reply.body = Body::Json(body);
    reply
}

fn no_content() -> Reply {
    Reply { status: 204, body: Body::Empty }
}

/// Simulator credentials.
pub struct Credentials<'a> {
    /// The OAT it accepts.
    pub oat: &'a str,
    /// Token lifetime, seconds.
    pub token_ttl: u64,
    /// Quirks to reproduce.
    pub quirks: &'a Quirks,
}

/// Routes `request`, answering errors in the configured shape.
pub fn handle(state: &mut State, credentials: &Credentials, request: &Request) -> Reply {
    if credentials.quirks.ignore_page && request.method == "GET" && request.query.contains_key("page") {
        return shape(route(state, credentials, &without_page(request)), credentials.quirks);
    }
    shape(route(state, credentials, request), credentials.quirks)
}

/// `request` without its `page` parameter (the `ignore_page` quirk: every page is page 1).
fn without_page(request: &Request) -> Request {
    let mut query = request.query.clone();
    query.remove("page");
    Request {
        method: request.method.clone(),
        segments: request.segments.clone(),
        trailing_slash: request.trailing_slash,
        query,
        body: request.body.clone(),
        bearer: request.bearer.clone(),
        base_url: request.base_url.clone(),
    }
}

/// Whether `method` on `segs` is a listing (the `proxy_error_page` quirk answers those).
fn is_listing(method: &str, segs: &[&str]) -> bool {
    method == "GET"
        && matches!(
            segs,
            ["v2", "orgs", _, "members"]
                | ["v2", "orgs", _, "invites"]
                | ["v2", "orgs", _, "groups"]
                | ["v2", "orgs", _, "groups", _, "members"]
                | ["v2", "auditlogs", _]
        )
}

fn route(state: &mut State, credentials: &Credentials, request: &Request) -> Reply {
    if request.trailing_slash {
        return error(404, "Not found.");
    }
    let segs: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    if let ["v2", "auth", "token"] = segs.as_slice() {
        return match method {
            "POST" => auth::exchange(state, credentials, request),
            _ => error(405, "Method not allowed."),
        };
    }
    if let Some(refusal) = authenticate(state, request) {
        return refusal;
    }
    if let Some(refusal) = refuse_oat(state, credentials.quirks, request) {
        return refusal;
    }
    let quirks = credentials.quirks;
    if method != "GET" {
        state.writes_received += 1;
        if let Some(fail) = quirks.fail_write
            && fail.nth == state.writes_received
        {
            return error(fail.status, "Simulated failure: this write was not carried out.");
        }
    }
    if quirks.proxy_error_page && is_listing(method, &segs) {
        return reply(200, json!({ "error": "upstream proxy failure" }));
    }
    let to = Route { method, segs: &segs, request, quirks, org: state.org.clone() };
    if let Some(reply) = ROUTERS.iter().find_map(|router| router(state, &to)) {
        return reply;
    }
    match segs.as_slice() {
        ["v2", "orgs" | "auditlogs", _, ..] => error(404, "Organization not found."),
        _ => error(404, "Not found."),
    }
}

/// Each resource's router, tried in turn: the first that knows the route answers.
const ROUTERS: &[fn(&mut State, &Route) -> Option<Reply>] =
    &[members::route, groups::route, invites::route, settings::route, auditlogs::route];

/// What a resource's router reads: the method, the path's segments, the request and the quirks.
pub(super) struct Route<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// The decoded path segments.
    pub segs: &'a [&'a str],
    /// The request.
    pub request: &'a Request,
    /// The quirks to reproduce.
    pub quirks: &'a Quirks,
    org: String,
}

impl Route<'_> {
    /// Whether the segment `o` names the simulator's organization (case-insensitive, as Docker).
    pub fn org(&self, o: &str) -> bool {
        o.eq_ignore_ascii_case(&self.org)
    }
}

/// The OAT refusals configured in `quirks`: Image Access Management (the settings) and the listed
/// path prefixes. Every token the simulator issues from its OAT is an OAT token.
fn refuse_oat(state: &State, quirks: &Quirks, request: &Request) -> Option<Reply> {
    let path = format!("/{}", request.segments.join("/"));
    let settings = format!("/v2/orgs/{}/settings", state.org);
    if quirks.iam_refuses_oat && path.eq_ignore_ascii_case(&settings) {
        return Some(error(403, "You don't have permission to perform this action."));
    }
    quirks.oat_refused_paths.iter().any(|p| path.starts_with(p.as_str())).then(|| error(403, OAT_REFUSAL))
}

fn authenticate(state: &State, request: &Request) -> Option<Reply> {
    let Some(bearer) = &request.bearer else {
        return Some(error(401, "Authentication credentials were not provided."));
    };
    match state.tokens.get(bearer) {
        Some(token) if token.expires <= now() => Some(error(401, "Token expired.")),
        Some(token) if token.personal => Some(error(403, PAT_REFUSAL)),
        Some(_) => None,
        None => Some(error(401, "Invalid token.")),
    }
}

/// Page and size from the query: page ≥ 1, size 1..=100 (larger sizes are capped, as Docker does).
fn paging(request: &Request, default_size: usize) -> Result<(usize, usize), Reply> {
    let page = match request.query.get("page") {
        None => 1,
        Some(p) => p.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| error(400, "Invalid page."))?,
    };
    let size = match request.query.get("page_size") {
        None => default_size,
        Some(s) => {
            s.parse::<usize>().ok().filter(|s| *s >= 1).ok_or_else(|| error(400, "Invalid page size."))?.min(100)
        }
    };
    Ok((page, size))
}

/// A Docker-style page of `items`, with absolute next/previous links; 404 past the end.
fn page_of(items: Vec<Value>, request: &Request, default_size: usize) -> Reply {
    page_of_with(items, request, default_size, |v| v)
}

/// [`page_of`] over rows that become JSON only when they are on the page (large organizations
/// page in time proportional to the page, not the roster).
fn page_of_with<T>(items: Vec<T>, request: &Request, default_size: usize, to_json: impl Fn(T) -> Value) -> Reply {
    let (page, size) = match paging(request, default_size) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let count = items.len();
    let start = (page - 1) * size;
    if start >= count && page > 1 {
        return error(404, "Invalid page.");
    }
    let results: Vec<Value> = items.into_iter().skip(start).take(size).map(to_json).collect();
    let link = |p: usize| {
        let mut query: Vec<(String, String)> =
            request.query.iter().filter(|(k, _)| k.as_str() != "page").map(|(k, v)| (k.clone(), v.clone())).collect();
        query.sort();
        query.push(("page".into(), p.to_string()));
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
        let path: Vec<String> = request
            .segments
            .iter()
            .map(|s| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string())
            .collect();
        format!("{}/{}?{}", request.base_url, path.join("/"), encoded)
    };
    let next = (start + size < count).then(|| link(page + 1));
    let previous = (page > 1).then(|| link(page - 1));
    reply(200, json!({ "count": count, "next": next, "previous": previous, "results": results }))
}

/// Whether `needle` is in `haystack`, ignoring case (the searches' match).
fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}
