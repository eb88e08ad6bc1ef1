//! The simulator's endpoints: Docker Hub's paths, status codes and body shapes.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::quirks::{AlreadyMemberAnswer, ErrorShape, Quirks};
use super::state::{Invite, State, Team, Token, now, rfc3339};

/// Docker's refusal of a personal access token on organization endpoints.
pub const PAT_REFUSAL: &str = "token issued from personal access token is not allowed";
/// Docker's refusal of an organization access token on endpoints that do not accept one (docker/docs
/// `content/manuals/security/access-tokens/reference.md`).
pub const OAT_REFUSAL: &str = "token issued from organization access token is not allowed";
/// The audit-log action catalogue, as Docker's newest API reference lists it.
pub const AUDIT_ACTIONS: &str = include_str!("../../../fixtures/simulator/audit-actions.json");
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
    shape(route(state, credentials, request), credentials.quirks)
}

fn route(state: &mut State, credentials: &Credentials, request: &Request) -> Reply {
    if request.trailing_slash {
        return error(404, "Not found.");
    }
    let segs: Vec<&str> = request.segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    if let ["v2", "auth", "token"] = segs.as_slice() {
        return match method {
            "POST" => exchange(state, credentials, request),
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
    let org = state.org.clone();
    let same = |o: &str| o.eq_ignore_ascii_case(&org);
    match (method, segs.as_slice()) {
        ("GET", ["v2", "orgs", o, "members"]) if same(o) => list_members(state, quirks, request),
        ("GET", ["v2", "orgs", o, "members", "export"]) if same(o) => export_members(state),
        ("PUT", ["v2", "orgs", o, "members", user]) if same(o) => update_role(state, quirks, user, request),
        ("DELETE", ["v2", "orgs", o, "members", user]) if same(o) => remove_member(state, quirks, user),
        ("GET", ["v2", "orgs", o, "invites"]) if same(o) => reply(200, json!({ "data": state.invites })),
        ("GET", ["v2", "orgs", o, "groups"]) if same(o) => list_groups(state, request),
        ("POST", ["v2", "orgs", o, "groups"]) if same(o) => create_group(state, request),
        ("GET", ["v2", "orgs", o, "groups", g]) if same(o) => get_group(state, g),
        ("PUT" | "PATCH", ["v2", "orgs", o, "groups", g]) if same(o) => update_group(state, g, request),
        ("DELETE", ["v2", "orgs", o, "groups", g]) if same(o) => delete_group(state, g),
        ("GET", ["v2", "orgs", o, "groups", g, "members"]) if same(o) => list_group_members(state, quirks, g, request),
        ("POST", ["v2", "orgs", o, "groups", g, "members"]) if same(o) => add_group_member(state, quirks, g, request),
        ("DELETE", ["v2", "orgs", o, "groups", g, "members", user]) if same(o) => remove_group_member(state, g, user),
        ("GET", ["v2", "orgs", o, "settings"]) if same(o) => reply(200, state.settings.clone()),
        ("PUT", ["v2", "orgs", o, "settings"]) if same(o) => update_settings(state, request),
        ("POST", ["v2", "invites", "bulk"]) => bulk_invite(state, quirks, request),
        ("DELETE", ["v2", "invites", id]) => cancel_invite(state, id),
        ("PATCH", ["v2", "invites", id, "resend"]) => resend_invite(state, id),
        ("GET", ["v2", "auditlogs", o]) if same(o) => audit_logs(state, request),
        ("GET", ["v2", "auditlogs", o, "actions"]) if same(o) => audit_actions(),
        (_, ["v2", "orgs" | "auditlogs", _, ..]) => error(404, "Organization not found."),
        _ => error(404, "Not found."),
    }
}

fn exchange(state: &mut State, credentials: &Credentials, request: &Request) -> Reply {
    let body = request.body.clone().unwrap_or(Value::Null);
    let identifier = body.get("identifier").and_then(Value::as_str).unwrap_or("");
    let secret = body.get("secret").and_then(Value::as_str).unwrap_or("");
    let personal = secret.starts_with("dckr_pat_");
    if !personal && (secret != credentials.oat || !identifier.eq_ignore_ascii_case(&state.org)) {
        return error(401, "incorrect username or password");
    }
    let iat = now();
    let exp = iat + credentials.token_ttl;
    let n = state.next_id();
    let token = if credentials.quirks.opaque_tokens {
        // Not a JWT: nothing in it says how long it lives.
        format!("opaque-simulator-token-{n}")
    } else {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload =
            URL_SAFE_NO_PAD.encode(json!({ "iat": iat, "exp": exp, "sub": identifier, "jti": n }).to_string());
        format!("{header}.{payload}.simulator{n}")
    };
    state.tokens.insert(token.clone(), Token { expires: exp, personal });
    reply(200, json!({ "access_token": token }))
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

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn list_members(state: &State, quirks: &Quirks, request: &Request) -> Reply {
    let search = request.query.get("search").map(String::as_str).unwrap_or("");
    let role = request.query.get("role").map(|r| r.to_lowercase());
    let kind = request.query.get("type").map(String::as_str).unwrap_or("member");
    let invites = request.query.get("invites").is_some_and(|v| v == "true");
    if let Some(r) = &role
        && !["owner", "editor", "member"].contains(&r.as_str())
    {
        return error(400, "Invalid role.");
    }
    if !["all", "invitee", "member"].contains(&kind) {
        return error(400, "Invalid type.");
    }
    let mut rows: Vec<Row> = Vec::new();
    if kind != "invitee" {
        rows.extend(
            state
                .members
                .iter()
                .filter(|m| {
                    search.is_empty()
                        || contains(&m.username, search)
                        || contains(&m.full_name, search)
                        || contains(&m.email, search)
                })
                .filter(|m| role.as_ref().is_none_or(|r| m.role.eq_ignore_ascii_case(r)))
                .map(Row::Member),
        );
    }
    if (kind == "invitee" || kind == "all" || invites) && role.is_none() {
        rows.extend(state.invites.iter().filter(|i| search.is_empty() || contains(&i.invitee, search)).map(|i| {
            Row::Invite(json!({
                "id": i.id, "username": if i.invitee.contains('@') { "" } else { i.invitee.as_str() },
                "email": if i.invitee.contains('@') { i.invitee.as_str() } else { "" },
                "role": "Invitee", "groups": i.team.iter().collect::<Vec<_>>(), "is_guest": false,
                "type": "Invitee", "full_name": "", "date_joined": i.created_at,
            }))
        }));
    }
    let page = page_of_with(rows, request, 10, |row| {
        let mut value = match row {
            Row::Member(m) => serde_json::to_value(m).unwrap_or(Value::Null),
            Row::Invite(v) => v,
        };
        if quirks.hide_emails {
            value["email"] = json!("");
        }
        value
    });
    match page {
        // Docker's OpenAPI documents the listing as an array of page objects.
        Reply { status: 200, body: Body::Json(page) } if quirks.members_as_array => reply(200, json!([page])),
        other => other,
    }
}

/// A member-listing row: members are turned into JSON only when they are on the page.
enum Row<'a> {
    Member(&'a crate::simulator::state::Member),
    Invite(Value),
}

fn export_members(state: &State) -> Reply {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["Name", "Username", "Email", "Type", "Permission", "Teams", "Date Joined"]);
    for m in &state.members {
        let permission = if m.role == "Owner" { "Owner" } else { "Member" };
        let _ = writer.write_record([
            m.full_name.as_str(),
            m.username.as_str(),
            m.email.as_str(),
            "User",
            permission,
            m.groups.join(", ").as_str(),
            m.date_joined.as_str(),
        ]);
    }
    for i in &state.invites {
        let _ = writer.write_record([
            "",
            "",
            i.invitee.as_str(),
            "Invitee",
            "Member",
            i.team.as_deref().unwrap_or(""),
            i.created_at.as_str(),
        ]);
    }
    let text = writer.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    Reply { status: 200, body: Body::Csv(text) }
}

fn update_role(state: &mut State, quirks: &Quirks, username: &str, request: &Request) -> Reply {
    let role = request.body.as_ref().and_then(|b| b.get("role")).and_then(Value::as_str).unwrap_or("").to_lowercase();
    let capitalised = match role.as_str() {
        "owner" => "Owner",
        "editor" => "Editor",
        "member" => "Member",
        _ => return invalid("role", "role must be one of owner, editor, member"),
    };
    let Some(i) = state.member_index(username) else { return error(404, "Member not found.") };
    if state.members[i].role == "Owner" && capitalised != "Owner" && state.owner_count() == 1 {
        return error(
            quirks.last_owner_status.unwrap_or(400),
            "Cannot change the role of the last owner of the organization.",
        );
    }
    let previous = std::mem::replace(&mut state.members[i].role, capitalised.to_string());
    let owners_team = "owners";
    if capitalised == "Owner" && !state.members[i].groups.iter().any(|g| g == owners_team) {
        state.members[i].groups.insert(0, owners_team.to_string());
    } else if capitalised != "Owner" {
        state.members[i].groups.retain(|g| g != owners_team);
    }
    let member = state.members[i].clone();
    let org = state.org.clone();
    let data = json!({ "member": member.username, "role": role, "previous_role": previous.to_lowercase() });
    state.record("org.member.role.change", &org, "api", data);
    reply(200, serde_json::to_value(member).unwrap_or(Value::Null))
}

fn remove_member(state: &mut State, quirks: &Quirks, username: &str) -> Reply {
    let Some(i) = state.member_index(username) else { return error(404, "Member not found.") };
    if state.members[i].role == "Owner" && state.owner_count() == 1 {
        return error(quirks.last_owner_status.unwrap_or(403), "Cannot remove the last owner of the organization.");
    }
    let member = state.members.remove(i);
    let org = state.org.clone();
    state.record("org.member.remove", &org, "api", json!({ "member": member.username }));
    no_content()
}

fn list_groups(state: &State, request: &Request) -> Reply {
    let search = request.query.get("search").map(String::as_str).unwrap_or("");
    let username = request.query.get("username");
    let member_groups: Option<Vec<String>> = match username {
        None => None,
        Some(u) => match state.member_index(u) {
            Some(i) => Some(state.members[i].groups.clone()),
            None => return error(404, "Member not found."),
        },
    };
    let rows = state
        .teams
        .iter()
        .filter(|t| search.is_empty() || contains(&t.name, search))
        .filter(|t| member_groups.as_ref().is_none_or(|g| g.iter().any(|n| n.eq_ignore_ascii_case(&t.name))))
        .map(|t| state.team_json(t))
        .collect();
    page_of(rows, request, 10)
}

/// The simulator's own team-name rule, standing in for whatever Docker applies (it documents none):
/// not blank, at most 100 characters, no `/`, no control characters. Refusals name the field.
fn check_team_name(name: &str) -> Option<Reply> {
    if name.is_empty() {
        Some(invalid("name", "This field may not be blank."))
    } else if name.chars().count() > 100 {
        Some(invalid("name", "Ensure this field has no more than 100 characters."))
    } else if name.contains('/') || name.chars().any(char::is_control) {
        Some(invalid("name", "Invalid team name: it must not contain '/' or control characters."))
    } else {
        None
    }
}

fn create_group(state: &mut State, request: &Request) -> Reply {
    let body = request.body.clone().unwrap_or(Value::Null);
    let name = body.get("name").and_then(Value::as_str).unwrap_or("").trim().to_string();
    if let Some(refusal) = check_team_name(&name) {
        return refusal;
    }
    if state.team_index(&name).is_some() {
        return error(409, "A team with this name already exists.");
    }
    let description = body.get("description").and_then(Value::as_str).unwrap_or("").to_string();
    let id = 2000 + state.next_id();
    let uuid = state.new_uuid();
    let team = Team { id, uuid, name: name.clone(), description };
    state.teams.push(team.clone());
    let org = state.org.clone();
    state.record("org.team.create", &org, "api", json!({ "team": name }));
    reply(201, state.team_json(&team))
}

fn get_group(state: &State, name: &str) -> Reply {
    match state.team_index(name) {
        Some(i) => reply(200, state.team_json(&state.teams[i])),
        None => error(404, "Team not found."),
    }
}

fn update_group(state: &mut State, name: &str, request: &Request) -> Reply {
    let Some(i) = state.team_index(name) else { return error(404, "Team not found.") };
    let body = request.body.clone().unwrap_or(Value::Null);
    let new_name = body.get("name").and_then(Value::as_str).map(|s| s.trim().to_string());
    if request.method == "PUT" && new_name.is_none() {
        return invalid("name", "This field is required.");
    }
    if let Some(new) = &new_name {
        if let Some(refusal) = check_team_name(new) {
            return refusal;
        }
        if state.team_index(new).is_some_and(|j| j != i) {
            return error(409, "A team with this name already exists.");
        }
        let old = state.teams[i].name.clone();
        for m in &mut state.members {
            for g in &mut m.groups {
                if g.eq_ignore_ascii_case(&old) {
                    g.clone_from(new);
                }
            }
        }
        state.teams[i].name.clone_from(new);
    }
    if let Some(description) = body.get("description").and_then(Value::as_str) {
        state.teams[i].description = description.to_string();
    }
    let team = state.teams[i].clone();
    let org = state.org.clone();
    state.record("org.team.update", &org, "api", json!({ "team": team.name }));
    reply(200, state.team_json(&team))
}

fn delete_group(state: &mut State, name: &str) -> Reply {
    let Some(i) = state.team_index(name) else { return error(404, "Team not found.") };
    let team = state.teams.remove(i);
    for m in &mut state.members {
        m.groups.retain(|g| !g.eq_ignore_ascii_case(&team.name));
    }
    let org = state.org.clone();
    state.record("org.team.delete", &org, "api", json!({ "team": team.name }));
    no_content()
}

fn list_group_members(state: &State, quirks: &Quirks, name: &str, request: &Request) -> Reply {
    let Some(i) = state.team_index(name) else { return error(404, "Team not found.") };
    let team = &state.teams[i].name;
    let search = request.query.get("search").map(String::as_str).unwrap_or("");
    let rows = state
        .members
        .iter()
        .filter(|m| m.groups.iter().any(|g| g.eq_ignore_ascii_case(team)))
        .filter(|m| {
            search.is_empty()
                || contains(&m.username, search)
                || contains(&m.full_name, search)
                || contains(&m.email, search)
        })
        .map(|m| {
            let email = if quirks.hide_emails { "" } else { m.email.as_str() };
            json!({
                "id": m.id, "username": m.username, "full_name": m.full_name, "email": email,
                "company": m.company, "location": m.location, "date_joined": m.date_joined, "type": m.account_type,
                "gravatar_email": "", "gravatar_url": "", "profile_url": "",
            })
        })
        .collect();
    page_of(rows, request, 10)
}

fn add_group_member(state: &mut State, quirks: &Quirks, name: &str, request: &Request) -> Reply {
    let Some(t) = state.team_index(name) else { return error(404, "Team not found.") };
    let team = state.teams[t].name.clone();
    let Some(user) = request.body.as_ref().and_then(|b| b.get("member")).and_then(Value::as_str).map(str::to_string)
    else {
        return invalid("member", "This field is required.");
    };
    let Some(i) = state.member_index(&user) else {
        return error(404, "User is not a member of the organization.");
    };
    if state.members[i].groups.iter().any(|g| g.eq_ignore_ascii_case(&team)) {
        return match quirks.already_member {
            AlreadyMemberAnswer::Conflict => error(409, "User is already a member of the team."),
            AlreadyMemberAnswer::BadRequest => error(400, "User is already a member of the team."),
            AlreadyMemberAnswer::Success => reply(200, json!({})),
        };
    }
    state.members[i].groups.push(team.clone());
    let username = state.members[i].username.clone();
    state.record("org.team.member.add", &username, "api", json!({ "team": team }));
    reply(200, json!({}))
}

fn remove_group_member(state: &mut State, name: &str, user: &str) -> Reply {
    let Some(t) = state.team_index(name) else { return error(404, "Team not found.") };
    let team = state.teams[t].name.clone();
    let Some(i) = state.member_index(user) else { return error(404, "Member not found.") };
    let before = state.members[i].groups.len();
    state.members[i].groups.retain(|g| !g.eq_ignore_ascii_case(&team));
    if state.members[i].groups.len() == before {
        return error(404, "User is not a member of the team.");
    }
    let username = state.members[i].username.clone();
    state.record("org.team.member.remove", &username, "api", json!({ "team": team }));
    no_content()
}

fn update_settings(state: &mut State, request: &Request) -> Reply {
    let restricted = request.body.as_ref().and_then(|b| b.get("restricted_images"));
    let flags = ["enabled", "allow_official_images", "allow_verified_publishers"];
    let Some(restricted) = restricted.filter(|r| flags.iter().all(|f| r.get(f).is_some_and(Value::is_boolean))) else {
        return error(
            400,
            "restricted_images with enabled, allow_official_images and allow_verified_publishers is required.",
        );
    };
    state.settings = json!({ "restricted_images": restricted });
    let org = state.org.clone();
    state.record("org.settings.update", &org, "api", json!({ "setting": "restricted_images" }));
    reply(200, state.settings.clone())
}

fn looks_like_invitee(value: &str) -> bool {
    let value = value.trim();
    if let Some((local, domain)) = value.split_once('@') {
        return !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace);
    }
    (4..=30).contains(&value.len()) && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn bulk_invite(state: &mut State, quirks: &Quirks, request: &Request) -> Reply {
    let body = request.body.clone().unwrap_or(Value::Null);
    let org = body.get("org").and_then(Value::as_str).unwrap_or("");
    if !org.eq_ignore_ascii_case(&state.org) {
        return error(404, "Organization not found.");
    }
    let Some(invitees) = body.get("invitees").and_then(Value::as_array) else {
        return invalid("invitees", "This field is required.");
    };
    let team = body.get("team").and_then(Value::as_str).map(str::to_string);
    if let Some(t) = &team
        && state.team_index(t).is_none()
    {
        return invalid("team", "Team not found.");
    }
    let role = body.get("role").and_then(Value::as_str).map(str::to_string);
    let dry_run = body.get("dry_run").and_then(Value::as_bool).unwrap_or(false);
    let mut results = Vec::new();
    for invitee in invitees.iter().filter_map(Value::as_str) {
        let is_member = state
            .members
            .iter()
            .any(|m| m.username.eq_ignore_ascii_case(invitee) || m.email.eq_ignore_ascii_case(invitee));
        let already = state.invites.iter().any(|i| i.invitee.eq_ignore_ascii_case(invitee));
        let status = if !looks_like_invitee(invitee) {
            "invalid_email_or_docker_id"
        } else if is_member {
            "existing_org_member"
        } else if already {
            "already_invited"
        } else {
            "invited"
        };
        let mut row = json!({ "invitee": invitee, "status": status });
        if status == "invited" && !dry_run {
            let invite = Invite {
                id: state.new_uuid(),
                inviter_username: "api".into(),
                invitee: invitee.to_string(),
                org: state.org.clone(),
                team: team.clone(),
                role: role.clone(),
                created_at: rfc3339(now()),
            };
            row["invite"] = serde_json::to_value(&invite).unwrap_or(Value::Null);
            state.invites.push(invite);
            let org = state.org.clone();
            let mut data = json!({ "invitee": invitee });
            if let Some(t) = &team {
                data["team"] = json!(t);
            }
            state.record("org.member.invite.send", &org, "api", data);
        }
        results.push(row);
    }
    if quirks.flat_bulk_invite {
        // The shape terraform-provider-docker's `OrgInviteResponse` decodes.
        return reply(202, json!({ "invitees": results }));
    }
    // The shape Docker's OpenAPI documents: the `bulk_invite` schema under `invitees`.
    reply(202, json!({ "invitees": { "invitees": results } }))
}

fn cancel_invite(state: &mut State, id: &str) -> Reply {
    let Some(i) = state.invites.iter().position(|inv| inv.id == id) else { return error(404, "Invite not found.") };
    // Docker's audit-log catalogue has no action for a cancelled invite: nothing is recorded.
    state.invites.remove(i);
    no_content()
}

fn resend_invite(state: &mut State, id: &str) -> Reply {
    match state.invites.iter().find(|inv| inv.id == id) {
        Some(_) => no_content(),
        None => error(404, "Invite not found."),
    }
}

fn parse_time(value: &str) -> Option<std::time::SystemTime> {
    humantime::parse_rfc3339_weak(value).ok()
}

fn audit_logs(state: &State, request: &Request) -> Reply {
    let (page, size) = match paging(request, 25) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let q = |k: &str| request.query.get(k).map(String::as_str);
    let from = match q("from").map(parse_time) {
        Some(None) => return invalid("from", "from must be an RFC 3339 date-time"),
        Some(t) => t,
        None => None,
    };
    let to = match q("to").map(parse_time) {
        Some(None) => return invalid("to", "to must be an RFC 3339 date-time"),
        Some(t) => t,
        None => None,
    };
    let logs: Vec<&Value> = state
        .events
        .iter()
        .filter(|e| q("action").is_none_or(|a| e["action"] == a))
        .filter(|e| q("name").is_none_or(|n| e["name"] == n))
        .filter(|e| q("actor").is_none_or(|a| e["actor"] == a))
        .filter(|e| {
            let at = e["timestamp"].as_str().and_then(parse_time);
            from.is_none_or(|f| at.is_some_and(|t| t >= f)) && to.is_none_or(|u| at.is_some_and(|t| t <= u))
        })
        .skip((page - 1) * size)
        .take(size)
        .collect();
    reply(200, json!({ "logs": logs }))
}

/// The action catalogue of Docker's newest API reference (`fixtures/simulator/audit-actions.json`).
fn audit_actions() -> Reply {
    let mut catalogue: Value = serde_json::from_str(AUDIT_ACTIONS).unwrap_or(Value::Null);
    if let Some(map) = catalogue.as_object_mut() {
        map.remove("_source");
    }
    reply(200, catalogue)
}
