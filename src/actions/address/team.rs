//! Which team an input names: by `team` (its name) or `team_id` (its numeric id, resolved through
//! the team list: Docker addresses teams by name only), the rules for a new team name, and the
//! whole-team listings the workflows read. Used by every action and workflow that addresses teams.

use serde::Deserialize;
use serde_json::json;

use crate::actions::input::{about, given, path_segment};
use crate::actions::paging::every_page;
use crate::api::groups::{self, Team};
use crate::api::members::Member;
use crate::client::Client;
use crate::client::paging::DEFAULT_MAX_ITEMS;
use crate::error::{Error, ErrorKind, Result};

/// A name for a new team (or a rename): what Docker documents, checked before sending. Docker's
/// OpenAPI requires `name` (a string) on create and on PUT and documents no other rule, no length
/// and no character set (docker/docs `content/reference/api/hub/latest.yaml`, `POST/PUT
/// /v2/orgs/{org_name}/groups`; `content/manuals/admin/organization/manage-a-team.md` says nothing
/// more). So the name must be present and not blank; any further rule is Docker's to apply, and its
/// 400 comes back in its own words (see `api::error_body`). The limits here are this plugin's,
/// because the name becomes one segment of later URLs: the path-segment rule (no `/`, `\`, dot
/// steps or control characters, at most 255 characters).
pub fn new_team_name(action: &str, field: &str, value: &str) -> Result<String> {
    let name = path_segment(action, field, Some(value))?;
    if name.contains('/') {
        return Err(Error::invalid_input(format!(
            "\"{field}\" must not contain \"/\" (got \"{name}\"): a team name is one segment of Docker Hub's URLs."
        )));
    }
    Ok(name)
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
                    "\"team_id\" must be a team's numeric id (got \"{s}\"); to name a team by its name use \"team\"."
                ))
            }),
        }
    }
}

/// Which team an input names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamSelector {
    /// By name (`team`).
    Name(String),
    /// By numeric id (`team_id`).
    Id(u64),
}

impl TeamSelector {
    /// From the `team` and `team_id` fields: exactly one must be given.
    pub fn from_fields(action: &str, team: Option<&str>, team_id: Option<&TeamId>) -> Result<Self> {
        let team = given(team);
        let selector = match (team, team_id) {
            (Some(name), None) => Ok(TeamSelector::Name(path_segment(action, "team", Some(name))?)),
            (None, Some(id)) => Ok(TeamSelector::Id(id.value()?)),
            (Some(_), Some(_)) => {
                Err(Error::invalid_input(format!("{action} takes either \"team\" or \"team_id\", not both.")))
            }
            (None, None) => Err(Error::invalid_input(format!(
                "{action} needs \"team\" (the team's name) or \"team_id\" (its numeric id)."
            ))),
        };
        let field = if team.is_none() && team_id.is_some() { "team_id" } else { "team" };
        let expected = "exactly one of \"team\" (the team's name) and \"team_id\" (its numeric id)";
        selector.map_err(|e| {
            let e = about(e, field, expected);
            if e.detail.as_ref().is_some_and(|d| d["expected"] == expected) {
                e.add_detail(json!({ "hints": ["Give \"team\" or \"team_id\", not both; list-teams shows each team's name and id."] }))
            } else {
                e
            }
        })
    }

    /// The input field it was given by.
    pub fn field(&self) -> &'static str {
        match self {
            TeamSelector::Name(_) => "team",
            TeamSelector::Id(_) => "team_id",
        }
    }

    /// The team's name: as given, or (for an id) read from the team list.
    pub fn name(&self, client: &Client) -> Result<String> {
        match self {
            TeamSelector::Name(name) => Ok(name.clone()),
            TeamSelector::Id(id) => Ok(team_by_id(client, *id)?.name),
        }
    }

    /// The team, read from Docker Hub (by name: one request; by id: through the team list).
    pub fn read(&self, client: &Client) -> Result<Team> {
        match self {
            TeamSelector::Name(name) => Ok(Team::from(client.fetch(&groups::get_group(client.org(), name))?)),
            TeamSelector::Id(id) => team_by_id(client, *id),
        }
    }

    /// The team, or `None` when Docker Hub has no such team.
    pub fn find(&self, client: &Client) -> Result<Option<Team>> {
        match self.read(client) {
            Ok(team) => Ok(Some(team)),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Finds the team with numeric `id` by walking the whole team list (100 a page, bounded).
fn team_by_id(client: &Client, id: u64) -> Result<Team> {
    let org = client.org();
    let teams = every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| groups::list_groups(org, None, None, page, size),
        Team::from,
    )?
    .items;
    let checked = teams.len();
    teams.into_iter().find(|t| t.id == Some(id)).ok_or_else(|| {
        Error::not_found(format!(
            "No team of organization \"{org}\" has id {id} ({checked} teams checked). Use list-teams to see the teams and their ids."
        ))
        .with_detail(json!({ "team_id": id, "teams_checked": checked }))
    })
}

/// Every team of the organization, or only `username`'s.
pub fn all_teams(client: &Client, username: Option<&str>) -> Result<Vec<Team>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| groups::list_groups(client.org(), None, username, page, size),
        Team::from,
    )
    .map(|listing| listing.items)
}

/// Every member of team `team`.
pub fn team_members(client: &Client, team: &str) -> Result<Vec<Member>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| groups::list_group_members(client.org(), team, None, page, size),
        Member::from,
    )
    .map(|listing| listing.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_team_names_are_trimmed_and_checked() {
        assert_eq!(new_team_name("create-team", "name", "  platform ").unwrap(), "platform");
        let e = new_team_name("create-team", "name", "a/b").unwrap_err();
        assert!(e.message.contains("\"name\" must not contain \"/\""), "{}", e.message);
        let e = new_team_name("update-team", "new_name", "bad\u{7}name").unwrap_err();
        assert!(e.message.contains("\"new_name\" must not contain control characters"), "{}", e.message);
        let e = new_team_name("create-team", "name", "   ").unwrap_err();
        assert!(e.message.contains("\"name\""), "{}", e.message);
        // No length is documented: a long name is Docker's to judge, up to the path-segment limit.
        assert!(new_team_name("create-team", "name", &"é".repeat(255)).is_ok());
    }

    #[test]
    fn team_ids_may_be_numbers_or_digit_strings() {
        assert_eq!(TeamId::Number(42).value().unwrap(), 42);
        assert_eq!(TeamId::Text(" 42 ".into()).value().unwrap(), 42);
        let e = TeamId::Text("devs".into()).value().unwrap_err();
        assert!(e.message.contains("\"team_id\" must be a team's numeric id"), "{}", e.message);
    }
}
