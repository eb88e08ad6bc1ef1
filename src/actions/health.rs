//! The three health checks, with the product document's exact messages, and all three together.
//!
//! Wording: seed 000 renders quotes typographically (“…”) because it is a web page; the issue that
//! specifies these checks writes them with straight quotes, which is what a plain-text message
//! carries, so straight quotes are used.

use serde::{Deserialize, Serialize};

use super::input::in_range;
use super::{ActionSpec, Ctx};
use crate::api::groups::list_groups;
use crate::api::members::{MemberQuery, list_members};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::Meta;

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

/// What a check counted.
#[derive(Debug, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CheckCounts {
    /// Members of the organization, as Docker reported the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    /// Members fetched in the sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown: Option<usize>,
    /// Teams of the organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<u64>,
}

/// One health check's result.
#[derive(Debug, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CheckOutcome {
    /// The check's name.
    pub check: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// The product's message for the outcome.
    pub message: String,
    /// On failure, the error's own message (what Docker Hub answered).
    pub detail: Option<String>,
    /// On failure, the error kind (`unauthorized`, `forbidden`, ...).
    pub error_kind: Option<&'static str>,
    /// What it counted (empty on failure).
    pub counts: CheckCounts,
}

/// The output of a single health check.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CheckOutput {
    /// The check's result.
    #[serde(flatten)]
    pub outcome: CheckOutcome,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// The output of `run-health-checks`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct HealthReport {
    /// Whether every check passed.
    pub ok: bool,
    /// How many passed.
    pub message: String,
    /// Each check's result, in order.
    pub checks: Vec<CheckOutcome>,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// The member sample size asked for, checked.
fn sample_size(input: &HealthInput) -> Result<u32> {
    in_range("sample_size", input.sample_size.unwrap_or(DEFAULT_SAMPLE), 1, 100)
}

/// `check-oat-connection`
pub fn check_oat_connection(ctx: &Ctx, input: HealthInput) -> Result<CheckOutput> {
    // Every check takes the same input and holds it to the same rule, used or not.
    sample_size(&input)?;
    let client = ctx.client()?;
    Ok(CheckOutput { outcome: oat_connection(&client), meta: Meta::of(&client) })
}

/// `check-member-listing`
pub fn check_member_listing(ctx: &Ctx, input: HealthInput) -> Result<CheckOutput> {
    let sample = sample_size(&input)?;
    let client = ctx.client()?;
    Ok(CheckOutput { outcome: member_listing(&client, sample), meta: Meta::of(&client) })
}

/// `check-group-listing`
pub fn check_group_listing(ctx: &Ctx, input: HealthInput) -> Result<CheckOutput> {
    sample_size(&input)?;
    let client = ctx.client()?;
    Ok(CheckOutput { outcome: group_listing(&client), meta: Meta::of(&client) })
}

/// `run-health-checks`: the three checks with one token exchange.
pub fn run_health_checks(ctx: &Ctx, input: HealthInput) -> Result<HealthReport> {
    let sample = sample_size(&input)?;
    let client = ctx.client()?;
    let checks = vec![oat_connection(&client), member_listing(&client, sample), group_listing(&client)];
    let passed = checks.iter().filter(|c| c.ok).count();
    Ok(HealthReport {
        ok: passed == checks.len(),
        message: format!("{passed} of 3 health checks passed for \"{}\".", client.org()),
        checks,
        meta: Meta::of(&client),
    })
}

impl CheckOutcome {
    fn passed(check: &'static str, message: String, counts: CheckCounts) -> Self {
        CheckOutcome { check, ok: true, message, detail: None, error_kind: None, counts }
    }

    fn failed(check: &'static str, message: &str, error: &Error) -> Self {
        CheckOutcome {
            check,
            ok: false,
            message: message.to_string(),
            detail: Some(error.message.clone()),
            error_kind: Some(error.kind_name()),
            counts: CheckCounts::default(),
        }
    }
}

fn oat_connection(client: &Client) -> CheckOutcome {
    let org = client.org();
    match client.fetch(&list_members(org, &MemberQuery::default(), 1, 1)) {
        Ok(page) => {
            let count = page.total().unwrap_or(page.results.len() as u64);
            CheckOutcome::passed(
                CHECK_OAT,
                format!(
                    "Successfully authenticated against DockerHub organization \"{org}\" ({count} members visible)."
                ),
                CheckCounts { members: Some(count), ..CheckCounts::default() },
            )
        }
        Err(e) => CheckOutcome::failed(CHECK_OAT, FAIL_OAT, &e),
    }
}

fn member_listing(client: &Client, sample: u32) -> CheckOutcome {
    let org = client.org();
    match client.fetch(&list_members(org, &MemberQuery::default(), 1, sample)) {
        Ok(page) => {
            let shown = page.results.len();
            let count = page.total().unwrap_or(shown as u64);
            CheckOutcome::passed(
                CHECK_MEMBERS,
                format!("Successfully fetched member listing for \"{org}\" ({count} members; showing first {shown})."),
                CheckCounts { members: Some(count), shown: Some(shown), ..CheckCounts::default() },
            )
        }
        Err(e) => CheckOutcome::failed(CHECK_MEMBERS, FAIL_MEMBERS, &e),
    }
}

fn group_listing(client: &Client) -> CheckOutcome {
    let org = client.org();
    match client.fetch(&list_groups(org, None, None, 1, 1)) {
        Ok(page) => {
            let count = page.total().unwrap_or(page.results.len() as u64);
            CheckOutcome::passed(
                CHECK_GROUPS,
                format!("Successfully listed organization groups ({count} total in \"{org}\")."),
                CheckCounts { groups: Some(count), ..CheckCounts::default() },
            )
        }
        Err(e) => CheckOutcome::failed(CHECK_GROUPS, FAIL_GROUPS, &e),
    }
}

/// The health checks.
pub static ACTIONS: &[ActionSpec] = &[
    action!("check-oat-connection", "Validate DockerHub OAT Connection",
        "Health check: confirms the token authenticates and has organization-admin access by fetching a single member of the configured organization.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: check_oat_connection, input: HealthInput, output: CheckOutput),
    action!("check-member-listing", "Search DockerHub Organization Members",
        "Health check: fetches a small sample of the member list (sample_size, default 5), confirming access to the listing-and-search endpoint used to resolve people by email.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: check_member_listing, input: HealthInput, output: CheckOutput),
    action!("check-group-listing", "List DockerHub Organization Groups",
        "Health check: confirms the token can list the organization's teams.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: check_group_listing, input: HealthInput, output: CheckOutput),
    action!("run-health-checks", "Run all health checks",
        "Runs the three health checks with one token exchange and reports each one.",
        scopes: [MemberRead, GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: run_health_checks, input: HealthInput, output: HealthReport),
];
