//! Team (Docker Hub "group") actions: list, create, get (by name or numeric id), update and delete
//! teams, and list, add and remove a team's members.
//!
//! Docker addresses a team by its name; names are percent-encoded path segments, so any existing
//! name can be addressed. New names (create, rename) are held to stricter rules.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::{parse, required_text};
use super::members::{Person, resolve_member};
use super::paging::{Paging, write_listing};
use crate::api::error_body::{says_already_member, says_name_taken};
use crate::api::groups::{self, GroupChange, GroupMember, OrgGroup, Team, TeamMember};
use crate::client::Client;
use crate::client::paging::{Chunk, DEFAULT_MAX_ITEMS, PageSpec, list_all_pages};
use crate::error::{Error, ErrorKind, Result};
use crate::host::Host;
use crate::output::{ObjectWriter, Output};

/// Items per page of the listings when the input does not say.
const DEFAULT_PAGE_SIZE: u32 = 10;

/// A name for a new team (or a rename): what Docker documents, checked before sending. Docker's
/// OpenAPI requires `name` (a string) on create and on PUT and documents no other rule, no length
/// and no character set (docker/docs `content/reference/api/hub/latest.yaml`, `POST/PUT
/// /v2/orgs/{org_name}/groups`; `content/manuals/admin/organization/manage-a-team.md` says nothing
/// more). So the name must be present and not blank; any further rule is Docker's to apply, and its
/// 400 comes back in its own words (see `api::error_body`). Two limits are this plugin's, because
/// the name becomes one segment of later URLs: no `/` and no control characters.
pub fn new_team_name(action: &str, field: &str, value: &str) -> Result<String> {
    let name = required_text(action, field, Some(value))?;
    if name.contains('/') {
        return Err(Error::invalid_input(format!(
            "\"{field}\" must not contain \"/\" (got \"{name}\"): a team name is one segment of Docker Hub's URLs."
        )));
    }
    Ok(name)
}

/// The name of an existing team: trimmed, not blank, no control characters. Any other character is
/// allowed (it is percent-encoded in the path).
fn team_ref(action: &str, field: &str, value: &str) -> Result<String> {
    required_text(action, field, Some(value))
}

/// A blank optional filter means no filter.
fn filter(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The conflict error for a team name already in use.
fn name_taken(org: &str, name: &str, error: Error) -> Error {
    Error {
        kind: ErrorKind::Conflict,
        message: format!(
            "A team named \"{name}\" already exists in organization \"{org}\"; choose another name, or use get-team to read the existing team. ({})",
            error.message
        ),
        detail: Some(json!({ "name": name })),
        ..error
    }
}

/// Input of `list-teams`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListTeamsInput {
    /// Search term matched against team names.
    pub search: Option<String>,
    /// Only the teams this member (Docker ID) belongs to.
    pub username: Option<String>,
    /// Page to fetch (from 1); with all_pages, the page to start from.
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 10; 100 with all_pages).
    pub page_size: Option<u32>,
    /// Follow every page (bounded by max_items).
    pub all_pages: Option<bool>,
    /// With all_pages: fail rather than collect more than this many teams (default 10000).
    pub max_items: Option<usize>,
}

/// `list-teams`: one page of teams, or every page.
pub fn list_teams(host: &dyn Host, input: &str) -> Result<Output> {
    let input: ListTeamsInput = parse("list-teams", input)?;
    let paging = Paging::new(input.page, input.page_size, input.all_pages, input.max_items, DEFAULT_PAGE_SIZE)?;
    let search = filter(input.search);
    let username = match filter(input.username) {
        Some(u) => Some(required_text("list-teams", "username", Some(&u))?),
        None => None,
    };
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let size = paging.spec.page_size;
    let build = |page: u32| groups::list_groups(&org, search.as_deref(), username.as_deref(), page, size);
    let mut out = ObjectWriter::new();
    out.field("organization", &org)?;
    write_listing(out, "teams", &client, paging, &build, |g: OrgGroup| Team::from(g))
}

/// Input of `create-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTeamInput {
    /// The new team's name (required; no "/"). Docker documents no other rule and applies its own.
    pub name: String,
    /// What the team is for.
    pub description: Option<String>,
}

/// `create-team`
pub fn create_team(host: &dyn Host, input: &str) -> Result<Value> {
    let input: CreateTeamInput = parse("create-team", input)?;
    let name = new_team_name("create-team", "name", &input.name)?;
    let description = input.description.map(|d| d.trim().to_string());
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let request = groups::create_group(&org, &name, description.as_deref());
    let created: OrgGroup = client
        .send_json(&request)
        .map_err(|e| if says_name_taken(&e, &name) { name_taken(&org, &name, e) } else { e })?;
    Ok(json!({
        "organization": org,
        "created": true,
        "team": Team::from(created),
        "meta": client.meta(),
    }))
}

/// A team's numeric id as input: a number, or a string of digits (what templated workflows pass).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum TeamId {
    /// `42`
    Number(u64),
    /// `"42"`
    Text(String),
}

impl TeamId {
    /// The id as a number.
    pub fn value(&self) -> Result<u64> {
        match self {
            TeamId::Number(n) => Ok(*n),
            TeamId::Text(s) => s.trim().parse::<u64>().map_err(|_| {
                Error::invalid_input(format!(
                    "\"id\" must be a team's numeric id (got \"{s}\"); to look a team up by its name use \"name\"."
                ))
            }),
        }
    }
}

/// Input of `get-team`: exactly one of `name` and `id`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GetTeamInput {
    /// The team's name.
    pub name: Option<String>,
    /// The team's numeric id (found by walking the team list: Docker cannot read a team by id).
    pub id: Option<TeamId>,
}

/// `get-team`: by name (one request), or by numeric id (through the team list).
pub fn get_team(host: &dyn Host, input: &str) -> Result<Value> {
    let input: GetTeamInput = parse("get-team", input)?;
    let name = filter(input.name);
    let (team, resolved_by, client) = match (name, &input.id) {
        (Some(_), Some(_)) => return Err(Error::invalid_input("get-team takes either \"name\" or \"id\", not both.")),
        (None, None) => return Err(Error::invalid_input("get-team needs \"name\" or \"id\".")),
        (Some(name), None) => {
            let name = team_ref("get-team", "name", &name)?;
            let client = Client::connect(host)?;
            let group: OrgGroup = client.send_json(&groups::get_group(client.org(), &name))?;
            (Team::from(group), "name", client)
        }
        (None, Some(id)) => {
            let id = id.value()?;
            let client = Client::connect(host)?;
            (team_by_id(&client, id)?, "id", client)
        }
    };
    Ok(json!({
        "organization": client.org(),
        "resolved_by": resolved_by,
        "team": team,
        "meta": client.meta(),
    }))
}

/// Finds the team with numeric `id` by walking the whole team list (100 a page, bounded).
fn team_by_id(client: &Client, id: u64) -> Result<Team> {
    let org = client.org().to_string();
    let spec = PageSpec { start_page: 1, page_size: 100, max_items: DEFAULT_MAX_ITEMS };
    let build = |page: u32| groups::list_groups(&org, None, None, page, spec.page_size);
    let listing = list_all_pages(client, spec, &build, &Chunk::<OrgGroup>::from_page)?;
    let checked = listing.items.len();
    listing.items.into_iter().map(Team::from).find(|t| t.id == Some(id)).ok_or_else(|| {
        Error::not_found(format!(
            "No team of organization \"{org}\" has id {id} ({checked} teams checked). Use list-teams to see the teams and their ids."
        ))
        .with_detail(json!({ "id": id, "teams_checked": checked }))
    })
}

/// Input of `update-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTeamInput {
    /// The team's current name.
    pub name: String,
    /// Rename the team to this (no "/"). Docker documents no other rule and applies its own.
    pub new_name: Option<String>,
    /// Replace the description with this ("" clears it).
    pub description: Option<String>,
}

/// `update-team`: PATCH with only the changed field, or PUT when both change.
pub fn update_team(host: &dyn Host, input: &str) -> Result<Value> {
    let input: UpdateTeamInput = parse("update-team", input)?;
    let name = team_ref("update-team", "name", &input.name)?;
    let new_name = match input.new_name.as_deref() {
        Some(n) => Some(new_team_name("update-team", "new_name", n)?),
        None => None,
    };
    // Renaming a team to its own name changes nothing.
    let change = GroupChange {
        name: new_name.filter(|n| *n != name),
        description: input.description.map(|d| d.trim().to_string()),
    };
    if change.is_empty() {
        return Err(Error::invalid_input(
            "update-team has nothing to change: give \"new_name\" (different from \"name\") and/or \"description\".",
        ));
    }
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let request = groups::update_group(&org, &name, &change);
    let updated: OrgGroup = client.send_json(&request).map_err(|e| match &change.name {
        Some(new) if says_name_taken(&e, new) => name_taken(&org, new, e),
        _ => e,
    })?;
    let mut changed = Vec::new();
    if change.name.is_some() {
        changed.push("name");
    }
    if change.description.is_some() {
        changed.push("description");
    }
    Ok(json!({
        "organization": org,
        "updated": true,
        "previous_name": name,
        "changed": changed,
        "method": request.method.as_str(),
        "team": Team::from(updated),
        "meta": client.meta(),
    }))
}

/// Input of `delete-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTeamInput {
    /// The team's name.
    pub name: String,
}

/// `delete-team`
pub fn delete_team(host: &dyn Host, input: &str) -> Result<Value> {
    let input: DeleteTeamInput = parse("delete-team", input)?;
    let name = team_ref("delete-team", "name", &input.name)?;
    let client = Client::connect(host)?;
    client.send(&groups::delete_group(client.org(), &name))?;
    Ok(json!({
        "organization": client.org(),
        "deleted": true,
        "name": name,
        "meta": client.meta(),
    }))
}

/// Input of `list-team-members`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListTeamMembersInput {
    /// The team's name.
    pub team: String,
    /// Search term: username, full name or email.
    pub search: Option<String>,
    /// Page to fetch (from 1); with all_pages, the page to start from.
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 10; 100 with all_pages).
    pub page_size: Option<u32>,
    /// Follow every page (bounded by max_items).
    pub all_pages: Option<bool>,
    /// With all_pages: fail rather than collect more than this many members (default 10000).
    pub max_items: Option<usize>,
}

/// `list-team-members`
pub fn list_team_members(host: &dyn Host, input: &str) -> Result<Output> {
    let input: ListTeamMembersInput = parse("list-team-members", input)?;
    let team = team_ref("list-team-members", "team", &input.team)?;
    let paging = Paging::new(input.page, input.page_size, input.all_pages, input.max_items, DEFAULT_PAGE_SIZE)?;
    let search = filter(input.search);
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let size = paging.spec.page_size;
    let build = |page: u32| groups::list_group_members(&org, &team, search.as_deref(), page, size);
    let mut out = ObjectWriter::new();
    out.field("organization", &org)?;
    out.field("team", &team)?;
    write_listing(out, "members", &client, paging, &build, |m: GroupMember| TeamMember::from(m))
}

/// Input of `add-team-member`: the team, and the person by `member` (username) or `email`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTeamMemberInput {
    /// The team's name.
    pub team: String,
    /// The organization member's Docker ID (username).
    pub member: Option<String>,
    /// The organization member's email address (resolved to their username).
    pub email: Option<String>,
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

/// `add-team-member`: confirms the person is an organization member, then adds them.
///
/// Already on the team is reported, not an error: it is read from the member's team list in the
/// member listing (no add request is sent), and also from Docker's answer to the add, for when the
/// listing is stale (see [`crate::api::error_body::says_already_member`]).
pub fn add_team_member(host: &dyn Host, input: &str) -> Result<Value> {
    let input: AddTeamMemberInput = parse("add-team-member", input)?;
    let team = team_ref("add-team-member", "team", &input.team)?;
    let person = Person::from_fields("add-team-member", "member", input.member.as_deref(), input.email.as_deref())?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let who = match &person {
        Person::Username(u) => format!("\"{u}\""),
        Person::Email(e) => format!("Nobody with email \"{e}\""),
    };
    let member = resolve_member(&client, &person).map_err(|e| match e.kind {
        ErrorKind::NotFound if matches!(person, Person::Username(_)) => {
            not_in_org(&org, &team, &who, "is not a member of", e)
        }
        ErrorKind::NotFound => not_in_org(&org, &team, &who, "is a member of", e),
        _ => e,
    })?;
    if member.role.as_deref() == Some("invitee") {
        let who = format!("\"{}\"", member.username);
        let cause = Error::not_found("pending invite");
        return Err(not_in_org(&org, &team, &who, "has been invited but has not yet joined", cause));
    }
    let username = member.username.clone();
    let done = |added: bool| {
        json!({
            "organization": org,
            "team": team,
            "username": username,
            "added": added,
            "already_member": !added,
            "meta": client.meta(),
        })
    };
    if member.groups.contains(&team) {
        return Ok(done(false));
    }
    let request = groups::add_group_member(&org, &team, &username);
    match client.send(&request) {
        Ok(_) => Ok(done(true)),
        Err(e) if says_already_member(&e, &username) => Ok(done(false)),
        Err(e) => Err(e),
    }
}

/// Input of `remove-team-member`: the team, and the person by `username` or `email`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveTeamMemberInput {
    /// The team's name.
    pub team: String,
    /// The member's Docker ID.
    pub username: Option<String>,
    /// The member's email address (resolved to their username through the member listing).
    pub email: Option<String>,
}

/// `remove-team-member`. A 404 is told apart by reading the team: an unknown team is not-found
/// naming the team; a known team means the person was not on it (`removed: false`).
pub fn remove_team_member(host: &dyn Host, input: &str) -> Result<Value> {
    let input: RemoveTeamMemberInput = parse("remove-team-member", input)?;
    let team = team_ref("remove-team-member", "team", &input.team)?;
    let person =
        Person::from_fields("remove-team-member", "username", input.username.as_deref(), input.email.as_deref())?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let username = match &person {
        Person::Username(u) => u.clone(),
        Person::Email(_) => resolve_member(&client, &person)?.username,
    };
    let removed = match client.send(&groups::remove_group_member(&org, &team, &username)) {
        Ok(_) => true,
        Err(e) if e.kind == ErrorKind::NotFound => match client.send(&groups::get_group(&org, &team)) {
            Ok(_) => false,
            Err(team_error) if team_error.kind == ErrorKind::NotFound => return Err(team_error),
            Err(_) => return Err(e),
        },
        Err(e) => return Err(e),
    };
    Ok(json!({
        "organization": org,
        "team": team,
        "username": username,
        "removed": removed,
        "was_member": removed,
        "meta": client.meta(),
    }))
}

/// The team actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-teams", "List teams",
        "Lists the organization's teams (Docker Hub groups), one page or every page (all_pages, bounded by max_items). Filters: search (team name), username (only that member's teams). Output: teams with numeric id (the id repository grants on the sibling DockerHub integration use), uuid, name, description and member_count; plus count and paging.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"search": "dev", "page_size": 25}"#, output: "{organization, count, returned, teams: [Team {id (number), uuid, name, description, member_count}], paging {page, page_size, pages_fetched, all_pages, next_page, previous_page}, meta}",
        run: list_teams, input: ListTeamsInput),
    action!("create-team", "Create a team",
        "Creates a team with a name (required and trimmed, as Docker documents; no \"/\" or control characters, since the name becomes a URL segment) and an optional description. Docker documents no other naming rule: a name it refuses comes back as invalid-input in Docker's own words. Output: the created team with its numeric id. A name already in use is a conflict error.",
        scopes: [GroupEdit], read_only: false, destructive: false, idempotent: false,
        example: r#"{"name": "release-crew", "description": "People who cut releases"}"#, output: "{organization, created: true, team: Team {id (number), uuid, name, description, member_count}, meta}",
        run: create_team, input: CreateTeamInput),
    action!("get-team", "Get a team",
        "Reads one team by name, or by numeric id. Docker Hub cannot read a team by id, so an id is resolved by walking the organization's team list (100 teams a request). Output: the team with numeric id (needed for repository grants on the sibling DockerHub integration), uuid, name, description and member_count.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"name": "developers"}"#, output: "{organization, resolved_by (name|id), team: Team {id (number), uuid, name, description, member_count}, meta}",
        run: get_team, input: GetTeamInput),
    action!("update-team", "Update a team",
        "Renames a team (new_name) and/or replaces its description; only the fields given change (PATCH with one field, PUT when both change). Renaming to a name already in use is a conflict error; nothing to change is an input error.",
        scopes: [GroupEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"name": "developers", "description": "Application developers"}"#, output: "{organization, updated, method (PATCH|PUT), previous_name, changed: [field], team: Team, meta}",
        run: update_team, input: UpdateTeamInput),
    action!("delete-team", "Delete a team",
        "Deletes a team by name. Its members stay in the organization; repository grants given to the team are lost.",
        scopes: [GroupEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"name": "support"}"#, output: "{organization, name, deleted: true, meta}",
        run: delete_team, input: DeleteTeamInput),
    action!("list-team-members", "List team members",
        "Lists the members of a team, one page or every page (all_pages, bounded by max_items), optionally filtered by search (username, full name or email; emails are visible to owners). Output: members with username, full name, email, company, date joined and type; plus count and paging.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"team": "developers"}"#, output: "{organization, team, count, returned, members: [{username, full_name, email, company, location, profile_url, gravatar_url, date_joined, type}], paging {page, page_size, pages_fetched, all_pages, next_page, previous_page}, meta}",
        run: list_team_members, input: ListTeamMembersInput),
    action!("add-team-member", "Add a member to a team",
        "Adds an organization member to a team, given their username (member) or email (resolved to the username by exact match). Docker Hub does not add or auto-invite people outside the organization: someone who is not a member is a not-found error asking to invite them first (invite-members), and no add is attempted. Someone already on the team is reported as added: false, already_member: true.",
        scopes: [GroupEdit, MemberRead], read_only: false, destructive: false, idempotent: true,
        example: r#"{"team": "developers", "email": "ken.lovelace@example.com"}"#, output: "{organization, team, username, added, already_member, meta}",
        run: add_team_member, input: AddTeamMemberInput),
    action!("remove-team-member", "Remove a member from a team",
        "Takes a member off a team (they stay in the organization), given their username or email (resolved by exact match; needs Member Read). Someone not on the team is reported as removed: false; an unknown team is a not-found error.",
        scopes: [GroupEdit, MemberRead], read_only: false, destructive: true, idempotent: true,
        example: r#"{"team": "platform", "username": "kenlovelace"}"#, output: "{organization, team, username, removed, was_member, meta}",
        run: remove_team_member, input: RemoveTeamMemberInput),
];

#[cfg(test)]
mod tests {
    use super::*;
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
    fn new_team_names_are_trimmed_and_checked() {
        assert_eq!(new_team_name("create-team", "name", "  platform ").unwrap(), "platform");
        let e = new_team_name("create-team", "name", "a/b").unwrap_err();
        assert!(e.message.contains("\"name\" must not contain \"/\""), "{}", e.message);
        let e = new_team_name("update-team", "new_name", "bad\u{7}name").unwrap_err();
        assert!(e.message.contains("\"new_name\" must not contain control characters"), "{}", e.message);
        let e = new_team_name("create-team", "name", "   ").unwrap_err();
        assert!(e.message.contains("\"name\""), "{}", e.message);
        // No length is documented: a long name is Docker's to judge.
        assert!(new_team_name("create-team", "name", &"é".repeat(300)).is_ok());
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
    fn team_ids_may_be_numbers_or_digit_strings() {
        assert_eq!(TeamId::Number(42).value().unwrap(), 42);
        assert_eq!(TeamId::Text(" 42 ".into()).value().unwrap(), 42);
        let e = TeamId::Text("devs".into()).value().unwrap_err();
        assert!(e.message.contains("\"id\" must be a team's numeric id"), "{}", e.message);
    }

    #[test]
    fn every_team_action_is_declared_once() {
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
        assert!(ACTIONS.iter().all(|a| super::super::EXPORTED.contains(&a.name)));
    }
}
