//! `offboard-members`: offboard many people in one plan, with the single-person offboarding's
//! steps (`offboard`), its last-owner guard and `reconcile-team`'s removal limit.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::offboard::{add_cancellations, add_removal, invites_of, is_owner};
use super::reconcile::DEFAULT_MAX_REMOVALS;
use crate::actions::address::person::{distinct_people, resolve_entries, roster};
use crate::actions::invites::pending_invites;
use crate::actions::plan::{Plan, StepOutcome, Stopped, Words, WriteReport};
use crate::actions::{ActionSpec, Ctx};
use crate::api::members::{MemberQuery, Role, RoleName};
use crate::error::{Error, Result};
use crate::output::Meta;

/// Most people one call offboards.
pub const MAX_PEOPLE: usize = 1_000;

/// Input of `offboard-members`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OffboardMembersInput {
    /// The people to offboard: Docker IDs or emails (an email also finds invites sent to it).
    pub people: Vec<String>,
    /// Return the plan without changing anything (default true).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = true)))]
    pub dry_run: Option<bool>,
    /// Refuse to carry out a plan that removes more than this many members (default 10), as
    /// `reconcile-team` does: a list pasted by mistake must not empty the organization. Raise it to
    /// allow more.
    pub max_removals: Option<usize>,
    /// Also cancel pending invites for each person's email or username (default true).
    pub cancel_invites: Option<bool>,
    /// Treat people who are neither members nor invited as already offboarded (default false, so a
    /// mistyped entry fails the whole call before anything is changed).
    pub missing_ok: Option<bool>,
}

/// What happens to one person.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PersonResult {
    /// The person as given.
    pub person: String,
    /// The member's Docker ID, when they are a member.
    pub username: Option<String>,
    /// Their role (a core role in lower case or a custom role's name), when a member.
    pub role: Option<String>,
    /// Whether they are a member or have a pending invite.
    pub found: bool,
    /// Whether they are (were) a member and are (would be) removed.
    pub removes_member: bool,
    /// The teams they leave with the organization.
    pub teams: Vec<String>,
    /// How many of their pending invites are (would be) cancelled.
    pub invites_cancelled: usize,
    /// `planned` (dry run), `offboarded`, `already-gone` (Docker answered that everything was done
    /// already), `duplicate` (another entry names the same person), or `not-found` (neither a
    /// member nor invited; only with `missing_ok`). When a real run stops at a failure, the
    /// error's detail lists `people` with `partly-offboarded` or `not-offboarded` for those whose
    /// steps did not all happen, and `unknown` for the one whose step was sent without a clear
    /// answer (it may have been carried out: the detail's `check` says what to read).
    pub outcome: &'static str,
    /// The plan's steps for this person (1-based).
    pub steps: Vec<usize>,
}

/// The output of `offboard-members`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OffboardMembersOutput {
    /// The organization.
    pub organization: String,
    /// One result per person, in input order (first, so a table or CSV export lists them).
    pub people: Vec<PersonResult>,
    /// Members removed (or in a dry run to be removed).
    pub removals: usize,
    /// Pending invites cancelled (or to be cancelled).
    pub invites_cancelled: usize,
    /// The removal limit this run applied.
    pub max_removals: usize,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `offboard-members`
pub fn offboard_members(ctx: &Ctx, input: OffboardMembersInput) -> Result<OffboardMembersOutput> {
    if input.people.is_empty() {
        return Err(Error::invalid_input("\"people\" is empty: give the Docker IDs or emails to offboard."));
    }
    let people = distinct_people("people", &input.people, MAX_PEOPLE)?;
    let dry_run = input.dry_run.unwrap_or(true);
    let max_removals = input.max_removals.unwrap_or(DEFAULT_MAX_REMOVALS);
    let missing_ok = input.missing_ok.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    // Each person by an exact search (a short list, sent together) or from one roster walk.
    let found = resolve_entries(&client, &people)?;
    let invites = if input.cancel_invites.unwrap_or(true) { pending_invites(&client)? } else { Vec::new() };

    let mut plan = Plan::new();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    let mut removed_usernames: BTreeSet<String> = BTreeSet::new();
    let mut cancelled_ids: BTreeSet<String> = BTreeSet::new();
    let mut removed_owners = 0;
    for (person, member) in people.iter().zip(&found) {
        let member = member.as_ref();
        let first = plan.steps().len() + 1;
        // Two entries for one person (username and email) plan their removal once.
        let removes_member = member.is_some_and(|m| removed_usernames.insert(m.username.to_lowercase()));
        let mut teams = Vec::new();
        if let (true, Some(m)) = (removes_member, member) {
            teams = m.groups.clone().unwrap_or_default();
            add_removal(ctx.action, &mut plan, org, &m.username, teams.len())?;
            removed_owners += usize::from(is_owner(m));
        }
        let all_theirs = invites_of(&invites, person, member);
        let found = member.is_some() || !all_theirs.is_empty();
        // An invite two entries share is cancelled once.
        let theirs: Vec<_> = all_theirs
            .into_iter()
            .filter(|i| i.id.as_deref().is_some_and(|id| cancelled_ids.insert(id.to_string())))
            .collect();
        let invites_cancelled = add_cancellations(ctx.action, &mut plan, &theirs)?;
        if !found {
            missing.push(person.clone());
        }
        results.push(PersonResult {
            person: person.clone(),
            username: member.map(|m| m.username.clone()),
            role: member.and_then(|m| m.role.clone()),
            removes_member,
            teams,
            invites_cancelled,
            found,
            outcome: if found { "planned" } else { "not-found" },
            steps: (first..=plan.steps().len()).collect(),
        });
    }
    if !missing.is_empty() && !missing_ok {
        return Err(Error::not_found(format!(
            "{} of the {} people given {} neither a member of organization \"{org}\" nor invited there: {}. Nothing was \
offboarded. Check the spelling; if they are known to be gone already, pass missing_ok: true to treat that as done.",
            missing.len(),
            people.len(),
            if missing.len() == 1 { "is" } else { "are" },
            missing.join(", ")
        ))
        .with_detail(json!({ "not_found": missing })));
    }
    // The removal guard of offboard-member, for the whole batch: Docker refuses to remove the last
    // owner, so a plan that removes every owner is refused before anything is sent.
    let owners = if removed_owners > 0 {
        let query = MemberQuery { role: Some(RoleName::core(Role::Owner)), ..MemberQuery::default() };
        roster(&client, &query)?.iter().filter(|m| is_owner(m)).count()
    } else {
        0
    };
    if removed_owners > 0 && removed_owners >= owners {
        let named: Vec<&str> = results
            .iter()
            .filter(|r| r.removes_member && r.role.as_deref() == Some("owner"))
            .map(|r| r.person.as_str())
            .collect();
        return Err(Error::conflict(format!(
            "This would remove every owner of organization \"{org}\" ({}), and Docker Hub refuses to remove the last \
owner. Make another member an owner first (update-member-role), or leave one owner out. Nothing was changed.",
            named.join(", ")
        ))
        .with_detail(json!({ "owners": owners, "owners_removed": named })));
    }
    let removals = removed_usernames.len();
    let invites_cancelled: usize = results.iter().map(|r| r.invites_cancelled).sum();
    let too_many = removals > max_removals;
    if too_many && !dry_run {
        return Err(Error::invalid_input(format!(
            "offboard-members refused to remove {removals} members: more than max_removals ({max_removals}). Check the \
list, then run again with max_removals set to at least {removals} to allow it. Nothing was changed."
        ))
        .with_detail(json!({ "people": results, "max_removals": max_removals, "plan": plan.steps() })));
    }
    let warning = if too_many {
        format!(
            " Warning: this removes {removals} members, more than max_removals ({max_removals}); a real run will be \
refused unless max_removals is raised."
        )
    } else {
        String::new()
    };
    let words = Words::new(
        format!(
            "None of the {} people is a member or has a pending invite (missing_ok): nothing to offboard.",
            people.len()
        ),
        format!(
            "Dry run: {removals} member(s) would be removed and {invites_cancelled} invite(s) cancelled ({} request(s)); \
nothing was changed. Run again with dry_run: false to carry it out.{warning}",
            plan.steps().len()
        ),
        format!(
            "{removals} member(s) removed from organization \"{org}\" and {invites_cancelled} invite(s) cancelled."
        ),
    );
    let ran = match plan.run(&client, ctx.action, dry_run, words) {
        Ok(ran) => ran,
        Err(e) => {
            // The plan stopped: its detail lists the steps carried out; say the same per person.
            let Stopped { done, failed, unknown } = plan.stopped_by(&e);
            for result in &mut results {
                let carried = result.steps.iter().filter(|s| done.contains(&(**s as u64))).count();
                let theirs_unsure = unknown && failed.is_some_and(|f| result.steps.iter().any(|s| *s as u64 == f));
                result.outcome = if !result.found {
                    "not-found"
                } else if result.steps.is_empty() {
                    "duplicate"
                } else if carried == result.steps.len() {
                    "offboarded"
                } else if carried > 0 {
                    "partly-offboarded"
                } else if theirs_unsure {
                    "unknown"
                } else {
                    "not-offboarded"
                };
            }
            return Err(e.add_detail(json!({ "people": results })));
        }
    };
    for result in &mut results {
        result.outcome = if !result.found {
            "not-found"
        } else if result.steps.is_empty() {
            "duplicate"
        } else if dry_run {
            "planned"
        } else {
            let done = ran.report.completed.iter().filter(|c| result.steps.contains(&c.step));
            if done.clone().all(|c| c.outcome == StepOutcome::AlreadyDone) { "already-gone" } else { "offboarded" }
        };
    }
    Ok(OffboardMembersOutput {
        organization: org.to_string(),
        people: results,
        removals,
        invites_cancelled,
        max_removals,
        write: ran.report,
        meta: Meta::of(&client),
    })
}

/// The action's manifest entry.
pub const SPEC: ActionSpec = action!("offboard-members", "Offboard several members",
    "Offboards many people in one plan: each entry of people (Docker ID or email) is found by an exact match (one search per person, sent together; from 9 people on, one walk of the roster), and the plan removes each member from the organization (which takes them off every team) and cancels the pending invites sent to their username or email, as offboard-member does for one. people lists one result per person (username, role, teams, invites cancelled, outcome, their steps). Nothing is sent when an entry is neither a member nor invited (not-found naming them all, unless missing_ok: true), when the plan would remove every owner (conflict: Docker refuses to remove the last owner), or when a real run would remove more than max_removals members (default 10, as reconcile-team; a dry run warns). dry_run defaults to true and returns the plan; a real run stops at the first failure with what succeeded so far in the error's detail. review-seats returns an input for this action that offboards the inactive members.",
    scopes: [MemberRead, MemberEdit, InviteRead, InviteEdit], read_only: false, destructive: true, idempotent: true,
    example: r#"{"people": ["kenlovelace", "contractor@partner.example.org"]}"#,
    run: offboard_members, input: OffboardMembersInput, output: OffboardMembersOutput);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_trimmed_deduplicated_and_checked() {
        let given = vec![" ken ".to_string(), "KEN".to_string(), "a@b.c".to_string()];
        assert_eq!(distinct_people("people", &given, MAX_PEOPLE).unwrap(), ["ken", "a@b.c"]);
        let e = distinct_people("people", &["ok".to_string(), " ".to_string()], MAX_PEOPLE).unwrap_err();
        assert!(e.message.contains("\"people[1]\""), "{}", e.message);
        let many = vec!["x".to_string(); 3];
        let e = distinct_people("people", &many, 2).unwrap_err();
        assert!(e.message.contains("at most 2"), "{}", e.message);
    }
}
