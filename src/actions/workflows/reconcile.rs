//! `reconcile-team`: make a team's membership match a desired list.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actions::address::person::{distinct_people, resolve_entries};
use crate::actions::address::team::team_members;
use crate::actions::address::team::{TeamId, TeamSelector};
use crate::actions::input::path_segment;
use crate::actions::plan::{Plan, Words, WriteReport};
use crate::actions::{ActionSpec, Ctx};
use crate::api::groups;
use crate::error::{Error, Result};
use crate::output::Meta;

/// Most entries in a desired member list.
pub const MAX_DESIRED: usize = 5_000;
/// Most people a run removes unless the input raises `max_removals`.
pub const DEFAULT_MAX_REMOVALS: usize = 10;

/// Input of `reconcile-team`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReconcileInput {
    /// The team's name. Give this or `team_id`.
    pub team: Option<String>,
    /// The team's numeric id. Give this or `team`.
    pub team_id: Option<TeamId>,
    /// Who should be on the team: Docker IDs or emails of organization members.
    pub members: Vec<String>,
    /// Return the plan without changing anything (default true).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = true)))]
    pub dry_run: Option<bool>,
    /// Refuse to carry out a plan that takes more than this many people off the team (default 10):
    /// a short or truncated desired list must not empty a team by accident. Raise it to allow more.
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = 10)))]
    pub max_removals: Option<usize>,
}

/// The output of `reconcile-team`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReconcileOutput {
    /// The organization.
    pub organization: String,
    /// The team's name.
    pub team: String,
    /// Whether the team already matched the desired list.
    pub in_sync: bool,
    /// Members to add (Docker IDs).
    pub to_add: Vec<String>,
    /// Members to take off (Docker IDs).
    pub to_remove: Vec<String>,
    /// Desired entries that are not organization members (invite them first).
    pub unknown: Vec<String>,
    /// The removal limit this run applied.
    pub max_removals: usize,
    /// The team's members after a real run, or now when already in sync (null in a dry run with
    /// changes).
    pub members: Option<Vec<String>>,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `reconcile-team`
pub fn reconcile_team(ctx: &Ctx, input: ReconcileInput) -> Result<ReconcileOutput> {
    let selector = TeamSelector::from_fields(ctx.action, input.team.as_deref(), input.team_id.as_ref())?;
    let desired_raw = distinct_people("members", &input.members, MAX_DESIRED)?;
    let dry_run = input.dry_run.unwrap_or(true);
    let max_removals = input.max_removals.unwrap_or(DEFAULT_MAX_REMOVALS);
    let client = ctx.client()?;
    let org = client.org();
    let team = selector.name(&client)?;

    let current = team_members(&client, &team)?;
    // Someone already on the team by username needs no lookup: the team's listing shows them.
    let on_team = |entry: &str| !entry.contains('@') && current.iter().any(|m| m.username.eq_ignore_ascii_case(entry));
    let lookups: Vec<String> = desired_raw.iter().filter(|e| !on_team(e)).cloned().collect();
    let mut resolved = resolve_entries(&client, &lookups)?.into_iter();
    let mut desired: BTreeMap<String, String> = BTreeMap::new();
    let mut unknown = Vec::new();
    for entry in &desired_raw {
        let found = if on_team(entry) {
            current.iter().find(|m| m.username.eq_ignore_ascii_case(entry)).cloned()
        } else {
            resolved.next().flatten()
        };
        match found {
            Some(m) => {
                desired.insert(m.username.to_lowercase(), m.username.clone());
            }
            None => unknown.push(entry.clone()),
        }
    }
    let current_names: BTreeMap<String, String> = current
        .iter()
        .filter(|m| !m.username.is_empty())
        .map(|m| (m.username.to_lowercase(), m.username.clone()))
        .collect();
    let to_add: Vec<String> =
        desired.iter().filter(|(k, _)| !current_names.contains_key(*k)).map(|(_, v)| v.clone()).collect();
    let to_remove: Vec<String> =
        current_names.iter().filter(|(k, _)| !desired.contains_key(*k)).map(|(_, v)| v.clone()).collect();

    let mut plan = Plan::new();
    for username in &to_add {
        let username = path_segment(ctx.action, "members", Some(username))?;
        plan.add(&groups::add_group_member(org, &team, &username), format!("add \"{username}\" to team \"{team}\""));
    }
    for username in &to_remove {
        let username = path_segment(ctx.action, "members", Some(username))?;
        plan.add(
            &groups::remove_group_member(org, &team, &username),
            format!("take \"{username}\" off team \"{team}\""),
        );
    }
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
    let too_many = to_remove.len() > max_removals;
    if too_many && !dry_run {
        return Err(Error::invalid_input(format!(
            "reconcile-team refused to take {} people off team \"{team}\": more than max_removals ({max_removals}). \
Check the desired list (is it complete?), then run again with max_removals set to at least {} to allow it. Nothing was changed.",
            to_remove.len(),
            to_remove.len()
        ))
        .with_detail(json!({
            "team": team, "to_add": to_add, "to_remove": to_remove, "unknown": unknown,
            "max_removals": max_removals, "plan": plan.steps(),
        })));
    }
    let words = Words::new(
        format!("Team \"{team}\" already matches the desired list; nothing to change.{unknown_note}"),
        format!(
            "Dry run: {} to add, {} to remove; nothing was changed. Run again with dry_run: false to apply.{unknown_note}{}",
            to_add.len(),
            to_remove.len(),
            if too_many {
                format!(
                    " Warning: this takes {} people off the team, more than max_removals ({max_removals}); a real run will be refused unless max_removals is raised.",
                    to_remove.len()
                )
            } else {
                String::new()
            }
        ),
        format!("Team \"{team}\" reconciled: {} added, {} removed.{unknown_note}", to_add.len(), to_remove.len()),
    );
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    let members = if plan.is_empty() {
        Some(current_names.values().cloned().collect())
    } else if dry_run {
        None
    } else {
        Some(team_members(&client, &team)?.into_iter().map(|m| m.username).collect())
    };
    Ok(ReconcileOutput {
        organization: org.to_string(),
        team,
        in_sync: plan.is_empty(),
        to_add,
        to_remove,
        unknown,
        max_removals,
        members,
        write: ran.report,
        meta: Meta::of(&client),
    })
}

/// The action's manifest entry.
pub const SPEC: ActionSpec = action!("reconcile-team", "Reconcile a team with a desired member list",
    "Compares a team's members (all pages) with a desired list of usernames or emails, reports people who are not organization members separately (they cannot be added: invite them first), and with dry_run: false adds and removes members, then returns the final membership. dry_run defaults to true. A real run that would take more than max_removals people off the team (default 10) is refused with the plan in the error's detail; a dry run warns. Idempotent: a second run finds nothing to change and says changed: false.",
    scopes: [MemberRead, GroupRead, GroupEdit], read_only: false, destructive: true, idempotent: true,
    example: r#"{"team": "qa", "members": ["kenlovelace", "ada.lovelace@example.com"], "max_removals": 60}"#,
    run: reconcile_team, input: ReconcileInput, output: ReconcileOutput);
