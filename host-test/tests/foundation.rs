//! The vertical slice through the real component: the world's shape, list-members, the OAT health
//! check, token exchange and caching, re-authentication on 401, credentials, secrets.

mod common;

use common::mocks::*;
use common::*;
use dockerhub_org_host::secrets::Secrets;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const IMPORTS: [&str; 3] =
    ["dockerhub:org/http-fetch@0.1.0", "dockerhub:org/secret-get@0.1.0", "dockerhub:org/cache@0.1.0"];

#[test]
fn component_imports_exactly_the_three_host_interfaces() {
    let runtime = runtime_for("http://127.0.0.1:9");
    let mut imports = runtime.import_names();
    imports.sort();
    let mut expected = IMPORTS.map(String::from).to_vec();
    expected.sort();
    assert_eq!(imports, expected, "no WASI or other imports are allowed");
}

#[test]
fn component_exports_every_action_declared_in_the_manifest() {
    let runtime = runtime_for("http://127.0.0.1:9");
    let manifest: serde_json::Value = serde_json::from_str(&runtime.describe().unwrap()).unwrap();
    let mut declared: Vec<String> =
        manifest["actions"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    declared.push("describe".into());
    declared.sort();
    let prefix = "dockerhub:org/actions@0.1.0#";
    let mut exported: Vec<String> =
        runtime.export_names().into_iter().filter_map(|n| n.strip_prefix(prefix).map(String::from)).collect();
    exported.sort();
    assert_eq!(exported, declared);
    assert!(exported.len() >= 33, "{exported:?}");
}

#[tokio::test]
async fn list_members_sends_the_bearer_and_filters_and_maps_the_page() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .and(query_param("search", "jon"))
        .and(query_param("role", "owner"))
        .and(query_param("type", "member"))
        .and(query_param("invites", "false"))
        .and(query_param("page", "1"))
        .and(query_param("page_size", "10"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("members/page-small.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = ok(
        &runtime,
        "list-members",
        r#"{"search": "jon", "role": "owner", "type": "member", "invites": false}"#,
        &hub.secrets(),
    );
    assert_eq!(without_meta(out.clone()), fixture("members/list-small.expected.json"));
    assert_eq!(out["meta"]["requests"], 2, "one exchange, one listing");
}

#[tokio::test]
async fn two_consecutive_actions_exchange_the_token_once() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("members/page-small.json")))
        .expect(2)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    ok(&runtime, "list-members", "{}", &hub.secrets());
    let second = ok(&runtime, "list-members", "{}", &hub.secrets());
    assert_eq!(second["meta"]["requests"], 1, "the cached JWT is reused");
    for key in runtime.cache().keys() {
        assert!(!key.contains(OAT) && !key.contains("CANARY"), "cache key holds a secret: {key}");
        assert!(key.contains(ORG), "{key}");
    }
}

#[tokio::test]
async fn a_rotated_token_is_exchanged_at_once() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .and(wiremock::matchers::body_partial_json(serde_json::json!({"secret": "dckr_oat_rotated-0000"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": jwt("b")})))
        .expect(1)
        .mount(&hub.server)
        .await;
    mount_small_listing(&hub, 2).await;
    let runtime = hub.runtime();
    ok(&runtime, "list-members", "{}", &hub.secrets());
    let rotated = Secrets::connection(ORG, "dckr_oat_rotated-0000", Some(&hub.url()));
    ok(&runtime, "list-members", "{}", &rotated);
}

#[tokio::test]
async fn a_401_drops_the_token_and_exchanges_once_more() {
    let hub = Hub::start().await;
    hub.token_exchange("a", 2).await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"detail": "token expired"})))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&hub.server)
        .await;
    mount_small_listing(&hub, 1).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-members", "{}", &hub.secrets());
    assert_eq!(out["count"], 3);
    assert_eq!(out["meta"]["requests"], 4, "exchange, 401, exchange, retry");
}

#[tokio::test]
async fn a_second_401_after_reexchange_is_unauthorized() {
    let hub = Hub::start().await;
    hub.token_exchange("a", 2).await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"detail": "no"})))
        .expect(2)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-members", "{}", &hub.secrets());
    assert_eq!(kind, "unauthorized");
    assert!(message.contains("even after a fresh token exchange"), "{message}");
}

#[test]
fn a_missing_oat_is_a_missing_credential_in_the_seeds_words() {
    let runtime = runtime_for("http://127.0.0.1:9");
    let secrets = Secrets::new().with("organization-name", ORG);
    assert_eq!(
        err(&runtime, "list-members", "{}", &secrets),
        ("missing-credential".to_string(), "Organization Access Token is required.".to_string())
    );
    let blank = Secrets::connection(ORG, "   ", None);
    assert_eq!(err(&runtime, "check-oat-connection", "{}", &blank).1, "Organization Access Token is required.");
    let no_org = Secrets::new().with("organization-access-token", OAT);
    assert_eq!(
        err(&runtime, "list-members", "{}", &no_org),
        ("missing-credential".to_string(), "Organization Name is required.".to_string())
    );
    // Nothing is sent without credentials.
    assert_nothing_sent(&runtime);
}

#[tokio::test]
async fn org_names_are_trimmed() {
    let hub = hub().await;
    mount_small_listing(&hub, 1).await;
    let secrets = Secrets::connection("  acme \n", OAT, Some(&hub.url()));
    assert_eq!(ok(&hub.runtime(), "list-members", "{}", &secrets)["organization"], "acme");
}

#[tokio::test]
async fn the_oat_health_check_reports_the_seeds_success_message() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .and(query_param("page_size", "1"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "count": 42, "next": "https://hub.docker.com/v2/orgs/acme/members?page=2", "previous": null,
            "results": [fixture("members/page-small.json")["results"][0].clone()]
        })))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "check-oat-connection", "{}", &hub.secrets());
    assert_eq!(out["ok"], true);
    assert_eq!(out["check"], "Validate DockerHub OAT Connection");
    assert_eq!(
        out["message"],
        "Successfully authenticated against DockerHub organization \"acme\" (42 members visible)."
    );
    assert_eq!(out["counts"]["members"], 42);
}

#[tokio::test]
async fn the_oat_health_check_reports_the_seeds_failure_message_with_detail() {
    let hub = Hub::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"detail": "invalid credentials"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "check-oat-connection", "{}", &hub.secrets());
    assert_eq!(out["ok"], false);
    assert_eq!(
        out["message"],
        "Unable to authenticate against the DockerHub organization. Verify the Organization Access Token has not been revoked, that the Organization Name matches a DockerHub org the OAT was issued for, and that the OAT has org-admin scope."
    );
    let detail = out["detail"].as_str().unwrap();
    assert!(detail.contains("token exchange returned 401") && detail.contains("invalid credentials"), "{detail}");
    assert_eq!(out["error_kind"], "unauthorized");
}

#[tokio::test]
async fn secrets_echoed_by_the_server_are_redacted() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "detail": format!("bad token {} from {}", jwt("a"), OAT)
        })))
        .expect(1)
        .mount(&hub.server)
        .await;
    // `call` asserts no secret appears; the message still carries the rest of Docker's words.
    let (kind, message) = err(&hub.runtime(), "list-members", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("[redacted]"), "{message}");
}
