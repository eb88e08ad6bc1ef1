//! `review-seats`: which seats an admin can reclaim, and the offboarding that does it.
//!
//! The question admins ask most about seats (docker/roadmap issues 19, 404 and 473: who has not
//! used Docker for a while, by first and last sign-in) has one answer here. Docker's member
//! listing carries `last_seen_at` and `last_logged_in_at` when the organization has insights; a
//! member with neither is listed as unknown, never left out. docker/roadmap issue 832 ("Use It Or
//! Lose It") reports newly joined members flagged as unused because activity data lags: a member
//! who joined the organization less than `grace_days` ago is never flagged inactive.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::access_review::{age_days, clock, parse_time};
use super::reconcile::DEFAULT_MAX_REMOVALS;
use crate::actions::address::person::roster;
use crate::actions::input::{in_range, instant};
use crate::actions::invites::pending_invites;
use crate::actions::{ActionSpec, Ctx};
use crate::api::members::{Member, MemberQuery};
use crate::error::{Error, Result};
use crate::output::Meta;

/// Input of `review-seats`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewSeatsInput {
    /// Members Docker last saw at least this many days ago are inactive (default 90).
    pub inactive_days: Option<u32>,
    /// Members who joined the organization less than this many days ago are never flagged
    /// inactive: their activity data may lag (default 30; 0 turns the grace period off).
    pub grace_days: Option<u32>,
    /// Pending invites at least this many days old are listed (default 30).
    pub invite_age_days: Option<u32>,
    /// The moment to measure ages from (RFC 3339). Default: Docker Hub's own clock (the Date
    /// header of its answers).
    pub as_of: Option<String>,
}

/// One finding, as a row: the listing a table or CSV export shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SeatFinding {
    /// `inactive`, `unknown-activity` or `old-invite`.
    pub finding: &'static str,
    /// Docker ID (members; an invite's invitee when it is a Docker ID is in `invitee`).
    pub username: Option<String>,
    /// Email, when visible.
    pub email: Option<String>,
    /// Role: a core role in lower case or a custom role's name.
    pub role: Option<String>,
    /// When the member joined the organization, as Docker writes it.
    pub date_joined: Option<String>,
    /// The latest of Docker's `last_seen_at` and `last_logged_in_at` (null: Docker reports no
    /// activity).
    pub last_active_at: Option<String>,
    /// Whole days since `last_active_at`.
    pub days_inactive: Option<i64>,
    /// Whether the member joined less than `grace_days` ago (never flagged inactive then).
    pub in_grace_period: bool,
    /// The invite's id (old invites): what cancel-invite takes.
    pub invite_id: Option<String>,
    /// Who was invited (old invites).
    pub invitee: Option<String>,
    /// When the invite was sent (old invites).
    pub invited_at: Option<String>,
    /// Whole days the invite has been pending.
    pub days_pending: Option<i64>,
}

/// The offboarding of the inactive members, ready to run.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OffboardSuggestion {
    /// The action that carries it out: `offboard-members`.
    pub action: &'static str,
    /// Its input: the inactive members, `max_removals` set to their number, as a dry run. Pass it
    /// as is to see the plan; set `dry_run` to false to carry it out.
    pub input: Value,
    /// The members it removes.
    pub count: usize,
}

/// The output of `review-seats`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SeatReview {
    /// The organization.
    pub organization: String,
    /// Every finding as one listing (first, so a table or CSV export shows it): inactive members,
    /// members with unknown activity, old invites.
    pub findings: Vec<SeatFinding>,
    /// Members inactive for `inactive_days` or more, past their grace period.
    pub inactive: Vec<SeatFinding>,
    /// Members Docker reports no activity for (listed, never left out).
    pub unknown_activity: Vec<SeatFinding>,
    /// Members not seen for `inactive_days` but still in their grace period (not flagged).
    pub in_grace_period: Vec<SeatFinding>,
    /// Pending invites at least `invite_age_days` old.
    pub old_invites: Vec<SeatFinding>,
    /// The offboarding of the inactive members (`offboard-members`, as a dry run).
    pub offboard: OffboardSuggestion,
    /// The moment ages are measured from (RFC 3339).
    pub as_of: String,
    /// Where `as_of` came from: `input` or `docker_date_header`.
    pub as_of_source: &'static str,
    /// The inactivity threshold in days.
    pub inactive_days: u32,
    /// The grace period in days.
    pub grace_days: u32,
    /// The invite-age threshold in days.
    pub invite_age_days: u32,
    /// Members in all.
    pub members: usize,
    /// Members with activity data (`last_seen_at` or `last_logged_in_at`).
    pub members_with_activity: usize,
    /// Pending invites in all.
    pub pending_invites: usize,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// The grace period after joining when the input gives none.
pub const DEFAULT_GRACE_DAYS: u32 = 30;

/// How the seat rule sees one member (the one rule: `review-seats` lists by it, `access-review`
/// counts by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    /// Active within the threshold.
    Active,
    /// Inactive: last active at this time, this many whole days ago.
    Inactive(String, i64),
    /// Not seen for the threshold, but joined less than the grace period ago.
    InGrace,
    /// Docker reports no activity.
    Unknown,
}

/// The seat rule: inactive means the latest activity Docker reports is at least `inactive_days`
/// old and the member joined at least `grace_days` ago.
pub fn seat(m: &Member, now: OffsetDateTime, inactive_days: u32, grace_days: u32) -> Seat {
    let row = member_row("inactive", m, now, grace_days);
    match (row.days_inactive, row.last_active_at) {
        (Some(days), Some(at)) if days >= i64::from(inactive_days) => {
            if row.in_grace_period {
                Seat::InGrace
            } else {
                Seat::Inactive(at, days)
            }
        }
        (Some(_), _) => Seat::Active,
        _ => Seat::Unknown,
    }
}

/// The member's latest activity Docker reports: the later of last seen and last login.
pub fn last_active(m: &Member) -> Option<&str> {
    [m.last_seen_at.as_deref(), m.last_logged_in_at.as_deref()]
        .into_iter()
        .flatten()
        .filter(|t| parse_time(t).is_some())
        .max_by_key(|t| parse_time(t))
}

fn member_row(finding: &'static str, m: &Member, now: OffsetDateTime, grace_days: u32) -> SeatFinding {
    let active = last_active(m);
    // A join date that cannot be read proves no recent join: no grace.
    let joined_days = m.date_joined.as_deref().and_then(|d| age_days(d, now));
    SeatFinding {
        finding,
        username: Some(m.username.clone()).filter(|u| !u.is_empty()),
        email: m.email.clone(),
        role: m.role.clone(),
        date_joined: m.date_joined.clone(),
        last_active_at: active.map(str::to_string),
        days_inactive: active.and_then(|t| age_days(t, now)),
        in_grace_period: joined_days.is_some_and(|d| d < i64::from(grace_days)),
        invite_id: None,
        invitee: None,
        invited_at: None,
        days_pending: None,
    }
}

/// `review-seats`
pub fn review_seats(ctx: &Ctx, input: ReviewSeatsInput) -> Result<SeatReview> {
    let inactive_days = in_range("inactive_days", input.inactive_days.unwrap_or(90), 1, 3650)?;
    let grace_days = in_range("grace_days", input.grace_days.unwrap_or(DEFAULT_GRACE_DAYS), 0, 3650)?;
    let invite_age_days = in_range("invite_age_days", input.invite_age_days.unwrap_or(30), 1, 3650)?;
    let given_now = instant("as_of", input.as_of.as_deref())?;
    let client = ctx.client()?;
    let org = client.org();
    let everyone = roster(&client, &MemberQuery::default())?;
    let invites = pending_invites(&client)?;
    let (Some(now), now_source) = clock(&client, given_now) else {
        return Err(Error::invalid_response(
            "Docker Hub's answers carried no Date header, so the plugin (which has no clock) cannot measure how long \
members have been inactive. Pass as_of (RFC 3339), e.g. \"2026-12-04T00:00:00Z\".",
        ));
    };

    let mut inactive = Vec::new();
    let mut unknown = Vec::new();
    let mut in_grace = Vec::new();
    for m in &everyone {
        if m.role.as_deref() == Some("invitee") {
            continue;
        }
        let row = member_row("inactive", m, now, grace_days);
        match seat(m, now, inactive_days, grace_days) {
            Seat::Unknown => unknown.push(SeatFinding { finding: "unknown-activity", ..row }),
            Seat::InGrace => in_grace.push(SeatFinding { finding: "in-grace-period", ..row }),
            Seat::Inactive(..) => inactive.push(row),
            Seat::Active => {}
        }
    }
    let old_invites: Vec<SeatFinding> = invites
        .iter()
        .filter_map(|i| {
            let at = i.created_at.as_deref()?;
            let days = age_days(at, now)?;
            (days >= i64::from(invite_age_days)).then(|| SeatFinding {
                finding: "old-invite",
                username: None,
                email: None,
                role: i.role.clone(),
                date_joined: None,
                last_active_at: None,
                days_inactive: None,
                in_grace_period: false,
                invite_id: i.id.clone(),
                invitee: i.invitee.clone(),
                invited_at: Some(at.to_string()),
                days_pending: Some(days),
            })
        })
        .collect();
    let people: Vec<String> = inactive.iter().filter_map(|r| r.username.clone()).collect();
    let offboard = OffboardSuggestion {
        action: "offboard-members",
        input: json!({
            "people": people,
            "max_removals": people.len().max(DEFAULT_MAX_REMOVALS),
            "dry_run": true,
        }),
        count: people.len(),
    };
    let findings: Vec<SeatFinding> = inactive.iter().chain(unknown.iter()).chain(old_invites.iter()).cloned().collect();
    Ok(SeatReview {
        organization: org.to_string(),
        findings,
        members_with_activity: everyone.iter().filter(|m| last_active(m).is_some()).count(),
        members: everyone.len(),
        pending_invites: invites.len(),
        inactive,
        unknown_activity: unknown,
        in_grace_period: in_grace,
        old_invites,
        offboard,
        as_of: now.format(&Rfc3339).unwrap_or_default(),
        as_of_source: now_source,
        inactive_days,
        grace_days,
        invite_age_days,
        meta: Meta::of(&client),
    })
}

/// The action's manifest entry.
pub const SPEC: ActionSpec = action!("review-seats", "Review seats",
    "The seat review: members inactive for at least inactive_days (default 90) by Docker's activity data (the later of last_seen_at and last_logged_in_at, which Docker reports when the organization has insights), except those who joined the organization less than grace_days ago (default 30; listed under in_grace_period, never flagged: activity data lags after a join); members Docker reports no activity for, listed as unknown_activity (never left out); and pending invites at least invite_age_days old (default 30). findings lists all of them as rows of one table (finding, username, email, role, date_joined, last_active_at, days_inactive, in_grace_period, invite_id, invitee, invited_at, days_pending), so the CLI's CSV output exports it; inactive, unknown_activity, in_grace_period and old_invites hold the same rows by kind. offboard is the offboard-members input that removes the inactive members (a dry run; set dry_run to false to carry it out). Ages are measured from as_of or Docker Hub's own clock. Changes nothing.",
    scopes: [MemberRead, InviteRead], read_only: true, destructive: false, idempotent: true,
    example: r#"{"inactive_days": 90, "grace_days": 30, "invite_age_days": 30}"#,
    run: review_seats, input: ReviewSeatsInput, output: SeatReview);

#[cfg(test)]
mod tests {
    use super::*;

    fn member(joined: &str, seen: Option<&str>, login: Option<&str>) -> Member {
        Member {
            username: "u".into(),
            date_joined: Some(joined.into()),
            last_seen_at: seen.map(str::to_string),
            last_logged_in_at: login.map(str::to_string),
            ..Member::default()
        }
    }

    #[test]
    fn activity_is_the_later_of_seen_and_login_and_the_join_grants_grace() {
        let now = parse_time("2026-12-04T00:00:00Z").unwrap();
        let m = member("2020-01-01T00:00:00Z", Some("2026-01-01T00:00:00Z"), Some("2026-11-30T00:00:00Z"));
        let row = member_row("inactive", &m, now, 30);
        assert_eq!((row.days_inactive, row.in_grace_period), (Some(4), false));
        let new = member("2026-11-27T00:00:00Z", Some("2025-01-01T00:00:00Z"), None);
        assert!(member_row("inactive", &new, now, 30).in_grace_period, "joined a week ago");
        assert!(!member_row("inactive", &new, now, 0).in_grace_period, "grace off");
        let none = member("not a date", None, Some("garbage"));
        let row = member_row("inactive", &none, now, 30);
        assert_eq!((row.days_inactive, row.in_grace_period), (None, false));
    }
}
