//! `/v2/orgs/{name}/settings`: reading and replacing the organization's settings (`orgSettings`,
//! today only `restricted_images`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiRequest, Endpoint, Scope, path};
use crate::host::Method;

/// What a settings request addresses, for messages.
fn settings_target(org: &str) -> String {
    format!("the settings of organization \"{org}\"")
}

/// `GET /v2/orgs/{org}/settings`.
pub fn get_org_settings(org: &str) -> Endpoint<OrgSettings> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "settings"]),
        Scope::ImageAccessManagement,
        settings_target(org),
    )
    .into()
}

/// `PUT /v2/orgs/{org}/settings` with exactly `{"restricted_images": {enabled, allow_official_images,
/// allow_verified_publishers}}` (the API requires all three).
pub fn update_org_settings(org: &str, restricted_images: &RestrictedImages) -> Endpoint<OrgSettings> {
    ApiRequest::new(
        Method::Put,
        path(&["v2", "orgs", org, "settings"]),
        Scope::ImageAccessManagement,
        settings_target(org),
    )
    .json(json!({ "restricted_images": restricted_images }))
    .into()
}

/// The restricted-images setting as the update sends it: every flag is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RestrictedImages {
    /// Restrict the images members may pull (used on a Business plan only).
    pub enabled: bool,
    /// With `enabled`: still allow Docker Official Images.
    pub allow_official_images: bool,
    /// With `enabled`: still allow Verified Publisher images.
    pub allow_verified_publishers: bool,
}

/// Docker's `orgSettings`, read tolerantly: unknown fields are ignored, missing ones are null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct OrgSettings {
    /// The restricted-images setting (null when Docker reports none). Required: an answer without
    /// it is not the settings.
    #[serde(deserialize_with = "crate::api::present")]
    pub restricted_images: Option<RestrictedImagesState>,
}

/// Docker's `restricted_images` as answered; any flag may be missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(default)]
pub struct RestrictedImagesState {
    /// Whether image use is restricted.
    pub enabled: Option<bool>,
    /// Whether official images stay allowed.
    pub allow_official_images: Option<bool>,
    /// Whether verified-publisher images stay allowed.
    pub allow_verified_publishers: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_settings_addresses_the_encoded_org() {
        let r = get_org_settings("ac me");
        assert_eq!(
            (r.method, r.path.as_str(), r.scope),
            (Method::Get, "/v2/orgs/ac%20me/settings", Scope::ImageAccessManagement)
        );
        assert_eq!(r.body, None);
    }

    #[test]
    fn update_settings_puts_exactly_the_three_flags() {
        let flags = RestrictedImages { enabled: true, allow_official_images: false, allow_verified_publishers: true };
        let r = update_org_settings("acme", &flags);
        assert_eq!((r.method, r.path.as_str()), (Method::Put, "/v2/orgs/acme/settings"));
        assert_eq!(
            r.body,
            Some(
                json!({"restricted_images": {"enabled": true, "allow_official_images": false, "allow_verified_publishers": true}})
            )
        );
        assert!(r.idempotent);
    }

    #[test]
    fn settings_answer_tolerates_missing_flags_and_unknown_fields() {
        let s: OrgSettings =
            serde_json::from_value(json!({"restricted_images": {"enabled": false}, "other": 1})).unwrap();
        assert_eq!(
            s.restricted_images,
            Some(RestrictedImagesState {
                enabled: Some(false),
                allow_official_images: None,
                allow_verified_publishers: None
            })
        );
        let none: OrgSettings = serde_json::from_value(json!({"restricted_images": null})).unwrap();
        assert_eq!(none.restricted_images, None);
        assert!(serde_json::from_value::<OrgSettings>(json!({})).is_err(), "an answer without the setting is not one");
    }
}
