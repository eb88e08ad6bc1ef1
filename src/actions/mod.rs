//! Every action: its manifest entry and the function that runs it. One file per resource.
//!
//! An action parses and validates its JSON input, builds requests with `api`, sends them through
//! `client`, and maps the answers into its documented JSON output.

#[cfg(not(target_arch = "wasm32"))]
use crate::api::Scope;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::host::Host;
use crate::output::Output;

/// Runs an action against the host: parses the JSON input into the action's input type, runs it,
/// and writes its output.
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
    /// A second identical call succeeds and leaves the same state as the first.
    pub idempotent: bool,
    /// An input that works against the simulator.
    pub example: &'static str,
    /// The input's JSON Schema, generated from the Rust input type.
    pub input_schema: fn() -> schemars::Schema,
    /// The output's JSON Schema, generated from the Rust output type.
    pub output_schema: fn() -> schemars::Schema,
    /// Its output is a listing: rows a host shows as a table or CSV by default (`listing: true`
    /// in `action!`; the manifest's `listing`).
    pub listing: bool,
}

/// The JSON Schema of an output type: what it serialises to (fields skipped when absent are not
/// required; `Option` fields that are always written are required and nullable).
#[cfg(not(target_arch = "wasm32"))]
pub fn output_schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::generate::SchemaSettings::default().for_serialize().into_generator().into_root_schema_for::<T>()
}

/// What an action function gets besides its input: the host, and its own name for messages.
pub struct Ctx<'h> {
    /// The imported host interfaces.
    pub host: &'h dyn Host,
    /// The action's name (kebab-case), for messages.
    pub action: &'static str,
}

impl<'h> Ctx<'h> {
    /// A Docker Hub client over the connection values (read and checked here).
    pub fn client(&self) -> Result<Client<'h>> {
        Client::connect(self.host)
    }
}

/// Declares an [`ActionSpec`]; usable from every action module. The input is parsed (with errors
/// that name the field) before the function runs; the function returns its typed output or an
/// already written [`Output`] (listings), and `output` names the type whose JSON Schema the
/// manifest shows. `listing: true` (after `output`) declares the output a listing.
macro_rules! action {
    (@listing) => { false };
    (@listing $listing:literal) => { $listing };
    (
        $name:literal, $title:literal, $desc:literal,
        scopes: [$($scope:ident),*], read_only: $ro:literal, destructive: $de:literal, idempotent: $id:literal,
        example: $example:literal, run: $run:path, input: $input:ty, output: $output:ty
        $(, listing: $listing:literal)? $(,)?
    ) => {
        $crate::actions::ActionSpec {
            name: $name,
            run: |host, text| {
                let input: $input = $crate::actions::input::parse($name, text)?;
                let ctx = $crate::actions::Ctx { host, action: $name };
                $crate::output::IntoOutput::into_output($run(&ctx, input)?)
            },
            #[cfg(not(target_arch = "wasm32"))]
            about: $crate::actions::About {
                title: $title,
                description: $desc,
                scopes: &[$($crate::api::Scope::$scope),*],
                read_only: $ro,
                destructive: $de,
                idempotent: $id,
                example: $example,
                input_schema: $crate::actions::schema::input_schema::<$input>,
                output_schema: $crate::actions::schema::output_schema::<$output>,
                listing: action!(@listing $($listing)?),
            },
        }
    };
}

#[macro_use]
pub mod paging;

pub mod address;
pub mod api_request;
pub mod audit;
pub mod connection_form;
pub mod health;
pub mod input;
pub mod invites;
pub mod members;
pub mod org;
pub mod plan;
pub mod registry_access;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
pub mod settings;
pub mod teams;
pub mod workflows;

/// A table of the catalogue: a module's actions and the toolset an MCP server lists them under
/// (`--toolsets`; `connection` and `health` only with `all`).
pub struct Table {
    /// The toolset.
    pub toolset: &'static str,
    /// The actions.
    pub actions: &'static [ActionSpec],
}

const fn table(toolset: &'static str, actions: &'static [ActionSpec]) -> Table {
    Table { toolset, actions }
}

/// The action catalogue: every action, one table per module, in manifest order.
pub static TABLES: &[Table] = &[
    table("members", members::ACTIONS),
    table("invites", invites::ACTIONS),
    table("teams", teams::ACTIONS),
    table("audit", audit::ACTIONS),
    table("admin", settings::ACTIONS),
    table("admin", registry_access::ACTIONS),
    table("connection", connection_form::ACTIONS),
    table("admin", api_request::ACTIONS),
    // The single checks; `run-health-checks`, which runs them all, is `admin`.
    table("health", health::ACTIONS),
    table("workflows", workflows::ACTIONS),
    table("org", org::ACTIONS),
];

/// Every action.
pub fn all() -> impl Iterator<Item = &'static ActionSpec> {
    TABLES.iter().flat_map(|table| table.actions.iter())
}

/// The action named `name`, in kebab-case (`list-members`) or as its export's snake_case
/// function name (`list_members`).
pub fn find(name: &str) -> Option<&'static ActionSpec> {
    let same = |a: &ActionSpec| {
        a.name.len() == name.len() && a.name.bytes().zip(name.bytes()).all(|(x, y)| x == y || (x == b'-' && y == b'_'))
    };
    all().find(|a| same(a))
}

/// Runs the action `name` with `input`.
pub fn dispatch(name: &str, host: &dyn Host, input: &str) -> Result<Output> {
    match find(name) {
        Some(spec) => (spec.run)(host, input),
        None => Err(Error::invalid_input(format!("There is no action named \"{name}\"."))),
    }
}
