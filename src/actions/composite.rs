//! Composite workflows: offboarding a person, reconciling a team with a desired list, and an
//! access review of the whole organization.
//!
//! Each builds a plan of single requests from what it read, returns the plan as is on a dry run
//! (the default for the two that change things), and otherwise carries it out step by step,
//! stopping at the first failure with what succeeded so far in the error's detail.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ActionSpec;
use super::input::{parse, path_segment};
use super::members::{Person, resolve_member};
use crate::api::groups::{self, GroupMember, OrgGroup, Team};
use crate::api::invites::{self, InviteList, OrgInvite};
use crate::api::members::{self, Member, MemberQuery, OrgMember};
use crate::api::{ApiRequest, Page};
use crate::client::Client;
use crate::client::paging::{Chunk, DEFAULT_MAX_ITEMS, PageSpec, list_all_pages};
use crate::error::{Error, Result};
use crate::host::Host;

/// One request of a plan, with why it is made.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    /// 1-based position.
    pub step: usize,
    /// HTTP method.
    pub method: &'static str,
    /// Path and query.
    pub path: String,
    /// JSON body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// What it does, in words.
    pub why: String,
    #[serde(skip)]
    request: Option<ApiRequest>,
}

impl PlannedStep {
    fn new(step: usize, request: ApiRequest, why: String) -> Self {
        PlannedStep {
            step,
            method: request.method.as_str(),
            path: request.path_and_query(),
            body: request.body.clone(),
            why,
            request: Some(request),
        }
    }
}

/// Carries out `plan` in order; on the first failure, returns that error with the steps done, the
/// failed one and the ones not attempted in its detail.
fn execute(client: &Client, action: &str, plan: &[PlannedStep]) -> Result<Vec<Value>> {
    let mut done = Vec::new();
    for (i, step) in plan.iter().enumerate() {
        let Some(request) = &step.request else { continue };
        match client.send(request) {
            Ok(response) => done.push(json!({ "step": step.step, "method": step.method, "path": step.path, "why": step.why, "status": response.status })),
            Err(error) => {
                let succeeded = if done.is_empty() { "nothing was changed".to_string() } else { format!("steps 1 to {} succeeded", done.len()) };
                let message = format!(
                    "{action} stopped at step {} of {} ({} {}: {}); {succeeded}; nothing after it was attempted. {}",
                    step.step,
                    plan.len(),
                    step.method,
                    step.path,
                    step.why,
                    error.message
                );
                let detail = json!({
                    "completed": done,
                    "failed": { "step": step.step, "method": step.method, "path": step.path, "why": step.why, "error": error.kind_name() },
                    "not_attempted": plan[i + 1..].iter().map(|s| json!({ "step": s.step, "method": s.method, "path": s.path })).collect::<Vec<_>>(),
                });
                return Err(Error { message, detail: Some(detail), ..error });
            }
        }
    }
    Ok(done)
}

/// Every member of the organization (page_size 100, all pages).
fn roster(client: &Client, query: &MemberQuery) -> Result<Vec<Member>> {
    let org = client.org().to_string();
    let spec = PageSpec { start_page: 1, page_size: 100, max_items: DEFAULT_MAX_ITEMS };
    let build = |page: u32| members::list_members(&org, query, page, spec.page_size);
    let listing = list_all_pages(client, spec, &build, &Chunk::<OrgMember>::from_page)?;
    Ok(listing.items.into_iter().map(Member::from).collect())
}

fn all_teams(client: &Client, username: Option<&str>) -> Result<Vec<Team>> {
    let org = client.org().to_string();
    let spec = PageSpec { start_page: 1, page_size: 100, max_items: DEFAULT_MAX_ITEMS };
    let build = |page: u32| groups::list_groups(&org, None, username, page, spec.page_size);
    let listing = list_all_pages(client, spec, &build, &Chunk::<OrgGroup>::from_page)?;
    Ok(listing.items.into_iter().map(Team::from).collect())
}

fn pending_invites(client: &Client) -> Result<Vec<OrgInvite>> {
    let list: InviteList = client.send_json(&invites::list_invites(client.org()))?;
    Ok(list.data.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// offboard-member

/// Input of `offboard-member`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OffboardInput {
    /// The member's Docker ID (or give email).
    pub username: Option<String>,
    /// The member's email (resolved exactly to one member).
    pub email: Option<String>,
    /// Return the plan without changing anything (default true).
    pub dry_run: Option<bool>,
    /// Also cancel pending invites for the same email or username (default true).
    pub cancel_invites: Option<bool>,
}

/// `offboard-member`
pub fn offboard_member(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "offboard-member";
    let input: OffboardInput = parse(ACTION, input)?;
    let person = Person::from_fields(ACTION, "username", input.username.as_deref(), input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(true);
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let member = resolve_member(&client, &person)?;
    let username = path_segment(ACTION, "username", Some(&member.username))?;

    if member.role.as_deref() == Some("owner") {
        let owners: Page<OrgMember> = client.send_json(&members::list_members(
            &org,
            &MemberQuery { role: Some("owner".into()), ..MemberQuery::default() },
            1,
            1,
        ))?;
        let count = owners.count.filter(|c| c.is_finite()).map_or(owners.results.len() as u64, |c| c as u64);
        if count <= 1 {
            return Err(Error::conflict(format!(
                "\"{username}\" is the only owner of organization \"{org}\", and Docker Hub refuses to remove the last owner. \
Make another member an owner first (update-member-role), then offboard \"{username}\"."
            ))
            .with_detail(json!({ "username": username, "owners": count })));
        }
    }

    let teams = all_teams(&client, Some(&username))?;
    let invites: Vec<OrgInvite> = if input.cancel_invites.unwrap_or(true) {
        pending_invites(&client)?
            .into_iter()
            .filter(|i| {
                i.invitee.as_deref().is_some_and(|who| {
                    who.eq_ignore_ascii_case(&username)
                        || member.email.as_deref().is_some_and(|e| who.eq_ignore_ascii_case(e))
                })
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut plan = vec![PlannedStep::new(
        1,
        members::remove_member(&org, &username),
        format!("remove \"{username}\" from organization \"{org}\" (this also takes them off {} team(s))", teams.len()),
    )];
    for invite in &invites {
        let Some(id) = invite.id.as_deref().filter(|id| !id.is_empty()) else { continue };
        let id = path_segment(ACTION, "invite id", Some(id))?;
        let who = invite.invitee.clone().unwrap_or_default();
        plan.push(PlannedStep::new(
            plan.len() + 1,
            invites::cancel_invite(&id),
            format!("cancel the pending invite {id} for \"{who}\""),
        ));
    }

    let summary = json!({
        "organization": org,
        "dry_run": dry_run,
        "member": member,
        "teams": teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "pending_invites": invites.iter().map(|i| json!({ "id": i.id, "invitee": i.invitee, "team": i.team })).collect::<Vec<_>>(),
        "plan": plan,
    });
    let mut out = summary;
    if dry_run {
        out["message"] = json!(format!(
            "Dry run: {} request(s) would offboard \"{username}\"; nothing was changed. Run again with dry_run: false to carry it out.",
            plan.len()
        ));
    } else {
        let done = execute(&client, ACTION, &plan)?;
        out["completed"] = json!(done);
        out["removed"] = json!(true);
        out["invites_cancelled"] = json!(plan.len() - 1);
        out["message"] = json!(format!(
            "\"{username}\" was removed from organization \"{org}\" and from {} team(s); {} pending invite(s) cancelled.",
            teams.len(),
            plan.len() - 1
        ));
    }
    out["meta"] = client.meta();
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// reconcile-team

/// Input of `reconcile-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReconcileInput {
    /// The team's name.
    pub team: String,
    /// Who should be on the team: Docker IDs or emails of organization members.
    pub members: Vec<String>,
    /// Return the plan without changing anything (default true).
    pub dry_run: Option<bool>,
}

/// Most entries in a desired member list.
pub const MAX_DESIRED: usize = 5_000;

/// `reconcile-team`
pub fn reconcile_team(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "reconcile-team";
    let input: ReconcileInput = parse(ACTION, input)?;
    let team = path_segment(ACTION, "team", Some(&input.team))?;
    if input.members.len() > MAX_DESIRED {
        return Err(Error::invalid_input(format!(
            "\"members\" has {} entries; at most {MAX_DESIRED} are accepted.",
            input.members.len()
        )));
    }
    let mut desired_raw: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, entry) in input.members.iter().enumerate() {
        let entry = entry.trim();
        if entry.is_empty() || entry.chars().any(char::is_control) {
            return Err(Error::invalid_input(format!("\"members[{i}]\" is blank or has control characters.")));
        }
        if seen.insert(entry.to_lowercase()) {
            desired_raw.push(entry.to_string());
        }
    }
    let dry_run = input.dry_run.unwrap_or(true);
    let client = Client::connect(host)?;
    let org = client.org().to_string();

    let current = team_members(&client, &team)?;
    let everyone = roster(&client, &MemberQuery::default())?;
    let mut desired: BTreeMap<String, String> = BTreeMap::new();
    let mut unknown = Vec::new();
    for entry in &desired_raw {
        let found = everyone.iter().find(|m| {
            if entry.contains('@') {
                m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(entry))
            } else {
                m.username.eq_ignore_ascii_case(entry)
            }
        });
        match found {
            Some(m) => {
                desired.insert(m.username.to_lowercase(), m.username.clone());
            }
            None => unknown.push(entry.clone()),
        }
    }
    let current_names: BTreeMap<String, String> =
        current.iter().filter_map(|m| m.username.clone()).map(|u| (u.to_lowercase(), u)).collect();
    let to_add: Vec<String> =
        desired.iter().filter(|(k, _)| !current_names.contains_key(*k)).map(|(_, v)| v.clone()).collect();
    let to_remove: Vec<String> =
        current_names.iter().filter(|(k, _)| !desired.contains_key(*k)).map(|(_, v)| v.clone()).collect();

    let mut plan = Vec::new();
    for username in &to_add {
        let username = path_segment(ACTION, "members", Some(username))?;
        plan.push(PlannedStep::new(
            plan.len() + 1,
            groups::add_group_member(&org, &team, &username),
            format!("add \"{username}\" to team \"{team}\""),
        ));
    }
    for username in &to_remove {
        let username = path_segment(ACTION, "members", Some(username))?;
        plan.push(PlannedStep::new(
            plan.len() + 1,
            groups::remove_group_member(&org, &team, &username),
            format!("take \"{username}\" off team \"{team}\""),
        ));
    }
    let in_sync = plan.is_empty();
    let mut out = json!({
        "organization": org,
        "team": team,
        "dry_run": dry_run,
        "in_sync": in_sync,
        "to_add": to_add,
        "to_remove": to_remove,
        "unknown": unknown,
        "plan": plan,
    });
    let unknown_note = if unknown.is_empty() {
        String::new()
    } else {
        let (n, verb) = if unknown.len() == 1 {
            ("1 entry".to_string(), "is not an organization member")
        } else {
            (format!("{} entries", unknown.len()), "are not organization members")
        };
        format!(" {n} {verb} and left out (invite them first): {}.", unknown.join(", "))
    };
    if in_sync {
        out["changed"] = json!(false);
        out["members"] = json!(current_names.values().collect::<Vec<_>>());
        out["message"] =
            json!(format!("Team \"{team}\" already matches the desired list; nothing to change.{unknown_note}"));
    } else if dry_run {
        out["message"] = json!(format!(
            "Dry run: {} to add, {} to remove; nothing was changed. Run again with dry_run: false to apply.{unknown_note}",
            to_add.len(),
            to_remove.len()
        ));
    } else {
        let done = execute(&client, ACTION, &plan)?;
        let after = team_members(&client, &team)?;
        out["completed"] = json!(done);
        out["changed"] = json!(true);
        out["members"] = json!(after.iter().filter_map(|m| m.username.clone()).collect::<Vec<_>>());
        out["message"] = json!(format!(
            "Team \"{team}\" reconciled: {} added, {} removed.{unknown_note}",
            to_add.len(),
            to_remove.len()
        ));
    }
    out["meta"] = client.meta();
    Ok(out)
}

fn team_members(client: &Client, team: &str) -> Result<Vec<GroupMember>> {
    let org = client.org().to_string();
    let spec = PageSpec { start_page: 1, page_size: 100, max_items: DEFAULT_MAX_ITEMS };
    let build = |page: u32| groups::list_group_members(&org, team, None, page, spec.page_size);
    Ok(list_all_pages(client, spec, &build, &Chunk::<GroupMember>::from_page)?.items)
}

// ---------------------------------------------------------------------------------------------
// access-review

/// Input of `access-review`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessReviewInput {
    /// Members not seen for this many days are listed as inactive (default 90; needs the
    /// organization's insights fields).
    pub inactive_days: Option<u32>,
    /// Invites older than this many days are listed as stale (default 30).
    pub invite_age_days: Option<u32>,
    /// The moment to measure ages from (RFC 3339). Default: Docker Hub's own clock (the Date
    /// header of its answers).
    pub as_of: Option<String>,
}

fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value.trim(), &Rfc3339).ok()
}

fn age_days(then: &str, now: OffsetDateTime) -> Option<i64> {
    parse_time(then).map(|t| (now - t).whole_days())
}

/// `access-review`
pub fn access_review(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "access-review";
    let input: AccessReviewInput = parse(ACTION, input)?;
    let inactive_days = super::input::in_range("inactive_days", input.inactive_days.unwrap_or(90), 1, 3650)?;
    let invite_age_days = super::input::in_range("invite_age_days", input.invite_age_days.unwrap_or(30), 1, 3650)?;
    let given_now = match input.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(parse_time(text).ok_or_else(|| {
            Error::invalid_input(format!(
                "\"as_of\" must be an RFC 3339 date-time such as 2026-11-23T00:00:00Z (got \"{text}\")."
            ))
        })?),
        None => None,
    };
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let everyone = roster(&client, &MemberQuery::default())?;
    let invites = pending_invites(&client)?;
    let teams = all_teams(&client, None)?;
    let (now, now_source) = match given_now {
        Some(t) => (Some(t), "input"),
        None => match client.server_time().and_then(|s| OffsetDateTime::from_unix_timestamp(s as i64).ok()) {
            Some(t) => (Some(t), "docker_date_header"),
            None => (None, "unavailable"),
        },
    };

    let owners: Vec<&str> =
        everyone.iter().filter(|m| m.role.as_deref() == Some("owner")).map(|m| m.username.as_str()).collect();
    let guests: Vec<&str> = everyone.iter().filter(|m| m.is_guest).map(|m| m.username.as_str()).collect();
    let teamless: Vec<&str> = everyone.iter().filter(|m| m.groups.is_empty()).map(|m| m.username.as_str()).collect();
    let with_insights = everyone.iter().filter(|m| m.last_seen_at.is_some()).count();
    let inactive: Vec<Value> = match now {
        Some(now) => everyone
            .iter()
            .filter_map(|m| {
                let seen = m.last_seen_at.as_deref()?;
                let days = age_days(seen, now)?;
                (days >= i64::from(inactive_days))
                    .then(|| json!({ "username": m.username, "last_seen_at": seen, "days": days }))
            })
            .collect(),
        None => Vec::new(),
    };
    let stale: Vec<Value> = match now {
        Some(now) => invites
            .iter()
            .filter_map(|i| {
                let at = i.created_at.as_deref()?;
                let days = age_days(at, now)?;
                (days >= i64::from(invite_age_days))
                    .then(|| json!({ "id": i.id, "invitee": i.invitee, "created_at": at, "days": days }))
            })
            .collect(),
        None => Vec::new(),
    };
    let empty_teams: Vec<&str> = teams.iter().filter(|t| t.member_count == Some(0)).map(|t| t.name.as_str()).collect();
    let single_owner = owners.len() == 1;
    let findings =
        usize::from(single_owner) + guests.len() + teamless.len() + inactive.len() + stale.len() + empty_teams.len();
    let as_of = now.and_then(|t| t.format(&Rfc3339).ok());

    let markdown = review_markdown(&ReviewFigures {
        org: &org,
        as_of: as_of.as_deref(),
        members: everyone.len(),
        owners: &owners,
        guests: &guests,
        teamless: &teamless,
        inactive: &inactive,
        inactive_days,
        insights: with_insights > 0,
        stale: &stale,
        invite_age_days,
        empty_teams: &empty_teams,
        teams: teams.len(),
        invites: invites.len(),
    });
    Ok(json!({
        "organization": org,
        "as_of": as_of,
        "as_of_source": now_source,
        "members": everyone.len(),
        "teams": teams.len(),
        "pending_invites": invites.len(),
        "owners": { "count": owners.len(), "usernames": owners, "single_owner": single_owner },
        "guests": { "count": guests.len(), "usernames": guests },
        "members_without_team": { "count": teamless.len(), "usernames": teamless },
        "inactive": { "days": inactive_days, "insights_available": with_insights > 0, "members_with_insights": with_insights, "count": inactive.len(), "members": inactive },
        "stale_invites": { "days": invite_age_days, "count": stale.len(), "invites": stale },
        "empty_teams": { "count": empty_teams.len(), "teams": empty_teams },
        "findings": findings,
        "markdown": markdown,
        "meta": client.meta(),
    }))
}

struct ReviewFigures<'a> {
    org: &'a str,
    as_of: Option<&'a str>,
    members: usize,
    owners: &'a [&'a str],
    guests: &'a [&'a str],
    teamless: &'a [&'a str],
    inactive: &'a [Value],
    inactive_days: u32,
    insights: bool,
    stale: &'a [Value],
    invite_age_days: u32,
    empty_teams: &'a [&'a str],
    teams: usize,
    invites: usize,
}

/// Names, at most `limit` of them, then "and N more".
fn names(list: &[&str], limit: usize) -> String {
    let shown: Vec<String> = list.iter().take(limit).map(|n| format!("`{n}`")).collect();
    match list.len().saturating_sub(limit) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn review_markdown(f: &ReviewFigures) -> String {
    let mut md = format!("## Access review: {}\n\n", f.org);
    if let Some(at) = f.as_of {
        md.push_str(&format!("As of {at}. "));
    }
    md.push_str(&format!("{} members, {} teams, {} pending invites.\n\n", f.members, f.teams, f.invites));
    md.push_str("| Check | Result |\n|---|---|\n");
    let owner_note = if f.owners.len() == 1 { " ⚠️ only one owner" } else { "" };
    md.push_str(&format!("| Owners | {} ({}){owner_note} |\n", f.owners.len(), names(f.owners, 10)));
    md.push_str(&format!("| Guests | {} |\n", f.guests.len()));
    md.push_str(&format!("| Members with no team | {} |\n", f.teamless.len()));
    if f.insights {
        md.push_str(&format!("| Not seen for {}+ days | {} |\n", f.inactive_days, f.inactive.len()));
    } else {
        md.push_str("| Not seen recently | n/a (insights not visible for this organization) |\n");
    }
    md.push_str(&format!("| Invites older than {} days | {} |\n", f.invite_age_days, f.stale.len()));
    md.push_str(&format!("| Teams with no members | {} |\n", f.empty_teams.len()));
    if !f.guests.is_empty() {
        md.push_str(&format!("\n**Guests:** {}\n", names(f.guests, 20)));
    }
    if !f.teamless.is_empty() {
        md.push_str(&format!("\n**No team:** {}\n", names(f.teamless, 20)));
    }
    if !f.inactive.is_empty() {
        let list: Vec<&str> = f.inactive.iter().filter_map(|v| v["username"].as_str()).collect();
        md.push_str(&format!("\n**Inactive:** {}\n", names(&list, 20)));
    }
    if !f.stale.is_empty() {
        let list: Vec<&str> = f.stale.iter().filter_map(|v| v["invitee"].as_str()).collect();
        md.push_str(&format!("\n**Stale invites:** {}\n", names(&list, 20)));
    }
    if !f.empty_teams.is_empty() {
        md.push_str(&format!("\n**Empty teams:** {}\n", names(f.empty_teams, 20)));
    }
    md
}

/// The composite workflows.
pub static ACTIONS: &[ActionSpec] = &[
    action!("offboard-member", "Offboard a member",
        "Resolves a person exactly (by username or email), lists their teams and pending invites, then removes them from the organization (which takes them off every team) and cancels pending invites for the same email or username. dry_run defaults to true and returns the plan, every request it would make, without changing anything. A real run reports each step and stops at the first failure, with what succeeded so far in the error's detail. The only owner is refused with a clear message.",
        scopes: [MemberRead, MemberEdit, GroupRead, InviteRead, InviteEdit], read_only: false, destructive: true, idempotent: false,
        example: r#"{"email": "ken.lovelace@example.com"}"#, output: "{organization, dry_run, member: Member, teams: [string], pending_invites: [{id, invitee, team}], plan: [{step, method, path, body?, why}], message, completed?: [{step, method, path, why, status}], removed?, invites_cancelled?, meta}",
        run: offboard_member, input: OffboardInput),
    action!("reconcile-team", "Reconcile a team with a desired member list",
        "Compares a team's members (all pages) with a desired list of usernames or emails, reports people who are not organization members separately (they cannot be added: invite them first), and with dry_run: false adds and removes members, then returns the final membership. dry_run defaults to true. Idempotent: a second run finds nothing to change and says so.",
        scopes: [MemberRead, GroupRead, GroupEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"team": "qa", "members": ["kenlovelace", "ada.lovelace@example.com"]}"#, output: "{organization, team, dry_run, in_sync, to_add: [username], to_remove: [username], unknown: [entry], plan: [{step, method, path, body?, why}], message, changed?, members?: [username], completed?, meta}",
        run: reconcile_team, input: ReconcileInput),
    action!("access-review", "Organization access review",
        "One report over the whole organization: owners (and whether there is only one), guests, members with no team, members not seen for inactive_days (when the organization's insights fields are visible), invites older than invite_age_days, and teams with no members. Ages are measured from as_of, or from Docker Hub's own clock (the plugin has none). Output is JSON plus a Markdown summary a workflow can post as is.",
        scopes: [MemberRead, GroupRead, InviteRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"inactive_days": 90, "invite_age_days": 30}"#, output: "{organization, as_of, as_of_source (input|docker_date_header|unavailable), members, teams, pending_invites, owners {count, usernames, single_owner}, guests {count, usernames}, members_without_team {count, usernames}, inactive {days, insights_available, members_with_insights, count, members: [{username, last_seen_at, days}]}, stale_invites {days, count, invites: [{id, invitee, created_at, days}]}, empty_teams {count, teams}, findings, markdown, meta}",
        run: access_review, input: AccessReviewInput),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_whole_days_between_rfc3339_instants() {
        let now = parse_time("2026-11-23T00:00:00Z").unwrap();
        assert_eq!(age_days("2026-08-25T12:00:00.000000Z", now), Some(89));
        assert_eq!(age_days("not a date", now), None);
    }

    #[test]
    fn long_name_lists_are_shortened() {
        assert_eq!(names(&["a", "b", "c"], 2), "`a`, `b` and 1 more");
        assert_eq!(names(&["a"], 2), "`a`");
    }
}
