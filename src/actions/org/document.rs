//! The organization as a desired-state document: its types (the input of `plan-org` and
//! `apply-org`, the output of `export-org`), the checks a document passes before anything is read,
//! and the document of a live organization (sorted, so two exports of one organization are the
//! same text).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actions::address::team::new_team_name;
use crate::actions::input::path_segment;
use crate::actions::invites::check_invitees;
use crate::api::groups::Team;
use crate::api::invites::Invite;
use crate::api::members::{Member, Role, RoleName};
use crate::error::{Error, Result};

/// Most removals one apply carries out unless the document raises `max_removals`.
pub const DEFAULT_MAX_REMOVALS: usize = 10;
/// Most teams, member entries or invites a document lists (each kind).
pub const MAX_ENTRIES: usize = 10_000;
/// The team whose members are the organization's owners: Docker Hub keeps it in step with the
/// owner role, so it is never created, emptied or deleted here, and its members change only through
/// `members[].role`.
pub const OWNERS_TEAM: &str = "owners";

/// A JSON object read as `T`. serde reads a struct from an array too (its fields in order), so
/// `"document": []` would pass as an empty document: the document and its entries are taken from
/// objects only, as their schemas say.
pub struct MapOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MapOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData)).map(MapOnly)
    }
}

/// `deserialize_with` for a struct field that must be a JSON object.
pub fn object<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> std::result::Result<T, D::Error> {
    MapOnly::<T>::deserialize(deserializer).map(|m| m.0)
}

/// `deserialize_with` for an optional list of JSON objects.
fn objects<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Vec<T>>, D::Error> {
    let list = Option::<Vec<MapOnly<T>>>::deserialize(deserializer)?;
    Ok(list.map(|l| l.into_iter().map(|m| m.0).collect()))
}

/// The organization as it should be. Every section is optional: a section left out is not managed
/// (nothing of that kind is planned). Nothing is removed unless `prune` says so for that kind.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrgDocument {
    /// The organization the document describes. When given it must be the connection's: a
    /// document written for another organization is refused before anything is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Which kinds of things the organization has and the document does not list are removed
    /// (each false by default: what the document leaves out is kept).
    #[serde(default, deserialize_with = "object")]
    pub prune: Prune,
    /// Refuse to carry out a plan with more removals than this (default 10): members removed,
    /// people taken off teams, invites cancelled and teams deleted, together. A preview warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(range(max = 100_000)))]
    pub max_removals: Option<usize>,
    /// An email in a team (or in `members`) that is not an organization member becomes an invite
    /// to send (to that team), instead of an error naming the entry (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_unknown: Option<bool>,
    /// The teams (Docker Hub groups). Left out: teams are not managed.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "objects")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(length(max = 10_000)))]
    pub teams: Option<Vec<TeamEntry>>,
    /// The members and their organization role. Left out: roles are not managed.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "objects")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(length(max = 10_000)))]
    pub members: Option<Vec<MemberEntry>>,
    /// The pending invites. Left out: invites are not managed (except those `invite_unknown`
    /// makes).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "objects")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(length(max = 10_000)))]
    pub invites: Option<Vec<InviteEntry>>,
}

/// What is removed when the document does not list it (each false by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Prune {
    /// Remove organization members that `members` does not list (needs `members`).
    #[serde(default)]
    pub members: bool,
    /// Delete teams that `teams` does not list (never the owners team; needs `teams`).
    #[serde(default)]
    pub teams: bool,
    /// Cancel pending invites that `invites` does not list (needs `invites`).
    #[serde(default)]
    pub invites: bool,
    /// Take people off a listed team when its `members` does not list them (needs `teams`).
    #[serde(default)]
    pub team_memberships: bool,
}

/// One team.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamEntry {
    /// The team's name (no "/"; compared ignoring case).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(length(min = 1, max = 255)))]
    pub name: String,
    /// What the team is for. Left out: kept as it is; "" clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The team's organization role (a core role or a custom role's name). Left out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
    /// Who is on the team: Docker IDs or emails of organization members (emails are matched
    /// exactly). Left out: the team's members are not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(length(max = 10_000)))]
    pub members: Option<Vec<String>>,
}

/// One member and their role: `username` or `email` (exactly one).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberEntry {
    /// The member's Docker ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The member's email (matched exactly, never to a near match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Their organization role: owner, editor, member or a custom role's name. Left out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
}

/// One pending invite.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteEntry {
    /// Who is invited: an email or a Docker ID.
    pub invitee: String,
    /// The role offered: owner, editor or member (Docker's default when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The team the invitee joins on accepting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// A person a document names, as given (a Docker ID, or an email when it has an `@`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Where in the document (`document.teams[1].members[0]`).
    pub field: String,
    /// The entry, trimmed.
    pub entry: String,
}

impl Named {
    /// Whether the entry is an email.
    pub fn is_email(&self) -> bool {
        self.entry.contains('@')
    }
}

/// A team of a checked document.
#[derive(Debug, Clone)]
pub struct CheckedTeam {
    /// Where it is (`document.teams[1]`).
    pub field: String,
    /// The name, trimmed.
    pub name: String,
    /// The description, trimmed (`Some("")` clears it).
    pub description: Option<String>,
    /// The role.
    pub role: Option<RoleName>,
    /// The people, each once (ignoring case).
    pub members: Option<Vec<Named>>,
}

/// A member entry of a checked document.
#[derive(Debug, Clone)]
pub struct CheckedMember {
    /// The person.
    pub person: Named,
    /// The role.
    pub role: Option<RoleName>,
}

/// An invite of a checked document.
#[derive(Debug, Clone)]
pub struct CheckedInvite {
    /// Where it is.
    pub field: String,
    /// The invitee, trimmed.
    pub invitee: String,
    /// The role.
    pub role: Option<Role>,
    /// The team.
    pub team: Option<String>,
}

/// A document that passed [`check`].
#[derive(Debug, Clone)]
pub struct Checked {
    /// What to prune.
    pub prune: Prune,
    /// The removal limit.
    pub max_removals: usize,
    /// Unknown emails become invites.
    pub invite_unknown: bool,
    /// The teams.
    pub teams: Option<Vec<CheckedTeam>>,
    /// The member entries.
    pub members: Option<Vec<CheckedMember>>,
    /// The invites.
    pub invites: Option<Vec<CheckedInvite>>,
}

/// An invalid-input error about the document field `field` (`document.teams[0].name`).
pub fn field_error(field: &str, message: String) -> Error {
    let pointer = field.replace("].", "/").replace(['[', '.'], "/").replace(']', "");
    Error::invalid_input(message).with_detail(json!({ "field": format!("/{pointer}") }))
}

/// An entry of a list of people: trimmed, not blank, no control characters or white space.
fn person(field: String, raw: &str) -> Result<Named> {
    let entry = raw.trim();
    if entry.is_empty() || entry.chars().any(|c| c.is_control() || c.is_whitespace()) || entry.chars().count() > 255 {
        return Err(field_error(
            &field,
            format!(
                "\"{field}\" ({raw:?}) is not a Docker ID or an email: it is blank, too long or has spaces or control \
characters."
            ),
        ));
    }
    Ok(Named { field, entry: entry.to_string() })
}

/// Checks `document` for organization `org` before anything is read: names, people, the
/// organization it is for, one entry per team, member and invitee, and `prune` only for the kinds
/// the document lists.
pub fn check(action: &str, document: &OrgDocument, org: &str) -> Result<Checked> {
    if let Some(named) = document.organization.as_deref().map(str::trim).filter(|o| !o.is_empty())
        && !named.eq_ignore_ascii_case(org)
    {
        return Err(field_error(
            "document.organization",
            format!(
                "The document is for organization \"{named}\", but the connection is to \"{org}\": nothing was read or \
changed. Connect to \"{named}\", or change \"organization\" in the document."
            ),
        ));
    }
    let prune = document.prune;
    for (wanted, kind, section, given) in [
        (prune.members, "members", "members", document.members.is_some()),
        (prune.teams, "teams", "teams", document.teams.is_some()),
        (prune.invites, "invites", "invites", document.invites.is_some()),
        (prune.team_memberships, "team_memberships", "teams", document.teams.is_some()),
    ] {
        if wanted && !given {
            return Err(field_error(
                &format!("document.prune.{kind}"),
                format!(
                    "\"prune.{kind}\" is true but the document has no \"{section}\" list: that would remove every one. \
Give the \"{section}\" list (an empty list to remove them all), or set prune.{kind} to false."
                ),
            ));
        }
    }
    let max_removals = document.max_removals.unwrap_or(DEFAULT_MAX_REMOVALS);
    if max_removals > 100_000 {
        return Err(field_error("document.max_removals", "\"max_removals\" is at most 100000.".to_string()));
    }
    for (name, len) in [
        ("teams", document.teams.as_ref().map_or(0, Vec::len)),
        ("members", document.members.as_ref().map_or(0, Vec::len)),
        ("invites", document.invites.as_ref().map_or(0, Vec::len)),
    ] {
        if len > MAX_ENTRIES {
            return Err(field_error(
                &format!("document.{name}"),
                format!("\"{name}\" lists {len} entries; a document lists at most {MAX_ENTRIES} of each kind."),
            ));
        }
    }
    let teams = match &document.teams {
        None => None,
        Some(teams) => {
            let mut seen = BTreeSet::new();
            let mut checked = Vec::new();
            for (i, team) in teams.iter().enumerate() {
                let field = format!("document.teams[{i}]");
                let name = new_team_name(action, &format!("{field}.name"), &team.name)
                    .map_err(|e| field_error(&format!("{field}.name"), e.message))?;
                if !seen.insert(name.to_lowercase()) {
                    return Err(field_error(
                        &format!("{field}.name"),
                        format!("Team \"{name}\" is listed twice in \"teams\" ({field}); list each team once."),
                    ));
                }
                let description = match &team.description {
                    Some(d) if d.chars().any(char::is_control) => {
                        return Err(field_error(
                            &format!("{field}.description"),
                            format!("\"{field}.description\" must not contain control characters."),
                        ));
                    }
                    Some(d) => Some(d.trim().to_string()),
                    None => None,
                };
                let members = match &team.members {
                    None => None,
                    Some(list) => {
                        if list.len() > MAX_ENTRIES {
                            return Err(field_error(
                                &format!("{field}.members"),
                                format!("\"{field}.members\" lists more than {MAX_ENTRIES} people."),
                            ));
                        }
                        let mut seen = BTreeSet::new();
                        let mut people = Vec::new();
                        for (j, raw) in list.iter().enumerate() {
                            let named = person(format!("{field}.members[{j}]"), raw)?;
                            if seen.insert(named.entry.to_lowercase()) {
                                people.push(named);
                            }
                        }
                        Some(people)
                    }
                };
                checked.push(CheckedTeam { field, name, description, role: team.role.clone(), members });
            }
            Some(checked)
        }
    };
    let members = match &document.members {
        None => None,
        Some(entries) => {
            let mut seen = BTreeSet::new();
            let mut checked = Vec::new();
            for (i, entry) in entries.iter().enumerate() {
                let field = format!("document.members[{i}]");
                let given =
                    |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
                let (key, raw) = match (given(&entry.username), given(&entry.email)) {
                    (Some(u), None) => ("username", u),
                    (None, Some(e)) => ("email", e),
                    _ => {
                        return Err(field_error(
                            &format!("{field}.username"),
                            format!("\"{field}\" needs exactly one of \"username\" and \"email\"."),
                        ));
                    }
                };
                let named = person(format!("{field}.{key}"), &raw)?;
                if key == "username" {
                    path_segment(action, &named.field, Some(&named.entry))
                        .map_err(|e| field_error(&named.field, e.message))?;
                } else if !named.is_email() {
                    return Err(field_error(
                        &named.field,
                        format!("\"{}\" ({:?}) is not an email: it has no \"@\".", named.field, named.entry),
                    ));
                }
                if !seen.insert(named.entry.to_lowercase()) {
                    return Err(field_error(
                        &named.field,
                        format!("\"{}\" is listed twice in \"members\" ({field}); list each member once.", named.entry),
                    ));
                }
                checked.push(CheckedMember { person: named, role: entry.role.clone() });
            }
            Some(checked)
        }
    };
    let invites = match &document.invites {
        None => None,
        Some(entries) => {
            let mut seen = BTreeSet::new();
            let mut checked = Vec::new();
            for (i, entry) in entries.iter().enumerate() {
                let field = format!("document.invites[{i}]");
                let invitee = check_invitees(std::slice::from_ref(&entry.invitee))
                    .map_err(|e| {
                        let message = e.message.replace("\"invitees[0]\"", &format!("\"{field}.invitee\""));
                        field_error(&format!("{field}.invitee"), message)
                    })?
                    .invitees
                    .remove(0);
                if !seen.insert(invitee.to_lowercase()) {
                    return Err(field_error(
                        &format!("{field}.invitee"),
                        format!("\"{invitee}\" is listed twice in \"invites\" ({field}); an invitee has one invite."),
                    ));
                }
                let team = match entry.team.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    Some(team) => Some(
                        path_segment(action, &format!("{field}.team"), Some(team))
                            .map_err(|e| field_error(&format!("{field}.team"), e.message))?,
                    ),
                    None => None,
                };
                checked.push(CheckedInvite { field, invitee, role: entry.role, team });
            }
            Some(checked)
        }
    };
    Ok(Checked {
        prune,
        max_removals,
        invite_unknown: document.invite_unknown.unwrap_or(false),
        teams,
        members,
        invites,
    })
}

/// A live organization as its document: every team (with its members by username, the owners team
/// too), every member with their role, every pending invite; each list sorted ignoring case, the
/// defaults written out (`prune` all false, `max_removals` 10, `invite_unknown` false) so the file
/// shows what can be changed.
pub fn export(org: &str, roster: &[Member], teams: &[Team], invites: &[Invite]) -> OrgDocument {
    let key = |s: &str| (s.to_lowercase(), s.to_string());
    let mut team_entries: Vec<TeamEntry> = teams
        .iter()
        .filter(|t| !t.name.is_empty())
        .map(|t| {
            let mut members: Vec<String> = roster
                .iter()
                .filter(|m| !m.username.is_empty() && on_team(m, &t.name))
                .map(|m| m.username.clone())
                .collect();
            members.sort_by_key(|m| key(m));
            TeamEntry {
                name: t.name.clone(),
                description: t.description.clone().filter(|d| !d.trim().is_empty()),
                role: t.role.as_deref().and_then(|r| RoleName::parse("role", r).ok()),
                members: Some(members),
            }
        })
        .collect();
    team_entries.sort_by_key(|t| key(&t.name));
    let mut member_entries: Vec<MemberEntry> = roster
        .iter()
        .filter(|m| !m.username.is_empty() && m.role.as_deref() != Some("invitee"))
        .map(|m| MemberEntry {
            username: Some(m.username.clone()),
            email: None,
            role: m.role.as_deref().and_then(|r| RoleName::parse("role", r).ok()),
        })
        .collect();
    member_entries.sort_by_key(|m| key(m.username.as_deref().unwrap_or_default()));
    let mut invite_entries: Vec<InviteEntry> = invites
        .iter()
        .filter_map(|i| {
            let invitee = i.invitee.clone()?;
            let role = match i.role.as_deref() {
                Some("owner") => Some(Role::Owner),
                Some("editor") => Some(Role::Editor),
                Some("member") => Some(Role::Member),
                _ => None,
            };
            Some(InviteEntry { invitee, role, team: i.team.clone() })
        })
        .collect();
    invite_entries.sort_by_key(|i| key(&i.invitee));
    OrgDocument {
        organization: Some(org.to_string()),
        prune: Prune::default(),
        max_removals: Some(DEFAULT_MAX_REMOVALS),
        invite_unknown: Some(false),
        teams: Some(team_entries),
        members: Some(member_entries),
        invites: Some(invite_entries),
    }
}

/// Whether the roster shows `member` on team `team` (ignoring case).
pub fn on_team(member: &Member, team: &str) -> bool {
    member.groups.as_ref().is_some_and(|g| g.iter().any(|n| n.eq_ignore_ascii_case(team)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(value: serde_json::Value) -> OrgDocument {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn errors_name_the_entry_and_its_pointer() {
        let d = doc(json!({"teams": [{"name": "a"}, {"name": "A"}]}));
        let e = check("plan-org", &d, "acme").unwrap_err();
        assert!(e.message.contains("listed twice"), "{}", e.message);
        assert_eq!(e.detail.unwrap()["field"], "/document/teams/1/name");
        let d = doc(json!({"teams": [{"name": "a", "members": ["ok", "a b"]}]}));
        let e = check("plan-org", &d, "acme").unwrap_err();
        assert!(e.message.contains("document.teams[0].members[1]"), "{}", e.message);
        let d = doc(json!({"members": [{"username": "a", "email": "a@b.c"}]}));
        assert!(check("plan-org", &d, "acme").unwrap_err().message.contains("exactly one"));
        let d = doc(json!({"invites": [{"invitee": "not an email"}]}));
        let e = check("plan-org", &d, "acme").unwrap_err();
        assert!(e.message.contains("document.invites[0].invitee"), "{}", e.message);
    }

    #[test]
    fn the_document_and_its_entries_are_objects_never_arrays() {
        assert!(serde_json::from_value::<MapOnly<OrgDocument>>(json!([])).is_err());
        assert!(serde_json::from_value::<OrgDocument>(json!({"prune": []})).is_err());
        assert!(serde_json::from_value::<OrgDocument>(json!({"teams": [["devs"]]})).is_err());
        assert!(serde_json::from_value::<OrgDocument>(json!({"members": [[]]})).is_err());
        let d: OrgDocument = serde_json::from_value(json!({"teams": null, "prune": {"teams": true}})).unwrap();
        assert!(d.teams.is_none() && d.prune.teams);
    }

    #[test]
    fn prune_needs_its_list_and_the_organization_must_match() {
        let d = doc(json!({"prune": {"members": true}}));
        let e = check("plan-org", &d, "acme").unwrap_err();
        assert!(e.message.contains("no \"members\" list"), "{}", e.message);
        let d = doc(json!({"organization": "other"}));
        assert!(check("plan-org", &d, "acme").unwrap_err().message.contains("\"other\""));
        let d = doc(json!({"organization": "ACME", "prune": {"members": true}, "members": []}));
        assert!(check("plan-org", &d, "acme").is_ok());
    }

    #[test]
    fn an_export_is_sorted_and_writes_the_defaults() {
        let m = |u: &str, role: &str, groups: &[&str]| Member {
            username: u.into(),
            role: Some(role.into()),
            groups: Some(groups.iter().map(|g| g.to_string()).collect()),
            ..Member::default()
        };
        let roster = [m("zed", "member", &["devs"]), m("Amy", "owner", &["owners", "devs"])];
        let team =
            |n: &str| Team { id: None, uuid: None, name: n.into(), description: None, member_count: None, role: None };
        let d = export("acme", &roster, &[team("owners"), team("devs")], &[]);
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["teams"][0]["name"], "devs");
        assert_eq!(v["teams"][0]["members"], json!(["Amy", "zed"]));
        assert_eq!(v["members"][0], json!({"username": "Amy", "role": "owner"}));
        assert_eq!(v["prune"], json!({"members": false, "teams": false, "invites": false, "team_memberships": false}));
        assert_eq!((v["max_removals"].clone(), v["invite_unknown"].clone()), (json!(10), json!(false)));
    }
}
