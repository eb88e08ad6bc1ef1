//! Organization settings (restricted images): get-org-settings and update-org-settings.
//!
//! Both output the settings exactly as Docker answers them (the update returns Docker's answer to
//! the `PUT`, not an echo of the input), in one stable shape.

use serde::{Deserialize, Serialize};

use super::plan::{Plan, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::settings::{self, OrgSettings, RestrictedImages, RestrictedImagesState};
use crate::error::Result;
use crate::output::Meta;

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
    /// Read and compare only: report the request that would be sent, change nothing (default false).
    pub dry_run: Option<bool>,
}

/// The output of `get-org-settings`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OrgSettingsOutput {
    /// The organization.
    pub organization: String,
    /// The settings as Docker Hub answered them.
    pub settings: OrgSettings,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// The output of `update-org-settings`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct UpdateOrgSettingsOutput {
    /// The organization.
    pub organization: String,
    /// The settings after the call, as Docker Hub answered them (before it, in a dry run or when
    /// nothing changed).
    pub settings: OrgSettings,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `get-org-settings`
pub fn get_org_settings(ctx: &Ctx, _input: GetOrgSettingsInput) -> Result<OrgSettingsOutput> {
    let client = ctx.client()?;
    let settings = client.fetch(&settings::get_org_settings(client.org()))?;
    Ok(OrgSettingsOutput { organization: client.org().to_string(), settings, meta: Meta::of(&client) })
}

/// `update-org-settings`: reads the settings, then `PUT`s the new ones unless they already hold.
pub fn update_org_settings(ctx: &Ctx, input: UpdateOrgSettingsInput) -> Result<UpdateOrgSettingsOutput> {
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let current = client.fetch(&settings::get_org_settings(org))?;
    let wanted = &input.restricted_images;
    let holds = current.restricted_images.as_ref().is_some_and(|c| {
        c.enabled == Some(wanted.enabled)
            && c.allow_official_images == Some(wanted.allow_official_images)
            && c.allow_verified_publishers == Some(wanted.allow_verified_publishers)
    });
    let update = settings::update_org_settings(org, wanted);
    let mut plan = Plan::new();
    if !holds {
        plan.add(&update, "replace the restricted-images setting");
    }
    let words = Words::new(
        "The restricted-images setting is already as asked: nothing to change.",
        "Dry run: the restricted-images setting would be replaced.",
        "The restricted-images setting was replaced.",
    );
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    // Docker answers the settings it now holds; without a readable answer they are the ones sent.
    let settings = match ran.answer(0, &update) {
        Some(settings) => settings,
        None if ran.did(0) => OrgSettings {
            restricted_images: Some(RestrictedImagesState {
                enabled: Some(wanted.enabled),
                allow_official_images: Some(wanted.allow_official_images),
                allow_verified_publishers: Some(wanted.allow_verified_publishers),
            }),
        },
        None => current,
    };
    Ok(UpdateOrgSettingsOutput { organization: org.to_string(), settings, write: ran.report, meta: Meta::of(&client) })
}

/// The settings actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("get-org-settings", "Get organization settings",
        "Not available to Organization Access Tokens: Docker states that OATs don't work with Image Access Management (these restricted_images settings), so with an OAT Docker Hub answers 403 and the error says so and where an owner reads them instead. Reads the organization's settings as Docker Hub answers them: restricted_images {enabled, allow_official_images, allow_verified_publishers} (a flag Docker leaves out is null). Restricted images take effect on a Business plan only. Docker lets only organization owners use this endpoint.",
        scopes: [ImageAccessManagement], read_only: true, destructive: false, idempotent: true,
        example: r#"{}"#,
        run: get_org_settings, input: GetOrgSettingsInput, output: OrgSettingsOutput),
    action!("update-org-settings", "Update organization settings",
        "Not available to Organization Access Tokens: Docker states that OATs don't work with Image Access Management (these restricted_images settings), so with an OAT Docker Hub answers 403 and the error says so and where an owner changes them instead. Replaces the organization's restricted-images setting: all three booleans (enabled, allow_official_images, allow_verified_publishers) are required, as the API requires. The settings are read first; when they already hold nothing is sent (changed: false), otherwise exactly {\"restricted_images\": {...}} is sent and the settings are returned as Docker Hub answers them. Restricted images take effect on a Business plan only; only organization owners may change settings. dry_run returns the request it would send.",
        scopes: [ImageAccessManagement], read_only: false, destructive: true, idempotent: true,
        example: r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true}}"#,
        run: update_org_settings, input: UpdateOrgSettingsInput, output: UpdateOrgSettingsOutput),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::input::parse;

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
