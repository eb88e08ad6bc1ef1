//! `/v2/orgs/{org}/settings`: the organization's settings (today only `restricted_images`).

use serde_json::{Value, json};

use super::{Reply, Request, Route, error, reply};
use crate::simulator::state::State;

/// The settings routes (`/v2/orgs/{org}/settings...`).
pub(super) fn route(state: &mut State, to: &Route) -> Option<Reply> {
    Some(match (to.method, to.segs) {
        ("GET", ["v2", "orgs", o, "settings"]) if to.org(o) => get(state),
        ("PUT", ["v2", "orgs", o, "settings"]) if to.org(o) => update(state, to.request),
        ("GET", ["v2", "orgs", o, "settings", "registry-access-management"]) if to.org(o) => get_registry_access(state),
        ("PUT", ["v2", "orgs", o, "settings", "registry-access-management"]) if to.org(o) => {
            update_registry_access(state, to.request)
        }
        _ => return None,
    })
}

/// `GET /v2/orgs/{org}/settings`.
pub(super) fn get(state: &State) -> Reply {
    reply(200, state.settings.clone())
}

/// `PUT /v2/orgs/{org}/settings`: replaces `restricted_images` (all three flags required).
pub(super) fn update(state: &mut State, request: &Request) -> Reply {
    let restricted = request.body.as_ref().and_then(|b| b.get("restricted_images"));
    let flags = ["enabled", "allow_official_images", "allow_verified_publishers"];
    let Some(restricted) = restricted.filter(|r| flags.iter().all(|f| r.get(f).is_some_and(Value::is_boolean))) else {
        return error(
            400,
            "restricted_images with enabled, allow_official_images and allow_verified_publishers is required.",
        );
    };
    state.settings = json!({ "restricted_images": restricted });
    let org = state.org.clone();
    state.record("org.settings.update", &org, "api", json!({ "setting": "restricted_images" }));
    reply(200, state.settings.clone())
}

/// `GET /v2/orgs/{org}/settings/registry-access-management`. Docker's OpenAPI does not document
/// it; the shape is docker/terraform-provider-docker `internal/hubclient/client_organization.go`
/// (`enabled`, `standard_registries[{id, allowed}]`, `custom_registries[{address, friendly_name,
/// allowed}]`), and its PR 141 shows an organization access token managing it.
pub(super) fn get_registry_access(state: &State) -> Reply {
    reply(200, state.registry_access.clone())
}

/// `PUT /v2/orgs/{org}/settings/registry-access-management`: replaces the whole setting, as the
/// terraform client sends it (then reads it back).
pub(super) fn update_registry_access(state: &mut State, request: &Request) -> Reply {
    let body = request.body.clone().unwrap_or(Value::Null);
    let Some(enabled) = body.get("enabled").and_then(Value::as_bool) else {
        return error(400, "enabled is required and must be a boolean.");
    };
    let list = |name: &str| body.get(name).and_then(Value::as_array).cloned().unwrap_or_default();
    let standard = list("standard_registries");
    let custom = list("custom_registries");
    let standard_ok = standard.iter().all(|r| {
        r.get("id").and_then(Value::as_str).is_some_and(|id| !id.trim().is_empty())
            && r.get("allowed").is_some_and(Value::is_boolean)
    });
    if !standard_ok {
        return error(400, "Each standard registry needs an id and an allowed flag.");
    }
    let custom_ok = custom.iter().all(|r| {
        r.get("address").and_then(Value::as_str).is_some_and(|a| !a.trim().is_empty())
            && r.get("allowed").is_some_and(Value::is_boolean)
    });
    if !custom_ok {
        return error(400, "Each custom registry needs an address and an allowed flag.");
    }
    let before = std::mem::replace(
        &mut state.registry_access,
        json!({ "enabled": enabled, "standard_registries": standard, "custom_registries": custom }),
    );
    // Recorded under the catalogue's own names (fixtures/simulator/audit-actions.json, group org).
    let org = state.org.clone();
    if before.get("enabled").and_then(Value::as_bool) != Some(enabled) {
        let action = if enabled { "org.registry_access.enabled" } else { "org.registry_access.disabled" };
        state.record(action, &org, "api", json!({}));
    }
    let key =
        |r: &Value| r.get("address").or_else(|| r.get("id")).and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    let registries = |v: &Value| -> Vec<Value> {
        ["standard_registries", "custom_registries"]
            .iter()
            .flat_map(|f| v.get(*f).and_then(Value::as_array).cloned().unwrap_or_default())
            .collect()
    };
    let (old, new) = (registries(&before), registries(&state.registry_access));
    for r in &new {
        match old.iter().find(|o| key(o) == key(r)) {
            None => state.record("org.registry_access.registry_added", &org, "api", json!({ "registry": key(r) })),
            Some(o) if o != r => {
                state.record("org.registry_access.registry_updated", &org, "api", json!({ "registry": key(r) }))
            }
            Some(_) => {}
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|r| key(r) == key(o))) {
        state.record("org.registry_access.registry_removed", &org, "api", json!({ "registry": key(o) }));
    }
    reply(200, state.registry_access.clone())
}
