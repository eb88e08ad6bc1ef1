//! `/v2/orgs/{org}/members…`: the member listing (invitees included on request), role changes,
//! removal (never of the last owner) and the CSV export.

use serde_json::{Value, json};

use super::{Body, Reply, Request, Route, contains, error, invalid, no_content, page_of_with, reply};
use crate::simulator::quirks::Quirks;
use crate::simulator::state::{Member, State};

/// The member routes (`/v2/orgs/{org}/members...`).
pub(super) fn route(state: &mut State, to: &Route) -> Option<Reply> {
    let (quirks, request) = (to.quirks, to.request);
    Some(match (to.method, to.segs) {
        ("GET", ["v2", "orgs", o, "members"]) if to.org(o) => list(state, quirks, request),
        ("GET", ["v2", "orgs", o, "members", "export"]) if to.org(o) => export(state),
        ("PUT", ["v2", "orgs", o, "members", user]) if to.org(o) => update_role(state, quirks, user, request),
        ("DELETE", ["v2", "orgs", o, "members", user]) if to.org(o) => remove(state, quirks, user),
        _ => return None,
    })
}

/// `GET /v2/orgs/{org}/members`: members (and, when asked, invitees), filtered and paged.
pub(super) fn list(state: &State, quirks: &Quirks, request: &Request) -> Reply {
    let search = request.query.get("search").map(String::as_str).unwrap_or("");
    // A core role or one of the organization's custom roles (by name); anything else is refused.
    let role = match request.query.get("role") {
        Some(r) => match state.role_named(r) {
            Some(role) => Some(role),
            None => return error(400, "Invalid role."),
        },
        None => None,
    };
    let kind = request.query.get("type").map(String::as_str).unwrap_or("member");
    let invites = request.query.get("invites").is_some_and(|v| v == "true");
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
    Member(&'a Member),
    Invite(Value),
}

/// `GET /v2/orgs/{org}/members/export`: every member and invitee as CSV.
pub(super) fn export(state: &State) -> Reply {
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

/// `PUT /v2/orgs/{org}/members/{username}`: a member's new role (never the last owner's).
pub(super) fn update_role(state: &mut State, quirks: &Quirks, username: &str, request: &Request) -> Reply {
    let role = request.body.as_ref().and_then(|b| b.get("role")).and_then(Value::as_str).unwrap_or("").to_string();
    // docker/docs PR 25996: `role` is a core role or a custom role's name; an unknown name is an
    // error. The answer carries the custom name as stored, a core role in title case.
    let Some(assigned) = state.role_named(&role) else {
        return invalid("role", &format!("Role \"{role}\" does not exist in this organization."));
    };
    let capitalised = assigned.as_str();
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
    let data =
        json!({ "member": member.username, "role": role.to_lowercase(), "previous_role": previous.to_lowercase() });
    state.record("org.member.role.change", &org, "api", data);
    reply(200, serde_json::to_value(member).unwrap_or(Value::Null))
}

/// `DELETE /v2/orgs/{org}/members/{username}` (never the last owner).
pub(super) fn remove(state: &mut State, quirks: &Quirks, username: &str) -> Reply {
    let Some(i) = state.member_index(username) else { return error(404, "Member not found.") };
    if state.members[i].role == "Owner" && state.owner_count() == 1 {
        return error(quirks.last_owner_status.unwrap_or(403), "Cannot remove the last owner of the organization.");
    }
    let member = state.members.remove(i);
    let org = state.org.clone();
    state.record("org.member.remove", &org, "api", json!({ "member": member.username }));
    no_content()
}
