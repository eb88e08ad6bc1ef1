//! The plan between a live organization and a checked document: every change (a team, a
//! membership, a role, an invite), the requests that make it, in the safe order — create teams →
//! invites and additions → role changes → removals → team deletions — and the guards that refuse a
//! plan before anything is sent (no owner left, the owners team changed by hand, people the
//! organization does not have).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::json;

use super::document::{Checked, Named, OWNERS_TEAM, field_error, on_team};
use crate::actions::input::path_segment;
use crate::actions::plan::Plan;
use crate::api::groups::{self, GroupChange, Team};
use crate::api::invites::{self, BulkInvite, Invite};
use crate::api::members::{self, Member, Role, RoleName};
use crate::api::{ApiRequest, Endpoint, NoContent};
use crate::error::{Error, Result};
use crate::host::HttpResponse;

/// What a change is about; also the key of `prune`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A team: created, updated (description, role) or deleted.
    Teams,
    /// Someone put on or taken off a team.
    TeamMemberships,
    /// A member's organization role changed, or the member removed.
    Members,
    /// An invite sent, replaced or cancelled.
    Invites,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// `+`: something new.
    Add,
    /// `~`: something changed in place.
    Change,
    /// `-`: something removed.
    Remove,
}

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ChangeOutcome {
    /// Planned; nothing was sent (a plan or a dry run).
    Planned,
    /// Every request was carried out.
    Done,
    /// Docker answered that it already held (someone else got there first).
    AlreadyDone,
    /// Some of its requests were carried out, then the apply stopped.
    PartlyDone,
    /// Its request failed: the apply stopped here.
    Failed,
    /// Not attempted: the apply stopped before it.
    NotAttempted,
}

/// One request of a change.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ChangeRequest {
    /// Its position in the plan (1-based), which is the order of the apply.
    pub step: usize,
    /// HTTP method.
    pub method: &'static str,
    /// Path, as sent.
    pub path: String,
}

/// One change of the plan.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OrgChange {
    /// What it is about.
    pub kind: ChangeKind,
    /// `add`, `change` or `remove`.
    pub op: ChangeOp,
    /// The team, the person (Docker ID) or the invitee.
    pub subject: String,
    /// The team of a membership change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// What changes, in words (`role editor -> owner`).
    pub detail: String,
    /// The requests that make it, in apply order.
    pub requests: Vec<ChangeRequest>,
    /// How it ended: `planned` (a plan or a dry run), `done`, `already-done`; when an apply stopped:
    /// `partly-done`, `failed`, `not-attempted`.
    pub outcome: ChangeOutcome,
}

/// Changes of one kind, counted.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Counts {
    /// `+`
    pub add: usize,
    /// `~`
    pub change: usize,
    /// `-`
    pub remove: usize,
}

/// The plan counted, per kind and in all.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Summary {
    /// In words: "3 to add, 1 to change, 2 to remove".
    pub text: String,
    /// Every change.
    pub total: Counts,
    /// Teams.
    pub teams: Counts,
    /// Team memberships.
    pub team_memberships: Counts,
    /// Members (roles, removals).
    pub members: Counts,
    /// Invites.
    pub invites: Counts,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[OrgChange]) -> Self {
        let mut summary = Summary {
            text: String::new(),
            total: Counts::default(),
            teams: Counts::default(),
            team_memberships: Counts::default(),
            members: Counts::default(),
            invites: Counts::default(),
        };
        for change in changes {
            for counts in [
                &mut summary.total,
                match change.kind {
                    ChangeKind::Teams => &mut summary.teams,
                    ChangeKind::TeamMemberships => &mut summary.team_memberships,
                    ChangeKind::Members => &mut summary.members,
                    ChangeKind::Invites => &mut summary.invites,
                },
            ] {
                match change.op {
                    ChangeOp::Add => counts.add += 1,
                    ChangeOp::Change => counts.change += 1,
                    ChangeOp::Remove => counts.remove += 1,
                }
            }
        }
        let t = summary.total;
        summary.text = format!("{} to add, {} to change, {} to remove", t.add, t.change, t.remove);
        summary
    }
}

/// Where a request goes in the apply: create teams, invites and additions, role changes (owners
/// made first), removals, team deletions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    CreateTeams,
    InvitesAndAdditions,
    Promotions,
    RoleChanges,
    MembershipRemovals,
    InviteCancellations,
    MemberRemovals,
    TeamDeletions,
}

/// A request before it has its place in the plan.
struct Draft {
    phase: Phase,
    change: usize,
    request: ApiRequest,
    why: String,
    verify: String,
    changes: Option<fn(&HttpResponse) -> bool>,
    /// The invitee a bulk invitation sends to (its answer says per invitee what Docker did).
    invitee: Option<String>,
}

/// The computed plan.
pub struct Computed {
    /// Every change, grouped by kind (teams, memberships, members, invites), each kind sorted.
    pub changes: Vec<OrgChange>,
    /// The requests, in apply order.
    pub plan: Plan,
    /// How many changes remove something.
    pub removals: usize,
    /// What the caller should know that does not stop the plan.
    pub notes: Vec<String>,
    /// The plan's step (0-based) per team role assignment, with the role asked for and the team.
    pub role_steps: Vec<(usize, RoleName, String)>,
    /// The plan's step (0-based) per invitation, with the invitee.
    pub invite_steps: Vec<(usize, String)>,
}

/// What the organization has now.
pub struct Live<'a> {
    /// The organization.
    pub org: &'a str,
    /// Every member, with role and teams.
    pub roster: &'a [Member],
    /// Every team.
    pub teams: &'a [Team],
    /// Every pending invite.
    pub invites: &'a [Invite],
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// The member `named` names: the exact username, or the exact email (ignoring case; never a near
/// match).
fn find<'a>(roster: &'a [Member], named: &Named) -> Option<&'a Member> {
    if named.is_email() {
        roster.iter().find(|m| m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&named.entry)))
    } else {
        roster.iter().find(|m| m.username.eq_ignore_ascii_case(&named.entry))
    }
}

/// The role a member holds, as the document writes roles.
fn role_of(member: &Member) -> Option<RoleName> {
    member.role.as_deref().and_then(|r| RoleName::parse("role", r).ok())
}

fn same_role(a: &RoleName, b: &RoleName) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
}

/// Computes the plan from `live` to `doc`.
pub fn compute(action: &str, live: &Live, doc: &Checked) -> Result<Computed> {
    let org = live.org;
    let mut changes: Vec<OrgChange> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut notes = Vec::new();
    let mut unknown: Vec<serde_json::Value> = Vec::new();
    let explicit: BTreeMap<String, usize> =
        doc.invites.iter().flatten().enumerate().map(|(i, invite)| (lower(&invite.invitee), i)).collect();
    // Invites an unknown email in the document asks for (invite_unknown), by invitee.
    let mut derived: BTreeMap<String, (String, Option<Role>, Option<String>)> = BTreeMap::new();
    let mut is_unknown = |named: &Named, team: Option<&str>, role: Option<&RoleName>| {
        if explicit.contains_key(&lower(&named.entry)) {
            return;
        }
        if named.is_email() && doc.invite_unknown {
            let role = role.and_then(RoleName::core_role);
            let entry = derived.entry(lower(&named.entry)).or_insert((named.entry.clone(), role, None));
            if entry.2.is_none() {
                entry.2 = team.map(str::to_string);
            }
            if entry.1.is_none() {
                entry.1 = role;
            }
        } else {
            unknown.push(json!({ "field": named.field, "entry": named.entry }));
        }
    };
    let add = |changes: &mut Vec<OrgChange>, kind, op, subject: &str, team: Option<&str>, detail: String| {
        changes.push(OrgChange {
            kind,
            op,
            subject: subject.to_string(),
            team: team.map(str::to_string),
            detail,
            requests: Vec::new(),
            outcome: ChangeOutcome::Planned,
        });
        changes.len() - 1
    };

    // Members: roles, and (prune) removals.
    let mut kept: BTreeSet<String> = live.roster.iter().map(|m| lower(&m.username)).collect();
    let mut desired_role: BTreeMap<String, RoleName> = BTreeMap::new();
    if let Some(entries) = &doc.members {
        let mut listed = BTreeSet::new();
        for entry in entries {
            let Some(member) = find(live.roster, &entry.person) else {
                is_unknown(&entry.person, None, entry.role.as_ref());
                continue;
            };
            if !listed.insert(lower(&member.username)) {
                return Err(field_error(
                    &entry.person.field,
                    format!(
                        "\"{}\" names \"{}\", whom another entry of \"members\" names too; list each member once.",
                        entry.person.entry, member.username
                    ),
                ));
            }
            let Some(role) = &entry.role else { continue };
            desired_role.insert(lower(&member.username), role.clone());
            let current = role_of(member);
            if current.as_ref().is_some_and(|c| same_role(c, role)) {
                continue;
            }
            let username = path_segment(action, &entry.person.field, Some(&member.username))?;
            let from = current.as_ref().map_or("none", RoleName::as_str).to_string();
            let i = add(
                &mut changes,
                ChangeKind::Members,
                ChangeOp::Change,
                &member.username,
                None,
                format!("role {from} -> {}", role.as_str()),
            );
            drafts.push(Draft {
                phase: if role.is_owner() { Phase::Promotions } else { Phase::RoleChanges },
                change: i,
                request: ApiRequest::clone(&members::update_member_role(org, &username, role)),
                why: format!("change the role of \"{username}\" from {from} to {}", role.as_str()),
                verify: format!("get-member {{\"username\": \"{username}\"}}"),
                changes: None,
                invitee: None,
            });
        }
        if doc.prune.members {
            for member in live.roster.iter().filter(|m| !m.username.is_empty() && !listed.contains(&lower(&m.username)))
            {
                kept.remove(&lower(&member.username));
                let username = path_segment(action, "username", Some(&member.username))?;
                let i = add(
                    &mut changes,
                    ChangeKind::Members,
                    ChangeOp::Remove,
                    &member.username,
                    None,
                    "remove from the organization (and so from every team)".to_string(),
                );
                drafts.push(Draft {
                    phase: Phase::MemberRemovals,
                    change: i,
                    request: ApiRequest::clone(&members::remove_member(org, &username)),
                    why: format!("remove \"{username}\" from organization \"{org}\" (not in members)"),
                    verify: format!("get-member {{\"username\": \"{username}\"}}"),
                    changes: None,
                    invitee: None,
                });
            }
        }
    }

    // The owners: one must remain, and the owners team follows the owner role.
    let owners_after: BTreeSet<String> = live
        .roster
        .iter()
        .filter(|m| kept.contains(&lower(&m.username)))
        .filter(|m| match desired_role.get(&lower(&m.username)) {
            Some(role) => role.is_owner(),
            None => role_of(m).is_some_and(|r| r.is_owner()),
        })
        .map(|m| lower(&m.username))
        .collect();
    if owners_after.is_empty() {
        return Err(Error::conflict(format!(
            "The document leaves organization \"{org}\" without an owner, and Docker Hub refuses to remove or demote \
the last owner. Keep at least one member with role owner in \"members\". Nothing was changed."
        ))
        .with_detail(json!({ "owners_now": live.roster.iter().filter(|m| role_of(m).is_some_and(|r| r.is_owner())).map(|m| &m.username).collect::<Vec<_>>() })));
    }

    // Teams: create, update, memberships, (prune) delete.
    let mut role_steps_wanted: Vec<(usize, RoleName, String)> = Vec::new();
    if let Some(teams) = &doc.teams {
        for team in teams {
            let live_team = live.teams.iter().find(|t| t.name.eq_ignore_ascii_case(&team.name));
            let name = live_team.map_or(team.name.clone(), |t| t.name.clone());
            let segment = path_segment(action, &format!("{}.name", team.field), Some(&name))?;
            let is_owners = name.eq_ignore_ascii_case(OWNERS_TEAM);
            let mut role_change = None;
            match live_team {
                None if is_owners => {
                    return Err(field_error(
                        &format!("{}.name", team.field),
                        format!(
                            "Organization \"{org}\" has no team \"{name}\", and the owners team is Docker Hub's own: it \
cannot be created. Leave it out of the document."
                        ),
                    ));
                }
                None => {
                    let i = add(&mut changes, ChangeKind::Teams, ChangeOp::Add, &name, None, "create the team".into());
                    drafts.push(Draft {
                        phase: Phase::CreateTeams,
                        change: i,
                        request: ApiRequest::clone(&groups::create_group(
                            org,
                            &segment,
                            team.description.as_deref().filter(|d| !d.is_empty()),
                        )),
                        why: format!("create team \"{name}\""),
                        verify: format!("get-team {{\"team\": \"{name}\"}}"),
                        changes: None,
                        invitee: None,
                    });
                    if let Some(role) = &team.role {
                        role_change = Some((i, GroupChange { role: Some(role.clone()), ..GroupChange::default() }));
                    }
                }
                Some(current) => {
                    let description = team
                        .description
                        .clone()
                        .filter(|d| current.description.as_deref().unwrap_or("").trim() != d.as_str());
                    let role = team
                        .role
                        .clone()
                        .filter(|r| current.role.as_deref().is_none_or(|c| !c.eq_ignore_ascii_case(r.as_str())));
                    let change = GroupChange { name: None, description: description.clone(), role: role.clone() };
                    if !change.is_empty() {
                        let mut words = Vec::new();
                        if let Some(d) = &description {
                            words.push(format!(
                                "description {:?} -> {d:?}",
                                current.description.as_deref().unwrap_or("")
                            ));
                        }
                        if let Some(r) = &role {
                            words.push(format!("role {} -> {}", current.role.as_deref().unwrap_or("none"), r.as_str()));
                        }
                        let i = add(&mut changes, ChangeKind::Teams, ChangeOp::Change, &name, None, words.join("; "));
                        role_change = Some((i, change));
                    }
                }
            }
            if let Some((i, change)) = role_change {
                if let Some(role) = &change.role {
                    role_steps_wanted.push((drafts.len(), role.clone(), name.clone()));
                }
                drafts.push(Draft {
                    phase: Phase::Promotions,
                    change: i,
                    request: ApiRequest::clone(&groups::update_group(org, &segment, &change)),
                    why: format!("update team \"{name}\""),
                    verify: format!("get-team {{\"team\": \"{name}\"}}"),
                    changes: None,
                    invitee: None,
                });
            }
            let Some(people) = &team.members else { continue };
            let mut desired: BTreeMap<String, String> = BTreeMap::new();
            for named in people {
                match find(live.roster, named) {
                    Some(member) if !kept.contains(&lower(&member.username)) => {
                        return Err(field_error(
                            &named.field,
                            format!(
                                "\"{}\" ({}) is on team \"{name}\" in the document but not in \"members\", so prune.members \
would remove them from the organization. Add them to \"members\", or take them off the team.",
                                named.entry, named.field
                            ),
                        ));
                    }
                    Some(member) => {
                        desired.insert(lower(&member.username), member.username.clone());
                    }
                    None => is_unknown(named, Some(&name), None),
                }
            }
            let current: BTreeMap<String, String> = live
                .roster
                .iter()
                .filter(|m| live_team.is_some() && !m.username.is_empty() && on_team(m, &name))
                .map(|m| (lower(&m.username), m.username.clone()))
                .collect();
            if is_owners {
                // Docker Hub keeps the owners team in step with the owner role.
                let listed: BTreeSet<&String> = desired.keys().collect();
                let owners: BTreeSet<&String> = owners_after.iter().collect();
                if listed != owners {
                    let shown = |s: &BTreeSet<&String>| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    return Err(field_error(
                        &format!("{}.members", team.field),
                        format!(
                            "Team \"{name}\" lists {} but the owners would be {}: the owners team is the organization's \
owners, so change who is owner with role: owner in \"members\" (and list the same people here). Nothing was changed.",
                            if listed.is_empty() { "nobody".to_string() } else { shown(&listed) },
                            shown(&owners)
                        ),
                    ));
                }
                continue;
            }
            for (key, username) in &desired {
                if current.contains_key(key) {
                    continue;
                }
                let user = path_segment(action, "member", Some(username))?;
                let i = add(
                    &mut changes,
                    ChangeKind::TeamMemberships,
                    ChangeOp::Add,
                    username,
                    Some(&name),
                    format!("put on team \"{name}\""),
                );
                drafts.push(Draft {
                    phase: Phase::InvitesAndAdditions,
                    change: i,
                    request: ApiRequest::clone(&groups::add_group_member(org, &segment, &user)),
                    why: format!("add \"{user}\" to team \"{name}\""),
                    verify: format!("list-team-members {{\"team\": \"{name}\", \"search\": \"{user}\"}}"),
                    changes: None,
                    invitee: None,
                });
            }
            if doc.prune.team_memberships {
                for (key, username) in &current {
                    // Someone removed from the organization leaves every team with it.
                    if desired.contains_key(key) || !kept.contains(key) {
                        continue;
                    }
                    let user = path_segment(action, "member", Some(username))?;
                    let i = add(
                        &mut changes,
                        ChangeKind::TeamMemberships,
                        ChangeOp::Remove,
                        username,
                        Some(&name),
                        format!("take off team \"{name}\""),
                    );
                    drafts.push(Draft {
                        phase: Phase::MembershipRemovals,
                        change: i,
                        request: ApiRequest::clone(&groups::remove_group_member(org, &segment, &user)),
                        why: format!("take \"{user}\" off team \"{name}\" (not in its members)"),
                        verify: format!("list-team-members {{\"team\": \"{name}\", \"search\": \"{user}\"}}"),
                        changes: None,
                        invitee: None,
                    });
                }
            }
        }
        if doc.prune.teams {
            for current in live.teams {
                let listed = teams.iter().any(|t| t.name.eq_ignore_ascii_case(&current.name));
                if listed || current.name.is_empty() {
                    continue;
                }
                if current.name.eq_ignore_ascii_case(OWNERS_TEAM) {
                    notes.push(format!(
                        "Team \"{}\" is not in the document, but the owners team is never deleted (prune.teams leaves it).",
                        current.name
                    ));
                    continue;
                }
                let segment = path_segment(action, "team", Some(&current.name))?;
                let i = add(
                    &mut changes,
                    ChangeKind::Teams,
                    ChangeOp::Remove,
                    &current.name,
                    None,
                    "delete the team".into(),
                );
                drafts.push(Draft {
                    phase: Phase::TeamDeletions,
                    change: i,
                    request: ApiRequest::clone(&groups::delete_group(org, &segment)),
                    why: format!("delete team \"{}\" (not in teams)", current.name),
                    verify: format!("get-team {{\"team\": \"{}\"}}", current.name),
                    changes: None,
                    invitee: None,
                });
            }
        }
    }

    if !unknown.is_empty() {
        let shown: Vec<String> = unknown
            .iter()
            .map(|u| {
                format!("{} ({})", u["entry"].as_str().unwrap_or_default(), u["field"].as_str().unwrap_or_default())
            })
            .collect();
        let by_email = unknown.iter().any(|u| u["entry"].as_str().is_some_and(|e| e.contains('@')));
        let hidden = if by_email && live.roster.iter().all(|m| m.email.is_none()) {
            " Docker Hub showed none of the members' emails to this token (they are visible to owners only): name \
those people by Docker ID."
        } else {
            ""
        };
        return Err(Error::not_found(format!(
            "{} {} not {} of organization \"{org}\" (names and emails are matched exactly): {}. Nothing was changed. \
Invite them (an \"invites\" entry, or invite_unknown: true for emails), or correct the spelling.{hidden}",
            unknown.len(),
            if unknown.len() == 1 { "entry names someone who is" } else { "entries name people who are" },
            if unknown.len() == 1 { "a member" } else { "members" },
            shown.join(", ")
        ))
        .with_detail(json!({ "unknown": unknown })));
    }

    // Invites: send, replace, (prune) cancel.
    let mut wanted: Vec<(String, String, Option<Role>, Option<String>)> =
        doc.invites.iter().flatten().map(|i| (i.field.clone(), i.invitee.clone(), i.role, i.team.clone())).collect();
    wanted
        .extend(derived.into_values().map(|(invitee, role, team)| ("invite_unknown".to_string(), invitee, role, team)));
    let known_team = |team: &str| {
        live.teams.iter().any(|t| t.name.eq_ignore_ascii_case(team))
            || doc.teams.iter().flatten().any(|t| t.name.eq_ignore_ascii_case(team))
    };
    let mut matched: BTreeSet<String> = BTreeSet::new();
    for (field, invitee, role, team) in &wanted {
        if let Some(team) = team
            && !known_team(team)
        {
            return Err(field_error(
                &format!("{field}.team"),
                format!(
                    "The invite for \"{invitee}\" names team \"{team}\", which organization \"{org}\" does not have \
and the document does not create. Add the team to \"teams\", or correct the name."
                ),
            ));
        }
        let is_member = live.roster.iter().any(|m| {
            m.username.eq_ignore_ascii_case(invitee)
                || m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(invitee))
        });
        if is_member {
            notes.push(format!(
                "\"{invitee}\" ({field}) is already a member of organization \"{org}\": no invite is sent."
            ));
            continue;
        }
        let pending =
            live.invites.iter().find(|i| i.invitee.as_deref().is_some_and(|who| who.eq_ignore_ascii_case(invitee)));
        let same_team = |i: &Invite| match (&i.team, team) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        let same_role = |i: &Invite| match (i.role.as_deref(), role) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b.as_str()),
            _ => true,
        };
        let describe = |role: Option<Role>, team: Option<&str>| {
            format!("role {}, team {}", role.map_or("default", Role::as_str), team.unwrap_or("none"))
        };
        let send = BulkInvite {
            team: team.clone(),
            role: role.map(|r| r.as_str().to_string()),
            invitees: vec![invitee.clone()],
            dry_run: None,
        };
        let send_draft = |i: usize| Draft {
            phase: Phase::InvitesAndAdditions,
            change: i,
            request: ApiRequest::clone(&invites::bulk_invite(org, &send)),
            why: format!("invite \"{invitee}\" ({})", describe(*role, team.as_deref())),
            verify: format!("list-invites (the invite for {invitee})"),
            changes: Some(invites::invited_anyone),
            invitee: Some(invitee.clone()),
        };
        match pending {
            Some(p) => {
                matched.insert(p.id.clone().unwrap_or_default());
                if same_team(p) && same_role(p) {
                    continue;
                }
                let Some(id) = p.id.as_deref().filter(|id| !id.is_empty()) else {
                    return Err(Error::invalid_response(format!(
                        "Docker Hub lists a pending invite for \"{invitee}\" without an id, so it cannot be replaced."
                    )));
                };
                let id = path_segment(action, "invite id", Some(id))?;
                let i = add(
                    &mut changes,
                    ChangeKind::Invites,
                    ChangeOp::Change,
                    invitee,
                    None,
                    format!(
                        "{} -> {} (cancelled and sent again)",
                        describe(p.role.as_deref().and_then(core_role), p.team.as_deref()),
                        describe(*role, team.as_deref())
                    ),
                );
                drafts.push(Draft {
                    phase: Phase::InvitesAndAdditions,
                    change: i,
                    request: ApiRequest::clone(&invites::cancel_invite(&id)).absent_is_done(),
                    why: format!(
                        "cancel the pending invite {id} for \"{invitee}\" (to send it again as the document says)"
                    ),
                    verify: "list-invites".to_string(),
                    changes: None,
                    invitee: None,
                });
                drafts.push(send_draft(i));
            }
            None => {
                let i = add(
                    &mut changes,
                    ChangeKind::Invites,
                    ChangeOp::Add,
                    invitee,
                    None,
                    format!("invite ({})", describe(*role, team.as_deref())),
                );
                drafts.push(send_draft(i));
            }
        }
    }
    if doc.prune.invites {
        for invite in live.invites {
            let Some(id) = invite.id.as_deref().filter(|id| !id.is_empty()) else { continue };
            if matched.contains(id) {
                continue;
            }
            let who = invite.invitee.clone().unwrap_or_default();
            let id = path_segment(action, "invite id", Some(id))?;
            let i = add(&mut changes, ChangeKind::Invites, ChangeOp::Remove, &who, None, "cancel the invite".into());
            drafts.push(Draft {
                phase: Phase::InviteCancellations,
                change: i,
                request: ApiRequest::clone(&invites::cancel_invite(&id)).absent_is_done(),
                why: format!("cancel the pending invite {id} for \"{who}\" (not in invites)"),
                verify: "list-invites".to_string(),
                changes: None,
                invitee: None,
            });
        }
    }

    // The plan in the safe order; the changes grouped by kind, each kind sorted.
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&d| drafts[d].phase);
    let mut plan = Plan::new();
    let mut role_steps = Vec::new();
    let mut invite_steps = Vec::new();
    for (position, &d) in order.iter().enumerate() {
        let draft = &drafts[d];
        let endpoint: Endpoint<NoContent> = Endpoint::from(draft.request.clone());
        let step = plan.add(&endpoint, draft.why.clone());
        step.verify_with(draft.verify.clone());
        if let Some(judge) = draft.changes {
            step.changes_when(judge);
        }
        let planned = &plan.steps()[position];
        changes[draft.change].requests.push(ChangeRequest {
            step: planned.step,
            method: planned.method,
            path: planned.path.clone(),
        });
        if let Some((_, role, team)) = role_steps_wanted.iter().find(|(draft_index, _, _)| *draft_index == d) {
            role_steps.push((position, role.clone(), team.clone()));
        }
        if let Some(invitee) = &draft.invitee {
            invite_steps.push((position, invitee.clone()));
        }
    }
    changes.sort_by(|a, b| {
        (a.kind, a.op, lower(&a.subject), a.team.as_deref().map(lower)).cmp(&(
            b.kind,
            b.op,
            lower(&b.subject),
            b.team.as_deref().map(lower),
        ))
    });
    let removals = changes.iter().filter(|c| c.op == ChangeOp::Remove).count();
    Ok(Computed { changes, plan, removals, notes, role_steps, invite_steps })
}

fn core_role(role: &str) -> Option<Role> {
    match role {
        "owner" => Some(Role::Owner),
        "editor" => Some(Role::Editor),
        "member" => Some(Role::Member),
        _ => None,
    }
}
