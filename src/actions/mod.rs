//! Every action: its manifest entry and the function that runs it. One file per resource.
//!
//! An action parses and validates its JSON input, builds requests with `api`, sends them through
//! `client`, and maps the answers into its documented JSON output.

pub mod health;
pub mod input;
pub mod members;
pub mod paging;

use serde_json::Value;

use crate::api::Scope;
use crate::error::{Error, Result};
use crate::host::Host;

/// Runs an action against the host.
pub type RunFn = fn(&dyn Host, &str) -> Result<Value>;

/// One action's manifest entry.
pub struct ActionSpec {
    /// Export name (kebab-case), also the CLI name.
    pub name: &'static str,
    /// Short human title.
    pub title: &'static str,
    /// What it does, and anything a workflow builder must know.
    pub description: &'static str,
    /// OAT permissions it needs.
    pub scopes: &'static [Scope],
    /// Changes nothing.
    pub read_only: bool,
    /// Removes or overwrites something.
    pub destructive: bool,
    /// Running it twice leaves the same state as once.
    pub idempotent: bool,
    /// An input that works against the simulator.
    pub example: &'static str,
    /// The function, or `None` while its issue is open.
    pub run: Option<RunFn>,
    /// The input's JSON Schema, generated from the Rust input type (native builds only).
    #[cfg(not(target_arch = "wasm32"))]
    pub input_schema: fn() -> schemars::Schema,
}

#[cfg(not(target_arch = "wasm32"))]
macro_rules! schema {
    ($ty:ty) => {
        || schemars::schema_for!($ty)
    };
}

#[cfg(not(target_arch = "wasm32"))]
/// Input of actions that take no fields.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

macro_rules! action {
    (
        $name:literal, $title:literal, $desc:literal,
        scopes: [$($scope:ident),*], read_only: $ro:literal, destructive: $de:literal, idempotent: $id:literal,
        example: $example:literal, run: $run:expr, input: $input:ty $(,)?
    ) => {
        ActionSpec {
            name: $name,
            title: $title,
            description: $desc,
            scopes: &[$(Scope::$scope),*],
            read_only: $ro,
            destructive: $de,
            idempotent: $id,
            example: $example,
            run: $run,
            #[cfg(not(target_arch = "wasm32"))]
            input_schema: schema!($input),
        }
    };
}

/// Every action, in manifest order.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-members", "List organization members",
        "Lists members of the organization, one page or every page (all_pages, bounded by max_items). Filters: search (username, full name or email; fuzzy), role, type, invites. Output: members with username, full name, email, role (lower case), teams, guest flag, date joined and, when the organization has insights, last seen/login fields; plus count and paging.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"page_size": 5}"#, run: Some(members::list_members), input: members::ListMembersInput),
    action!("check-oat-connection", "Validate DockerHub OAT Connection",
        "Health check: confirms the token authenticates and has organization-admin access by fetching a single member of the configured organization.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", run: Some(health::check_oat_connection), input: health::HealthInput),
    action!("check-member-listing", "Search DockerHub Organization Members",
        "Health check: fetches a small sample of the member list (sample_size, default 5), confirming access to the listing-and-search endpoint used to resolve people by email.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", run: Some(health::check_member_listing), input: health::HealthInput),
    action!("check-group-listing", "List DockerHub Organization Groups",
        "Health check: confirms the token can list the organization's teams.",
        scopes: [GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", run: Some(health::check_group_listing), input: health::HealthInput),
    action!("run-health-checks", "Run all health checks",
        "Runs the three health checks with one token exchange and reports each one.",
        scopes: [MemberRead, GroupRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", run: Some(health::run_health_checks), input: health::HealthInput),
];

/// Names exported by the component that have no entry in [`ACTIONS`] yet; they answer
/// `not-implemented` until their issue lands.
pub static PENDING: &[&str] = &[
    "get-member", "update-member-role", "remove-member", "export-members", "sync-members",
    "list-invites", "invite-members", "cancel-invite", "resend-invite",
    "list-teams", "create-team", "get-team", "update-team", "delete-team",
    "list-team-members", "add-team-member", "remove-team-member",
    "list-audit-logs", "list-audit-actions", "get-org-settings", "update-org-settings",
    "api-request", "connection-schema", "validate-connection-settings",
    "offboard-member", "reconcile-team", "access-review",
];

/// The manifest entry named `name`.
pub fn find(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == name)
}

/// Runs the action `name` with `input`.
pub fn dispatch(name: &str, host: &dyn Host, input: &str) -> Result<Value> {
    match find(name).and_then(|spec| spec.run) {
        Some(run) => run(host, input),
        None if PENDING.contains(&name) => Err(Error::not_implemented(name)),
        None => Err(Error::invalid_input(format!("There is no action named \"{name}\"."))),
    }
}
