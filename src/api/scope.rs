//! The OAT scope each request needs, as Docker names it.

/// Declares [`Scope`] from one row per scope: its variant, the name Docker's Admin Console shows
/// (`label`), the name the manifest writes (`serialized`, the label unless said) and, for the
/// scopes an OAT can be granted, the value its token carries. A new scope is one row.
macro_rules! scopes {
    (
        ungrantable { $( $(#[doc = $udoc:literal])* $uvariant:ident => $ulabel:literal, serialized $user:literal; )* }
        grantable { $( $(#[doc = $gdoc:literal])* $gvariant:ident => $glabel:literal, value $gvalue:literal; )* }
    ) => {
        /// The OAT permission a request needs, named as Docker names its organization scopes
        /// (docker/docs `content/manuals/security/access-tokens/reference.md`, "Organization
        /// scopes"): Member Read/Edit, Invite Read/Edit, Group Read/Edit, Audit Log Read, Registry
        /// Access Management Read/Edit. The audit-log scope's value is still
        /// `scope-activity-read`, but its name is "Audit Log Read".
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
        pub enum Scope {
            $( $(#[doc = $udoc])* #[serde(rename = $user)] $uvariant, )*
            $( $(#[doc = $gdoc])* #[serde(rename = $glabel)] $gvariant, )*
        }

        impl Scope {
            /// Every scope an OAT can be granted, in Docker's order (the connection help lists them).
            pub const GRANTABLE: &[Scope] = &[$(Scope::$gvariant),*];

            /// The scope's name as Docker's Admin Console shows it.
            pub fn label(self) -> &'static str {
                match self {
                    $(Scope::$uvariant => $ulabel,)*
                    $(Scope::$gvariant => $glabel,)*
                }
            }

            /// The value the token carries for the scope (Docker's scope reference), if an OAT can
            /// have it.
            pub fn value(self) -> Option<&'static str> {
                match self {
                    $(Scope::$uvariant => None,)*
                    $(Scope::$gvariant => Some($gvalue),)*
                }
            }
        }
    };
}

scopes! {
    ungrantable {
        /// No scope: the token exchange itself.
        None => "none", serialized "None";
        /// Image Access Management (the `restricted_images` settings): no OAT scope grants it.
        /// Docker's OAT page says organization access tokens don't work with Image Access
        /// Management (`content/manuals/security/access-tokens/organization-access-tokens.md`);
        /// only an owner, signed in as themselves, changes it.
        ImageAccessManagement => "Image Access Management",
            serialized "Image Access Management (not available to organization access tokens)";
    }
    grantable {
        /// Member Read
        MemberRead => "Member Read", value "scope-member-read";
        /// Member Edit
        MemberEdit => "Member Edit", value "scope-member-edit";
        /// Invite Read
        InviteRead => "Invite Read", value "scope-invite-read";
        /// Invite Edit
        InviteEdit => "Invite Edit", value "scope-invite-edit";
        /// Group Read
        GroupRead => "Group Read", value "scope-group-read";
        /// Group Edit
        GroupEdit => "Group Edit", value "scope-group-edit";
        /// Audit Log Read (`scope-activity-read`): the organization's audit (activity) logs.
        AuditLogRead => "Audit Log Read", value "scope-activity-read";
        /// Registry Access Management Read (`scope-ram-read`): read the registries Docker Desktop
        /// may use (token reference, "Organization scopes").
        RegistryAccessRead => "Registry Access Management Read", value "scope-ram-read";
        /// Registry Access Management Edit (`scope-ram-write`, which includes the read scope).
        RegistryAccessEdit => "Registry Access Management Edit", value "scope-ram-write";
    }
}

/// Which OAT scopes to grant, for the connection form's help: every scope an action uses, by
/// Docker's names, and what no scope can give.
pub const OAT_SCOPES_HELP: &str = "Under Organization, grant the scopes for the operations your workflows use: Member Read \
and Member Edit (members), Invite Read and Invite Edit (invites), Group Read and Group Edit (teams), Audit Log Read \
(audit logs), and Registry Access Management Read and Registry Access Management Edit (get-registry-access, \
update-registry-access). Image Access Management (get-org-settings, update-org-settings) is not available to organization access \
tokens whatever their scopes.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_help_names_every_grantable_scope_by_dockers_name() {
        for scope in Scope::GRANTABLE {
            assert!(OAT_SCOPES_HELP.contains(scope.label()), "{}", scope.label());
            assert!(scope.value().is_some_and(|v| v.starts_with("scope-")));
        }
        assert!(!OAT_SCOPES_HELP.contains("Activity Read"));
        assert_eq!(serde_json::to_value(Scope::AuditLogRead).unwrap(), "Audit Log Read");
    }
}
