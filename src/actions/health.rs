//! The three health checks, with the product document's exact messages, and all three together.
//!
//! Wording: seed 000 renders quotes typographically (“…”) because it is a web page; the issue that
//! specifies these checks writes them with straight quotes, which is what a plain-text message
//! carries, so straight quotes are used.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::{in_range, parse};
use crate::api::Page;
use crate::api::groups::{OrgGroup, list_groups};
use crate::api::members::{MemberQuery, OrgMember, list_members};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::host::Host;

/// Name of the first check.
pub const CHECK_OAT: &str = "Validate DockerHub OAT Connection";
/// Name of the second check.
pub const CHECK_MEMBERS: &str = "Search DockerHub Organization Members";
/// Name of the third check.
pub const CHECK_GROUPS: &str = "List DockerHub Organization Groups";
/// Failure message of the first check (seed 000).
pub const FAIL_OAT: &str = "Unable to authenticate against the DockerHub organization. Verify the Organization Access Token has not been revoked, that the Organization Name matches a DockerHub org the OAT was issued for, and that the OAT has org-admin scope.";
/// Failure message of the second check (seed 000).
pub const FAIL_MEMBERS: &str = "Unable to list members of the DockerHub organization. Confirm the Organization Access Token has organization-admin scope.";
/// Failure message of the third check (seed 000).
pub const FAIL_GROUPS: &str = "Unable to list groups in the DockerHub organization. Confirm the Organization Access Token has organization-admin scope.";

/// Members fetched by the member-listing check unless `sample_size` says otherwise.
pub const DEFAULT_SAMPLE: u32 = 5;

/// Input of every health check.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HealthInput {
    /// Members fetched by the member-listing check (1 to 100, default 5).
    pub sample_size: Option<u32>,
}

/// `check-oat-connection`
pub fn check_oat_connection(host: &dyn Host, input: &str) -> Result<Value> {
    let _: HealthInput = parse("check-oat-connection", input)?;
    let client = Client::connect(host)?;
    Ok(finish(&client, oat_connection(&client)))
}

/// `check-member-listing`
pub fn check_member_listing(host: &dyn Host, input: &str) -> Result<Value> {
    let input: HealthInput = parse("check-member-listing", input)?;
    let sample = in_range("sample_size", input.sample_size.unwrap_or(DEFAULT_SAMPLE), 1, 100)?;
    let client = Client::connect(host)?;
    Ok(finish(&client, member_listing(&client, sample)))
}

/// `check-group-listing`
pub fn check_group_listing(host: &dyn Host, input: &str) -> Result<Value> {
    let _: HealthInput = parse("check-group-listing", input)?;
    let client = Client::connect(host)?;
    Ok(finish(&client, group_listing(&client)))
}

/// `run-health-checks`: the three checks with one token exchange.
pub fn run_health_checks(host: &dyn Host, input: &str) -> Result<Value> {
    let input: HealthInput = parse("run-health-checks", input)?;
    let sample = in_range("sample_size", input.sample_size.unwrap_or(DEFAULT_SAMPLE), 1, 100)?;
    let client = Client::connect(host)?;
    let checks = [oat_connection(&client), member_listing(&client, sample), group_listing(&client)];
    let ok = checks.iter().all(|c| c.ok);
    let passed = checks.iter().filter(|c| c.ok).count();
    Ok(json!({
        "ok": ok,
        "message": format!("{passed} of 3 health checks passed for \"{}\".", client.org()),
        "checks": checks.iter().map(Outcome::to_json).collect::<Vec<_>>(),
        "meta": client.meta(),
    }))
}

/// One check's result.
struct Outcome {
    check: &'static str,
    ok: bool,
    message: String,
    detail: Option<String>,
    error_kind: Option<&'static str>,
    counts: Value,
}

impl Outcome {
    fn passed(check: &'static str, message: String, counts: Value) -> Self {
        Outcome { check, ok: true, message, detail: None, error_kind: None, counts }
    }

    fn failed(check: &'static str, message: &str, error: &Error) -> Self {
        Outcome {
            check,
            ok: false,
            message: message.to_string(),
            detail: Some(error.message.clone()),
            error_kind: Some(error.kind_name()),
            counts: json!({}),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "check": self.check,
            "ok": self.ok,
            "message": self.message,
            "detail": self.detail,
            "error_kind": self.error_kind,
            "counts": self.counts,
        })
    }
}

fn finish(client: &Client, outcome: Outcome) -> Value {
    let mut out = outcome.to_json();
    out["meta"] = client.meta();
    out
}

fn count_of(count: Option<f64>, fallback: usize) -> u64 {
    count.filter(|c| c.is_finite() && *c >= 0.0).map_or(fallback as u64, |c| c as u64)
}

fn oat_connection(client: &Client) -> Outcome {
    let org = client.org();
    let request = list_members(org, &MemberQuery::default(), 1, 1);
    match client.send_json::<Page<OrgMember>>(&request) {
        Ok(page) => {
            let count = count_of(page.count, page.results.len());
            Outcome::passed(
                CHECK_OAT,
                format!(
                    "Successfully authenticated against DockerHub organization \"{org}\" ({count} members visible)."
                ),
                json!({ "members": count }),
            )
        }
        Err(e) => Outcome::failed(CHECK_OAT, FAIL_OAT, &e),
    }
}

fn member_listing(client: &Client, sample: u32) -> Outcome {
    let org = client.org();
    let request = list_members(org, &MemberQuery::default(), 1, sample);
    match client.send_json::<Page<OrgMember>>(&request) {
        Ok(page) => {
            let shown = page.results.len();
            let count = count_of(page.count, shown);
            Outcome::passed(
                CHECK_MEMBERS,
                format!("Successfully fetched member listing for \"{org}\" ({count} members; showing first {shown})."),
                json!({ "members": count, "shown": shown }),
            )
        }
        Err(e) => Outcome::failed(CHECK_MEMBERS, FAIL_MEMBERS, &e),
    }
}

fn group_listing(client: &Client) -> Outcome {
    let org = client.org();
    let request = list_groups(org, None, None, 1, 1);
    match client.send_json::<Page<OrgGroup>>(&request) {
        Ok(page) => {
            let count = count_of(page.count, page.results.len());
            Outcome::passed(
                CHECK_GROUPS,
                format!("Successfully listed organization groups ({count} total in \"{org}\")."),
                json!({ "groups": count }),
            )
        }
        Err(e) => Outcome::failed(CHECK_GROUPS, FAIL_GROUPS, &e),
    }
}

/// The health checks.
pub static ACTIONS: &[ActionSpec] = &[
    action!("check-oat-connection", "Validate DockerHub OAT Connection",
        "Health check: confirms the token authenticates and has organization-admin access by fetching a single member of the configured organization.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{check, ok, message, detail, error_kind, counts {…}, meta}",
        run: check_oat_connection, input: HealthInput),
    action!("check-member-listing", "Search DockerHub Organization Members",
        "Health check: fetches a small sample of the member list (sample_size, default 5), confirming access to the listing-and-search endpoint used to resolve people by email.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{check, ok, message, detail, error_kind, counts {…}, meta}",
        run: check_member_listing, input: HealthInput),
    action!("check-group-listing", "List DockerHub Organization Groups",
        "Health check: confirms the token can list the organization's teams.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{check, ok, message, detail, error_kind, counts {…}, meta}",
        run: check_group_listing, input: HealthInput),
    action!("run-health-checks", "Run all health checks",
        "Runs the three health checks with one token exchange and reports each one.",
        scopes: [MemberRead, GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{ok, message, checks: [{check, ok, message, detail, error_kind, counts}], meta}",
        run: run_health_checks, input: HealthInput),
];
