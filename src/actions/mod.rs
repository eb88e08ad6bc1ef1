//! Every action: its manifest entry and the function that runs it. One file per resource.
//!
//! An action parses and validates its JSON input, builds requests with `api`, sends them through
//! `client`, and maps the answers into its documented JSON output.

#[cfg(not(target_arch = "wasm32"))]
use crate::api::Scope;
use crate::error::{Error, Result};
use crate::host::Host;
use crate::output::Output;

/// Runs an action against the host.
pub type RunFn = fn(&dyn Host, &str) -> Result<Output>;

/// One action: what dispatch needs, and (natively) what the manifest says about it.
pub struct ActionSpec {
    /// Export name (kebab-case), also the CLI name.
    pub name: &'static str,
    /// The function.
    pub run: RunFn,
    /// The manifest entry. Native builds only: the generator writes it into `src/manifest.json`,
    /// which `describe` returns, so the component does not carry these texts twice.
    #[cfg(not(target_arch = "wasm32"))]
    pub about: About,
}

/// An action's manifest entry.
#[cfg(not(target_arch = "wasm32"))]
pub struct About {
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
    /// The output's shape: its fields, and what the lists hold.
    pub output: &'static str,
    /// The input's JSON Schema, generated from the Rust input type.
    pub input_schema: fn() -> schemars::Schema,
}

#[cfg(not(target_arch = "wasm32"))]
/// The JSON Schema of an input type, as a function.
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

/// Declares an [`ActionSpec`]; usable from every action module.
macro_rules! action {
    (
        $name:literal, $title:literal, $desc:literal,
        scopes: [$($scope:ident),*], read_only: $ro:literal, destructive: $de:literal, idempotent: $id:literal,
        example: $example:literal, output: $output:literal, run: $run:expr, input: $input:ty $(,)?
    ) => {
        ActionSpec {
            name: $name,
            // Actions return a `Value` or a written `Output`; both become the output text.
            run: |host, input| ($run)(host, input).map(Into::into),
            #[cfg(not(target_arch = "wasm32"))]
            about: $crate::actions::About {
                title: $title,
                description: $desc,
                scopes: &[$($crate::api::Scope::$scope),*],
                read_only: $ro,
                destructive: $de,
                idempotent: $id,
                example: $example,
                output: $output,
                input_schema: schema!($input),
            },
        }
    };
}

pub mod activity;
pub mod api_request;
pub mod composite;
pub mod connection;
pub mod health;
pub mod input;
pub mod invites;
pub mod members;
pub mod paging;
pub mod settings;
pub mod teams;

/// Every action exported by the component, in manifest order (the WIT `actions` interface, less
/// `describe`).
pub static EXPORTED: &[&str] = &[
    "list-members",
    "get-member",
    "update-member-role",
    "remove-member",
    "export-members",
    "sync-members",
    "list-invites",
    "invite-members",
    "cancel-invite",
    "resend-invite",
    "list-teams",
    "create-team",
    "get-team",
    "update-team",
    "delete-team",
    "list-team-members",
    "add-team-member",
    "remove-team-member",
    "list-audit-logs",
    "list-audit-actions",
    "get-org-settings",
    "update-org-settings",
    "api-request",
    "connection-schema",
    "validate-connection-settings",
    "check-oat-connection",
    "check-member-listing",
    "check-group-listing",
    "run-health-checks",
    "offboard-member",
    "reconcile-team",
    "access-review",
];

/// The implemented actions, one table per module.
pub static TABLES: &[&[ActionSpec]] = &[
    members::ACTIONS,
    invites::ACTIONS,
    teams::ACTIONS,
    activity::ACTIONS,
    settings::ACTIONS,
    connection::ACTIONS,
    api_request::ACTIONS,
    health::ACTIONS,
    composite::ACTIONS,
];

/// Every implemented action.
pub fn all() -> impl Iterator<Item = &'static ActionSpec> {
    TABLES.iter().flat_map(|table| table.iter())
}

/// The manifest entry named `name`.
pub fn find(name: &str) -> Option<&'static ActionSpec> {
    all().find(|a| a.name == name)
}

/// Runs the action `name` with `input`.
pub fn dispatch(name: &str, host: &dyn Host, input: &str) -> Result<Output> {
    match find(name) {
        Some(spec) => (spec.run)(host, input),
        None => Err(Error::invalid_input(format!("There is no action named \"{name}\"."))),
    }
}
