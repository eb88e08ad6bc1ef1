//! `/v2/orgs/{org}/invites` and `/v2/invites…`: pending invites, bulk invitations, cancelling and
//! resending.

use serde_json::{Value, json};

use super::{Reply, Request, Route, error, invalid, no_content, reply};
use crate::simulator::quirks::Quirks;
use crate::simulator::state::{Invite, State, now, rfc3339};

/// The invite routes (`/v2/orgs/{org}/invites`, `/v2/invites/...`).
pub(super) fn route(state: &mut State, to: &Route) -> Option<Reply> {
    Some(match (to.method, to.segs) {
        ("GET", ["v2", "orgs", o, "invites"]) if to.org(o) => list(state),
        ("POST", ["v2", "invites", "bulk"]) => bulk(state, to.quirks, to.request),
        ("DELETE", ["v2", "invites", id]) => cancel(state, id),
        ("PATCH", ["v2", "invites", id, "resend"]) => resend(state, id),
        _ => return None,
    })
}

/// `GET /v2/orgs/{org}/invites`: every pending invite, unpaged.
pub(super) fn list(state: &State) -> Reply {
    reply(200, json!({ "data": state.invites }))
}

fn looks_like_invitee(value: &str) -> bool {
    let value = value.trim();
    if let Some((local, domain)) = value.split_once('@') {
        return !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace);
    }
    (4..=30).contains(&value.len()) && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// `POST /v2/invites/bulk`: invites (or, with `dry_run`, only checks) each invitee.
pub(super) fn bulk(state: &mut State, quirks: &Quirks, request: &Request) -> Reply {
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

/// `DELETE /v2/invites/{id}`.
pub(super) fn cancel(state: &mut State, id: &str) -> Reply {
    let Some(i) = state.invites.iter().position(|inv| inv.id == id) else { return error(404, "Invite not found.") };
    // Docker's audit-log catalogue has no action for a cancelled invite: nothing is recorded.
    state.invites.remove(i);
    no_content()
}

/// `PATCH /v2/invites/{id}/resend`.
pub(super) fn resend(state: &mut State, id: &str) -> Reply {
    match state.invites.iter().find(|inv| inv.id == id) {
        Some(_) => no_content(),
        None => error(404, "Invite not found."),
    }
}
