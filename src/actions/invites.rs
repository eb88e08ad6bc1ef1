//! Invite actions: list-invites, invite-members, cancel-invite, resend-invite, and the validation of
//! invitees (emails or Docker IDs) before anything is sent.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::{parse, path_segment, required_text};
use super::members::Role;
use crate::api::invites::{self, BulkInvite, BulkInviteAnswer, Invite, InviteList, InviteOutcome};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::host::Host;

/// Most invitees one `invite-members` call sends (after removing duplicates).
pub const MAX_INVITEES: usize = 1_000;

/// Input of `list-invites`: no fields (Docker returns every pending invite at once).
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListInvitesInput {}

/// `list-invites`: the organization's pending invites.
pub fn list_invites(host: &dyn Host, input: &str) -> Result<Value> {
    let _: ListInvitesInput = parse("list-invites", input)?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let list: InviteList = client.send_json(&invites::list_invites(&org))?;
    let invites: Vec<Invite> = list.data.unwrap_or_default().into_iter().map(Invite::from).collect();
    Ok(json!({
        "organization": org,
        "count": invites.len(),
        "invites": invites,
        "meta": client.meta(),
    }))
}

/// Input of `invite-members`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteMembersInput {
    /// Emails or Docker IDs to invite, 1 to 1000. Each is trimmed; duplicates (ignoring case) are sent once.
    pub invitees: Vec<String>,
    /// Team (group) the invitees join on accepting.
    pub team: Option<String>,
    /// Role for the invitees: owner, editor or member.
    pub role: Option<Role>,
    /// Validate only: Docker reports each invitee's status and changes nothing.
    pub dry_run: Option<bool>,
}

/// `invite-members`: one bulk invitation; Docker answers a status per invitee.
pub fn invite_members(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "invite-members";
    let input: InviteMembersInput = parse(ACTION, input)?;
    let checked = check_invitees(&input.invitees)?;
    let team = match input.team.as_deref() {
        Some(team) if team.trim().is_empty() => {
            return Err(Error::invalid_input(
                "\"team\" is blank: name a team of the organization, or leave the field out to invite to the organization only.",
            ));
        }
        Some(team) => Some(required_text(ACTION, "team", Some(team))?),
        None => None,
    };
    let role = input.role.map(|r| r.as_str().to_string());
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let bulk = BulkInvite {
        team: team.clone(),
        role: role.clone(),
        invitees: checked.invitees.clone(),
        dry_run: input.dry_run,
    };
    // A POST: the client never repeats it after a 5xx or a broken connection (only after a 429,
    // which proves it was not carried out), so nobody is invited twice.
    let answer: BulkInviteAnswer = client.send_json(&invites::bulk_invite(&org, &bulk))?;
    let results: Vec<InviteOutcome> = answer.results().into_iter().map(InviteOutcome::from).collect();
    let mut by_status: BTreeMap<&str, u64> = BTreeMap::new();
    for result in &results {
        *by_status.entry(result.status.as_str()).or_default() += 1;
    }
    Ok(json!({
        "organization": org,
        "dry_run": input.dry_run.unwrap_or(false),
        "team": team,
        "role": role,
        "requested": checked.invitees,
        "duplicates_removed": checked.duplicates,
        "results": results,
        "summary": { "total": results.len(), "by_status": by_status },
        "meta": client.meta(),
    }))
}

/// Input of `cancel-invite` and `resend-invite`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteIdInput {
    /// The invite's id (a UUID, as list-invites shows it).
    pub id: String,
}

/// `cancel-invite`: `DELETE` the pending invite.
pub fn cancel_invite(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "cancel-invite";
    let input: InviteIdInput = parse(ACTION, input)?;
    let id = path_segment(ACTION, "id", Some(&input.id))?;
    let client = Client::connect(host)?;
    client.send(&invites::cancel_invite(&id))?;
    Ok(json!({ "cancelled": true, "id": id, "meta": client.meta() }))
}

/// `resend-invite`: send the invitation email again.
pub fn resend_invite(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "resend-invite";
    let input: InviteIdInput = parse(ACTION, input)?;
    let id = path_segment(ACTION, "id", Some(&input.id))?;
    let client = Client::connect(host)?;
    client.send(&invites::resend_invite(&id))?;
    Ok(json!({ "resent": true, "id": id, "meta": client.meta() }))
}

/// Invitees ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedInvitees {
    /// Trimmed, valid, first spelling of each, in input order.
    pub invitees: Vec<String>,
    /// Entries dropped as repeats of an earlier one (ignoring case).
    pub duplicates: Vec<String>,
}

/// Trims, validates and deduplicates (ignoring case) the invitees; 1 to [`MAX_INVITEES`] must remain.
/// An error names the entry (`invitees[2]`) and says what an invitee may be.
pub fn check_invitees(raw: &[String]) -> Result<CheckedInvitees> {
    let mut seen = HashSet::new();
    let mut checked = CheckedInvitees { invitees: Vec::new(), duplicates: Vec::new() };
    for (index, entry) in raw.iter().enumerate() {
        let invitee = entry.trim();
        check_invitee(index, invitee)?;
        if seen.insert(invitee.to_lowercase()) {
            checked.invitees.push(invitee.to_string());
        } else {
            checked.duplicates.push(invitee.to_string());
        }
    }
    if checked.invitees.is_empty() {
        return Err(Error::invalid_input(
            "invite-members needs at least one invitee in \"invitees\" (an email address or a Docker ID).",
        ));
    }
    if checked.invitees.len() > MAX_INVITEES {
        return Err(Error::invalid_input(format!(
            "\"invitees\" holds {} different invitees; at most {MAX_INVITEES} are sent at once. Split the list over several calls.",
            checked.invitees.len()
        )));
    }
    Ok(checked)
}

/// Checks one trimmed invitee: an email address when it has an `@`, a Docker ID otherwise.
fn check_invitee(index: usize, invitee: &str) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::invalid_input(format!(
            "\"invitees[{index}]\" ({invitee:?}) is neither an email address nor a Docker ID: {why}."
        )))
    };
    if invitee.is_empty() {
        return refuse("it is blank");
    }
    if invitee.chars().any(char::is_control) {
        return refuse("it contains control characters");
    }
    if invitee.chars().any(|c| c.is_whitespace() || c == ',' || c == ';') {
        return refuse("it contains spaces, commas or semicolons; give each invitee as its own array item");
    }
    if invitee.contains('@') {
        if looks_like_email(invitee) {
            return Ok(());
        }
        return refuse("an email address needs one \"@\" between a name and a domain with a dot (name@example.com)");
    }
    if looks_like_docker_id(invitee) {
        return Ok(());
    }
    refuse(
        "a Docker ID is 2 to 64 letters, digits, \"-\", \"_\" or \".\" (Docker's rule for new IDs: 4 to 30 lower-case \
letters and digits), with no \"/\"",
    )
}

/// Characters RFC 5322 allows unquoted in the part of an address before the `@`, besides letters
/// and digits.
const EMAIL_LOCAL_SYMBOLS: &str = "!#$%&'*+-/=?^_`{|}~.";

/// Whether `value` has the shape of an email address (`name@example.com`). Deliberately not a full
/// RFC 5322 parser: Docker validates each invitee too and reports `invalid_email_or_docker_id`.
fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.chars().count())
        && local.chars().all(|c| c.is_alphanumeric() || EMAIL_LOCAL_SYMBOLS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.chars().count())
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    local_ok && domain_ok
}

/// Whether `value` can be a Docker ID. Lenient on purpose (any case, `-`, `_`, `.`, 2 to 64
/// characters): Docker's own example invites `invitee1DockerId`, and older IDs predate today's
/// rule; Docker reports an unknown ID per invitee without failing the others.
fn looks_like_docker_id(value: &str) -> bool {
    (2..=64).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The invite actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-invites", "List pending invites",
        "Lists the organization's pending invites (Docker returns them all at once; only owners may list them). Output: invites with id (for cancel-invite and resend-invite), invitee (email or Docker ID), inviter, team, role when Docker includes it, and created_at; plus count.",
        scopes: [InviteRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{organization, count, invites: [{id, invitee, inviter, team, role, created_at}], meta}",
        run: list_invites, input: ListInvitesInput),
    action!("invite-members", "Invite people to the organization",
        "Invites people by email or Docker ID in one bulk request, optionally onto a team and with a role (owner, editor, member). Invitees are trimmed, checked (an email must look like one; a Docker ID is letters, digits, -, _ or .) and deduplicated ignoring case, 1 to 1000 per call. With dry_run, Docker validates and changes nothing. Output: Docker's status per invitee (invited, existing_org_member, invalid_email_or_docker_id, ... passed through) with the invite when one was created, and counts by status. Never repeated after a server error, so nobody is invited twice.",
        scopes: [InviteEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"invitees": ["new.hire@example.com", "moby"], "team": "developers", "role": "member", "dry_run": true}"#,
        output: "{organization, dry_run, team, role, requested: [string], duplicates_removed: [string], results: [{invitee, status, invite?}], summary {total, by_status {status: count}}, meta}",
        run: invite_members, input: InviteMembersInput),
    action!("cancel-invite", "Cancel a pending invite",
        "Cancels a pending invite by its id (from list-invites), so it can no longer be accepted. Output: {cancelled: true, id}.",
        scopes: [InviteEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"id": "e36eca69-4cc8-4f17-9845-ae8c2b832600"}"#, output: "{id, cancelled: true, meta}",
        run: cancel_invite, input: InviteIdInput),
    action!("resend-invite", "Resend a pending invite",
        "Sends a pending invite's email again, by its id (from list-invites). Each call sends another email. Output: {resent: true, id}.",
        scopes: [InviteEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"id": "e36eca69-4cc8-4f17-9845-ae8c2b832600"}"#, output: "{id, resent: true, meta}",
        run: resend_invite, input: InviteIdInput),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn invitees_are_trimmed_and_deduplicated_ignoring_case() {
        let checked =
            check_invitees(&strings(&[" Jon@Example.com ", "moby", "jon@example.COM", "MOBY", "arya"])).unwrap();
        assert_eq!(checked.invitees, vec!["Jon@Example.com", "moby", "arya"]);
        assert_eq!(checked.duplicates, vec!["jon@example.COM", "MOBY"]);
    }

    #[test]
    fn emails_and_docker_ids_of_the_usual_shapes_pass() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "o'neil@example.ie",
            "josé@exämple.de",
            "invitee1DockerId",
            "jon_snow",
            "jon-snow",
            "ab",
        ] {
            assert!(check_invitees(&strings(&[ok])).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_invitees_are_refused_by_index() {
        for (bad, why) in [
            ("a b@example.com", "spaces"),
            ("a@example.com, b@example.com", "own array item"),
            ("jon/snow", "no \"/\""),
            ("jon\u{7}", "control characters"),
            ("@example.com", "email address needs"),
            ("jon@", "email address needs"),
            ("jon@localhost", "email address needs"),
            ("jon@@example.com", "email address needs"),
            ("jon@exa_mple.com", "email address needs"),
            (".jon@example.com", "email address needs"),
            ("x", "Docker ID is"),
            ("jon!", "Docker ID is"),
        ] {
            let e = check_invitees(&strings(&["moby", bad])).unwrap_err();
            assert!(e.message.starts_with("\"invitees[1]\""), "{bad}: {}", e.message);
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
        assert!(check_invitees(&strings(&["  "])).unwrap_err().message.contains("it is blank"));
    }

    #[test]
    fn the_list_must_hold_one_to_a_thousand_invitees() {
        assert!(check_invitees(&[]).unwrap_err().message.contains("at least one invitee"));
        let many: Vec<String> = (0..=MAX_INVITEES).map(|i| format!("user{i:04}")).collect();
        let e = check_invitees(&many).unwrap_err();
        assert!(e.message.contains("1001 different invitees") && e.message.contains("at most 1000"), "{}", e.message);
        let at_cap: Vec<String> = many.iter().take(MAX_INVITEES).cloned().chain([many[0].to_uppercase()]).collect();
        assert_eq!(check_invitees(&at_cap).unwrap().invitees.len(), MAX_INVITEES, "duplicates do not count");
    }
}
