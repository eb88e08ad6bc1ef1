//! Organization as code: `export-org` (the live organization as a desired-state document),
//! `plan-org` (the exact plan from the live organization to a document) and `apply-org` (that plan
//! carried out through the one write routine, [`Plan::run`](crate::actions::plan::Plan::run)).
//!
//! Stateless: the live organization is the state. Every call reads it afresh (the roster, which
//! carries each member's role and teams; the teams; the pending invites), so an apply that stopped
//! is finished by running it again, and a second apply after a whole one plans nothing.
//! [`document`] holds the document's types and checks, [`diff`] the plan and its guards.

pub mod diff;
pub mod document;

use serde::{Deserialize, Serialize};
use serde_json::json;

use self::diff::{ChangeOutcome, Computed, Live, OrgChange, Summary};
use self::document::{OrgDocument, check, export};
use super::address::person::roster;
use super::address::team::all_teams;
use super::invites::pending_invites;
use super::plan::{StepOutcome, Stopped, Words, WriteReport};
use super::teams::role_not_shown;
use super::{ActionSpec, Ctx};
use crate::api::members::MemberQuery;
use crate::api::{groups, invites};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::Meta;

/// Input of `export-org`: nothing.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExportOrgInput {}

/// How much an export holds.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ExportCounts {
    /// Teams.
    pub teams: usize,
    /// Members.
    pub members: usize,
    /// Pending invites.
    pub invites: usize,
}

/// The output of `export-org`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ExportOrgOutput {
    /// The organization.
    pub organization: String,
    /// The organization as a document: `plan-org` with it plans nothing. Sorted (teams, members
    /// and invites by name, ignoring case), so two exports of one organization are the same text.
    pub document: OrgDocument,
    /// How much it holds.
    pub counts: ExportCounts,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// Input of `plan-org`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanOrgInput {
    /// The organization as it should be (what export-org writes, edited).
    #[serde(deserialize_with = "document::object")]
    pub document: OrgDocument,
}

/// Input of `apply-org`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyOrgInput {
    /// The organization as it should be (what export-org writes, edited).
    #[serde(deserialize_with = "document::object")]
    pub document: OrgDocument,
    /// Return the plan without changing anything (default true).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = true)))]
    pub dry_run: Option<bool>,
}

/// The output of `plan-org` and `apply-org`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OrgPlanOutput {
    /// The organization.
    pub organization: String,
    /// Whether the organization already matches the document (nothing to do).
    pub in_sync: bool,
    /// The changes counted per kind, and "3 to add, 1 to change, 2 to remove".
    pub summary: Summary,
    /// Every change, grouped by kind (teams, team_memberships, members, invites), with the requests
    /// that make it and its outcome.
    pub changes: Vec<OrgChange>,
    /// How many changes remove something (members, memberships, invites, teams).
    pub removals: usize,
    /// The removal limit this call applied (the document's `max_removals`, default 10).
    pub max_removals: usize,
    /// What changed and how: `plan` lists the requests in apply order.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// What the organization has now: every member (role and teams with them), team and pending invite.
struct Snapshot {
    roster: Vec<crate::api::members::Member>,
    teams: Vec<crate::api::groups::Team>,
    invites: Vec<crate::api::invites::Invite>,
}

fn snapshot(client: &Client) -> Result<Snapshot> {
    Ok(Snapshot {
        roster: roster(client, &MemberQuery::default())?,
        teams: all_teams(client, None)?,
        invites: pending_invites(client)?,
    })
}

/// `export-org`
pub fn export_org(ctx: &Ctx, _input: ExportOrgInput) -> Result<ExportOrgOutput> {
    let client = ctx.client()?;
    let org = client.org();
    let now = snapshot(&client)?;
    let document = export(org, &now.roster, &now.teams, &now.invites);
    let counts = ExportCounts {
        teams: document.teams.as_ref().map_or(0, Vec::len),
        members: document.members.as_ref().map_or(0, Vec::len),
        invites: document.invites.as_ref().map_or(0, Vec::len),
    };
    Ok(ExportOrgOutput { organization: org.to_string(), document, counts, meta: Meta::of(&client) })
}

/// `plan-org`: the plan of `apply-org`, never carried out.
pub fn plan_org(ctx: &Ctx, input: PlanOrgInput) -> Result<OrgPlanOutput> {
    run(ctx, &input.document, true)
}

/// `apply-org`
pub fn apply_org(ctx: &Ctx, input: ApplyOrgInput) -> Result<OrgPlanOutput> {
    run(ctx, &input.document, input.dry_run.unwrap_or(true))
}

fn run(ctx: &Ctx, document: &OrgDocument, dry_run: bool) -> Result<OrgPlanOutput> {
    let client = ctx.client()?;
    let org = client.org();
    let checked = check(ctx.action, document, org)?;
    let now = snapshot(&client)?;
    let live = Live { org, roster: &now.roster, teams: &now.teams, invites: &now.invites };
    let Computed { mut changes, plan, removals, notes, role_steps, invite_steps } =
        diff::compute(ctx.action, &live, &checked)?;
    let summary = Summary::of(&changes);
    let max_removals = checked.max_removals;
    let too_many = removals > max_removals;
    if too_many && !dry_run {
        return Err(Error::invalid_input(format!(
            "{} refused to carry out a plan with {removals} removals: more than max_removals ({max_removals}). Check \
the document (is every list complete?), then raise max_removals in it to at least {removals} to allow it. Nothing \
was changed.",
            ctx.action
        ))
        .with_detail(json!({
            "removals": removals, "max_removals": max_removals, "summary": summary, "changes": changes,
            "plan": plan.steps(),
        })));
    }
    let requests = plan.steps().len();
    let again = format!(
        "Run {} again with the same document to continue: it reads the organization afresh and plans only what is left.",
        ctx.action
    );
    let words = Words::new(
        format!("Organization \"{org}\" already matches the document: nothing to change."),
        format!(
            "Plan for organization \"{org}\": {} ({requests} request(s)); nothing was changed.{}",
            summary.text,
            if ctx.action == "plan-org" {
                " apply-org with dry_run: false carries it out."
            } else {
                " Run again with dry_run: false to carry it out."
            }
        ),
        format!("Organization \"{org}\" now matches the document: {} ({requests} request(s)).", done_words(&summary)),
    );
    let mut ran = match plan.run(&client, ctx.action, dry_run, words) {
        Ok(ran) => ran,
        Err(e) => {
            // The plan stopped: its detail lists the steps carried out; say the same per change.
            let Stopped { done, failed, .. } = plan.stopped_by(&e);
            for change in &mut changes {
                let steps: Vec<u64> = change.requests.iter().map(|r| r.step as u64).collect();
                let carried = steps.iter().filter(|s| done.contains(s)).count();
                change.outcome = if carried == steps.len() {
                    ChangeOutcome::Done
                } else if failed.is_some_and(|f| steps.contains(&f)) && carried == 0 {
                    ChangeOutcome::Failed
                } else if carried > 0 {
                    ChangeOutcome::PartlyDone
                } else {
                    ChangeOutcome::NotAttempted
                };
            }
            let count = |o: ChangeOutcome| changes.iter().filter(|c| c.outcome == o).count();
            let (done_n, not_done) = (count(ChangeOutcome::Done), changes.len() - count(ChangeOutcome::Done));
            let message = format!(
                "{} Of {} changes, {done_n} were done and {not_done} were not. {again}",
                e.message,
                changes.len()
            );
            return Err(Error { message, ..e }.add_detail(json!({
                "summary": summary, "changes": changes, "done": done_n, "not_done": not_done, "rerun": again,
            })));
        }
    };
    if !dry_run {
        for change in &mut changes {
            let all_already = change.requests.iter().all(|r| {
                ran.report.completed.iter().any(|c| c.step == r.step && c.outcome == StepOutcome::AlreadyDone)
            });
            change.outcome = if all_already { ChangeOutcome::AlreadyDone } else { ChangeOutcome::Done };
        }
    }
    // Docker answers a team's role assignment 200 either way: its answer is the evidence.
    let mut warnings = Vec::new();
    for (index, role, team) in &role_steps {
        if ran.did(*index) {
            let endpoint = groups::update_group(org, team, &groups::GroupChange::default());
            let answered = ran.answer(*index, &endpoint).map(groups::Team::from);
            warnings.extend(role_not_shown(team, role, answered.as_ref()));
        }
    }
    // A bulk invitation answers 202 whatever became of the invitee: its answer says.
    for (index, invitee) in &invite_steps {
        if ran.response(*index).is_none() {
            continue;
        }
        let endpoint = invites::bulk_invite(org, &invites::BulkInvite::default());
        let result = ran.answer(*index, &endpoint).and_then(|answer| {
            answer.results().into_iter().find(|r| r.invitee.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(invitee)))
        });
        let refused = |changes: &mut Vec<OrgChange>| {
            let step = index + 1;
            for change in changes.iter_mut().filter(|c| c.requests.iter().any(|r| r.step == step)) {
                change.outcome = ChangeOutcome::Failed;
            }
        };
        match result.and_then(|r| r.status) {
            Some(status) if ["invited", "already_invited"].contains(&status.as_str()) => {}
            Some(status) => {
                refused(&mut changes);
                warnings.push(format!("Docker Hub did not invite \"{invitee}\": it answered {status}."));
            }
            None => warnings.push(format!(
                "Docker Hub's answer to the invitation of \"{invitee}\" does not say what became of it: list-invites \
shows whether it is pending."
            )),
        }
    }
    let mut write = ran.report;
    for note in notes.into_iter().chain(warnings) {
        write.warn(note);
    }
    if too_many {
        write.warn(format!(
            "this plan has {removals} removals, more than max_removals ({max_removals}): apply-org will refuse it \
unless max_removals in the document is raised."
        ));
    }
    Ok(OrgPlanOutput {
        organization: org.to_string(),
        in_sync: changes.is_empty(),
        summary,
        changes,
        removals,
        max_removals,
        write,
        meta: Meta::of(&client),
    })
}

/// "3 added, 1 changed, 2 removed".
fn done_words(summary: &Summary) -> String {
    let t = summary.total;
    format!("{} added, {} changed, {} removed", t.add, t.change, t.remove)
}

/// The organization-as-code actions, in manifest order.
pub static ACTIONS: &[ActionSpec] = &[
    action!("export-org", "Export the organization as a document",
        "Reads the whole organization (every page of the roster, which carries each member's role and teams; the teams; the pending invites) and returns it as a desired-state document: teams (name, description, role, members by username; the owners team too), members with their organization role, pending invites (invitee, role, team), and the defaults written out (prune all false, max_removals 10, invite_unknown false). Sorted by name, ignoring case, so two exports of one organization are the same text and a diff shows what changed. plan-org with the document plans nothing; edit it, then plan-org and apply-org. The CLI writes it as YAML with -o yaml.",
        scopes: [MemberRead, GroupRead, InviteRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{}"#,
        run: export_org, input: ExportOrgInput, output: ExportOrgOutput),
    action!("plan-org", "Plan the organization from a document",
        "Compares a desired-state document (what export-org writes, edited) with the live organization and returns the exact plan, changing nothing: teams to create, update or delete; people to put on or take off teams; roles to change; members to remove; invites to send, replace or cancel. Each change lists the requests it would send (method and path), grouped by kind and counted (\"3 to add, 1 to change, 2 to remove\"); plan has every request in the order apply-org sends them (create teams, invites and additions, role changes with new owners first, removals, team deletions). People are named by Docker ID or email and matched exactly, never to a near match: an entry nobody matches is not-found naming it, unless it is covered by an invites entry or (an email, with invite_unknown: true) becomes an invite to send. Nothing is removed unless prune says so for that kind (members, teams, invites, team_memberships); a plan with more removals than max_removals (default 10) is flagged and apply-org refuses it; a document that leaves no owner is a conflict, and the owners team follows the owner role (it is never created, emptied or deleted).",
        scopes: [MemberRead, GroupRead, InviteRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"document": {"teams": [{"name": "release", "description": "Release managers", "members": ["kenlovelace", "ada.lovelace@example.com"]}]}}"#,
        run: plan_org, input: PlanOrgInput, output: OrgPlanOutput),
    action!("apply-org", "Apply a document to the organization",
        "Carries out plan-org's plan for a desired-state document. dry_run defaults to true and returns the plan without changing anything; with dry_run: false the requests are sent in the safe order (create teams, invites and additions, role changes with new owners first, removals, team deletions) through the one write routine, each change reported with its outcome. A plan with more removals than the document's max_removals (default 10) is refused with the plan in the error's detail; a document that leaves no owner is a conflict. The first failing request stops the apply: the error says what was done and what was not (detail.changes, each with its outcome: done, partly-done, failed, not-attempted) and that running apply-org again continues from there, since every call plans from the live organization. A second apply after a whole one plans nothing (changed: false).",
        scopes: [MemberRead, MemberEdit, GroupRead, GroupEdit, InviteRead, InviteEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"document": {"teams": [{"name": "release", "description": "Release managers", "members": ["kenlovelace", "ada.lovelace@example.com"]}]}}"#,
        run: apply_org, input: ApplyOrgInput, output: OrgPlanOutput),
];
