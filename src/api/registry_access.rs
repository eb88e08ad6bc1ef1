//! `/v2/orgs/{org}/settings/registry-access-management`: Registry Access Management, the registries
//! members may use from Docker Desktop.
//!
//! Docker's OpenAPI does not document this endpoint. Its shape comes from
//! docker/terraform-provider-docker `internal/hubclient/client_organization.go`
//! (`OrgSettingRegistryAccessManagement`: `enabled`, `standard_registries` of `{id, allowed}`,
//! `custom_registries` of `{address, friendly_name, allowed}`; `GET` to read, `PUT` of the whole
//! setting to change it), and that provider's pull request 141 manages it with an organization
//! access token. Docker's token reference names the scopes: Registry Access Management Read
//! (`scope-ram-read`) and Edit (`scope-ram-write`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiRequest, Endpoint, Scope, path};
use crate::host::Method;

/// The id Docker gives Docker Hub among the standard registries (terraform's
/// `StandardRegistryDocker`).
pub const DOCKER_HUB: &str = "DockerHub";

fn ram_target(org: &str) -> String {
    format!("the Registry Access Management setting of organization \"{org}\"")
}

fn ram_path(org: &str) -> String {
    path(&["v2", "orgs", org, "settings", "registry-access-management"])
}

/// `GET /v2/orgs/{org}/settings/registry-access-management`.
pub fn get_registry_access(org: &str) -> Endpoint<RegistryAccess> {
    ApiRequest::new(Method::Get, ram_path(org), Scope::RegistryAccessRead, ram_target(org)).into()
}

/// `PUT /v2/orgs/{org}/settings/registry-access-management` with the whole setting (the call
/// replaces it, as the terraform client sends it).
pub fn update_registry_access(org: &str, setting: &RegistryAccess) -> Endpoint<RegistryAccess> {
    ApiRequest::new(Method::Put, ram_path(org), Scope::RegistryAccessEdit, ram_target(org))
        .json(json!({
            "enabled": setting.enabled,
            "standard_registries": setting.standard_registries,
            "custom_registries": setting.custom_registries,
        }))
        .into()
}

/// The Registry Access Management setting, as Docker answers it and as the update sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RegistryAccess {
    /// Whether Docker Desktop is limited to the allowed registries. Required: an answer without
    /// it is not the setting.
    pub enabled: bool,
    /// Docker's standard registries (`DockerHub`), each allowed or not.
    #[serde(default)]
    pub standard_registries: Vec<StandardRegistry>,
    /// Other registries, by address, each allowed or not.
    #[serde(default)]
    pub custom_registries: Vec<CustomRegistry>,
}

/// A standard registry (`{id, allowed}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StandardRegistry {
    /// Docker's id for it: `DockerHub` is the one Docker's clients name.
    pub id: String,
    /// Whether members may use it.
    pub allowed: bool,
}

/// A custom registry (`{address, friendly_name, allowed}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CustomRegistry {
    /// The registry's address (host, optionally with a port and path), e.g. `registry.example.com`.
    pub address: String,
    /// A name people recognise it by.
    #[serde(default)]
    pub friendly_name: String,
    /// Whether members may use it.
    pub allowed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_read_and_put_whole_at_the_terraform_path() {
        let r = get_registry_access("ac me");
        assert_eq!(
            (r.method, r.path.as_str(), r.scope),
            (Method::Get, "/v2/orgs/ac%20me/settings/registry-access-management", Scope::RegistryAccessRead)
        );
        let setting = RegistryAccess {
            enabled: true,
            standard_registries: vec![StandardRegistry { id: DOCKER_HUB.into(), allowed: false }],
            custom_registries: vec![CustomRegistry {
                address: "registry.example.com".into(),
                friendly_name: "Ours".into(),
                allowed: true,
            }],
        };
        let r = update_registry_access("acme", &setting);
        assert_eq!((r.method, r.scope), (Method::Put, Scope::RegistryAccessEdit));
        assert_eq!(
            r.body,
            Some(json!({
                "enabled": true,
                "standard_registries": [{"id": "DockerHub", "allowed": false}],
                "custom_registries": [{"address": "registry.example.com", "friendly_name": "Ours", "allowed": true}],
            }))
        );
        assert!(r.idempotent);
    }

    #[test]
    fn an_answer_needs_enabled_and_may_leave_the_lists_out() {
        let s: RegistryAccess = serde_json::from_value(json!({"enabled": false, "extra": 1})).unwrap();
        assert_eq!(s, RegistryAccess::default());
        assert!(serde_json::from_value::<RegistryAccess>(json!({})).is_err());
    }
}
