//! Invite actions: list-invites, invite-members, cancel-invite, resend-invite, and the validation of
//! invitees (emails or Docker IDs) before anything is sent.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::input::{given, path_segment, required_text};
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

/// Input of `cancel-invite` and `resend-invite`: the invite by `id`, or by whom it was sent to
/// (`email` or `username`); exactly one of the three.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteIdInput {
    /// The invite's id (a UUID, as list-invites shows it). Give this, `email` or `username`.
    pub id: Option<String>,
    /// The email the invite was sent to (exact match among the pending invites, ignoring case;
    /// never a near match). Give this, `id` or `username`.
    pub email: Option<String>,
    /// The Docker ID the invite was sent to (exact match among the pending invites, ignoring case).
    /// Give this, `id` or `email`.
    pub username: Option<String>,
    /// Read and check only: report the request that would be sent, send nothing (default false).
    pub dry_run: Option<bool>,
    /// Treat an invite that is not pending (cancelled, accepted, never sent) as done: `changed:
    /// false, found: false` instead of `not-found` (default false, so a wrong id fails loudly).
    pub missing_ok: Option<bool>,
}

/// Which pending invite an input names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum InviteTarget {
    /// By its id (checked to be a UUID).
    Id(String),
    /// By the invitee it was sent to: the input field (`email` or `username`) and its value.
    Invitee(&'static str, String),
}

impl InviteTarget {
    /// `id 4398…`, `email "a@x.example"`, for messages.
    fn describe(&self) -> String {
        match self {
            InviteTarget::Id(id) => format!("id {id}"),
            InviteTarget::Invitee(field, value) => format!("{field} \"{value}\""),
        }
    }
}

/// The invite `input` names: exactly one of `id`, `email` and `username` (blank counts as not
/// given); an email must look like one, a username must not.
fn invite_target(action: &str, input: &InviteIdInput) -> Result<InviteTarget> {
    let given_fields: Vec<(&'static str, &str)> =
        [("id", input.id.as_deref()), ("email", input.email.as_deref()), ("username", input.username.as_deref())]
            .into_iter()
            .filter_map(|(field, value)| given(value).map(|v| (field, v)))
            .collect();
    match given_fields.as_slice() {
        [("id", id)] => Ok(InviteTarget::Id(invite_id(action, id)?)),
        [("email", email)] if !email.contains('@') => Err(Error::invalid_input(format!(
            "\"email\" must be an email address (got \"{}\"); for an invite sent to a Docker ID use \"username\".",
            email.escape_debug()
        ))),
        [("username", username)] if username.contains('@') => Err(Error::invalid_input(format!(
            "\"username\" is a Docker ID, not an email address (got \"{}\"); for an invite sent to an email use \
\"email\".",
            username.escape_debug()
        ))),
        [(field, value)] => Ok(InviteTarget::Invitee(field, required_text(action, field, Some(value))?)),
        [] => Err(Error::invalid_input(format!(
            "{action} needs \"id\", \"email\" or \"username\" (exactly one): the invite's id as list-invites shows it, \
or the email or Docker ID it was sent to."
        ))),
        many => Err(Error::invalid_input(format!(
            "{action} takes exactly one of \"id\", \"email\" and \"username\", not {}.",
            many.iter().map(|(f, _)| format!("\"{f}\"")).collect::<Vec<_>>().join(" and ")
        ))),
    }
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

/// The pending invite `target` names, read from the invite list: by id, or the one invite whose
/// invitee is exactly the email or username (ignoring case; never a near match). None is
/// `not-found` (what was searched), unless `missing_ok`; several sent to the same invitee are a
/// `conflict` listing their ids.
fn pending_invite(client: &Client, target: &InviteTarget, missing_ok: bool) -> Result<Option<Invite>> {
    let pending = pending_invites(client)?;
    let mut matching: Vec<Invite> = match target {
        InviteTarget::Id(id) => pending.into_iter().filter(|i| i.id.as_deref() == Some(id.as_str())).collect(),
        InviteTarget::Invitee(_, value) => {
            let wanted = value.to_lowercase();
            pending
                .into_iter()
                .filter(|i| i.invitee.as_deref().is_some_and(|v| v.trim().to_lowercase() == wanted))
                .collect()
        }
    };
    match matching.len() {
        0 if missing_ok => Ok(None),
        0 => Err(invite_missing(client.org(), target)),
        1 => Ok(matching.pop()),
        n => {
            let ids: Vec<&str> = matching.iter().filter_map(|i| i.id.as_deref()).collect();
            Err(Error::conflict(format!(
                "{n} pending invites of organization \"{}\" were sent to {}: {}. Nothing was changed; give the one \
meant as \"id\".",
                client.org(),
                target.describe(),
                ids.join(", ")
            ))
            .with_detail(serde_json::json!({ "searched": target.describe(), "candidates": ids })))
        }
    }
}

/// The not-found of an invite that is not pending.
fn invite_missing(org: &str, target: &InviteTarget) -> Error {
    let (what, searched) = match target {
        InviteTarget::Id(id) => (format!("has id {id}"), id.clone()),
        InviteTarget::Invitee(field, value) => {
            (format!("was sent to {field} \"{value}\" (exact match, ignoring case)"), value.clone())
        }
    };
    Error::not_found(format!(
        "No pending invite of organization \"{org}\" {what} (it may have been cancelled or accepted): nothing \
was changed. list-invites shows the pending invites; if the invite is known to be gone already, pass missing_ok: true \
to treat that as done."
    ))
    .with_detail(serde_json::json!({ "searched": searched }))
}

/// The output of `cancel-invite` and `resend-invite`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InviteWriteOutput {
    /// The organization.
    pub organization: String,
    /// The invite's id (null when none was found by email or username, with missing_ok).
    pub id: Option<String>,
    /// The invite as list-invites showed it: read in a dry run or when found by email or
    /// username; absent otherwise (a real run by id writes straight away, and Docker's answer says
    /// whether it was pending).
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

/// Cancels or resends the invite `input` names. By id, a real run writes straight away (Docker's
/// 404 says the invite is not pending) and a dry run reads the invite list first; by email or
/// username, the invite list is read first either way to find its id.
fn invite_write(ctx: &Ctx, input: InviteIdInput, write: InviteWrite) -> Result<InviteWriteOutput> {
    let target = invite_target(ctx.action, &input)?;
    let dry_run = input.dry_run.unwrap_or(false);
    let missing_ok = input.missing_ok.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let reads_first = dry_run || !matches!(target, InviteTarget::Id(_));
    let invite = if reads_first { pending_invite(&client, &target, missing_ok)? } else { None };
    let id = match &target {
        InviteTarget::Id(id) => Some(id.clone()),
        InviteTarget::Invitee(..) => invite.as_ref().and_then(|i| i.id.clone()),
    };
    // Found, but Docker's listing gave it no id to write to: that is not "nothing to do".
    if invite.is_some() && id.is_none() {
        return Err(Error::invalid_response(format!(
            "Docker Hub lists a pending invite of organization \"{org}\" sent to {}, but without an id, so it \
cannot be {}: nothing was changed.",
            target.describe(),
            match write {
                InviteWrite::Cancel => "cancelled",
                InviteWrite::Resend => "sent again",
            }
        )));
    }
    let mut plan = Plan::new();
    let what = match &id {
        Some(id) => format!("invite {id}"),
        None => format!("invite sent to {}", target.describe()),
    };
    let verb = match write {
        InviteWrite::Cancel => "cancelled",
        InviteWrite::Resend => "sent again",
    };
    match id.as_deref() {
        Some(id) if !(reads_first && invite.is_none()) => {
            let (endpoint, why) = match write {
                InviteWrite::Cancel => (invites::cancel_invite(id), format!("cancel the pending invite {id}")),
                InviteWrite::Resend => (invites::resend_invite(id), format!("send the invite {id} again")),
            };
            let step = plan.add(&endpoint, why);
            step.verify_with("list-invites (whether the invite is still pending)");
            if missing_ok {
                step.absent_is_done();
            } else {
                step.missing_is(invite_missing(org, &InviteTarget::Id(id.to_string())));
            }
        }
        _ => plan.found(false),
    }
    let words = Words::new(
        format!(
            "No pending invite of organization \"{org}\" matches {} (missing_ok): nothing to do.",
            target.describe()
        ),
        format!("Dry run: the {what} would be {verb}."),
        format!("The {what} was {verb}."),
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(InviteWriteOutput { organization: org.to_string(), id, invite, write: ran.report, meta: Meta::of(&client) })
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
        run: list_invites, input: ListInvitesInput, output: ListInvitesOutput, listing: true),
    action!("invite-members", "Invite people to the organization",
        "Invites people by email or Docker ID in one bulk request, optionally onto a team and with a role (owner, editor, member). Invitees are trimmed, checked (an email must look like one; a Docker ID is letters, digits, -, _ or .) and deduplicated ignoring case, 1 to 1000 per call. With dry_run, Docker validates each invitee and changes nothing. Output: Docker's status per invitee (invited, existing_org_member, invalid_email_or_docker_id, ... passed through) with the invite when one was created, counts by status, and changed when anyone was invited. Never repeated after a server error, so nobody is invited twice.",
        scopes: [InviteEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"invitees": ["new.hire@example.com", "moby"], "team": "developers", "role": "member", "dry_run": true}"#,
        run: invite_members, input: InviteMembersInput, output: InviteMembersOutput),
    action!("cancel-invite", "Cancel a pending invite",
        "Cancels a pending invite, so it can no longer be accepted. The invite is given by its id (a UUID, from list-invites; any other form is invalid-input and nothing is sent), or by the email or Docker ID it was sent to (email or username: exactly one of the three), matched exactly among the pending invites, ignoring case, never a near match; several invites to the same person are a conflict listing their ids. An invite that is not pending (cancelled, accepted, never sent) is not-found; with missing_ok: true it is changed: false, found: false, which makes a re-run safe. dry_run reads the invite list and returns the request it would send.",
        scopes: [InviteEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"id": "e36eca69-4cc8-4f17-9845-ae8c2b832600"}"#,
        run: cancel_invite, input: InviteIdInput, output: InviteWriteOutput),
    action!("resend-invite", "Resend a pending invite",
        "Sends a pending invite's email again. The invite is given by its id (a UUID, from list-invites; any other form is invalid-input and nothing is sent), or by the email or Docker ID it was sent to (email or username: exactly one of the three), matched exactly among the pending invites. An invite that is not pending is not-found (with missing_ok: true: changed: false, found: false). Each call sends another email, so it is not idempotent. dry_run checks the invite exists and returns the request it would send.",
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

    fn target(id: Option<&str>, email: Option<&str>, username: Option<&str>) -> Result<InviteTarget> {
        let input = InviteIdInput {
            id: id.map(String::from),
            email: email.map(String::from),
            username: username.map(String::from),
            dry_run: None,
            missing_ok: None,
        };
        invite_target("cancel-invite", &input)
    }

    #[test]
    fn an_invite_is_named_by_exactly_one_of_id_email_and_username() {
        let uuid = "e36eca69-4cc8-4f17-9845-ae8c2b832600";
        assert_eq!(target(Some(uuid), None, Some(" ")).unwrap(), InviteTarget::Id(uuid.into()));
        assert_eq!(
            target(None, Some(" Jane@Corp.example "), None).unwrap(),
            InviteTarget::Invitee("email", "Jane@Corp.example".into())
        );
        assert_eq!(target(None, None, Some("moby")).unwrap(), InviteTarget::Invitee("username", "moby".into()));
        let none = target(None, Some(""), None).unwrap_err();
        assert!(none.message.starts_with("cancel-invite needs \"id\", \"email\" or \"username\""), "{}", none.message);
        let two = target(Some(uuid), Some("a@b.example"), None).unwrap_err();
        assert!(
            two.message.contains("exactly one of") && two.message.contains("not \"id\" and \"email\""),
            "{}",
            two.message
        );
        assert!(target(None, Some("moby"), None).unwrap_err().message.contains("use \"username\""));
        assert!(target(None, None, Some("a@b.example")).unwrap_err().message.contains("use \"email\""));
        assert!(target(Some("nope"), None, None).unwrap_err().message.contains("must be an invite id"));
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
