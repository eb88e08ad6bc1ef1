//! The plugin's actions by name: the route name and the imported function, each pair written
//! once. A unit test checks the list against `wit/actions.wit`.

/// Declares [`NAMES`] and, on wasm32, `call(name, input)` over the imported `actions` functions.
macro_rules! action_table {
    ($($name:literal => $function:ident),* $(,)?) => {
        /// Every action the service routes, by its WIT name.
        pub const NAMES: &[&str] = &[$($name),*];

        /// Runs the action `name` with `input`; `None` when there is no such action.
        #[cfg(target_arch = "wasm32")]
        pub(crate) fn call(
            name: &str,
            input: &str,
        ) -> Option<Result<String, crate::component::wit::dockerhub::org::actions::ActionError>> {
            use crate::component::wit::dockerhub::org::actions;
            match name {
                $($name => Some(actions::$function(input)),)*
                _ => None,
            }
        }
    };
}

action_table! {
    "list-members" => list_members,
    "get-member" => get_member,
    "update-member-role" => update_member_role,
    "remove-member" => remove_member,
    "export-members" => export_members,
    "sync-members" => sync_members,
    "list-invites" => list_invites,
    "invite-members" => invite_members,
    "cancel-invite" => cancel_invite,
    "resend-invite" => resend_invite,
    "list-teams" => list_teams,
    "create-team" => create_team,
    "get-team" => get_team,
    "update-team" => update_team,
    "delete-team" => delete_team,
    "list-team-members" => list_team_members,
    "add-team-member" => add_team_member,
    "remove-team-member" => remove_team_member,
    "list-audit-logs" => list_audit_logs,
    "list-audit-actions" => list_audit_actions,
    "get-org-settings" => get_org_settings,
    "update-org-settings" => update_org_settings,
    "api-request" => api_request,
    "connection-schema" => connection_schema,
    "validate-connection-settings" => validate_connection_settings,
    "check-oat-connection" => check_oat_connection,
    "check-member-listing" => check_member_listing,
    "check-group-listing" => check_group_listing,
    "run-health-checks" => run_health_checks,
    "offboard-member" => offboard_member,
    "reconcile-team" => reconcile_team,
    "access-review" => access_review,
}

#[cfg(test)]
mod tests {
    use super::NAMES;

    /// Every `name: func(input: string)` of the plugin's `actions` interface, in file order.
    fn wit_action_names() -> Vec<String> {
        let wit = include_str!("../../../wit/actions.wit");
        wit.lines()
            .filter_map(|line| line.trim().split_once(": func(input: string)").map(|(name, _)| name.to_string()))
            .collect()
    }

    #[test]
    fn the_table_routes_every_action_of_the_wit_and_nothing_else() {
        let wit = wit_action_names();
        assert!(wit.len() > 30, "the WIT parse found too few actions: {wit:?}");
        assert_eq!(NAMES, wit.iter().map(String::as_str).collect::<Vec<_>>().as_slice());
    }
}
