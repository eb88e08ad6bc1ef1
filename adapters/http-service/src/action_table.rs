//! The plugin's actions by name: the route name, the imported function and whether the action
//! only reads (`read`) or can change the organization (`write`). Nothing here is typed per action:
//! `build.rs` writes the table from `wit/actions.wit` and the manifest's `read_only`
//! (`src/manifest.json`, generated from the plugin's catalogue); unit tests check the result
//! against both.

/// What an action may do to the organization: decides the role a caller needs ([`crate::access`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Changes nothing (the manifest's `read_only`): a `read` key may run it.
    Read,
    /// Can change the organization: an `admin` key, or a `read` key asking for a dry run.
    Write,
}

/// Declares [`NAMES`], [`access`] and, on wasm32, `call(name, input)` over the imported `actions`
/// functions.
macro_rules! action_table {
    (@access read) => { Access::Read };
    (@access write) => { Access::Write };
    ($($name:literal => $function:ident: $access:ident),* $(,)?) => {
        /// Every action the service routes, by its WIT name.
        pub const NAMES: &[&str] = &[$($name),*];

        /// What the action `name` may do; `None` when there is no such action.
        pub fn access(name: &str) -> Option<Access> {
            match name {
                $($name => Some(action_table!(@access $access)),)*
                _ => None,
            }
        }

        /// Runs the action `name` with `input`; `None` when there is no such action.
        #[cfg(target_arch = "wasm32")]
        pub(crate) fn call(
            name: &str,
            input: &str,
        ) -> Option<Result<String, crate::bindings::dockerhub::org::actions::ActionError>> {
            use crate::bindings::dockerhub::org::actions;
            match name {
                $($name => Some(actions::$function(input)),)*
                _ => None,
            }
        }
    };
}

// Every action of `wit/actions.wit`, with its access from the manifest's `read_only`, written by
// `build.rs` (`action_table! { "list-members" => list_members: read, ... }`).
include!(concat!(env!("OUT_DIR"), "/action_table.rs"));

/// The build scripts' reading of `wit/actions.wit` (one definition), for the tests.
#[cfg(test)]
#[path = "../../../build/wit_actions.rs"]
#[allow(dead_code)] // the tests read the names; `snake` is the build script's
mod wit_actions;

#[cfg(test)]
mod tests {
    use super::{Access, NAMES, access};

    fn wit_action_names() -> Vec<String> {
        super::wit_actions::action_names(include_str!("../../../wit/actions.wit"))
    }

    #[test]
    fn each_action_reads_or_writes_as_the_manifest_says() {
        let manifest: serde_json::Value = serde_json::from_str(include_str!("../../../src/manifest.json")).unwrap();
        let actions = manifest["actions"].as_array().unwrap();
        assert_eq!(actions.len(), NAMES.len());
        for action in actions {
            let name = action["name"].as_str().unwrap();
            let read_only = action["read_only"].as_bool().unwrap();
            let expected = if read_only { Access::Read } else { Access::Write };
            assert_eq!(access(name), Some(expected), "{name}");
            // A read key may preview a write: the preview must exist, and an unknown field must be
            // refused by the plugin rather than ignored (the front reads `dry_run` on its own).
            let schema = &action["input_schema"];
            assert_eq!(schema["additionalProperties"], false, "{name} accepts unknown fields");
            if !read_only {
                assert!(schema["properties"]["dry_run"].is_object(), "{name} is a write without dry_run");
            }
        }
        assert_eq!(access("no-such-action"), None);
    }

    #[test]
    fn the_table_routes_every_action_of_the_wit_and_nothing_else() {
        let wit = wit_action_names();
        assert!(wit.len() > 30, "the WIT parse found too few actions: {wit:?}");
        assert_eq!(NAMES, wit.iter().map(String::as_str).collect::<Vec<_>>().as_slice());
    }
}
