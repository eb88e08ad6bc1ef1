//! Organization settings through the real component against a mock Docker Hub: get-org-settings,
//! update-org-settings (read first; the exact PUT body only when something differs; dry run), the
//! round trip, and input and permission errors.

mod common;

use common::writes::*;
use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const SETTINGS: &str = "/v2/orgs/acme/settings";

/// Mounts `GET /v2/orgs/acme/settings` answering `body`, expected `times` times.
async fn mount_get(hub: &Hub, body: Value, times: u64) {
    get_settings(body, times).mount(&hub.server).await;
}

/// The settings read answering `body`, expected `times` times (not yet mounted).
fn get_settings(body: Value, times: u64) -> Mock {
    Mock::given(method("GET"))
        .and(path(SETTINGS))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .named("get settings")
        .expect(times)
}

/// Mounts a `PUT /v2/orgs/acme/settings` that must never be sent.
async fn no_put(hub: &Hub) {
    Mock::given(method("PUT"))
        .and(path(SETTINGS))
        .respond_with(ResponseTemplate::new(200))
        .named("put settings (must not be sent)")
        .expect(0)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn get_org_settings_reads_restricted_images() {
    let hub = hub().await;
    mount_get(&hub, fixture("settings/settings.json"), 1).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "get-org-settings", "{}", &hub.secrets());
    assert_eq!(
        without_meta(out.clone()),
        json!({
            "organization": "acme",
            "settings": {"restricted_images": {"enabled": false, "allow_official_images": true, "allow_verified_publishers": true}}
        })
    );
    assert_eq!(out["meta"]["requests"], 2);
    let sent = runtime.http().sent();
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[1].method.as_str(), sent[1].url.as_str()), ("GET", format!("{}{SETTINGS}", hub.url()).as_str()));
    assert_eq!(sent[1].body, None);
}

#[tokio::test]
async fn get_org_settings_shows_a_flag_docker_leaves_out_as_null() {
    let hub = hub().await;
    mount_get(&hub, json!({"restricted_images": {"enabled": true}, "future_setting": {"x": 1}}), 1).await;
    let out = ok(&hub.runtime(), "get-org-settings", "{}", &hub.secrets());
    assert_eq!(
        out["settings"],
        json!({"restricted_images": {"enabled": true, "allow_official_images": null, "allow_verified_publishers": null}})
    );
}

#[tokio::test]
async fn update_then_get_round_trips_the_restricted_images_setting() {
    let hub = hub().await;
    Mock::given(method("PUT"))
        .and(path(SETTINGS))
        .and(header("authorization", bearer()))
        .and(header("content-type", "application/json"))
        .and(body_json(fixture("settings/update-request.json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("settings/settings-updated.json")))
        .named("put settings")
        .expect(1)
        .mount(&hub.server)
        .await;
    // Read before the update (the old settings), then after it (the new ones).
    get_settings(fixture("settings/settings.json"), 1).up_to_n_times(1).mount(&hub.server).await;
    mount_get(&hub, fixture("settings/settings-updated.json"), 1).await;
    let runtime = hub.runtime();
    let updated = ok(
        &runtime,
        "update-org-settings",
        r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": false}}"#,
        &hub.secrets(),
    );
    let read_back = ok(&runtime, "get-org-settings", "{}", &hub.secrets());
    let expected = json!({"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": false}});
    assert_eq!(updated["settings"], expected);
    assert_eq!(read_back["settings"], expected);
    assert_eq!(updated["meta"]["requests"], 3, "exchange, read and PUT");
    assert_eq!(read_back["meta"]["requests"], 1, "the cached token is reused");
    let body = fixture("settings/update-request.json");
    assert_one_step(&updated, "PUT", SETTINGS, Some(body), 200);
    assert_eq!(updated["message"], "The restricted-images setting was replaced.");
    let put = &runtime.http().sent()[2];
    let body: Value = serde_json::from_slice(put.body.as_deref().unwrap()).unwrap();
    assert_eq!(put.method, "PUT");
    assert_eq!(body, fixture("settings/update-request.json"), "exactly {{\"restricted_images\": {{...}}}} is sent");
}

#[tokio::test]
async fn update_returns_the_settings_as_docker_answers_them() {
    let hub = hub().await;
    // Docker answers with what it stored, which is what the action reports (here: not enabled).
    mount_get(&hub, fixture("settings/settings-updated.json"), 1).await;
    Mock::given(method("PUT"))
        .and(path(SETTINGS))
        .and(body_json(json!({"restricted_images": {"enabled": true, "allow_official_images": false, "allow_verified_publishers": false}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("settings/settings.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "update-org-settings",
        r#"{"restricted_images": {"enabled": true, "allow_official_images": false, "allow_verified_publishers": false}}"#,
        &hub.secrets(),
    );
    assert_eq!(out["settings"], fixture("settings/settings.json"));
}

#[tokio::test]
async fn update_when_the_settings_already_hold_sends_no_put() {
    let hub = hub().await;
    mount_get(&hub, fixture("settings/settings.json"), 1).await;
    no_put(&hub).await;
    let out = ok(
        &hub.runtime(),
        "update-org-settings",
        r#"{"restricted_images": {"enabled": false, "allow_official_images": true, "allow_verified_publishers": true}}"#,
        &hub.secrets(),
    );
    assert_unchanged(&out);
    assert_eq!(out["dry_run"], false);
    assert_eq!(out["settings"], fixture("settings/settings.json"), "the settings as read");
    assert_eq!(out["message"], "The restricted-images setting is already as asked: nothing to change.");
}

#[tokio::test]
async fn update_dry_run_reads_and_plans_but_sends_no_put() {
    let hub = hub().await;
    mount_get(&hub, fixture("settings/settings.json"), 1).await;
    no_put(&hub).await;
    let out = ok(
        &hub.runtime(),
        "update-org-settings",
        r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": false}, "dry_run": true}"#,
        &hub.secrets(),
    );
    assert_dry_run(&out, "PUT", SETTINGS);
    assert_eq!(out["plan"][0]["body"], fixture("settings/update-request.json"));
    assert_eq!(out["settings"], fixture("settings/settings.json"), "unchanged: nothing was sent");
}

#[test]
fn update_input_errors_name_the_field_and_send_nothing() {
    let cases = [
        ("{}", "missing field `restricted_images`"),
        (r#"{"restricted_images": {"enabled": true}}"#, "missing field `allow_official_images`"),
        (
            r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": "no"}}"#,
            "field \"restricted_images.allow_verified_publishers\"",
        ),
        (
            r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true}, "org": "x"}"#,
            "unknown field `org`",
        ),
        (
            r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true}, "dry_run": 1}"#,
            "field \"dry_run\"",
        ),
    ];
    for (input, expected) in cases {
        assert_refused("update-org-settings", input, expected);
    }
    assert_refused_all("get-org-settings", r#"{"name": "acme"}"#, &[]);
}

#[tokio::test]
async fn a_403_on_update_says_only_owners_may_change_settings() {
    let hub = hub().await;
    mount_get(&hub, fixture("settings/settings.json"), 1).await;
    Mock::given(method("PUT"))
        .and(path(SETTINGS))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "forbidden"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(
        &hub.runtime(),
        "update-org-settings",
        r#"{"restricted_images": {"enabled": true, "allow_official_images": true, "allow_verified_publishers": true}}"#,
        &hub.secrets(),
    );
    assert_eq!(kind, "forbidden");
    assert!(message.contains("the settings of organization \"acme\" (403)"), "{message}");
    assert!(message.contains("Only organization owners can use this endpoint"), "{message}");
}
