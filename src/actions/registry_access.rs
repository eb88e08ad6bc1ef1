//! Registry Access Management: get-registry-access and update-registry-access.
//!
//! Unlike Image Access Management (`settings`), organization access tokens can manage it: Docker's
//! token reference lists the scopes Registry Access Management Read (`scope-ram-read`) and Edit
//! (`scope-ram-write`), and docker/terraform-provider-docker pull request 141 manages it with an
//! organization access token. The endpoint and its body are not in Docker's OpenAPI; they come
//! from that provider's `internal/hubclient/client_organization.go` (see `api::registry_access`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::plan::{Plan, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::registry_access::{self, CustomRegistry, RegistryAccess, StandardRegistry};
use crate::error::{Error, Result};
use crate::output::Meta;

/// Most custom registries one update may list (Docker documents no limit; this keeps a request
/// and its diff readable).
pub const MAX_CUSTOM_REGISTRIES: usize = 500;

/// Input of `get-registry-access`: no fields.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GetRegistryAccessInput {}

/// A standard registry as an input.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StandardRegistryInput {
    /// Docker's id for the registry: `DockerHub`.
    pub id: String,
    /// Whether members may use it.
    pub allowed: bool,
}

/// A custom registry as an input.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomRegistryInput {
    /// The registry's address, e.g. `registry.example.com` or `ghcr.io/acme` (no scheme, no spaces).
    pub address: String,
    /// A name people recognise it by (default: empty).
    pub friendly_name: Option<String>,
    /// Whether members may use it.
    pub allowed: bool,
}

/// Input of `update-registry-access`. A field left out keeps what Docker holds; a list given
/// replaces that list whole (the API replaces the setting whole).
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
// Something to change: `enabled`, `standard_registries` or `custom_registries` (null is not given).
#[cfg_attr(not(target_arch = "wasm32"), schemars(extend("anyOf" = [
    { "required": ["enabled"], "properties": { "enabled": { "not": { "type": "null" } } } },
    { "required": ["standard_registries"], "properties": { "standard_registries": { "not": { "type": "null" } } } },
    { "required": ["custom_registries"], "properties": { "custom_registries": { "not": { "type": "null" } } } }
])))]
#[serde(deny_unknown_fields)]
pub struct UpdateRegistryAccessInput {
    /// Limit Docker Desktop to the allowed registries (true) or not (false).
    pub enabled: Option<bool>,
    /// The standard registries (Docker Hub), whole.
    pub standard_registries: Option<Vec<StandardRegistryInput>>,
    /// The custom registries, whole (`[]` removes them all).
    pub custom_registries: Option<Vec<CustomRegistryInput>>,
    /// Read and compare only: report the diff and the request that would be sent, change nothing
    /// (default false).
    pub dry_run: Option<bool>,
}

/// The output of `get-registry-access`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RegistryAccessOutput {
    /// The organization.
    pub organization: String,
    /// The setting as Docker Hub answered it.
    pub registry_access: RegistryAccess,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// One difference between what Docker holds and what was asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RegistryAccessChange {
    /// `enabled`, `standard_registry` or `custom_registry`.
    pub setting: &'static str,
    /// The registry's id or address (null for `enabled`).
    pub key: Option<String>,
    /// `changed`, `added` or `removed`.
    pub change: &'static str,
    /// What Docker holds now (null when added).
    pub from: Option<Value>,
    /// What it becomes (null when removed).
    pub to: Option<Value>,
}

/// The output of `update-registry-access`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct UpdateRegistryAccessOutput {
    /// The organization.
    pub organization: String,
    /// Each difference the update makes (or in a dry run would make); empty when the setting
    /// already holds. Listed before the settings, so a table or CSV export shows the diff.
    pub changes: Vec<RegistryAccessChange>,
    /// The setting before the call, as Docker Hub answered it.
    pub before: RegistryAccess,
    /// The setting after the call, as Docker Hub answered it (what it would be, in a dry run).
    pub registry_access: RegistryAccess,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `get-registry-access`
pub fn get_registry_access(ctx: &Ctx, _input: GetRegistryAccessInput) -> Result<RegistryAccessOutput> {
    let client = ctx.client()?;
    let registry_access = client.fetch(&registry_access::get_registry_access(client.org()))?;
    Ok(RegistryAccessOutput { organization: client.org().to_string(), registry_access, meta: Meta::of(&client) })
}

/// A registry key compared as Docker Home shows it: ignoring case.
fn key(text: &str) -> String {
    text.trim().to_ascii_lowercase()
}

fn standard_list(input: &[StandardRegistryInput]) -> Result<Vec<StandardRegistry>> {
    let mut seen = BTreeMap::new();
    for (i, r) in input.iter().enumerate() {
        let id = r.id.trim();
        if id.is_empty() || id.chars().any(char::is_control) {
            return Err(Error::invalid_input(format!(
                "\"standard_registries[{i}].id\" is blank or has control characters: give Docker's id, e.g. \"{}\".",
                registry_access::DOCKER_HUB
            )));
        }
        if let Some(first) = seen.insert(key(id), i) {
            return Err(Error::invalid_input(format!(
                "\"standard_registries[{i}]\" repeats \"{id}\" (already given at [{first}]): list each registry once."
            )));
        }
    }
    Ok(input.iter().map(|r| StandardRegistry { id: r.id.trim().to_string(), allowed: r.allowed }).collect())
}

fn custom_list(input: &[CustomRegistryInput]) -> Result<Vec<CustomRegistry>> {
    if input.len() > MAX_CUSTOM_REGISTRIES {
        return Err(Error::invalid_input(format!(
            "\"custom_registries\" has {} entries; at most {MAX_CUSTOM_REGISTRIES} are accepted.",
            input.len()
        )));
    }
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (i, r) in input.iter().enumerate() {
        let address = r.address.trim();
        if address.is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control()) || address.contains("://")
        {
            return Err(Error::invalid_input(format!(
                "\"custom_registries[{i}].address\" must be a registry address such as \"registry.example.com\" \
(no scheme, no spaces; got \"{}\").",
                r.address.escape_debug()
            )));
        }
        if let Some(first) = seen.insert(key(address), i) {
            return Err(Error::invalid_input(format!(
                "\"custom_registries[{i}]\" repeats \"{address}\" (already given at [{first}]): list each registry once."
            )));
        }
        let friendly_name = r.friendly_name.as_deref().unwrap_or("").trim().to_string();
        if friendly_name.chars().any(char::is_control) {
            return Err(Error::invalid_input(format!(
                "\"custom_registries[{i}].friendly_name\" has control characters."
            )));
        }
        out.push(CustomRegistry { address: address.to_string(), friendly_name, allowed: r.allowed });
    }
    Ok(out)
}

/// The differences from `from` to `to`, registries matched by id or address (ignoring case and
/// order): what the `PUT` changes.
pub fn diff(from: &RegistryAccess, to: &RegistryAccess) -> Vec<RegistryAccessChange> {
    let mut changes = Vec::new();
    if from.enabled != to.enabled {
        changes.push(RegistryAccessChange {
            setting: "enabled",
            key: None,
            change: "changed",
            from: Some(json!(from.enabled)),
            to: Some(json!(to.enabled)),
        });
    }
    fn lists<T: Serialize>(
        setting: &'static str,
        from: &[T],
        to: &[T],
        name: fn(&T) -> &str,
        same: fn(&T, &T) -> bool,
        changes: &mut Vec<RegistryAccessChange>,
    ) {
        let old: BTreeMap<String, &T> = from.iter().map(|r| (key(name(r)), r)).collect();
        // `same` is only asked about entries whose keys match.
        let new: BTreeMap<String, &T> = to.iter().map(|r| (key(name(r)), r)).collect();
        for r in to {
            match old.get(&key(name(r))) {
                None => changes.push(RegistryAccessChange {
                    setting,
                    key: Some(name(r).to_string()),
                    change: "added",
                    from: None,
                    to: Some(json!(r)),
                }),
                Some(o) if !same(o, r) => changes.push(RegistryAccessChange {
                    setting,
                    key: Some(name(r).to_string()),
                    change: "changed",
                    from: Some(json!(o)),
                    to: Some(json!(r)),
                }),
                Some(_) => {}
            }
        }
        for o in from.iter().filter(|o| !new.contains_key(&key(name(o)))) {
            changes.push(RegistryAccessChange {
                setting,
                key: Some(name(o).to_string()),
                change: "removed",
                from: Some(json!(o)),
                to: None,
            });
        }
    }
    // An id or address differing only in case is the same registry (host names ignore case).
    lists(
        "standard_registry",
        &from.standard_registries,
        &to.standard_registries,
        |r| r.id.as_str(),
        |a, b| a.allowed == b.allowed,
        &mut changes,
    );
    lists(
        "custom_registry",
        &from.custom_registries,
        &to.custom_registries,
        |r| r.address.as_str(),
        |a, b| a.allowed == b.allowed && a.friendly_name == b.friendly_name,
        &mut changes,
    );
    changes
}

/// `update-registry-access`: reads the setting, merges what the input gives, and `PUT`s the whole
/// setting unless it already holds (then nothing is sent and `changed` is false).
pub fn update_registry_access(ctx: &Ctx, input: UpdateRegistryAccessInput) -> Result<UpdateRegistryAccessOutput> {
    if input.enabled.is_none() && input.standard_registries.is_none() && input.custom_registries.is_none() {
        return Err(Error::invalid_input(
            "update-registry-access has nothing to change: give \"enabled\", \"standard_registries\" and/or \
\"custom_registries\".",
        ));
    }
    let standard = input.standard_registries.as_deref().map(standard_list).transpose()?;
    let custom = input.custom_registries.as_deref().map(custom_list).transpose()?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let before = client.fetch(&registry_access::get_registry_access(org))?;
    let wanted = RegistryAccess {
        enabled: input.enabled.unwrap_or(before.enabled),
        standard_registries: standard.unwrap_or_else(|| before.standard_registries.clone()),
        custom_registries: custom.unwrap_or_else(|| before.custom_registries.clone()),
    };
    let changes = diff(&before, &wanted);
    let update = registry_access::update_registry_access(org, &wanted);
    let mut plan = Plan::new();
    if !changes.is_empty() {
        plan.add(&update, format!("replace the Registry Access Management setting ({} change(s))", changes.len()))
            .verify_with("get-registry-access");
    }
    let words = Words::new(
        "The Registry Access Management setting is already as asked: nothing to change.",
        format!(
            "Dry run: {} change(s) to the Registry Access Management setting (listed in changes); nothing was changed. \
Run again with dry_run: false to apply.",
            changes.len()
        ),
        format!("The Registry Access Management setting was replaced: {} change(s).", changes.len()),
    );
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    let registry_access = match ran.answer(0, &update) {
        Some(answered) => answered,
        // Docker's answer to the PUT may be empty (the terraform client reads the setting again).
        None if ran.did(0) => client.fetch(&registry_access::get_registry_access(org))?,
        None if dry_run => wanted.clone(),
        None => before.clone(),
    };
    // The setting Docker holds after the PUT is the evidence it took: one that still differs from
    // the one sent is said, not reported as replaced.
    let left = if ran.did(0) { diff(&registry_access, &wanted) } else { Vec::new() };
    let mut write = ran.report;
    if !left.is_empty() {
        let what: Vec<String> = left.iter().map(|c| c.key.clone().unwrap_or_else(|| c.setting.to_string())).collect();
        write.warn(format!(
            "Docker Hub's setting after the update still differs from the one sent in {} place(s) ({}): \
get-registry-access shows what holds.",
            left.len(),
            what.join(", ")
        ));
    }
    Ok(UpdateRegistryAccessOutput {
        organization: org.to_string(),
        changes,
        before,
        registry_access,
        write,
        meta: Meta::of(&client),
    })
}

/// The Registry Access Management actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("get-registry-access", "Get Registry Access Management",
        "Reads the organization's Registry Access Management setting: enabled (whether Docker Desktop is limited to the allowed registries), standard_registries [{id, allowed}] (DockerHub) and custom_registries [{address, friendly_name, allowed}]. Organization access tokens can read it with the Registry Access Management Read scope (unlike Image Access Management, see get-org-settings). Docker's OpenAPI does not document this endpoint; its shape is the one Docker's terraform provider uses. Registry Access Management takes effect on a Business plan.",
        scopes: [RegistryAccessRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{}"#,
        run: get_registry_access, input: GetRegistryAccessInput, output: RegistryAccessOutput),
    action!("update-registry-access", "Update Registry Access Management",
        "Changes the organization's Registry Access Management setting. Give enabled and/or standard_registries and/or custom_registries (a list given replaces that list whole; a field left out keeps what Docker holds). The setting is read first and compared (registries matched by id or address, ignoring case and order): changes lists each difference exactly ({setting, key, change: changed/added/removed, from, to}); when there is none nothing is sent and changed is false, so a re-run is safe. Otherwise the whole setting is PUT and returned as Docker Hub then holds it. dry_run returns the diff and the request without sending it. Needs the Registry Access Management Edit scope.",
        scopes: [RegistryAccessRead, RegistryAccessEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"enabled": true, "custom_registries": [{"address": "registry.example.com", "friendly_name": "Internal", "allowed": true}], "dry_run": true}"#,
        run: update_registry_access, input: UpdateRegistryAccessInput, output: UpdateRegistryAccessOutput),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::input::parse;

    fn custom(address: &str, allowed: bool) -> CustomRegistry {
        CustomRegistry { address: address.into(), friendly_name: String::new(), allowed }
    }

    #[test]
    fn the_diff_names_each_change_and_ignores_order_and_case() {
        let from = RegistryAccess {
            enabled: false,
            standard_registries: vec![StandardRegistry { id: "DockerHub".into(), allowed: true }],
            custom_registries: vec![custom("a.example.com", true), custom("b.example.com", true)],
        };
        let mut to = from.clone();
        to.custom_registries.reverse();
        assert!(diff(&from, &to).is_empty(), "order alone is no change");
        to.custom_registries[0].address = "B.EXAMPLE.COM".into();
        assert!(diff(&from, &to).is_empty(), "case alone is no change");
        to.enabled = true;
        to.custom_registries = vec![custom("B.example.com", false), custom("c.example.com", true)];
        let changes = diff(&from, &to);
        let summary: Vec<(&str, Option<&str>, &str)> =
            changes.iter().map(|c| (c.setting, c.key.as_deref(), c.change)).collect();
        assert_eq!(
            summary,
            [
                ("enabled", None, "changed"),
                ("custom_registry", Some("B.example.com"), "changed"),
                ("custom_registry", Some("c.example.com"), "added"),
                ("custom_registry", Some("a.example.com"), "removed"),
            ]
        );
        assert_eq!(changes[3].to, None);
        assert_eq!(changes[2].from, None);
    }

    #[test]
    fn bad_registries_are_refused_by_field() {
        let e = custom_list(&[CustomRegistryInput {
            address: "https://x.example.com".into(),
            friendly_name: None,
            allowed: true,
        }])
        .unwrap_err();
        assert!(e.message.contains("\"custom_registries[0].address\""), "{}", e.message);
        let twice = |a: &str| CustomRegistryInput { address: a.into(), friendly_name: None, allowed: true };
        let e = custom_list(&[twice("x.io"), twice("X.io")]).unwrap_err();
        assert!(e.message.contains("\"custom_registries[1]\" repeats"), "{}", e.message);
        let e = standard_list(&[StandardRegistryInput { id: " ".into(), allowed: true }]).unwrap_err();
        assert!(e.message.contains("\"standard_registries[0].id\""), "{}", e.message);
    }

    #[test]
    fn the_input_refuses_unknown_fields_at_any_depth() {
        let e = parse::<UpdateRegistryAccessInput>(
            "update-registry-access",
            r#"{"custom_registries": [{"address": "x.io", "allowed": true, "friendly": "X"}]}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown field `friendly`"), "{}", e.message);
    }
}
