//! `/v2/orgs/{org_name}/invites` and `/v2/invites…`: pending invites, bulk invitations, cancelling
//! and resending.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::members::normalize_role;
use super::{ApiRequest, Endpoint, NoContent, Scope, path};
use crate::host::Method;

/// `GET /v2/orgs/{org}/invites`: every pending invite (Docker does not page this list).
pub fn list_invites(org: &str) -> Endpoint<InviteList> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "invites"]),
        Scope::InviteRead,
        format!("pending invites of organization \"{org}\""),
    )
    .into()
}

/// What a bulk invitation asks for; the builder turns it into Docker's body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkInvite {
    /// Team (group) the invitees join, if any.
    pub team: Option<String>,
    /// Role for the invitees (`owner`, `editor`, `member`), lower case.
    pub role: Option<String>,
    /// Emails or Docker IDs, already validated and deduplicated.
    pub invitees: Vec<String>,
    /// Validate only; Docker changes nothing.
    pub dry_run: Option<bool>,
}

/// `POST /v2/invites/bulk` with `{"org", "team"?, "role"?, "invitees", "dry_run"?}`. A POST: the
/// client never repeats it after a 5xx.
pub fn bulk_invite(org: &str, invite: &BulkInvite) -> Endpoint<BulkInviteAnswer> {
    let mut body = Map::new();
    body.insert("org".into(), Value::from(org));
    if let Some(team) = &invite.team {
        body.insert("team".into(), Value::from(team.as_str()));
    }
    if let Some(role) = &invite.role {
        body.insert("role".into(), Value::from(role.as_str()));
    }
    body.insert("invitees".into(), Value::from(invite.invitees.clone()));
    if let Some(dry_run) = invite.dry_run {
        body.insert("dry_run".into(), Value::from(dry_run));
    }
    ApiRequest::new(
        Method::Post,
        path(&["v2", "invites", "bulk"]),
        Scope::InviteEdit,
        format!("invitations to organization \"{org}\""),
    )
    .json(Value::Object(body))
    .into()
}

/// `DELETE /v2/invites/{id}`.
pub fn cancel_invite(id: &str) -> Endpoint<NoContent> {
    ApiRequest::new(Method::Delete, path(&["v2", "invites", id]), Scope::InviteEdit, format!("invite \"{id}\"")).into()
}

/// `PATCH /v2/invites/{id}/resend`. Not idempotent: every call sends another email.
pub fn resend_invite(id: &str) -> Endpoint<NoContent> {
    ApiRequest::new(
        Method::Patch,
        path(&["v2", "invites", id, "resend"]),
        Scope::InviteEdit,
        format!("invite \"{id}\""),
    )
    .into()
}

/// An invite as Docker returns it (`invite`); every field may be missing or null.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrgInvite {
    /// UUID of the invite.
    pub id: Option<String>,
    /// Who sent it.
    pub inviter_username: Option<String>,
    /// Docker ID (registered users) or email (everyone else).
    pub invitee: Option<String>,
    /// Organization to join.
    pub org: Option<String>,
    /// Team to join.
    pub team: Option<String>,
    /// Role offered, when Docker includes it (not in the OpenAPI schema, seen in practice).
    pub role: Option<String>,
    /// When it was sent.
    pub created_at: Option<String>,
}

/// The body of `GET /v2/orgs/{org}/invites`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteList {
    /// The pending invites (`null` reads as none). Required: an answer without it is not the list.
    #[serde(deserialize_with = "super::present")]
    pub data: Option<Vec<OrgInvite>>,
}

/// An invite as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Invite {
    /// UUID: the `id` cancel-invite and resend-invite take.
    pub id: Option<String>,
    /// Docker ID or email invited.
    pub invitee: Option<String>,
    /// Who sent it (Docker's `inviter_username`).
    pub inviter: Option<String>,
    /// Organization to join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Team to join.
    pub team: Option<String>,
    /// Role offered (lower case), when Docker says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When it was sent.
    pub created_at: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

impl From<OrgInvite> for Invite {
    fn from(i: OrgInvite) -> Self {
        Invite {
            id: non_empty(i.id),
            invitee: non_empty(i.invitee),
            inviter: non_empty(i.inviter_username),
            org: non_empty(i.org),
            team: non_empty(i.team),
            role: non_empty(i.role).as_deref().map(normalize_role),
            created_at: non_empty(i.created_at),
        }
    }
}

/// One invitee's outcome in a bulk invitation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BulkInviteResult {
    /// The email or Docker ID, as Docker echoes it.
    pub invitee: Option<String>,
    /// `invited`, `existing_org_member`, `invalid_email_or_docker_id`, … (passed through).
    pub status: Option<String>,
    /// The invite, when one was created.
    pub invite: Option<OrgInvite>,
}

/// The `invitees` field of the 202 answer. The OpenAPI nests the list once more
/// (`{"invitees": {"invitees": [...]}}`, the `bulk_invite` schema under `invitees`); a flat list is
/// read too, in case the service ever answers the shape of the schema's own example.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BulkInviteList {
    /// `{"invitees": [...]}` (the documented shape, inside the outer `invitees`).
    Nested {
        /// The outcomes.
        #[serde(default)]
        invitees: Option<Vec<BulkInviteResult>>,
    },
    /// `[...]`
    Flat(Vec<BulkInviteResult>),
}

/// The body of the 202 answer to `POST /v2/invites/bulk`.
#[derive(Debug, Clone, Deserialize)]
pub struct BulkInviteAnswer {
    /// The outcomes, one per invitee.
    pub invitees: Option<BulkInviteList>,
}

impl BulkInviteAnswer {
    /// The outcomes, in Docker's order.
    pub fn results(self) -> Vec<BulkInviteResult> {
        match self.invitees {
            Some(BulkInviteList::Nested { invitees }) => invitees.unwrap_or_default(),
            Some(BulkInviteList::Flat(list)) => list,
            None => Vec::new(),
        }
    }
}

/// Whether Docker's answer to a bulk invitation says anyone was invited. An answer that cannot be
/// read counts as a change: Docker accepted the request, and nothing proves it changed nothing.
pub fn invited_anyone(response: &crate::host::HttpResponse) -> bool {
    let Ok(text) = std::str::from_utf8(&response.body) else { return true };
    match serde_json::from_str::<BulkInviteAnswer>(text) {
        Ok(answer) => {
            answer.results().iter().any(|r| r.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("invited")))
        }
        Err(_) => true,
    }
}

/// One invitee's outcome as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InviteOutcome {
    /// The email or Docker ID.
    pub invitee: String,
    /// Docker's status, unchanged (`unknown` when Docker gave none).
    pub status: String,
    /// The invite, when one was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite: Option<Invite>,
}

impl From<BulkInviteResult> for InviteOutcome {
    fn from(r: BulkInviteResult) -> Self {
        let invite = r.invite.map(Invite::from);
        InviteOutcome {
            invitee: non_empty(r.invitee)
                .or_else(|| invite.as_ref().and_then(|i| i.invitee.clone()))
                .unwrap_or_default(),
            status: non_empty(r.status).unwrap_or_else(|| "unknown".to_string()),
            invite,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bulk_invite_body_carries_only_what_was_given() {
        let r = bulk_invite("acme", &BulkInvite { invitees: vec!["moby".into()], ..BulkInvite::default() });
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.path, "/v2/invites/bulk");
        assert_eq!(r.body, Some(json!({"org": "acme", "invitees": ["moby"]})));
        assert!(!r.idempotent, "a POST is never repeated");
        let full = BulkInvite {
            team: Some("devs".into()),
            role: Some("editor".into()),
            invitees: vec!["a@x.io".into(), "moby".into()],
            dry_run: Some(true),
        };
        assert_eq!(
            bulk_invite("acme", &full).body,
            Some(
                json!({"org": "acme", "team": "devs", "role": "editor", "invitees": ["a@x.io", "moby"], "dry_run": true})
            )
        );
    }

    #[test]
    fn invite_ids_are_encoded_path_segments() {
        assert_eq!(cancel_invite("a/b ..").path, "/v2/invites/a%2Fb%20..");
        assert_eq!(cancel_invite("..").path, "/v2/invites/%2E%2E");
        let r = resend_invite("e36e?x");
        assert_eq!((r.method, r.path.as_str()), (Method::Patch, "/v2/invites/e36e%3Fx/resend"));
        assert!(!r.idempotent, "resending twice sends two emails");
    }

    #[test]
    fn bulk_answers_are_read_nested_or_flat() {
        let nested: BulkInviteAnswer = serde_json::from_value(json!({
            "invitees": {"invitees": [{"invitee": "a@x.io", "status": "invited", "invite": {"id": "1", "inviter_username": "moby"}}]}
        }))
        .unwrap();
        let results = nested.results();
        assert_eq!(results.len(), 1);
        let out = InviteOutcome::from(results[0].clone());
        assert_eq!(out.status, "invited");
        assert_eq!(out.invite.and_then(|i| i.inviter).as_deref(), Some("moby"));
        let flat: BulkInviteAnswer =
            serde_json::from_value(json!({"invitees": [{"invitee": "b", "status": "x"}]})).unwrap();
        assert_eq!(flat.results()[0].invitee.as_deref(), Some("b"));
        let empty: BulkInviteAnswer = serde_json::from_value(json!({"invitees": null})).unwrap();
        assert!(empty.results().is_empty());
    }

    #[test]
    fn invite_mapping_renames_the_inviter_and_lowercases_the_role() {
        let raw: OrgInvite = serde_json::from_value(json!({
            "id": "e36e", "inviter_username": "moby", "invitee": "a@x.io", "team": "", "role": "Member", "extra": 1
        }))
        .unwrap();
        let i = Invite::from(raw);
        assert_eq!(i.inviter.as_deref(), Some("moby"));
        assert_eq!(i.role.as_deref(), Some("member"));
        assert_eq!(i.team, None);
    }
}
