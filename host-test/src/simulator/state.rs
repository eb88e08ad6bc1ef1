//! The simulator's organization: members, teams, invites, audit events, settings and issued
//! tokens. Every change is recorded as an audit event, like Docker Hub does.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The seed organization (fixtures/simulator/org.json).
pub const SEED: &str = include_str!("../../../fixtures/simulator/org.json");

/// A member (Docker's `org_member` shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    /// Trimmed UUID.
    pub id: String,
    /// Docker ID.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Email.
    pub email: String,
    /// `Owner`, `Editor` or `Member`.
    pub role: String,
    /// Team names.
    pub groups: Vec<String>,
    /// Outside the verified domains.
    pub is_guest: bool,
    /// `User`.
    #[serde(rename = "type")]
    pub account_type: String,
    /// Company.
    #[serde(default)]
    pub company: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Join time.
    pub date_joined: String,
    /// Insights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    /// Insights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_logged_in_at: Option<String>,
    /// Insights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_desktop_version: Option<String>,
}

/// A team (`org_group` without the computed member count).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Team {
    /// Numeric id.
    pub id: u64,
    /// UUID.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The team's role, core or custom, as a `PATCH` set it (docker/docs PR 25996: team role
    /// assignment is `PATCH`-only and the 200 answer carries `role`). Absent until one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A custom role the organization defined (docker/docs PR 25996: members and teams take a custom
/// role by its **name**, never its label or UUID).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomRole {
    /// The name the API takes and answers.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// A pending invite (`invite`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invite {
    /// UUID.
    pub id: String,
    /// Who invited.
    pub inviter_username: String,
    /// Email or Docker ID.
    pub invitee: String,
    /// Organization.
    pub org: String,
    /// Team to join.
    #[serde(default)]
    pub team: Option<String>,
    /// Role to get.
    #[serde(default)]
    pub role: Option<String>,
    /// When.
    pub created_at: String,
}

/// An issued bearer token.
#[derive(Debug, Clone)]
pub struct Token {
    /// Unix expiry.
    pub expires: u64,
    /// Issued from a personal access token.
    pub personal: bool,
}

#[derive(Deserialize)]
struct Seed {
    name: String,
    members: Vec<Member>,
    teams: Vec<Team>,
    invites: Vec<Invite>,
    audit_events: Vec<Value>,
    settings: Value,
    #[serde(default)]
    custom_roles: Vec<CustomRole>,
    #[serde(default = "default_registry_access")]
    registry_access: Value,
}

/// Registry Access Management as an organization starts with it: off, Docker Hub allowed, no
/// custom registry. The shape is docker/terraform-provider-docker
/// `internal/hubclient/client_organization.go` (`OrgSettingRegistryAccessManagement`); Docker's
/// OpenAPI does not document the endpoint.
pub fn default_registry_access() -> Value {
    json!({
        "enabled": false,
        "standard_registries": [{ "id": "DockerHub", "allowed": true }],
        "custom_registries": [],
    })
}

/// The whole organization.
#[derive(Debug)]
pub struct State {
    /// Organization name.
    pub org: String,
    /// Members, in listing order.
    pub members: Vec<Member>,
    /// Teams, in listing order.
    pub teams: Vec<Team>,
    /// Pending invites.
    pub invites: Vec<Invite>,
    /// Audit events, newest first.
    pub events: Vec<Value>,
    /// Organization settings.
    pub settings: Value,
    /// The organization's custom roles.
    pub custom_roles: Vec<CustomRole>,
    /// Registry Access Management (`/v2/orgs/{org}/settings/registry-access-management`).
    pub registry_access: Value,
    /// Issued tokens.
    pub tokens: HashMap<String, Token>,
    /// Write requests received (every method but `GET`, the token exchange aside): what the
    /// `fail_write` quirk counts.
    pub writes_received: u64,
    counter: u64,
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// RFC 3339 time for `unix` seconds (UTC).
pub fn rfc3339(unix: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + std::time::Duration::from_secs(unix)).to_string()
}

impl State {
    /// The seed organization, renamed to `org`.
    pub fn seeded(org: &str) -> anyhow::Result<Self> {
        let seed: Seed = serde_json::from_str(SEED)?;
        let rename = |v: &str| if v == seed.name { org.to_string() } else { v.to_string() };
        let events = seed
            .audit_events
            .into_iter()
            .map(|mut e| {
                if let Some(account) = e.get("account").and_then(Value::as_str).map(rename) {
                    e["account"] = json!(account);
                }
                if let Some(name) = e.get("name").and_then(Value::as_str) {
                    let renamed = name.replacen(&format!("{}/", seed.name), &format!("{org}/"), 1);
                    e["name"] = json!(renamed);
                }
                e
            })
            .collect();
        let invites = seed.invites.into_iter().map(|i| Invite { org: org.to_string(), ..i }).collect();
        Ok(State {
            org: org.to_string(),
            members: seed.members,
            teams: seed.teams,
            invites,
            events,
            settings: seed.settings,
            custom_roles: seed.custom_roles,
            registry_access: seed.registry_access,
            tokens: HashMap::new(),
            writes_received: 0,
            counter: 0,
        })
    }

    /// Trims the roster to `count` members, or pads it with generated ones (`member00042`, role
    /// Member, in no team) so it has exactly `count`. Listing order stays: seed members first.
    pub fn set_member_count(&mut self, count: usize) {
        self.members.truncate(count);
        let start = self.members.len();
        self.members.extend((start..count).map(|i| Member {
            id: format!("{:032x}", 0x9e37_0000_0000_u64 + i as u64),
            username: format!("member{i:05}"),
            full_name: format!("Generated Member {i}"),
            email: format!("member{i:05}@example.com"),
            role: "Member".to_string(),
            groups: Vec::new(),
            is_guest: false,
            account_type: "User".to_string(),
            company: "Example Inc".to_string(),
            location: String::new(),
            date_joined: "2024-01-01T09:00:00.000000Z".to_string(),
            last_seen_at: None,
            last_logged_in_at: None,
            last_desktop_version: None,
        }));
    }

    /// A fresh id, unique in this process.
    pub fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A UUID-shaped id, derived from the state's counter only, so the same
    /// calls on a fresh organization give the same ids (runs compare equal).
    pub fn new_uuid(&mut self) -> String {
        let n = self.next_id();
        format!("5e1a{:04x}-{:04x}-4000-8000-{:012x}", (n >> 16) & 0xffff, n & 0xffff, n)
    }

    /// Records an audit event.
    pub fn record(&mut self, action: &str, name: &str, actor: &str, data: Value) {
        let event = json!({
            "account": self.org,
            "action": action,
            "name": name,
            "actor": actor,
            "data": data,
            "timestamp": rfc3339(now()),
            "action_description": format!("{action} {name} by {actor}"),
        });
        self.events.insert(0, event);
    }

    /// The member named `username` (case-insensitive).
    pub fn member_index(&self, username: &str) -> Option<usize> {
        self.members.iter().position(|m| m.username.eq_ignore_ascii_case(username))
    }

    /// The team named `name` (case-insensitive).
    pub fn team_index(&self, name: &str) -> Option<usize> {
        self.teams.iter().position(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// How many members a team has.
    pub fn member_count(&self, team: &str) -> usize {
        self.members.iter().filter(|m| m.groups.iter().any(|g| g.eq_ignore_ascii_case(team))).count()
    }

    /// A team in Docker's `org_group` shape (with `role` once one was assigned).
    pub fn team_json(&self, team: &Team) -> Value {
        let mut value = json!({
            "id": team.id,
            "uuid": team.uuid,
            "name": team.name,
            "description": team.description,
            "member_count": self.member_count(&team.name),
        });
        if let Some(role) = &team.role {
            value["role"] = json!(role);
        }
        value
    }

    /// The role a request names, as the answers write it: a core role (taken in any case, as
    /// `owner`/`editor`/`member`) in title case, or a custom role by its exact stored name (matched
    /// ignoring case). `None`: no such role, which Docker refuses (docker/docs PR 25996: "Unknown
    /// role names return an error").
    pub fn role_named(&self, asked: &str) -> Option<String> {
        let asked = asked.trim();
        match asked.to_ascii_lowercase().as_str() {
            "owner" => Some("Owner".to_string()),
            "editor" => Some("Editor".to_string()),
            "member" => Some("Member".to_string()),
            _ => self.custom_roles.iter().find(|r| r.name.eq_ignore_ascii_case(asked)).map(|r| r.name.clone()),
        }
    }

    /// How many owners there are.
    pub fn owner_count(&self) -> usize {
        self.members.iter().filter(|m| m.role == "Owner").count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn the_roster_can_be_trimmed_or_padded_with_unique_members() {
        let mut s = State::seeded("acme").unwrap();
        let seeded = s.members.len();
        s.set_member_count(5_000);
        assert_eq!(s.members.len(), 5_000);
        let names: std::collections::HashSet<&str> = s.members.iter().map(|m| m.username.as_str()).collect();
        assert_eq!(names.len(), 5_000, "usernames are unique");
        assert_eq!(s.members[seeded].username, format!("member{seeded:05}"));
        s.set_member_count(3);
        assert_eq!(s.members.len(), 3);
        assert_eq!(s.members[0].username, "adalovelace");
    }

    #[test]
    fn the_seed_loads_and_is_renamed() {
        let s = State::seeded("acme").unwrap();
        assert!(s.members.len() >= 300);
        assert!(s.owner_count() >= 2);
        assert!(s.invites.iter().all(|i| i.org == "acme"));
        assert!(s.events.iter().all(|e| e["account"] == "acme"));
        assert_eq!(s.custom_roles.len(), 2, "the seed defines two custom roles");
        assert_eq!(s.registry_access["enabled"], false);
    }

    #[test]
    fn roles_are_core_in_any_case_or_a_custom_name() {
        let s = State::seeded("acme").unwrap();
        assert_eq!(s.role_named("editor").as_deref(), Some("Editor"));
        assert_eq!(s.role_named("OWNER").as_deref(), Some("Owner"));
        let custom = &s.custom_roles[0].name;
        assert_eq!(s.role_named(&custom.to_uppercase()).as_deref(), Some(custom.as_str()));
        assert_eq!(s.role_named("no-such-role"), None);
    }
}
