//! The plugin's actions by name: the route name, the imported function and whether the action
//! only reads (`read`) or can change the organization (`write`), each written once. Unit tests
//! check the names against `wit/actions.wit` and the access against the manifest's `read_only`
//! (`src/manifest.json`, generated from the plugin's catalogue).

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

action_table! {
    "list-members" => list_members: read,
    "get-member" => get_member: read,
    "update-member-role" => update_member_role: write,
    "remove-member" => remove_member: write,
    "export-members" => export_members: read,
    "sync-members" => sync_members: read,
    "list-invites" => list_invites: read,
    "invite-members" => invite_members: write,
    "cancel-invite" => cancel_invite: write,
    "resend-invite" => resend_invite: write,
    "list-teams" => list_teams: read,
    "create-team" => create_team: write,
    "get-team" => get_team: read,
    "update-team" => update_team: write,
    "delete-team" => delete_team: write,
    "list-team-members" => list_team_members: read,
    "add-team-member" => add_team_member: write,
    "remove-team-member" => remove_team_member: write,
    "list-audit-logs" => list_audit_logs: read,
    "list-audit-actions" => list_audit_actions: read,
    "get-org-settings" => get_org_settings: read,
    "update-org-settings" => update_org_settings: write,
    "get-registry-access" => get_registry_access: read,
    "update-registry-access" => update_registry_access: write,
    "api-request" => api_request: write,
    "connection-schema" => connection_schema: read,
    "validate-connection-settings" => validate_connection_settings: read,
    "check-oat-connection" => check_oat_connection: read,
    "check-member-listing" => check_member_listing: read,
    "check-group-listing" => check_group_listing: read,
    "run-health-checks" => run_health_checks: read,
    "offboard-member" => offboard_member: write,
    "offboard-members" => offboard_members: write,
    "reconcile-team" => reconcile_team: write,
    "access-review" => access_review: read,
    "review-seats" => review_seats: read,
}

#[cfg(test)]
mod tests {
    use super::{Access, NAMES, access};

    /// Every `name: func(input: string)` of the plugin's `actions` interface, in file order.
    fn wit_action_names() -> Vec<String> {
        let wit = include_str!("../../../wit/actions.wit");
        wit.lines()
            .filter_map(|line| line.trim().split_once(": func(input: string)").map(|(name, _)| name.to_string()))
            .collect()
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
