//! `/v2/orgs/{org_name}/groups…`: teams (Docker Hub calls them groups) and their members.
//!
//! Docker addresses a team by its name, so every name is one percent-encoded path segment. The
//! `target` of each request names the team and the organization, so that a 404 reads
//! `Docker Hub found no team "devs" in organization "acme"`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::members::{Member, RoleName};
use super::{ApiRequest, Endpoint, NoContent, Page, Refusal, Scope, path, whole};
use crate::host::Method;

/// What a request about team `team` of `org` addresses, for error messages.
pub fn team_target(org: &str, team: &str) -> String {
    format!("team \"{team}\" in organization \"{org}\"")
}

/// `GET /v2/orgs/{org}/groups` for one page.
pub fn list_groups(
    org: &str,
    search: Option<&str>,
    username: Option<&str>,
    page: u32,
    page_size: u32,
) -> Endpoint<Page<OrgGroup>> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "groups"]),
        Scope::GroupRead,
        format!("teams of organization \"{org}\""),
    )
    .query_opt("search", search)
    .query_opt("username", username)
    .query("page", page)
    .query("page_size", page_size)
    .into()
}

/// `POST /v2/orgs/{org}/groups` with `{"name", "description"?}`.
pub fn create_group(org: &str, name: &str, description: Option<&str>) -> Endpoint<OrgGroup> {
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    if let Some(description) = description {
        body.insert("description".into(), json!(description));
    }
    ApiRequest::new(Method::Post, path(&["v2", "orgs", org, "groups"]), Scope::GroupEdit, team_target(org, name))
        .json(Value::Object(body))
        .may_refuse(Refusal::NameTaken(name.to_string()))
        .into()
}

/// `GET /v2/orgs/{org}/groups/{name}`.
pub fn get_group(org: &str, name: &str) -> Endpoint<OrgGroup> {
    ApiRequest::new(Method::Get, path(&["v2", "orgs", org, "groups", name]), Scope::GroupRead, team_target(org, name))
        .into()
}

/// The fields of a team to change; a field left `None` keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupChange {
    /// New name.
    pub name: Option<String>,
    /// New description (an empty string clears it).
    pub description: Option<String>,
    /// New role, core or custom (docker/docs PR 25996: a team's role is set with `PATCH` only).
    pub role: Option<RoleName>,
}

impl GroupChange {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none() && self.role.is_none()
    }
}

/// Updates team `name` of `org`: `PUT` with both fields when both change (Docker's full update,
/// whose body requires `name`), otherwise `PATCH` with only the fields that change, so the others
/// keep their values. A role is only ever sent in a `PATCH` (docker/docs PR 25996: "Team
/// assignment is PATCH-only, not PUT"), together with whatever else changes.
pub fn update_group(org: &str, name: &str, change: &GroupChange) -> Endpoint<OrgGroup> {
    let segments = path(&["v2", "orgs", org, "groups", name]);
    let target = team_target(org, name);
    let request = match (&change.name, &change.description, &change.role) {
        (Some(new_name), Some(description), None) => ApiRequest::new(Method::Put, segments, Scope::GroupEdit, target)
            .json(json!({ "name": new_name, "description": description })),
        _ => {
            let mut body = Map::new();
            if let Some(new_name) = &change.name {
                body.insert("name".into(), json!(new_name));
            }
            if let Some(description) = &change.description {
                body.insert("description".into(), json!(description));
            }
            if let Some(role) = &change.role {
                body.insert("role".into(), json!(role.as_str()));
            }
            ApiRequest::new(Method::Patch, segments, Scope::GroupEdit, target).json(Value::Object(body))
        }
    };
    match &change.name {
        Some(new_name) => request.may_refuse(Refusal::NameTaken(new_name.clone())).into(),
        None => request.into(),
    }
}

/// `DELETE /v2/orgs/{org}/groups/{name}`.
pub fn delete_group(org: &str, name: &str) -> Endpoint<NoContent> {
    ApiRequest::new(
        Method::Delete,
        path(&["v2", "orgs", org, "groups", name]),
        Scope::GroupEdit,
        team_target(org, name),
    )
    .into()
}

/// `GET /v2/orgs/{org}/groups/{team}/members` for one page. A 404 names the team.
pub fn list_group_members(
    org: &str,
    team: &str,
    search: Option<&str>,
    page: u32,
    page_size: u32,
) -> Endpoint<Page<GroupMember>> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "groups", team, "members"]),
        Scope::GroupRead,
        team_target(org, team),
    )
    .query_opt("search", search)
    .query("page", page)
    .query("page_size", page_size)
    .into()
}

/// `POST /v2/orgs/{org}/groups/{team}/members` with `{"member": username}`: Docker's field is
/// `member`, not `username`.
pub fn add_group_member(org: &str, team: &str, username: &str) -> Endpoint<NoContent> {
    ApiRequest::new(
        Method::Post,
        path(&["v2", "orgs", org, "groups", team, "members"]),
        Scope::GroupEdit,
        team_target(org, team),
    )
    .json(json!({ "member": username }))
    .may_refuse(Refusal::AlreadyMember(username.to_string()))
    .into()
}

/// `DELETE /v2/orgs/{org}/groups/{team}/members/{username}`.
pub fn remove_group_member(org: &str, team: &str, username: &str) -> Endpoint<NoContent> {
    ApiRequest::new(
        Method::Delete,
        path(&["v2", "orgs", org, "groups", team, "members", username]),
        Scope::GroupEdit,
        format!("member \"{username}\" of {}", team_target(org, team)),
    )
    // Sent only for someone the member listing showed on the team: a 404 means they (or the team)
    // went in between, and either way they are off it.
    .absent_is_done()
    .into()
}

/// A team as Docker returns it (`org_group`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct OrgGroup {
    /// Numeric id (the one repository grants use).
    #[serde(default)]
    pub id: Option<f64>,
    /// UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Name. Required: an answer without it (`{}`, a proxy's error object) is not a team.
    #[serde(deserialize_with = "super::present")]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Members on the team.
    #[serde(default)]
    pub member_count: Option<f64>,
    /// The team's role, core or custom, when Docker's answer has one (docker/docs PR 25996 adds
    /// `role` to `org_group`).
    #[serde(default)]
    pub role: Option<String>,
}

/// A team as every action outputs one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Team {
    /// Numeric id.
    pub id: Option<u64>,
    /// UUID.
    pub uuid: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Members on the team.
    pub member_count: Option<u64>,
    /// The team's organization role exactly as Docker returns it: a core role (any case Docker
    /// uses) or a custom role's name. Present only when Docker's answer has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl From<OrgGroup> for Team {
    fn from(g: OrgGroup) -> Self {
        Team {
            id: whole(g.id),
            uuid: g.uuid.filter(|s| !s.is_empty()),
            name: g.name.unwrap_or_default(),
            description: g.description,
            member_count: whole(g.member_count),
            role: g.role.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        }
    }
}

/// A team member as Docker returns it (`group_member`); every field may be missing or null.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct GroupMember {
    /// Trimmed UUID.
    pub id: Option<String>,
    /// Docker ID.
    pub username: Option<String>,
    /// Display name.
    pub full_name: Option<String>,
    /// Email (visible to owners and other elevated callers).
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Profile URL.
    pub profile_url: Option<String>,
    /// Gravatar URL.
    pub gravatar_url: Option<String>,
    /// When the account joined Docker Hub.
    pub date_joined: Option<String>,
    /// `User` or `Org`.
    #[serde(rename = "type")]
    pub account_type: Option<String>,
}

fn text(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

impl From<GroupMember> for Member {
    fn from(m: GroupMember) -> Self {
        Member {
            username: m.username.unwrap_or_default(),
            full_name: text(m.full_name),
            email: text(m.email),
            company: text(m.company),
            location: text(m.location),
            profile_url: text(m.profile_url),
            gravatar_url: text(m.gravatar_url),
            date_joined: text(m.date_joined),
            account_type: text(m.account_type),
            id: text(m.id),
            ..Member::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_groups_passes_filters_and_paging() {
        let r = list_groups("acme", Some("dev ops"), Some("jon"), 2, 100);
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_and_query(), "/v2/orgs/acme/groups?search=dev+ops&username=jon&page=2&page_size=100");
        assert_eq!(r.scope, Scope::GroupRead);
    }

    #[test]
    fn create_group_sends_description_only_when_given() {
        let r = create_group("acme", "platform", None);
        assert_eq!((r.method, r.path.as_str()), (Method::Post, "/v2/orgs/acme/groups"));
        assert_eq!(r.body, Some(json!({"name": "platform"})));
        assert_eq!(r.scope, Scope::GroupEdit);
        let r = create_group("acme", "platform", Some("Platform engineering"));
        assert_eq!(r.body, Some(json!({"name": "platform", "description": "Platform engineering"})));
    }

    #[test]
    fn team_names_are_single_encoded_segments_and_named_in_the_target() {
        let r = get_group("acme", "a/b? c%d");
        assert_eq!(r.path, "/v2/orgs/acme/groups/a%2Fb%3F%20c%25d");
        assert_eq!(r.target, "team \"a/b? c%d\" in organization \"acme\"");
        let r = remove_group_member("acme", "x/y", "jon snow");
        assert_eq!(r.path, "/v2/orgs/acme/groups/x%2Fy/members/jon%20snow");
        assert!(r.target.contains("team \"x/y\""), "{}", r.target);
    }

    #[test]
    fn update_group_patches_one_field_and_puts_both() {
        let only_name = GroupChange { name: Some("devs".into()), description: None, role: None };
        let r = update_group("acme", "developers", &only_name);
        assert_eq!(r.method, Method::Patch);
        assert_eq!(r.body, Some(json!({"name": "devs"})));
        let only_description = GroupChange { name: None, description: Some(String::new()), role: None };
        let r = update_group("acme", "developers", &only_description);
        assert_eq!(r.method, Method::Patch);
        assert_eq!(r.body, Some(json!({"description": ""})));
        let both = GroupChange { name: Some("devs".into()), description: Some("App developers".into()), role: None };
        let r = update_group("acme", "developers", &both);
        assert_eq!((r.method, r.path.as_str()), (Method::Put, "/v2/orgs/acme/groups/developers"));
        assert_eq!(r.body, Some(json!({"name": "devs", "description": "App developers"})));
        assert!(r.idempotent);
        let role = RoleName::parse("role", "release-manager").unwrap();
        let all = GroupChange { role: Some(role), ..both };
        let r = update_group("acme", "developers", &all);
        assert_eq!(r.method, Method::Patch, "a role is only ever sent in a PATCH");
        assert_eq!(r.body, Some(json!({"name": "devs", "description": "App developers", "role": "release-manager"})));
    }

    #[test]
    fn add_group_member_posts_the_member_field() {
        let r = add_group_member("acme", "developers", "jonsnow");
        assert_eq!((r.method, r.path.as_str()), (Method::Post, "/v2/orgs/acme/groups/developers/members"));
        assert_eq!(r.body, Some(json!({"member": "jonsnow"})));
    }

    #[test]
    fn list_group_members_and_delete_build_the_documented_paths() {
        let r = list_group_members("acme", "developers", Some("jon@example.com"), 1, 10);
        assert_eq!(
            r.path_and_query(),
            "/v2/orgs/acme/groups/developers/members?search=jon%40example.com&page=1&page_size=10"
        );
        let r = delete_group("acme", "developers");
        assert_eq!((r.method, r.path.as_str()), (Method::Delete, "/v2/orgs/acme/groups/developers"));
        assert_eq!(r.scope, Scope::GroupEdit);
    }

    #[test]
    fn team_mapping_keeps_whole_ids_only() {
        let raw: OrgGroup =
            serde_json::from_value(json!({"id": 10, "uuid": "", "name": "devs", "member_count": 2.5, "extra": true}))
                .unwrap();
        let t = Team::from(raw);
        assert_eq!((t.id, t.uuid, t.member_count), (Some(10), None, None));
    }

    #[test]
    fn team_member_mapping_turns_empty_strings_into_null() {
        let raw: GroupMember = serde_json::from_value(json!({
            "id": "0ab7", "username": "jonsnow", "full_name": "Jon Snow", "email": "", "company": null,
            "type": "User", "gravatar_url": "", "unknown": 1
        }))
        .unwrap();
        let m = Member::from(raw);
        assert_eq!(m.username, "jonsnow");
        assert_eq!((m.email, m.company, m.gravatar_url), (None, None, None));
        assert_eq!(m.account_type.as_deref(), Some("User"));
    }
}
