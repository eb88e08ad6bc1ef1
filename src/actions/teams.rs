//! Team (Docker Hub "group") actions: list, create, get, update and delete teams, and list, add
//! and remove a team's members.
//!
//! A team is named by `team` or `team_id` ([`super::address::team`]). Names are percent-encoded
//! path segments, so any existing name can be addressed; new names (create, rename) are held to
//! stricter rules ([`new_team_name`]).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::address::person::{Person, find_member_or_missing, resolve_member};
use super::address::team::{TeamId, TeamSelector, new_team_name};
use super::input::{given, optional_text, path_segment};
use super::paging::write_listing;
use super::plan::{Plan, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::Refusal;
use crate::api::groups::{self, GroupChange, Team};
use crate::api::members::{Member, RoleName};
use crate::error::{Error, ErrorKind, Result};
use crate::output::{Meta, ObjectWriter, Output};

/// The conflict error for a team name already in use.
fn name_taken(org: &str, name: &str, error: Error) -> Error {
    Error {
        kind: ErrorKind::Conflict,
        message: format!(
            "A team named \"{name}\" already exists in organization \"{org}\"; choose another name, or use get-team to read the existing team. ({})",
            error.message
        ),
        detail: Some(json!({ "team": name })),
        ..error
    }
}

listing_input! {
    /// Input of `list-teams`.
    pub struct ListTeamsInput {
        /// Search term matched against team names.
        pub search: Option<String>,
        /// Only the teams this member (Docker ID) belongs to.
        pub username: Option<String>,
    }
    items: TeamListing::ITEMS, noun: "teams", per_page: "Items", default_size: 10,
    all_pages: "Follow every page (bounded by max_items).", each: "item"
}

listing_output! {
    /// The output of `list-teams` (written page by page; this type gives its schema).
    pub struct TeamListing {
        /// The organization.
        pub organization: String,
    }
    /// The teams, in Docker's order.
    items teams: Team,
}

/// `list-teams`: one page of teams, or every page.
pub fn list_teams(ctx: &Ctx, mut input: ListTeamsInput) -> Result<Output> {
    let paging = input.paging(ctx.action)?;
    let search = optional_text("search", input.search.as_deref())?;
    let username = match given(input.username.as_deref()) {
        Some(u) => Some(path_segment(ctx.action, "username", Some(u))?),
        None => None,
    };
    let client = ctx.client()?;
    let org = client.org();
    let size = paging.spec.page_size;
    let page = |number: u32| groups::list_groups(org, search.as_deref(), username.as_deref(), number, size);
    let mut out = ObjectWriter::new();
    out.field("organization", org)?;
    write_listing(out, TeamListing::ITEMS, &client, paging, &page, Team::from)
}

/// Input of `create-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTeamInput {
    /// The new team's name (required; no "/"). Docker documents no other rule and applies its own.
    pub team: String,
    /// What the team is for.
    pub description: Option<String>,
    /// Give the new team this organization role: owner, editor, member or a custom role's name.
    /// Docker assigns a team's role with a `PATCH` only, so it is a second request after the
    /// create.
    pub role: Option<RoleName>,
    /// Check only: report the request that would be sent, create nothing (default false).
    pub dry_run: Option<bool>,
}

/// The output of `create-team`, and of the other actions that show one team.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TeamWriteOutput {
    /// The organization.
    pub organization: String,
    /// The team as Docker Hub answered it (null in a dry run or when nothing was sent).
    pub team: Option<Team>,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `create-team`. Not idempotent: a second call finds the name taken (`conflict`).
pub fn create_team(ctx: &Ctx, input: CreateTeamInput) -> Result<TeamWriteOutput> {
    let name = new_team_name(ctx.action, "team", &input.team)?;
    let description = input.description.map(|d| d.trim().to_string());
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let create = groups::create_group(org, &name, description.as_deref());
    let mut plan = Plan::new();
    plan.add(&create, format!("create team \"{name}\"")).verify_with(format!("get-team {{\"team\": \"{name}\"}}"));
    // docker/docs PR 25996: a team's role is assigned with PATCH only, never in the create.
    let assign = input.role.as_ref().map(|role| {
        let change = GroupChange { role: Some(role.clone()), ..GroupChange::default() };
        (groups::update_group(org, &name, &change), role.as_str().to_string())
    });
    if let Some((assign, role)) = &assign {
        plan.add(assign, format!("give team \"{name}\" the role \"{role}\""))
            .verify_with(format!("get-team {{\"team\": \"{name}\"}} (its role)"));
    }
    let refused = |_: &Refusal, e: Error| name_taken(org, &name, e);
    let words = Words {
        refused: Some(&refused),
        ..Words::new(
            String::new(),
            format!("Dry run: team \"{name}\" would be created."),
            format!("Team \"{name}\" was created."),
        )
    };
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    let assigned = match &assign {
        Some((assign, _)) if ran.did(1) => ran.answer(1, assign),
        _ => None,
    };
    let role_answered = assigned.is_some();
    let team = match assigned.or_else(|| ran.answer(0, &create)) {
        Some(created) => Some(Team::from(created)),
        // Created, but the answer did not say as what: one read gives the id the output promises.
        None if ran.did(0) => TeamSelector::Name(name.clone()).find(&client).ok().flatten(),
        None => None,
    };
    let role_sent = ran.did(1);
    let mut write = ran.report;
    if let (Some(role), true) = (&input.role, role_sent) {
        let answered = if role_answered { team.as_ref() } else { None };
        if let Some(warning) = role_not_shown(&name, role, answered) {
            write.warn(warning);
        }
    }
    Ok(TeamWriteOutput { organization: org.to_string(), team, write, meta: Meta::of(&client) })
}

/// A warning when Docker's answer to a role assignment that was carried out does not show the team
/// with the role asked for. Docker answers the `PATCH` 200 either way, so its answer is the only
/// evidence the role took (docker/docs PR 25996 documents the assignment; an API that ignores the
/// field would answer 200 all the same).
pub(crate) fn role_not_shown(team: &str, asked: &RoleName, answered: Option<&Team>) -> Option<String> {
    let shown = answered.and_then(|t| t.role.as_deref());
    match shown {
        Some(role) if role.eq_ignore_ascii_case(asked.as_str()) => None,
        Some(role) => Some(format!(
            "Docker Hub answered the role assignment with team \"{team}\" holding the role \"{role}\", not \"{}\": \
get-team shows what holds.",
            asked.as_str()
        )),
        None => Some(format!(
            "Docker Hub's answer does not show team \"{team}\"'s role, so the plugin cannot tell that \"{}\" took \
effect: get-team shows what holds.",
            asked.as_str()
        )),
    }
}

/// Input of `get-team`: exactly one of `team` and `team_id`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GetTeamInput {
    /// The team's name.
    pub team: Option<String>,
    /// The team's numeric id (found by walking the team list: Docker cannot read a team by id).
    pub team_id: Option<TeamId>,
}

/// The output of `get-team`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct GetTeamOutput {
    /// The organization.
    pub organization: String,
    /// Which input field found the team: `team` or `team_id`.
    pub resolved_by: &'static str,
    /// The team.
    pub team: Team,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `get-team`: by name (one request), or by numeric id (through the team list).
pub fn get_team(ctx: &Ctx, input: GetTeamInput) -> Result<GetTeamOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let client = ctx.client()?;
    let team = selector.read(&client)?;
    Ok(GetTeamOutput {
        organization: client.org().to_string(),
        resolved_by: selector.field(),
        team,
        meta: Meta::of(&client),
    })
}

/// Input of `update-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
// Something to change: `new_name`, `description` or `role` (null is not given; "" clears the
// description).
#[cfg_attr(not(target_arch = "wasm32"), schemars(extend("anyOf" = [
    { "required": ["new_name"], "properties": { "new_name": { "not": { "type": "null" } } } },
    { "required": ["description"], "properties": { "description": { "not": { "type": "null" } } } },
    { "required": ["role"], "properties": { "role": { "not": { "type": "null" } } } }
])))]
#[serde(deny_unknown_fields)]
pub struct UpdateTeamInput {
    /// The team's current name. Give this or `team_id`.
    pub team: Option<String>,
    /// The team's numeric id. Give this or `team`.
    pub team_id: Option<TeamId>,
    /// Rename the team to this (no "/"). Docker documents no other rule and applies its own.
    pub new_name: Option<String>,
    /// Replace the description with this ("" clears it).
    pub description: Option<String>,
    /// Give the team this organization role: owner, editor, member or a custom role's name (sent
    /// in a `PATCH`, the only way Docker assigns one).
    pub role: Option<RoleName>,
    /// Read and check only: report the request that would be sent, change nothing (default false).
    pub dry_run: Option<bool>,
}

/// `update-team`: reads the team, then sends only the fields that differ (PATCH with one field,
/// PUT when both change). When the team is already as asked — including a rename that was already
/// carried out — nothing is sent and the output says `changed: false`.
pub fn update_team(ctx: &Ctx, input: UpdateTeamInput) -> Result<TeamWriteOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let new_name = match input.new_name.as_deref() {
        Some(n) => Some(new_team_name(ctx.action, "new_name", n)?),
        None => None,
    };
    let description = input.description.map(|d| d.trim().to_string());
    if new_name.is_none() && description.is_none() && input.role.is_none() {
        return Err(Error::invalid_input(
            "update-team has nothing to change: give \"new_name\", \"description\" and/or \"role\".",
        ));
    }
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let current = match (selector.read(&client), &new_name) {
        (Ok(team), _) => team,
        // The old name is gone: a rename that was already carried out leaves the team under its new name.
        (Err(missing), Some(new)) if missing.kind == ErrorKind::NotFound => {
            TeamSelector::Name(new.clone()).find(&client)?.ok_or(missing)?
        }
        (Err(e), _) => return Err(e),
    };
    // Docker may report an empty description as null: "" asked for and null held are the same.
    let held = current.description.as_deref().unwrap_or("");
    // A role Docker already reports for the team (ignoring case, as custom names are shown) is kept.
    let held_role = current.role.as_deref();
    let change = GroupChange {
        name: new_name.filter(|n| *n != current.name),
        description: description.filter(|d| d != held),
        role: input.role.filter(|r| !held_role.is_some_and(|h| h.eq_ignore_ascii_case(r.as_str()))),
    };
    let update = groups::update_group(org, &current.name, &change);
    let mut plan = Plan::new();
    if !change.is_empty() {
        let mut fields = Vec::new();
        if let Some(n) = &change.name {
            fields.push(format!("rename it to \"{n}\""));
        }
        if change.description.is_some() {
            fields.push("replace its description".to_string());
        }
        if let Some(role) = &change.role {
            fields.push(format!("give it the role \"{}\"", role.as_str()));
        }
        let shown = change.name.as_deref().unwrap_or(&current.name);
        plan.add(&update, format!("team \"{}\": {}", current.name, fields.join(" and ")))
            .verify_with(format!("get-team {{\"team\": \"{shown}\"}}"));
    }
    let refused = |refusal: &Refusal, e: Error| match refusal {
        Refusal::NameTaken(new) => name_taken(org, new, e),
        _ => e,
    };
    let words = Words {
        refused: Some(&refused),
        ..Words::new(
            format!("Team \"{}\" is already as asked: nothing to change.", current.name),
            format!("Dry run: team \"{}\" would be updated.", current.name),
            format!("Team \"{}\" was updated.", current.name),
        )
    };
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    let team = match ran.answer(0, &update) {
        Some(updated) => Some(Team::from(updated)),
        None if ran.did(0) => None,
        None => Some(current.clone()),
    };
    let patched = ran.did(0);
    let mut write = ran.report;
    if let (Some(role), true) = (&change.role, patched)
        && let Some(warning) = role_not_shown(&current.name, role, team.as_ref())
    {
        write.warn(warning);
    }
    Ok(TeamWriteOutput { organization: org.to_string(), team, write, meta: Meta::of(&client) })
}

/// Input of `delete-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTeamInput {
    /// The team's name. Give this or `team_id`.
    pub team: Option<String>,
    /// The team's numeric id. Give this or `team`.
    pub team_id: Option<TeamId>,
    /// Read and check only: report the request that would be sent, delete nothing (default false).
    pub dry_run: Option<bool>,
    /// Treat a team that does not exist as already deleted: `changed: false, found: false`
    /// instead of `not-found` (default false, so a mistyped name fails loudly).
    pub missing_ok: Option<bool>,
}

/// `delete-team`. A team that does not exist is `not-found`, unless `missing_ok`.
pub fn delete_team(ctx: &Ctx, input: DeleteTeamInput) -> Result<TeamWriteOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let missing_ok = input.missing_ok.unwrap_or(false);
    let shown = match &selector {
        TeamSelector::Name(name) => format!("\"{name}\""),
        TeamSelector::Id(id) => format!("with id {id}"),
    };
    let missing = Error::not_found(format!(
        "Organization \"{org}\" has no team {shown}: nothing was deleted. list-teams shows the teams; if the team is \
known to be gone already, pass missing_ok: true to treat that as done."
    ))
    .with_detail(match &selector {
        TeamSelector::Name(name) => json!({ "searched": name, "field": "team" }),
        TeamSelector::Id(id) => json!({ "searched": id, "field": "team_id" }),
    });
    // By name, a real run deletes straight away (Docker's 404 says there is no such team); a dry
    // run or an id reads first.
    let target = match (&selector, dry_run) {
        (TeamSelector::Name(name), false) => Some(name.clone()),
        _ => match selector.find(&client)? {
            Some(team) => Some(team.name),
            None if missing_ok => None,
            None => return Err(missing),
        },
    };
    let mut plan = Plan::new();
    if let Some(name) = &target {
        let step = plan.add(&groups::delete_group(org, name), format!("delete team \"{name}\""));
        step.verify_with(format!("get-team {{\"team\": \"{name}\"}}"));
        if missing_ok {
            step.absent_is_done();
        } else {
            step.missing_is(missing);
        }
    } else {
        plan.found(false);
    }
    let words = Words::new(
        format!("Organization \"{org}\" has no team {shown} (missing_ok): nothing to delete."),
        format!("Dry run: team {shown} would be deleted."),
        format!("Team {shown} was deleted."),
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(TeamWriteOutput { organization: org.to_string(), team: None, write: ran.report, meta: Meta::of(&client) })
}

listing_input! {
    /// Input of `list-team-members`.
    pub struct ListTeamMembersInput {
        /// The team's name. Give this or `team_id`.
        pub team: Option<String>,
        /// The team's numeric id. Give this or `team`.
        pub team_id: Option<TeamId>,
        /// Search term: username, full name or email.
        pub search: Option<String>,
    }
    items: TeamMemberListing::ITEMS, noun: "members", per_page: "Items", default_size: 10,
    all_pages: "Follow every page (bounded by max_items).", each: "item"
}

listing_output! {
    /// The output of `list-team-members` (written page by page; this type gives its schema).
    pub struct TeamMemberListing {
        /// The organization.
        pub organization: String,
        /// The team's name.
        pub team: String,
    }
    /// The team's members, in Docker's order (role, teams and guest flag are null: this endpoint
    /// does not return them).
    items members: Member,
}

/// `list-team-members`
pub fn list_team_members(ctx: &Ctx, mut input: ListTeamMembersInput) -> Result<Output> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let paging = input.paging(ctx.action)?;
    let search = optional_text("search", input.search.as_deref())?;
    let client = ctx.client()?;
    let org = client.org();
    let team = selector.name(&client)?;
    let size = paging.spec.page_size;
    let page = |number: u32| groups::list_group_members(org, &team, search.as_deref(), number, size);
    let mut out = ObjectWriter::new();
    out.field("organization", org)?;
    out.field("team", &team)?;
    write_listing(out, TeamMemberListing::ITEMS, &client, paging, &page, Member::from)
}

/// Input of `add-team-member`: the team, and the person by `username` (or its synonym `member`)
/// or `email`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTeamMemberInput {
    /// The team's name. Give this or `team_id`.
    pub team: Option<String>,
    /// The team's numeric id. Give this or `team`.
    pub team_id: Option<TeamId>,
    /// The organization member's Docker ID. Give this (or `member`) or `email`.
    pub username: Option<String>,
    /// The same as `username` (the name Docker's API and the product documents use for this field).
    pub member: Option<String>,
    /// The organization member's email address (resolved to their username by exact match).
    pub email: Option<String>,
    /// Read and check only: report the request that would be sent, add nobody (default false).
    pub dry_run: Option<bool>,
}

/// The output of `add-team-member` and `remove-team-member`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TeamMembershipOutput {
    /// The organization.
    pub organization: String,
    /// The team's name.
    pub team: String,
    /// The person's Docker ID (as given, or resolved from the email).
    pub username: String,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// The error for someone who is not (yet) an organization member.
fn not_in_org(org: &str, team: &str, who: &str, why: &str, cause: Error) -> Error {
    Error {
        kind: ErrorKind::NotFound,
        message: format!(
            "{who} {why} organization \"{org}\", and Docker Hub does not add people outside the organization to a team \
(it does not invite them automatically). Invite them first with invite-members, then add them to team \"{team}\" \
once they have accepted."
        ),
        ..cause
    }
}

/// The username from `username` or its synonym `member` (not both, unless equal).
fn username_or_member<'a>(action: &str, username: Option<&'a str>, member: Option<&'a str>) -> Result<Option<&'a str>> {
    match (given(username), given(member)) {
        (Some(u), Some(m)) if u != m => Err(Error::invalid_input(format!(
            "{action} got both \"username\" (\"{u}\") and \"member\" (\"{m}\"): they are the same field; give one."
        ))),
        (u, m) => Ok(u.or(m)),
    }
}

/// `add-team-member`: confirms the person is an organization member, then adds them.
///
/// Already on the team is `changed: false`: it is read from the member's team list in the member
/// listing (no add request is sent), and also from Docker's answer to the add, for when the listing
/// is stale (the add endpoint declares [`Refusal::AlreadyMember`]).
pub fn add_team_member(ctx: &Ctx, input: AddTeamMemberInput) -> Result<TeamMembershipOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let username = username_or_member(ctx.action, input.username.as_deref(), input.member.as_deref())?;
    let person = Person::from_fields(ctx.action, "username", username, input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let team = selector.name(&client)?;
    let who = match &person {
        Person::Username(u) => format!("\"{u}\""),
        Person::Email(e) => format!("Nobody with email \"{e}\""),
    };
    let member = resolve_member(&client, &person).map_err(|e| match e.kind {
        ErrorKind::NotFound if matches!(person, Person::Username(_)) => {
            not_in_org(org, &team, &who, "is not a member of", e)
        }
        ErrorKind::NotFound => not_in_org(org, &team, &who, "is a member of", e),
        _ => e,
    })?;
    if member.role.as_deref() == Some("invitee") {
        let who = format!("\"{}\"", member.username);
        let cause = Error::not_found("pending invite");
        return Err(not_in_org(org, &team, &who, "has been invited but has not yet joined", cause));
    }
    let username = member.username.clone();
    let mut plan = Plan::new();
    // Already on the team: read from the member's team list, and (for a stale listing) from
    // Docker's answer to the add, which the endpoint declares ([`Refusal::AlreadyMember`]).
    if !member.groups.as_ref().is_some_and(|g| g.contains(&team)) {
        plan.add(&groups::add_group_member(org, &team, &username), format!("add \"{username}\" to team \"{team}\""))
            .verify_with(format!("list-team-members {{\"team\": \"{team}\", \"search\": \"{username}\"}}"));
    }
    let words = Words::new(
        format!("\"{username}\" is already on team \"{team}\": nothing to change."),
        format!("Dry run: \"{username}\" would be added to team \"{team}\"."),
        format!("\"{username}\" was added to team \"{team}\"."),
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(TeamMembershipOutput {
        organization: org.to_string(),
        team,
        username,
        write: ran.report,
        meta: Meta::of(&client),
    })
}

/// Input of `remove-team-member`: the team, and the person by `username` or `email`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveTeamMemberInput {
    /// The team's name. Give this or `team_id`.
    pub team: Option<String>,
    /// The team's numeric id. Give this or `team`.
    pub team_id: Option<TeamId>,
    /// The member's Docker ID. Give this or `email`.
    pub username: Option<String>,
    /// The member's email address (resolved to their username through the member listing).
    pub email: Option<String>,
    /// Read and check only: report the request that would be sent, remove nobody (default false).
    pub dry_run: Option<bool>,
    /// Treat a person who is not an organization member as already off the team: `changed:
    /// false, found: false` instead of `not-found` (default false, so a mistyped name fails).
    pub missing_ok: Option<bool>,
}

/// `remove-team-member`. By username, the DELETE alone is sent (the least it needs: Docker's
/// 204 "User removed successfully" is the proof, `shared/reference/dockerhub-api.yaml`); a 404
/// (no such team, person or membership) is then explained by reads. By email, or as a dry run,
/// the person is resolved exactly through the member listing (which also says which teams they
/// are on) first. Nobody matching is `not-found` unless `missing_ok`; a member who is not on the
/// team is `changed: false` (for a team that exists: an unknown team is not-found).
pub fn remove_team_member(ctx: &Ctx, input: RemoveTeamMemberInput) -> Result<TeamMembershipOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let person = Person::from_fields(ctx.action, "username", input.username.as_deref(), input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let team = selector.name(&client)?;
    let output = |username: String, write: WriteReport| TeamMembershipOutput {
        organization: org.to_string(),
        team: team.clone(),
        username,
        write,
        meta: Meta::of(&client),
    };
    let words = |username: &str, nothing: String| {
        Words::new(
            nothing,
            format!("Dry run: \"{username}\" would be taken off team \"{team}\"."),
            format!("\"{username}\" was taken off team \"{team}\"."),
        )
    };
    let plan_removal = |username: &str, strict: bool| {
        let mut plan = Plan::new();
        let step = plan
            .add(&groups::remove_group_member(org, &team, username), format!("take \"{username}\" off team \"{team}\""))
            .verify_with(format!("list-team-members {{\"team\": \"{team}\", \"search\": \"{username}\"}}"));
        if strict {
            step.absent_fails();
        }
        plan
    };
    // Docker answered 404 to the direct removal: whatever the member listing says, they are not
    // on the team (if the team and the person exist, which the reads below establish).
    let mut docker_says_off = false;
    if let (Person::Username(given), false) = (&person, dry_run) {
        let username = path_segment(ctx.action, "username", Some(given))?;
        let mut plan = plan_removal(&username, true);
        plan.found(true);
        match plan.run(&client, ctx.action, false, words(&username, String::new())) {
            Ok(ran) => return Ok(output(username, ran.report)),
            Err(e) if e.kind == ErrorKind::NotFound && e.status == Some(404) => docker_says_off = true,
            Err(e) => return Err(e),
        }
    }
    let member = find_member_or_missing(&client, &person, input.missing_ok)?;
    let (username, on_team) = match &member {
        Some(m) => (m.username.clone(), !docker_says_off && m.groups.as_ref().is_none_or(|g| g.contains(&team))),
        None => (person.value().to_string(), false),
    };
    let username = match &member {
        Some(_) => path_segment(ctx.action, "username", Some(&username))?,
        None => username,
    };
    if !on_team {
        // "Not on the team" means something only for a team that exists: an unknown team is not-found.
        TeamSelector::Name(team.clone()).read(&client)?;
    }
    let mut plan = if on_team { plan_removal(&username, false) } else { Plan::new() };
    plan.found(member.is_some());
    let nothing = match &member {
        None => format!(
            "No member of organization \"{org}\" has the {} (missing_ok): nobody to take off team \"{team}\".",
            person.describe()
        ),
        Some(_) if docker_says_off => format!(
            "\"{username}\" is not on team \"{team}\" (Docker Hub answered the removal 404 and the team exists): \
nothing to change."
        ),
        Some(_) => format!("\"{username}\" is not on team \"{team}\": nothing to change."),
    };
    let ran = plan.run(&client, ctx.action, dry_run, words(&username, nothing))?;
    Ok(output(username, ran.report))
}

/// The team actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-teams", "List teams",
        "Lists the organization's teams (Docker Hub groups), one page or every page (all_pages, bounded by max_items). Filters: search (team name), username (only that member's teams). Output: teams (Team: numeric id — the id repository grants on the sibling DockerHub integration use —, uuid, name, description, member_count), count and paging.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"search": "dev", "page_size": 25}"#,
        run: list_teams, input: ListTeamsInput, output: TeamListing, listing: true),
    action!("create-team", "Create a team",
        "Creates a team named team (required and trimmed, as Docker documents; no \"/\" or control characters, since the name becomes a URL segment) with an optional description and an optional role (owner, editor, member or a custom role's name), which Docker assigns only with a PATCH, so it is a second request after the create; a role Docker refuses fails that step with the team already created (the error's detail says so). Docker documents no other naming rule: a name it refuses comes back as invalid-input in Docker's own words. Output: the created team with its numeric id. A name already in use is a conflict error, so this action is not idempotent. dry_run returns the request it would send.",
        scopes: [GroupEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"team": "release-crew", "description": "People who cut releases"}"#,
        run: create_team, input: CreateTeamInput, output: TeamWriteOutput),
    action!("get-team", "Get a team",
        "Reads one team by name (team) or by numeric id (team_id). Docker Hub cannot read a team by id, so an id is resolved by walking the organization's team list (100 teams a request). Output: the team with numeric id (needed for repository grants on the sibling DockerHub integration), uuid, name, description and member_count.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"team": "developers"}"#,
        run: get_team, input: GetTeamInput, output: GetTeamOutput),
    action!("update-team", "Update a team",
        "Renames a team (new_name), replaces its description and/or gives it an organization role (role: owner, editor, member or a custom role's name; Docker refuses a name it does not know). The team is read first and only the fields that differ are sent (PATCH with one field or with a role, which Docker assigns only with PATCH; PUT when name and description both change); when it is already as asked (a rename already carried out included) nothing is sent and changed is false. Renaming to a name already in use is a conflict error. dry_run returns the request it would send.",
        scopes: [GroupRead, GroupEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"team": "developers", "description": "Application developers"}"#,
        run: update_team, input: UpdateTeamInput, output: TeamWriteOutput),
    action!("delete-team", "Delete a team",
        "Deletes a team, by name (team) or numeric id (team_id). Its members stay in the organization; repository grants given to the team are lost. A team that does not exist is not-found, so a mistyped name fails; with missing_ok: true it is changed: false, found: false, which makes a re-run safe. dry_run reads the team and returns the request it would send.",
        scopes: [GroupRead, GroupEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"team": "support"}"#,
        run: delete_team, input: DeleteTeamInput, output: TeamWriteOutput),
    action!("list-team-members", "List team members",
        "Lists the members of a team (team or team_id), one page or every page (all_pages, bounded by max_items), optionally filtered by search (username, full name or email; emails are visible to owners). Output: members (Member: username, full name, email, company, location, date joined, type; role, teams and guest flag are null, the endpoint does not return them), count and paging.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"team": "developers"}"#,
        run: list_team_members, input: ListTeamMembersInput, output: TeamMemberListing, listing: true),
    action!("add-team-member", "Add a member to a team",
        "Adds an organization member to a team (team or team_id), given their username (member is accepted as the same field) or email (resolved to the username by exact match). Docker Hub does not add or auto-invite people outside the organization: someone who is not a member is a not-found error asking to invite them first (invite-members), and no add is attempted. Someone already on the team is changed: false. dry_run returns the request it would send.",
        scopes: [GroupEdit, MemberRead], read_only: false, destructive: false, idempotent: true,
        example: r#"{"team": "developers", "email": "ken.lovelace@example.com"}"#,
        run: add_team_member, input: AddTeamMemberInput, output: TeamMembershipOutput),
    action!("remove-team-member", "Remove a member from a team",
        "Takes a member off a team (they stay in the organization), given their username or email (resolved by exact match through the member listing; needs Member Read). Someone who is not an organization member is not-found with the near matches (with missing_ok: true: changed: false, found: false); a member who is not on the team is changed: false; an unknown team is a not-found error. dry_run returns the request it would send.",
        scopes: [GroupEdit, MemberRead], read_only: false, destructive: true, idempotent: true,
        example: r#"{"team": "platform", "username": "kenlovelace"}"#,
        run: remove_team_member, input: RemoveTeamMemberInput, output: TeamMembershipOutput),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error_body::{says_already_member, says_name_taken};
    use crate::host::Method;

    fn status_error(status: u16, docker: &str, request: &crate::api::ApiRequest) -> Error {
        let response = crate::host::HttpResponse {
            status,
            headers: vec![],
            body: serde_json::to_vec(&json!({ "detail": docker })).unwrap_or_default(),
        };
        crate::client::status::status_error(request, &response, "acme")
    }

    #[test]
    fn a_409_or_a_400_saying_the_name_exists_is_name_taken() {
        let request = groups::create_group("acme", "devs", None);
        assert!(says_name_taken(&status_error(409, "", &request), "devs"));
        assert!(says_name_taken(&status_error(400, "group with this name already exists", &request), "devs"));
        assert!(says_name_taken(&status_error(400, "Name is taken", &request), "devs"));
        assert!(!says_name_taken(&status_error(400, "name too long", &request), "devs"));
        assert!(!says_name_taken(&status_error(400, "group does not exist", &request), "devs"));
        assert!(!says_name_taken(&status_error(404, "already exists", &request), "devs"));
    }

    #[test]
    fn a_team_called_taken_is_not_read_as_a_name_conflict() {
        let request = groups::create_group("acme", "taken", None);
        assert!(!says_name_taken(&status_error(400, "invalid name: taken", &request), "taken"));
    }

    #[test]
    fn already_member_is_read_from_409_or_400_already() {
        let request = groups::add_group_member("acme", "devs", "jon");
        assert!(says_already_member(&status_error(409, "", &request), "jon"));
        assert!(says_already_member(&status_error(400, "user is already a member of this group", &request), "jon"));
        assert!(!says_already_member(&status_error(400, "invalid member", &request), "jon"));
        assert!(!says_already_member(&status_error(500, "already", &request), "jon"));
        assert_eq!(request.method, Method::Post);
    }

    #[test]
    fn the_team_actions_are_in_manifest_order() {
        let names: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "list-teams",
                "create-team",
                "get-team",
                "update-team",
                "delete-team",
                "list-team-members",
                "add-team-member",
                "remove-team-member"
            ]
        );
    }
}
