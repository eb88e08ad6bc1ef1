//! Audit logs: list-audit-logs and list-audit-actions.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::input::{instant, optional_text};
use super::paging::{PagingOut, item_value, stream_paged};
use super::{ActionSpec, Ctx};
use crate::api::auditlogs::{self, AuditActionGroup, AuditEvent, AuditQuery};
use crate::error::{Error, ErrorKind, Result};
use crate::output::Meta;

listing_input! {
    /// Input of `list-audit-logs`.
    pub struct ListAuditLogsInput {
        /// Only events of this action, as events name it: its group and name joined by a dot, such as
        /// "repo.tag.push" or "org.member.role.change" (list-audit-actions gives each one as "filter").
        pub action: Option<String>,
        /// Only events about this name: a repository ("acme/web"), the organization, or a team member's username.
        pub name: Option<String>,
        /// Only events triggered by this user.
        pub actor: Option<String>,
        /// Start of the time window: RFC 3339 (for example "2024-01-01T00:00:00Z") or a date
        /// ("2024-01-01", midnight UTC); sent normalised to UTC.
        pub from: Option<String>,
        /// End of the time window: RFC 3339 or a date (midnight UTC, so "to": "2024-01-31" ends as that
        /// day begins); must not be before `from`.
        pub to: Option<String>,
    }
    items: "events", noun: "events", per_page: "Events", default_size: 25,
    all_pages: "Follow every page until a short or empty one (bounded by max_items).", each: "event", size_attrs: [cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = 25)))]
}

/// Input of `list-audit-actions`: no fields.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListAuditActionsInput {}

/// `instant` in UTC, written as RFC 3339 (`2024-01-31T09:00:00Z`).
fn utc_rfc3339(field: &str, instant: OffsetDateTime) -> Result<String> {
    instant
        .checked_to_offset(UtcOffset::UTC)
        .and_then(|utc| utc.format(&Rfc3339).ok())
        .ok_or_else(|| Error::invalid_input(format!("\"{field}\" is outside the range of dates Docker Hub accepts.")))
}

/// A date alone (`2026-11-26`: four-digit year, two-digit month and day) as that day's midnight
/// UTC in RFC 3339 (`2026-11-26T00:00:00Z`); `None` for anything else (left to the RFC 3339
/// parser, whose error names the field). An impossible date (`2026-02-30`) is refused by name.
fn date_only(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(text) = value.map(str::trim) else {
        return Ok(None);
    };
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Ok(None);
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
    let month = time::Month::try_from(number(5..7) as u8).ok();
    let date = month.and_then(|m| time::Date::from_calendar_date(i32::from(number(0..4)), m, number(8..10) as u8).ok());
    let Some(date) = date else {
        return Err(Error::invalid_input(format!(
            "\"{field}\" is not a calendar date (got \"{text}\"): give a date such as \"2026-11-26\" or an RFC 3339 \
date-time such as \"2026-11-26T09:00:00Z\"."
        )));
    };
    Ok(Some(format!("{:04}-{:02}-{:02}T00:00:00Z", date.year(), u8::from(date.month()), date.day())))
}

/// Validates the time window: each end RFC 3339 or a date (midnight UTC), `from` not after `to`.
/// Returns them in UTC.
pub fn time_window(from: Option<&str>, to: Option<&str>) -> Result<(Option<String>, Option<String>)> {
    let from_date = date_only("from", from)?;
    let to_date = date_only("to", to)?;
    let also_dates = |mut e: Error| {
        e.message.push_str(" A date alone (\"2026-11-26\", midnight UTC) is accepted too.");
        e
    };
    let from_at = instant("from", from_date.as_deref().or(from)).map_err(also_dates)?;
    let to_at = instant("to", to_date.as_deref().or(to)).map_err(also_dates)?;
    if let (Some(a), Some(b)) = (from_at, to_at)
        && a > b
    {
        return Err(Error::invalid_input(format!(
            "\"from\" ({}) is after \"to\" ({}): the time window is empty. Swap them or widen the window.",
            from.map(str::trim).unwrap_or_default(),
            to.map(str::trim).unwrap_or_default()
        )));
    }
    let from = from_at.map(|t| utc_rfc3339("from", t)).transpose()?;
    let to = to_at.map(|t| utc_rfc3339("to", t)).transpose()?;
    Ok((from, to))
}

/// Words in Docker's refusal that mark it as a plan restriction (matched at the start of a word).
const PLAN_WORDS: &[&str] = &["plan", "subscription", "feature", "upgrade", "entitle"];

/// Whether Docker's message speaks of plans, subscriptions, features, upgrades or entitlements.
fn mentions_plan(message: &str) -> bool {
    message.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|word| {
        PLAN_WORDS.iter().any(|p| word.starts_with(p) && (*p != "plan" || word == "plan" || word == "plans"))
    })
}

/// Turns Docker's refusal of audit logs to an organization without a Team or Business plan into an
/// error that says so.
///
/// Assumption: Docker does not document this answer. We take a 402, or a 403 whose message
/// mentions a plan, subscription, feature, upgrade or entitlement, from an audit-log endpoint to be
/// the plan refusal. Any other 403 keeps the usual message naming the "Audit Log Read" permission.
pub fn plan_required(org: &str, error: Error) -> Error {
    let said = error.docker_message.clone();
    let refused_for_plan = match error.status {
        Some(402) => true,
        Some(403) => said.as_deref().is_some_and(mentions_plan),
        _ => false,
    };
    if !refused_for_plan {
        return error;
    }
    let status = error.status.unwrap_or_default();
    let quoted = said.as_deref().map(|m| format!(" Docker Hub said: \"{m}\".")).unwrap_or_default();
    Error {
        kind: ErrorKind::Forbidden,
        message: format!(
            "Audit logs require a Docker Team or Business plan: Docker Hub refused the audit logs of organization \"{org}\" ({status}). \
Upgrade the organization's subscription to use audit logs; member sync and the other actions work on every plan.{quoted}"
        ),
        detail: Some(json!({ "reason": "plan_required", "status": status })),
        ..error
    }
}

/// The filters a `list-audit-logs` call applied, as sent (times in UTC).
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditFilters {
    /// Action name.
    pub action: Option<String>,
    /// What the events are about.
    pub name: Option<String>,
    /// Who triggered them.
    pub actor: Option<String>,
    /// Start of the window (RFC 3339, UTC).
    pub from: Option<String>,
    /// End of the window (RFC 3339, UTC).
    pub to: Option<String>,
}

/// The output of `list-audit-logs`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditLogListing {
    /// The organization.
    pub organization: String,
    /// The filters applied.
    pub filters: AuditFilters,
    /// How many events this output holds.
    pub returned: usize,
    /// The events, newest first as Docker returns them (only the `fields` asked for, when given).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "Vec<AuditEvent>"))]
    pub events: Vec<serde_json::Value>,
    /// Whether max_items stopped an all_pages walk with more left: then `paging.next_page` is
    /// the page that holds the first item not returned. Present only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// Which pages were read (Docker gives no count: a full page means there may be another).
    pub paging: PagingOut,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `list-audit-logs`: one page of audit-log events, or every page.
pub fn list_audit_logs(ctx: &Ctx, mut input: ListAuditLogsInput) -> Result<AuditLogListing> {
    let (from, to) = time_window(input.from.as_deref(), input.to.as_deref())?;
    let query = AuditQuery {
        action: auditlogs::check_action_filter(optional_text("action", input.action.as_deref())?)?,
        name: optional_text("name", input.name.as_deref())?,
        actor: optional_text("actor", input.actor.as_deref())?,
        from,
        to,
    };
    let paging = input.paging(ctx.action)?;
    let fields = paging.fields.clone();
    let client = ctx.client()?;
    let org = client.org();
    let size = paging.spec.page_size;
    let page = |number: u32| auditlogs::list_audit_logs(org, &query, number, size);
    let mut events = Vec::new();
    // Docker gives no count or link: a full page means there may be another.
    let (_, paging_out) = stream_paged(&client, paging, &page, &mut |logs, _| {
        for log in logs {
            events.push(item_value(fields.as_deref(), AuditEvent::from(log))?);
        }
        Ok(())
    })
    .map_err(|e| plan_required(org, e))?;
    Ok(AuditLogListing {
        organization: org.to_string(),
        filters: AuditFilters {
            action: query.action,
            name: query.name,
            actor: query.actor,
            from: query.from,
            to: query.to,
        },
        returned: events.len(),
        events,
        truncated: paging_out.truncated,
        paging: paging_out,
        meta: Meta::of(&client),
    })
}

/// The output of `list-audit-actions`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditActionsOutput {
    /// The organization.
    pub organization: String,
    /// Actions in all groups.
    pub action_count: usize,
    /// The groups (org, repo, …), each with its actions.
    pub groups: Vec<AuditActionGroup>,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `list-audit-actions`: the action names (grouped) that filter audit logs.
pub fn list_audit_actions(ctx: &Ctx, _input: ListAuditActionsInput) -> Result<AuditActionsOutput> {
    let client = ctx.client()?;
    let org = client.org();
    let answer = client.fetch(&auditlogs::list_audit_actions(org)).map_err(|e| plan_required(org, e))?;
    let groups = answer.into_groups();
    Ok(AuditActionsOutput {
        organization: org.to_string(),
        action_count: groups.iter().map(|g| g.actions.len()).sum(),
        groups,
        meta: Meta::of(&client),
    })
}

/// The audit-log actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-audit-logs", "List audit log events",
        "Lists the organization's audit-log events, newest first as Docker returns them, one page or every page (all_pages, bounded by max_items; Docker gives no count, so paging stops on a short or empty page). Filters: action (an action as events name it, group and name joined by a dot: repo.tag.push, org.member.add, org.member.role.change, org.settings.update, org.access_token.create, ...; list-audit-actions gives each one's filter), name (the repository for repository events, the organization for organization events, the member's username for team member events), actor, from and to (RFC 3339; from must not be after to; sent in UTC). Output: events (AuditEvent: account, action, name, actor, data, timestamp, description) and paging. Audit logs need a Docker Team or Business plan.",
        scopes: [AuditLogRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"action": "org.team.member.add", "from": "2026-10-01T00:00:00Z", "to": "2026-10-31T23:59:59Z", "page_size": 25}"#,
        run: list_audit_logs, input: ListAuditLogsInput, output: AuditLogListing, listing: true),
    action!("list-audit-actions", "List audit log actions",
        "Lists the audit-log actions the organization's events can be filtered by, grouped as Docker groups them (org, repo, billing, enterprise, oidc, offload), each with its name within the group, its filter (the group and name joined by a dot, as events and list-audit-logs' action filter name it: repo.tag.push, org.member.role.change), label and description. Audit logs need a Docker Team or Business plan.",
        scopes: [AuditLogRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{}"#,
        run: list_audit_actions, input: ListAuditActionsInput, output: AuditActionsOutput, listing: true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HttpResponse;

    fn forbidden(message: &str) -> Error {
        let request = auditlogs::list_audit_logs("acme", &AuditQuery::default(), 1, 25);
        let response =
            HttpResponse { status: 403, headers: vec![], body: json!({ "detail": message }).to_string().into_bytes() };
        crate::client::status::status_error(&request, &response, "acme")
    }

    #[test]
    fn time_window_normalises_offsets_to_utc() {
        let (from, to) = time_window(Some(" 2024-01-01T01:30:00+02:00 "), Some("2024-01-31T23:59:59.5Z")).unwrap();
        assert_eq!(from.as_deref(), Some("2023-12-31T23:30:00Z"));
        assert_eq!(to.as_deref(), Some("2024-01-31T23:59:59.5Z"));
    }

    #[test]
    fn time_window_names_the_malformed_field() {
        let e = time_window(Some("7d"), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.starts_with("\"from\" must be an RFC 3339 date-time"), "{}", e.message);
        assert!(e.message.contains("A date alone (\"2026-11-26\", midnight UTC)"), "{}", e.message);
        let e = time_window(None, Some("yesterday")).unwrap_err();
        assert!(e.message.starts_with("\"to\" must be an RFC 3339"), "{}", e.message);
        let e = time_window(Some("2026-02-30"), None).unwrap_err();
        assert!(e.message.starts_with("\"from\" is not a calendar date (got \"2026-02-30\")"), "{}", e.message);
        assert!(time_window(Some("2024-02-30T00:00:00Z"), None).is_err(), "no 30 February");
    }

    #[test]
    fn a_date_alone_is_midnight_utc() {
        let (from, to) = time_window(Some(" 2026-11-26 "), Some("2026-12-01")).unwrap();
        assert_eq!(from.as_deref(), Some("2026-11-26T00:00:00Z"));
        assert_eq!(to.as_deref(), Some("2026-12-01T00:00:00Z"));
        let e = time_window(Some("2026-12-02"), Some("2026-12-01")).unwrap_err();
        assert!(e.message.contains("is after"), "{}", e.message);
    }

    #[test]
    fn time_window_refuses_from_after_to_across_offsets() {
        // 10:00+01:00 is 09:00Z, after 08:30Z.
        let e = time_window(Some("2024-01-02T10:00:00+01:00"), Some("2024-01-02T08:30:00Z")).unwrap_err();
        assert!(
            e.message.contains("\"from\" (2024-01-02T10:00:00+01:00) is after \"to\" (2024-01-02T08:30:00Z)"),
            "{}",
            e.message
        );
        // Equal instants are a valid (one-instant) window.
        assert!(time_window(Some("2024-01-02T10:00:00+01:00"), Some("2024-01-02T09:00:00Z")).is_ok());
    }

    #[test]
    fn blank_dates_and_filters_are_absent() {
        assert_eq!(time_window(Some(" "), Some("")).unwrap(), (None, None));
        assert_eq!(optional_text("actor", Some("  ")).unwrap(), None);
        assert!(optional_text("actor", Some("a\u{7}")).unwrap_err().message.contains("\"actor\""));
    }

    #[test]
    fn a_402_is_a_plan_refusal() {
        let request = auditlogs::list_audit_actions("acme");
        let response =
            HttpResponse { status: 402, headers: vec![], body: br#"{"message":"payment required"}"#.to_vec() };
        let e = plan_required("acme", crate::client::status::status_error(&request, &response, "acme"));
        assert_eq!(e.kind, ErrorKind::Forbidden);
        assert_eq!(e.status, Some(402));
        assert!(e.message.starts_with("Audit logs require a Docker Team or Business plan"), "{}", e.message);
        assert!(e.message.contains("Docker Hub said: \"payment required\""), "{}", e.message);
    }

    #[test]
    fn a_403_about_the_plan_is_a_plan_refusal() {
        for said in
            ["This feature requires a Team plan", "Upgrade your subscription", "org is not entitled to audit logs"]
        {
            let e = plan_required("acme", forbidden(said));
            assert!(e.message.contains("Team or Business plan"), "{said}: {}", e.message);
            assert_eq!(e.detail, Some(json!({"reason": "plan_required", "status": 403})));
        }
    }

    #[test]
    fn a_plain_403_keeps_the_activity_read_message() {
        let e = plan_required("acme", forbidden("forbidden"));
        assert!(e.message.contains("\"Audit Log Read\" permission"), "{}", e.message);
        assert!(!e.message.contains("Team or Business"), "{}", e.message);
        // "planet" is not "plan".
        assert!(!plan_required("acme", forbidden("access denied on planet x")).message.contains("Team or Business"));
    }

    #[test]
    fn other_failures_pass_through_unchanged() {
        let e = Error::not_found("nothing");
        assert_eq!(plan_required("acme", e.clone()), e);
    }
}
