//! `offboard-member`: remove a person from the organization (and so from every team) and cancel
//! their pending invites.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actions::address::person::{Person, resolve_member};
use crate::actions::address::team::all_teams;
use crate::actions::input::path_segment;
use crate::actions::invites::pending_invites;
use crate::actions::plan::{Plan, Words, WriteReport};
use crate::actions::{ActionSpec, Ctx};
use crate::api::invites::{self, Invite};
use crate::api::members::{self, Member, MemberQuery, Role, RoleName};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::output::Meta;

/// Input of `offboard-member`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OffboardInput {
    /// The member's Docker ID. Give this or `email`.
    pub username: Option<String>,
    /// The member's email (resolved exactly to one member; also finds invites sent to it).
    pub email: Option<String>,
    /// Return the plan without changing anything (default true).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = true)))]
    pub dry_run: Option<bool>,
    /// Also cancel pending invites for the same email or username (default true).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = true)))]
    pub cancel_invites: Option<bool>,
    /// Treat a person who is neither a member nor invited as already offboarded: `changed: false,
    /// found: false` instead of `not-found` (default false, so a mistyped email fails loudly).
    pub missing_ok: Option<bool>,
}

/// The output of `offboard-member`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OffboardOutput {
    /// The organization.
    pub organization: String,
    /// The person as given (username or email).
    pub person: String,
    /// The member found; null when the person is not a member (only invited, or already gone).
    pub member: Option<Member>,
    /// The teams the member is on (they leave all of them with the organization).
    pub teams: Vec<String>,
    /// The pending invites for the person's email or username.
    pub pending_invites: Vec<Invite>,
    /// Whether the member was (or in a dry run would be) removed.
    pub removes_member: bool,
    /// How many invites were (or would be) cancelled.
    pub invites_cancelled: usize,
    /// What changed and how (`changed: false`: nothing was left to offboard).
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// Refuses to offboard the only owner (Docker would refuse the removal).
fn refuse_last_owner(client: &Client, member: &Member) -> Result<()> {
    if !is_owner(member) {
        return Ok(());
    }
    let org = client.org();
    let owners = MemberQuery { role: Some(RoleName::core(Role::Owner)), ..MemberQuery::default() };
    let owners = client.fetch(&members::list_members(org, &owners, 1, 1))?;
    let count = owners.total().unwrap_or(owners.results.len() as u64);
    if count <= 1 {
        let username = &member.username;
        return Err(Error::conflict(format!(
            "\"{username}\" is the only owner of organization \"{org}\", and Docker Hub refuses to remove the last owner. \
Make another member an owner first (update-member-role), then offboard \"{username}\"."
        ))
        .with_detail(json!({ "username": username, "owners": count })));
    }
    Ok(())
}

/// `offboard-member`. Someone who is only invited has their invites cancelled; someone who is
/// neither a member nor invited any more is `changed: false`, so a repeated run succeeds.
pub fn offboard_member(ctx: &Ctx, input: OffboardInput) -> Result<OffboardOutput> {
    let person = Person::from_fields(ctx.action, "username", input.username.as_deref(), input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(true);
    let client = ctx.client()?;
    let org = client.org();
    let missing_ok = input.missing_ok.unwrap_or(false);
    // Nobody found is decided below, once the invites are known too (someone only invited is
    // offboarded by cancelling their invites); the near matches are kept for that error.
    let (member, near) = match resolve_member(&client, &person) {
        Ok(member) => (Some(member), None),
        Err(e) if e.kind == ErrorKind::NotFound && e.status.is_none() => {
            (None, e.detail.and_then(|d| d.get("near_matches").cloned()))
        }
        Err(e) => return Err(e),
    };
    let mut teams = Vec::new();
    let mut plan = Plan::new();
    if let Some(member) = &member {
        refuse_last_owner(&client, member)?;
        let username = path_segment(ctx.action, "username", Some(&member.username))?;
        teams = all_teams(&client, Some(&username))?.into_iter().map(|t| t.name).collect();
        add_removal(ctx.action, &mut plan, org, &member.username, teams.len())?;
    }
    let removes_member = !plan.is_empty();
    let invites: Vec<Invite> = if input.cancel_invites.unwrap_or(true) {
        invites_of(&pending_invites(&client)?, person.value(), member.as_ref())
    } else {
        Vec::new()
    };
    let invites_cancelled = add_cancellations(ctx.action, &mut plan, &invites)?;
    let shown = person.describe();
    if plan.is_empty() && !missing_ok {
        return Err(Error::not_found(format!(
            "Nobody with the {shown} is a member of organization \"{org}\" or has a pending invite there: nothing was \
offboarded. Check the spelling (the detail lists near matches); if the person is known to be gone already, pass \
missing_ok: true to treat that as done."
        ))
        .with_detail(json!({ "searched": person.value(), "near_matches": near.unwrap_or(json!([])) })));
    }
    plan.found(!plan.is_empty());
    let words = Words::new(
        format!(
            "Nobody with the {shown} is a member of organization \"{org}\" or has a pending invite (missing_ok): nothing to offboard."
        ),
        format!(
            "Dry run: {} request(s) would offboard the {shown}; nothing was changed. Run again with dry_run: false to carry it out.",
            plan.steps().len()
        ),
        if removes_member {
            format!(
                "The {shown} was removed from organization \"{org}\" and from {} team(s); {invites_cancelled} pending invite(s) cancelled.",
                teams.len()
            )
        } else {
            format!(
                "The {shown} was not a member of organization \"{org}\"; {invites_cancelled} pending invite(s) cancelled."
            )
        },
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(OffboardOutput {
        organization: org.to_string(),
        person: person.value().to_string(),
        member,
        teams,
        pending_invites: invites,
        removes_member,
        invites_cancelled,
        write: ran.report,
        meta: Meta::of(&client),
    })
}

/// Appends the removal of `username` from `org` (which takes them off their `teams` teams too).
pub(super) fn add_removal(action: &str, plan: &mut Plan, org: &str, username: &str, teams: usize) -> Result<()> {
    let username = path_segment(action, "username", Some(username))?;
    plan.add(
        &members::remove_member(org, &username),
        format!("remove \"{username}\" from organization \"{org}\" (this also takes them off {teams} team(s))"),
    );
    Ok(())
}

/// Whether Docker lists the member as an owner.
pub(super) fn is_owner(member: &Member) -> bool {
    member.role.as_deref() == Some("owner")
}

/// The pending invites sent to any name the person goes by: what the input gave, and the member's
/// username and email.
pub(super) fn invites_of(all: &[Invite], given: &str, member: Option<&Member>) -> Vec<Invite> {
    let names: Vec<&str> = [Some(given), member.map(|m| m.username.as_str())]
        .into_iter()
        .chain([member.and_then(|m| m.email.as_deref())])
        .flatten()
        .filter(|n| !n.is_empty())
        .collect();
    all.iter()
        .filter(|i| i.invitee.as_deref().is_some_and(|who| names.iter().any(|n| who.eq_ignore_ascii_case(n))))
        .cloned()
        .collect()
}

/// Appends the cancellation of each of `invites` to `plan`; returns how many were planned.
pub(super) fn add_cancellations(action: &str, plan: &mut Plan, invites: &[Invite]) -> Result<usize> {
    let mut planned = 0;
    for invite in invites {
        let Some(id) = invite.id.as_deref().filter(|id| !id.is_empty()) else { continue };
        let id = path_segment(action, "invite id", Some(id))?;
        let who = invite.invitee.clone().unwrap_or_default();
        // Just read from the invite list: gone at the write means cancelled or accepted meanwhile.
        plan.add(&invites::cancel_invite(&id), format!("cancel the pending invite {id} for \"{who}\""))
            .absent_is_done()
            .verify_with("list-invites");
        planned += 1;
    }
    Ok(planned)
}

/// The action's manifest entry.
pub const SPEC: ActionSpec = action!("offboard-member", "Offboard a member",
    "Use when someone leaves the organization (\"offboard jane@example.com\"): removes them and cancels their pending invites in one call; to only remove a membership use remove-member. Finds a person exactly (by username or email), lists their teams and the pending invites sent to their username or email, then removes them from the organization (which takes them off every team) and cancels those invites. Someone who is only invited has just the invites cancelled; someone with neither is not-found with the near matches, so a mistyped email fails loudly (with missing_ok: true: changed: false, found: false, which makes a repeated run safe). dry_run defaults to true and returns the plan, every request it would make, without changing anything. A real run reports each step and stops at the first failure, with what succeeded so far in the error's detail. The only owner is refused with a clear message.",
    scopes: [MemberRead, MemberEdit, GroupRead, InviteRead, InviteEdit], read_only: false, destructive: true, idempotent: true,
    example: r#"{"email": "ken.lovelace@example.com"}"#,
    run: offboard_member, input: OffboardInput, output: OffboardOutput);
