//! `access-review`: one report over the whole organization.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::review_seats::{DEFAULT_GRACE_DAYS, Seat, last_active, seat};
use crate::actions::address::person::roster;
use crate::actions::address::team::all_teams;
use crate::actions::input::{in_range, instant};
use crate::actions::invites::pending_invites;
use crate::actions::{ActionSpec, Ctx};
use crate::api::members::MemberQuery;
use crate::client::Client;
use crate::error::Result;
use crate::output::Meta;

/// Input of `access-review`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessReviewInput {
    /// Members not seen for this many days are listed as inactive (default 90; needs the
    /// organization's insights fields).
    pub inactive_days: Option<u32>,
    /// Invites older than this many days are listed as stale (default 30).
    pub invite_age_days: Option<u32>,
    /// The moment to measure ages from (RFC 3339). Default: Docker Hub's own clock (the Date
    /// header of its answers).
    pub as_of: Option<String>,
}

/// An RFC 3339 time as Docker writes it.
pub(super) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value.trim(), &Rfc3339).ok()
}

/// Whole days from `then` to `now`.
pub(super) fn age_days(then: &str, now: OffsetDateTime) -> Option<i64> {
    parse_time(then).map(|t| (now - t).whole_days())
}

/// The moment ages are measured from, and where it came from: the input, else Docker Hub's own
/// clock (the `Date` of its last answer: the guest has no clock), else none.
pub(super) fn clock(client: &Client, given: Option<OffsetDateTime>) -> (Option<OffsetDateTime>, &'static str) {
    match given {
        Some(t) => (Some(t), "input"),
        None => match client.server_time().and_then(|s| OffsetDateTime::from_unix_timestamp(s as i64).ok()) {
            Some(t) => (Some(t), "docker_date_header"),
            None => (None, "unavailable"),
        },
    }
}

/// A name list with its length.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct NameList {
    /// How many.
    pub count: usize,
    /// The Docker IDs.
    pub usernames: Vec<String>,
}

impl NameList {
    fn of(names: &[&str]) -> Self {
        NameList { count: names.len(), usernames: names.iter().map(|n| n.to_string()).collect() }
    }
}

/// The owners finding.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OwnersFinding {
    /// How many owners.
    pub count: usize,
    /// Their Docker IDs.
    pub usernames: Vec<String>,
    /// Whether there is only one (a risk: nobody can stand in).
    pub single_owner: bool,
}

/// A member not seen for a while.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InactiveMember {
    /// Docker ID.
    pub username: String,
    /// `inactive` (not seen for the threshold), or `unknown`: Docker reports no activity for them
    /// (listed so that nobody is left out of the review without saying so).
    pub activity: &'static str,
    /// When Docker last saw them: the later of `last_seen_at` and `last_logged_in_at` (the rule
    /// of review-seats); null when unknown.
    pub last_seen_at: Option<String>,
    /// Whole days since; null when unknown.
    pub days: Option<i64>,
}

/// The inactivity finding.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct InactiveFinding {
    /// The threshold in days.
    pub days: u32,
    /// Whether any member carries Docker's insights fields.
    pub insights_available: bool,
    /// Members with insights fields.
    pub members_with_insights: usize,
    /// Members past the threshold.
    pub count: usize,
    /// Members Docker reports no activity for (listed in `members` as `unknown`).
    pub unknown: usize,
    /// The members past the threshold, then those of unknown activity.
    pub members: Vec<InactiveMember>,
}

/// An invite pending for a while.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StaleInvite {
    /// The invite's id.
    pub id: Option<String>,
    /// Who was invited.
    pub invitee: Option<String>,
    /// When it was sent.
    pub created_at: String,
    /// Whole days since.
    pub days: i64,
}

/// The stale-invites finding.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StaleInvitesFinding {
    /// The threshold in days.
    pub days: u32,
    /// Invites past the threshold.
    pub count: usize,
    /// Those invites.
    pub invites: Vec<StaleInvite>,
}

/// The empty-teams finding.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct EmptyTeamsFinding {
    /// How many teams have no members.
    pub count: usize,
    /// Their names.
    pub teams: Vec<String>,
}

/// The output of `access-review`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AccessReview {
    /// The organization.
    pub organization: String,
    /// The moment ages are measured from (RFC 3339), when known.
    pub as_of: Option<String>,
    /// Where `as_of` came from: `input`, `docker_date_header`, or `unavailable`.
    pub as_of_source: &'static str,
    /// Members in all.
    pub members: usize,
    /// Teams in all.
    pub teams: usize,
    /// Pending invites in all.
    pub pending_invites: usize,
    /// Owners.
    pub owners: OwnersFinding,
    /// Members per role: the core roles (`owner`, `editor`, `member`, always present) and each
    /// custom role under its own name (never counted as `member`), `unknown` when Docker gave none.
    pub roles: BTreeMap<String, usize>,
    /// Members outside the verified domains.
    pub guests: NameList,
    /// Members on no team.
    pub members_without_team: NameList,
    /// Members not seen for `inactive_days`.
    pub inactive: InactiveFinding,
    /// Invites older than `invite_age_days`.
    pub stale_invites: StaleInvitesFinding,
    /// Teams with no members.
    pub empty_teams: EmptyTeamsFinding,
    /// Findings in all (a single owner counts as one).
    pub findings: usize,
    /// A Markdown summary a workflow can post as is.
    pub markdown: String,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `access-review`
pub fn access_review(ctx: &Ctx, input: AccessReviewInput) -> Result<AccessReview> {
    let inactive_days = in_range("inactive_days", input.inactive_days.unwrap_or(90), 1, 3650)?;
    let invite_age_days = in_range("invite_age_days", input.invite_age_days.unwrap_or(30), 1, 3650)?;
    let given_now = instant("as_of", input.as_of.as_deref())?;
    let client = ctx.client()?;
    let org = client.org();
    let everyone = roster(&client, &MemberQuery::default())?;
    let invites = pending_invites(&client)?;
    let teams = all_teams(&client, None)?;
    let (now, now_source) = clock(&client, given_now);

    let owners: Vec<&str> =
        everyone.iter().filter(|m| m.role.as_deref() == Some("owner")).map(|m| m.username.as_str()).collect();
    let mut roles: BTreeMap<String, usize> = ["owner", "editor", "member"].iter().map(|r| (r.to_string(), 0)).collect();
    for m in &everyone {
        *roles.entry(m.role.clone().unwrap_or_else(|| "unknown".to_string())).or_default() += 1;
    }
    let guests: Vec<&str> = everyone.iter().filter(|m| m.is_guest == Some(true)).map(|m| m.username.as_str()).collect();
    let teamless: Vec<&str> =
        everyone.iter().filter(|m| m.groups.as_ref().is_some_and(Vec::is_empty)).map(|m| m.username.as_str()).collect();
    // The seat rule of review-seats (one rule): the later of last seen and last login, with its
    // default grace period after joining.
    let with_insights = everyone.iter().filter(|m| last_active(m).is_some()).count();
    let (inactive, unknown): (Vec<InactiveMember>, Vec<InactiveMember>) = match now {
        Some(now) => everyone
            .iter()
            .filter_map(|m| match seat(m, now, inactive_days, DEFAULT_GRACE_DAYS) {
                Seat::Inactive(at, days) => Some(InactiveMember {
                    username: m.username.clone(),
                    activity: "inactive",
                    last_seen_at: Some(at),
                    days: Some(days),
                }),
                Seat::Unknown => Some(InactiveMember {
                    username: m.username.clone(),
                    activity: "unknown",
                    last_seen_at: None,
                    days: None,
                }),
                Seat::Active | Seat::InGrace => None,
            })
            .partition(|m| m.activity == "inactive"),
        None => (Vec::new(), Vec::new()),
    };
    let stale: Vec<StaleInvite> = match now {
        Some(now) => invites
            .iter()
            .filter_map(|i| {
                let at = i.created_at.as_deref()?;
                let days = age_days(at, now)?;
                (days >= i64::from(invite_age_days)).then(|| StaleInvite {
                    id: i.id.clone(),
                    invitee: i.invitee.clone(),
                    created_at: at.to_string(),
                    days,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let empty_teams: Vec<&str> = teams.iter().filter(|t| t.member_count == Some(0)).map(|t| t.name.as_str()).collect();
    let single_owner = owners.len() == 1;
    let findings =
        usize::from(single_owner) + guests.len() + teamless.len() + inactive.len() + stale.len() + empty_teams.len();
    let as_of = now.and_then(|t| t.format(&Rfc3339).ok());

    let markdown = review_markdown(&ReviewFigures {
        org,
        roles: &roles,
        as_of: as_of.as_deref(),
        members: everyone.len(),
        owners: &owners,
        guests: &guests,
        teamless: &teamless,
        inactive: &inactive,
        unknown: unknown.len(),
        inactive_days,
        insights: with_insights > 0,
        stale: &stale,
        invite_age_days,
        empty_teams: &empty_teams,
        teams: teams.len(),
        invites: invites.len(),
    });
    Ok(AccessReview {
        organization: org.to_string(),
        as_of,
        as_of_source: now_source,
        members: everyone.len(),
        teams: teams.len(),
        pending_invites: invites.len(),
        owners: OwnersFinding {
            count: owners.len(),
            usernames: owners.iter().map(|o| o.to_string()).collect(),
            single_owner,
        },
        roles,
        guests: NameList::of(&guests),
        members_without_team: NameList::of(&teamless),
        inactive: InactiveFinding {
            days: inactive_days,
            insights_available: with_insights > 0,
            members_with_insights: with_insights,
            count: inactive.len(),
            unknown: unknown.len(),
            members: inactive.into_iter().chain(unknown).collect(),
        },
        stale_invites: StaleInvitesFinding { days: invite_age_days, count: stale.len(), invites: stale },
        empty_teams: EmptyTeamsFinding {
            count: empty_teams.len(),
            teams: empty_teams.iter().map(|t| t.to_string()).collect(),
        },
        findings,
        markdown,
        meta: Meta::of(&client),
    })
}

struct ReviewFigures<'a> {
    org: &'a str,
    roles: &'a BTreeMap<String, usize>,
    as_of: Option<&'a str>,
    members: usize,
    owners: &'a [&'a str],
    guests: &'a [&'a str],
    teamless: &'a [&'a str],
    inactive: &'a [InactiveMember],
    unknown: usize,
    inactive_days: u32,
    insights: bool,
    stale: &'a [StaleInvite],
    invite_age_days: u32,
    empty_teams: &'a [&'a str],
    teams: usize,
    invites: usize,
}

/// Names, at most `limit` of them, then "and N more".
fn names(list: &[&str], limit: usize) -> String {
    let shown: Vec<String> = list.iter().take(limit).map(|n| format!("`{n}`")).collect();
    match list.len().saturating_sub(limit) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn review_markdown(f: &ReviewFigures) -> String {
    let mut md = format!("## Access review: {}\n\n", f.org);
    if let Some(at) = f.as_of {
        md.push_str(&format!("As of {at}. "));
    }
    md.push_str(&format!("{} members, {} teams, {} pending invites.\n\n", f.members, f.teams, f.invites));
    md.push_str("| Check | Result |\n|---|---|\n");
    let owner_note = if f.owners.len() == 1 { " ⚠️ only one owner" } else { "" };
    md.push_str(&format!("| Owners | {} ({}){owner_note} |\n", f.owners.len(), names(f.owners, 10)));
    let roles: Vec<String> = f.roles.iter().map(|(role, n)| format!("{role} {n}")).collect();
    md.push_str(&format!("| Roles | {} |\n", roles.join(", ")));
    md.push_str(&format!("| Guests | {} |\n", f.guests.len()));
    md.push_str(&format!("| Members with no team | {} |\n", f.teamless.len()));
    if f.insights {
        md.push_str(&format!("| Not seen for {}+ days | {} |\n", f.inactive_days, f.inactive.len()));
        md.push_str(&format!("| No activity data from Docker | {} |\n", f.unknown));
    } else {
        md.push_str("| Not seen recently | n/a (insights not visible for this organization) |\n");
    }
    md.push_str(&format!("| Invites older than {} days | {} |\n", f.invite_age_days, f.stale.len()));
    md.push_str(&format!("| Teams with no members | {} |\n", f.empty_teams.len()));
    if !f.guests.is_empty() {
        md.push_str(&format!("\n**Guests:** {}\n", names(f.guests, 20)));
    }
    if !f.teamless.is_empty() {
        md.push_str(&format!("\n**No team:** {}\n", names(f.teamless, 20)));
    }
    if !f.inactive.is_empty() {
        let list: Vec<&str> = f.inactive.iter().map(|m| m.username.as_str()).collect();
        md.push_str(&format!("\n**Inactive:** {}\n", names(&list, 20)));
    }
    if !f.stale.is_empty() {
        let list: Vec<&str> = f.stale.iter().filter_map(|i| i.invitee.as_deref()).collect();
        md.push_str(&format!("\n**Stale invites:** {}\n", names(&list, 20)));
    }
    if !f.empty_teams.is_empty() {
        md.push_str(&format!("\n**Empty teams:** {}\n", names(f.empty_teams, 20)));
    }
    md
}

/// The action's manifest entry.
pub const SPEC: ActionSpec = action!("access-review", "Organization access review",
    "One report over the whole organization: owners (and whether there is only one), guests, members with no team, members not seen for inactive_days (when the organization's insights fields are visible; by review-seats' rule: the later of last seen and last login, never a member who joined less than 30 days ago — review-seats is the full seat review with unknown activity and the offboarding), invites older than invite_age_days, and teams with no members. Ages are measured from as_of, or from Docker Hub's own clock (the plugin has none). Output is JSON plus a Markdown summary a workflow can post as is.",
    scopes: [MemberRead, GroupRead, InviteRead], read_only: true, destructive: false, idempotent: true,
    example: r#"{"inactive_days": 90, "invite_age_days": 30}"#,
    run: access_review, input: AccessReviewInput, output: AccessReview);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_whole_days_between_rfc3339_instants() {
        let now = parse_time("2026-11-23T00:00:00Z").unwrap();
        assert_eq!(age_days("2026-08-25T12:00:00.000000Z", now), Some(89));
        assert_eq!(age_days("not a date", now), None);
    }

    #[test]
    fn long_name_lists_are_shortened() {
        assert_eq!(names(&["a", "b", "c"], 2), "`a`, `b` and 1 more");
        assert_eq!(names(&["a"], 2), "`a`");
    }
}
