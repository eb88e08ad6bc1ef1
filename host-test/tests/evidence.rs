//! A write is reported done only on evidence it took: Docker's answer after the write shows what
//! was asked, or the report says it does not (a warning naming what to check); a target found
//! without what the write needs is an error, never "nothing to do". Wiremock plays Docker Hub.

mod common;

use common::mocks::api;
use common::{err, fixture, hub, ok};
use serde_json::json;
use wiremock::ResponseTemplate;

#[tokio::test]
async fn a_team_role_docker_does_not_show_after_the_patch_is_a_warning_not_a_silent_success() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    // Docker answers 200 with the team as before: no `role` in it.
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-team", r#"{"team": "developers", "role": "editor"}"#, &hub.secrets());
    assert_eq!(out["changed"], true, "{out}");
    let warnings = out["warnings"].as_array().expect("a warning");
    assert!(warnings[0].as_str().unwrap().contains("cannot tell that \"editor\" took effect"), "{out}");
    assert!(out["message"].as_str().unwrap().contains("Warning: "), "{out}");

    // The answer shows another role: said as such.
    let hub = common::hub().await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .mount(&hub.server)
        .await;
    let mut other = fixture("groups/team.json");
    other["role"] = json!("member");
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(&other))
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-team", r#"{"team": "developers", "role": "editor"}"#, &hub.secrets());
    assert!(out["warnings"][0].as_str().unwrap().contains("holding the role \"member\", not \"editor\""), "{out}");
}

#[tokio::test]
async fn a_team_role_docker_shows_after_the_patch_needs_no_warning() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .mount(&hub.server)
        .await;
    let mut assigned = fixture("groups/team.json");
    assigned["role"] = json!("Editor");
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(&assigned))
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-team", r#"{"team": "developers", "role": "editor"}"#, &hub.secrets());
    assert_eq!(out["changed"], true, "{out}");
    assert!(out.get("warnings").is_none(), "{out}");
    assert_eq!(out["team"]["role"], "Editor");
}

#[tokio::test]
async fn a_registry_access_setting_that_still_differs_after_the_put_is_a_warning() {
    const RAM: &str = "/v2/orgs/acme/settings/registry-access-management";
    let hub = hub().await;
    let before = fixture("settings/registry-access.json");
    api("GET", RAM, "").respond_with(ResponseTemplate::new(200).set_body_json(&before)).mount(&hub.server).await;
    // Docker answers the PUT with the setting unchanged.
    api("PUT", RAM, "")
        .respond_with(ResponseTemplate::new(200).set_body_json(&before))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-registry-access", r#"{"enabled": true}"#, &hub.secrets());
    assert_eq!(out["registry_access"], before, "{out}");
    let warning = out["warnings"][0].as_str().expect("a warning");
    assert!(warning.contains("still differs from the one sent in 1 place(s) (enabled)"), "{out}");
}

#[tokio::test]
async fn an_invite_found_by_email_without_an_id_is_an_error_not_nothing_to_do() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/invites", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"invitee": "candidate01@example.com", "org": "acme", "created_at": "2024-05-03T03:30:20Z"}
        ]})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "cancel-invite", r#"{"email": "candidate01@example.com"}"#, &hub.secrets());
    assert_eq!(kind, "invalid-response", "{message}");
    assert!(message.contains("without an id") && message.contains("nothing was changed"), "{message}");
}
