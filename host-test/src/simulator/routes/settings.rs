//! `/v2/orgs/{org}/settings`: the organization's settings (today only `restricted_images`).

use serde_json::{Value, json};

use super::{Reply, Request, error, reply};
use crate::simulator::state::State;

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
