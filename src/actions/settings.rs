//! Organization settings (restricted images): get-org-settings and update-org-settings.
//!
//! Both output the settings exactly as Docker answers them (the update returns Docker's answer to
//! the `PUT`, not an echo of the input), in one stable shape.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::parse;
use crate::api::settings::{self, OrgSettings, RestrictedImages};
use crate::client::Client;
use crate::error::Result;
use crate::host::Host;

/// Input of `get-org-settings`: no fields.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GetOrgSettingsInput {}

/// Input of `update-org-settings`: the whole restricted-images setting, as the API takes it.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgSettingsInput {
    /// All three flags are required (the API replaces the setting whole).
    pub restricted_images: RestrictedImages,
}

/// The output shared by both actions.
fn settings_output(client: &Client, answer: OrgSettings) -> Value {
    json!({
        "organization": client.org(),
        "settings": answer,
        "meta": client.meta(),
    })
}

/// `get-org-settings`
pub fn get_org_settings(host: &dyn Host, input: &str) -> Result<Value> {
    let _: GetOrgSettingsInput = parse("get-org-settings", input)?;
    let client = Client::connect(host)?;
    let answer: OrgSettings = client.send_json(&settings::get_org_settings(client.org()))?;
    Ok(settings_output(&client, answer))
}

/// `update-org-settings`
pub fn update_org_settings(host: &dyn Host, input: &str) -> Result<Value> {
    let input: UpdateOrgSettingsInput = parse("update-org-settings", input)?;
    let client = Client::connect(host)?;
    let answer: OrgSettings =
        client.send_json(&settings::update_org_settings(client.org(), &input.restricted_images))?;
    Ok(settings_output(&client, answer))
}

/// The settings actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("get-org-settings", "Get organization settings",
        "Not available to Organization Access Tokens: Docker states that OATs don't work with Image Access Management (these restricted_images settings), so with an OAT Docker Hub answers 403 and the error says so and where an owner reads them instead. Reads the organization's settings as Docker Hub answers them: restricted_images {enabled, allow_official_images, allow_verified_publishers} (a flag Docker leaves out is null). Restricted images take effect on a Business plan only. Docker lets only organization owners use this endpoint.",
        scopes: [ImageAccessManagement], read_only: true, destructive: false, idempotent: true,
        example: r#"{}"#, output: "{organization, settings {restricted_images {enabled, allow_official_images, allow_verified_publishers}}, meta}",
        run: get_org_settings, input: GetOrgSettingsInput),
    action!("update-org-settings", "Update organization settings",
        "Not available to Organization Access Tokens: Docker states that OATs don't work with Image Access Management (these restricted_images settings), so with an OAT Docker Hub answers 403 and the error says so and where an owner changes them instead. Replaces the organization's restricted-images setting: all three booleans (enabled, allow_official_images, allow_verified_publishers) are required, as the API requires, and exactly {\"restricted_images\": {...}} is sent. Returns the settings as Docker Hub answers them. Restricted images take effect on a Business plan only; only organization owners may change settings.",
        scopes: [ImageAccessManagement], read_only: false, destructive: true, idempotent: true,
        example: r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true}}"#,
        output: "{organization, settings {restricted_images {enabled, allow_official_images, allow_verified_publishers}}, meta}",
        run: update_org_settings, input: UpdateOrgSettingsInput),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_input_names_a_missing_flag() {
        let e = parse::<UpdateOrgSettingsInput>(
            "update-org-settings",
            r#"{"restricted_images": {"enabled": true, "allow_official_images": true}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("field \"restricted_images\""), "{}", e.message);
        assert!(e.message.contains("missing field `allow_verified_publishers`"), "{}", e.message);
    }

    #[test]
    fn update_input_refuses_unknown_and_non_boolean_flags() {
        let unknown = parse::<UpdateOrgSettingsInput>(
            "update-org-settings",
            r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true, "allow_all": true}}"#,
        )
        .unwrap_err();
        assert!(unknown.message.contains("unknown field `allow_all`"), "{}", unknown.message);
        let typed = parse::<UpdateOrgSettingsInput>(
            "update-org-settings",
            r#"{"restricted_images": {"enabled": "yes", "allow_official_images": true, "allow_verified_publishers": true}}"#,
        )
        .unwrap_err();
        assert!(typed.message.contains("field \"restricted_images.enabled\""), "{}", typed.message);
    }

    #[test]
    fn update_input_requires_the_setting() {
        let e = parse::<UpdateOrgSettingsInput>("update-org-settings", "{}").unwrap_err();
        assert!(e.message.contains("missing field `restricted_images`"), "{}", e.message);
    }

    #[test]
    fn get_input_takes_no_fields() {
        let e = parse::<GetOrgSettingsInput>("get-org-settings", r#"{"org": "x"}"#).unwrap_err();
        assert!(e.message.contains("unknown field `org`"), "{}", e.message);
    }
}
