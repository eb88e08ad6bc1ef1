//! Invite actions: list-invites, invite-members, cancel-invite, resend-invite, and the validation of
//! invitees (emails or Docker IDs) before anything is sent.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::input::{given, path_segment};
use super::plan::{Plan, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::invites::{self, BulkInvite, Invite, InviteOutcome};
use crate::api::members::Role;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::Meta;

/// Most invitees one `invite-members` call sends (after removing duplicates).
pub const MAX_INVITEES: usize = 1_000;

/// Input of `list-invites`: no fields (Docker returns every pending invite at once).
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListInvitesInput {}

/// The output of `list-invites`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ListInvitesOutput {
    /// The organization.
    pub organization: String,
    /// How many invites are pending.
    pub count: usize,
    /// The pending invites.
    pub invites: Vec<Invite>,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// Every pending invite of the organization (Docker returns them all at once).
pub fn pending_invites(client: &Client) -> Result<Vec<Invite>> {
    let list = client.fetch(&invites::list_invites(client.org()))?;
    Ok(list.data.unwrap_or_default().into_iter().map(Invite::from).collect())
}

/// `list-invites`: the organization's pending invites.
pub fn list_invites(ctx: &Ctx, _input: ListInvitesInput) -> Result<ListInvitesOutput> {
    let client = ctx.client()?;
    let invites = pending_invites(&client)?;
    Ok(ListInvitesOutput {
        organization: client.org().to_string(),
        count: invites.len(),
        invites,
        meta: Meta::of(&client),
    })
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
    /// Validate only: Docker checks each invitee (its documented dry run changes nothing) and the
    /// output shows the request that would be sent (default false).
    pub dry_run: Option<bool>,
}

/// Counts of invitees by Docker's status.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InviteSummary {
    /// Invitees Docker answered for.
    pub total: usize,
    /// How many got each status (`invited`, `existing_org_member`, `invalid_email_or_docker_id`, ...).
    pub by_status: BTreeMap<String, u64>,
}

/// The output of `invite-members`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InviteMembersOutput {
    /// The organization.
    pub organization: String,
    /// The team the invitees join, if any.
    pub team: Option<String>,
    /// The role offered, if any.
    pub role: Option<Role>,
    /// The invitees sent, trimmed and deduplicated, in input order.
    pub requested: Vec<String>,
    /// Entries dropped as repeats of an earlier one (ignoring case).
    pub duplicates_removed: Vec<String>,
    /// Docker's status per invitee, with the invite when one was created.
    pub results: Vec<InviteOutcome>,
    /// Counts by status.
    pub summary: InviteSummary,
    /// What changed (`changed`: someone was, or in a dry run would be, invited) and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `invite-members`: one bulk invitation; Docker answers a status per invitee.
pub fn invite_members(ctx: &Ctx, input: InviteMembersInput) -> Result<InviteMembersOutput> {
    let checked = check_invitees(&input.invitees)?;
    let team = match input.team.as_deref() {
        Some(team) if given(Some(team)).is_none() => {
            return Err(Error::invalid_input(
                "\"team\" is blank: name a team of the organization, or leave the field out to invite to the organization only.",
            ));
        }
        Some(team) => Some(path_segment(ctx.action, "team", Some(team))?),
        None => None,
    };
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let bulk = |dry_run: Option<bool>| BulkInvite {
        team: team.clone(),
        role: input.role.map(|r| r.as_str().to_string()),
        invitees: checked.invitees.clone(),
        dry_run,
    };
    let invite = invites::bulk_invite(org, &bulk(None));
    let mut plan = Plan::new();
    plan.add(&invite, format!("invite {} people to organization \"{org}\"", checked.invitees.len()))
        .verify_with(format!("list-invites (the pending invites for {})", checked.invitees.join(", ")))
        .changes_when(invites::invited_anyone);
    // A POST: the client never repeats it after a 5xx or a broken connection (only after a 429,
    // which proves it was not carried out), so nobody is invited twice. A dry run asks Docker's own
    // validation (the body's `dry_run`, documented to change nothing) for each invitee's status.
    let preview = if dry_run { Some(client.fetch(&invites::bulk_invite(org, &bulk(Some(true))))?) } else { None };
    let words = Words::new(String::new(), String::new(), String::new());
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    let answer = match preview {
        Some(preview) => Some(preview),
        None => ran.answer(0, &invite),
    };
    let results: Vec<InviteOutcome> =
        answer.map(|a| a.results().into_iter().map(InviteOutcome::from).collect()).unwrap_or_default();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for result in &results {
        *by_status.entry(result.status.clone()).or_default() += 1;
    }
    let invited = by_status.get("invited").copied().unwrap_or(0);
    // The counts are known only from Docker's answer, so the words are written from it (whether
    // anything changed, the plan decided from the same answer).
    let mut write = ran.report;
    let n = results.len();
    let mut message = if dry_run {
        format!("Dry run: Docker Hub would invite {invited} of {n} invitees.")
    } else {
        format!("{invited} of {n} invitees were invited.")
    };
    if !write.warnings.is_empty() {
        message = format!("{message} Warning: {}", write.warnings.join(" "));
    }
    write.message = message;
    Ok(InviteMembersOutput {
        organization: org.to_string(),
        team,
        role: input.role,
        requested: checked.invitees,
        duplicates_removed: checked.duplicates,
        summary: InviteSummary { total: results.len(), by_status },
        results,
        write,
        meta: Meta::of(&client),
    })
}

/// Input of `cancel-invite` and `resend-invite`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteIdInput {
    /// The invite's id (a UUID, as list-invites shows it).
    pub id: String,
    /// Read and check only: report the request that would be sent, send nothing (default false).
    pub dry_run: Option<bool>,
    /// Treat an invite that is not pending (cancelled, accepted, never sent) as done: `changed:
    /// false, found: false` instead of `not-found` (default false, so a wrong id fails loudly).
    pub missing_ok: Option<bool>,
}

/// An invite id as Docker forms it: a UUID (`8-4-4-4-12` hexadecimal digits), checked before
/// anything is sent.
fn invite_id(action: &str, raw: &str) -> Result<String> {
    let id = path_segment(action, "id", Some(raw))?;
    let groups: Vec<&str> = id.split('-').collect();
    let shape = [8, 4, 4, 4, 12];
    let is_uuid = groups.len() == shape.len()
        && groups.iter().zip(shape).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if !is_uuid {
        return Err(Error::invalid_input(format!(
            "\"id\" must be an invite id as list-invites shows it, a UUID such as \
\"e36eca69-4cc8-4f17-9845-ae8c2b832600\" (got \"{}\"). Nothing was sent.",
            id.escape_debug()
        ))
        .with_detail(serde_json::json!({ "field": "id", "expected": "a UUID (8-4-4-4-12 hexadecimal digits)" })));
    }
    Ok(id)
}

/// The pending invite `id`, read from the invite list; none is `not-found` (what was searched),
/// unless `missing_ok`.
fn pending_invite(client: &Client, id: &str, missing_ok: bool) -> Result<Option<Invite>> {
    match find_invite(client, id)? {
        Some(invite) => Ok(Some(invite)),
        None if missing_ok => Ok(None),
        None => Err(invite_missing(client.org(), id)),
    }
}

/// The not-found of an invite that is not pending.
fn invite_missing(org: &str, id: &str) -> Error {
    Error::not_found(format!(
        "No pending invite of organization \"{org}\" has id {id} (it may have been cancelled or accepted): nothing \
was changed. list-invites shows the pending ids; if the invite is known to be gone already, pass missing_ok: true to \
treat that as done."
    ))
    .with_detail(serde_json::json!({ "searched": id }))
}

/// The output of `cancel-invite` and `resend-invite`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InviteWriteOutput {
    /// The organization.
    pub organization: String,
    /// The invite's id.
    pub id: String,
    /// The invite as list-invites showed it: read in a dry run only (a real run writes straight
    /// away and Docker's answer says whether it was pending), so absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite: Option<Invite>,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `cancel-invite`: `DELETE` the pending invite. An invite that is not pending is `not-found`,
/// unless `missing_ok`.
pub fn cancel_invite(ctx: &Ctx, input: InviteIdInput) -> Result<InviteWriteOutput> {
    invite_write(ctx, input, InviteWrite::Cancel)
}

/// `resend-invite`: send the invitation email again. Not idempotent: each call sends an email.
pub fn resend_invite(ctx: &Ctx, input: InviteIdInput) -> Result<InviteWriteOutput> {
    invite_write(ctx, input, InviteWrite::Resend)
}

/// The two writes to one pending invite.
#[derive(Clone, Copy)]
enum InviteWrite {
    Cancel,
    Resend,
}

/// Cancels or resends invite `input.id`. A real run writes straight away (Docker's 404 says the
/// invite is not pending); a dry run reads the invite list first.
fn invite_write(ctx: &Ctx, input: InviteIdInput, write: InviteWrite) -> Result<InviteWriteOutput> {
    let id = invite_id(ctx.action, &input.id)?;
    let dry_run = input.dry_run.unwrap_or(false);
    let missing_ok = input.missing_ok.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let invite = if dry_run { pending_invite(&client, &id, missing_ok)? } else { None };
    let (endpoint, why, verb) = match write {
        InviteWrite::Cancel => (invites::cancel_invite(&id), format!("cancel the pending invite {id}"), "cancelled"),
        InviteWrite::Resend => (invites::resend_invite(&id), format!("send the invite {id} again"), "sent again"),
    };
    let mut plan = Plan::new();
    if dry_run && invite.is_none() {
        plan.found(false);
    } else {
        let step = plan.add(&endpoint, why);
        step.verify_with("list-invites (whether the invite is still pending)");
        if missing_ok {
            step.absent_is_done();
        } else {
            step.missing_is(invite_missing(org, &id));
        }
    }
    let words = Words::new(
        format!("No pending invite of organization \"{org}\" has id {id} (missing_ok): nothing to do."),
        format!("Dry run: the invite {id} would be {verb}."),
        format!("The invite {id} was {verb}."),
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(InviteWriteOutput { organization: org.to_string(), id, invite, write: ran.report, meta: Meta::of(&client) })
}

/// The pending invite with `id`, if there is one.
fn find_invite(client: &Client, id: &str) -> Result<Option<Invite>> {
    Ok(pending_invites(client)?.into_iter().find(|i| i.id.as_deref() == Some(id)))
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
        )
        .with_detail(serde_json::json!({ "field": "/invitees", "expected": "a list of 1 to 1000 invitees" })));
    }
    if checked.invitees.len() > MAX_INVITEES {
        return Err(Error::invalid_input(format!(
            "\"invitees\" holds {} different invitees; at most {MAX_INVITEES} are sent at once. Split the list over several calls.",
            checked.invitees.len()
        )));
    }
    Ok(checked)
}

/// What an invitee is, in words (an error's `detail.expected`).
const INVITEE_EXPECTED: &str =
    "an email address (name@example.com) or a Docker ID (2 to 64 letters, digits, \"-\", \"_\" or \".\")";

/// Checks one trimmed invitee: an email address when it has an `@`, a Docker ID otherwise.
fn check_invitee(index: usize, invitee: &str) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::invalid_input(format!(
            "\"invitees[{index}]\" ({invitee:?}) is neither an email address nor a Docker ID: {why}."
        ))
        .with_detail(serde_json::json!({ "field": format!("/invitees/{index}"), "expected": INVITEE_EXPECTED })))
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
        "Lists the organization's pending invites (Docker returns them all at once; only owners may list them). Output: invites (Invite: id for cancel-invite and resend-invite, invitee as email or Docker ID, inviter, team, role when Docker includes it, created_at) and count.",
        scopes: [InviteRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: list_invites, input: ListInvitesInput, output: ListInvitesOutput),
    action!("invite-members", "Invite people to the organization",
        "Invites people by email or Docker ID in one bulk request, optionally onto a team and with a role (owner, editor, member). Invitees are trimmed, checked (an email must look like one; a Docker ID is letters, digits, -, _ or .) and deduplicated ignoring case, 1 to 1000 per call. With dry_run, Docker validates each invitee and changes nothing. Output: Docker's status per invitee (invited, existing_org_member, invalid_email_or_docker_id, ... passed through) with the invite when one was created, counts by status, and changed when anyone was invited. Never repeated after a server error, so nobody is invited twice.",
        scopes: [InviteEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"invitees": ["new.hire@example.com", "moby"], "team": "developers", "role": "member", "dry_run": true}"#,
        run: invite_members, input: InviteMembersInput, output: InviteMembersOutput),
    action!("cancel-invite", "Cancel a pending invite",
        "Cancels a pending invite by its id (a UUID, from list-invites; any other form is invalid-input and nothing is sent), so it can no longer be accepted. An invite that is not pending (cancelled, accepted, never sent) is not-found; with missing_ok: true it is changed: false, found: false, which makes a re-run safe. dry_run reads the invite list and returns the request it would send.",
        scopes: [InviteEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"id": "e36eca69-4cc8-4f17-9845-ae8c2b832600"}"#,
        run: cancel_invite, input: InviteIdInput, output: InviteWriteOutput),
    action!("resend-invite", "Resend a pending invite",
        "Sends a pending invite's email again, by its id (a UUID, from list-invites; any other form is invalid-input and nothing is sent). An invite that is not pending is not-found (with missing_ok: true: changed: false, found: false). Each call sends another email, so it is not idempotent. dry_run checks the invite exists and returns the request it would send.",
        scopes: [InviteEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"id": "e36eca69-4cc8-4f17-9845-ae8c2b832600"}"#,
        run: resend_invite, input: InviteIdInput, output: InviteWriteOutput),
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
