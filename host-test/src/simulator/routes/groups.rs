//! `/v2/orgs/{org}/groups…`: teams (Docker Hub calls them groups) and their members.

use serde_json::{Value, json};

use super::{Reply, Request, Route, contains, error, invalid, no_content, page_of, reply};
use crate::simulator::quirks::{AlreadyMemberAnswer, Quirks};
use crate::simulator::state::{State, Team};

/// The team routes (`/v2/orgs/{org}/groups...`).
pub(super) fn route(state: &mut State, to: &Route) -> Option<Reply> {
    let (quirks, request) = (to.quirks, to.request);
    Some(match (to.method, to.segs) {
        ("GET", ["v2", "orgs", o, "groups"]) if to.org(o) => list(state, request),
        ("POST", ["v2", "orgs", o, "groups"]) if to.org(o) => create(state, request),
        ("GET", ["v2", "orgs", o, "groups", g]) if to.org(o) => get(state, g),
        ("PUT" | "PATCH", ["v2", "orgs", o, "groups", g]) if to.org(o) => update(state, g, request),
        ("DELETE", ["v2", "orgs", o, "groups", g]) if to.org(o) => delete(state, g),
        ("GET", ["v2", "orgs", o, "groups", g, "members"]) if to.org(o) => members(state, quirks, g, request),
        ("POST", ["v2", "orgs", o, "groups", g, "members"]) if to.org(o) => add_member(state, quirks, g, request),
        ("DELETE", ["v2", "orgs", o, "groups", g, "members", user]) if to.org(o) => remove_member(state, g, user),
        _ => return None,
    })
}

/// `GET /v2/orgs/{org}/groups`: teams, by name search or of one member, paged.
pub(super) fn list(state: &State, request: &Request) -> Reply {
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

/// `POST /v2/orgs/{org}/groups`: a new team.
pub(super) fn create(state: &mut State, request: &Request) -> Reply {
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
    // A role is assigned with PATCH only (docker/docs PR 25996); the create takes none.
    if body.get("role").is_some() {
        return invalid("role", "A team's role is set with PATCH /v2/orgs/{org}/groups/{team}.");
    }
    let team = Team { id, uuid, name: name.clone(), description, role: None };
    state.teams.push(team.clone());
    let org = state.org.clone();
    state.record("org.team.create", &org, "api", json!({ "team": name }));
    reply(201, state.team_json(&team))
}

/// `GET /v2/orgs/{org}/groups/{team}`.
pub(super) fn get(state: &State, name: &str) -> Reply {
    match state.team_index(name) {
        Some(i) => reply(200, state.team_json(&state.teams[i])),
        None => error(404, "Team not found."),
    }
}

/// `PUT` (name required) or `PATCH` `/v2/orgs/{org}/groups/{team}`: rename and redescribe.
pub(super) fn update(state: &mut State, name: &str, request: &Request) -> Reply {
    let Some(i) = state.team_index(name) else { return error(404, "Team not found.") };
    let body = request.body.clone().unwrap_or(Value::Null);
    let new_name = body.get("name").and_then(Value::as_str).map(|s| s.trim().to_string());
    if request.method == "PUT" && new_name.is_none() {
        return invalid("name", "This field is required.");
    }
    // Team role assignment is PATCH-only and takes a core role or a custom role's name
    // (docker/docs PR 25996); an unknown name is refused before anything changes.
    let role = match body.get("role") {
        None => None,
        Some(_) if request.method == "PUT" => {
            return invalid("role", "A team's role is set with PATCH, not PUT.");
        }
        Some(asked) => {
            let asked = asked.as_str().unwrap_or("");
            match state.role_named(asked) {
                Some(role) => Some(role),
                None => return invalid("role", &format!("Role \"{asked}\" does not exist in this organization.")),
            }
        }
    };
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
    if role.is_some() {
        state.teams[i].role = role;
    }
    let team = state.teams[i].clone();
    let org = state.org.clone();
    state.record("org.team.update", &org, "api", json!({ "team": team.name }));
    reply(200, state.team_json(&team))
}

/// `DELETE /v2/orgs/{org}/groups/{team}`, taking the team off every member.
pub(super) fn delete(state: &mut State, name: &str) -> Reply {
    let Some(i) = state.team_index(name) else { return error(404, "Team not found.") };
    let team = state.teams.remove(i);
    for m in &mut state.members {
        m.groups.retain(|g| !g.eq_ignore_ascii_case(&team.name));
    }
    let org = state.org.clone();
    state.record("org.team.delete", &org, "api", json!({ "team": team.name }));
    no_content()
}

/// `GET /v2/orgs/{org}/groups/{team}/members`: the team's members, searched and paged.
pub(super) fn members(state: &State, quirks: &Quirks, name: &str, request: &Request) -> Reply {
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

/// `POST /v2/orgs/{org}/groups/{team}/members`: puts an organization member on the team.
pub(super) fn add_member(state: &mut State, quirks: &Quirks, name: &str, request: &Request) -> Reply {
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

/// `DELETE /v2/orgs/{org}/groups/{team}/members/{username}`.
pub(super) fn remove_member(state: &mut State, name: &str, user: &str) -> Reply {
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
