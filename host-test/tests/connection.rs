//! Connection form, credential guidance, health checks and the generic request, through the real
//! component: every product-document message byte for byte.

mod common;

use common::mocks::*;
use common::*;
use dockerhub_org_host::secrets::Secrets;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const BULLETS: &str = "\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}";

fn offline() -> dockerhub_org_host::Runtime {
    runtime_for("http://127.0.0.1:9")
}

fn validate(input: serde_json::Value) -> Result<serde_json::Value, (String, String)> {
    let runtime = offline();
    match call(&runtime, "validate-connection-settings", &input.to_string(), &Secrets::new()) {
        Ok(text) => Ok(serde_json::from_str(&text).unwrap()),
        Err(e) => Err((
            dockerhub_org_host::runtime::error_kind(&e).to_string(),
            dockerhub_org_host::runtime::error_message(&e).to_string(),
        )),
    }
}

#[test]
fn connection_schema_lists_the_three_fields_with_the_seeds_wording() {
    let out = ok(&offline(), "connection-schema", "{}", &Secrets::new());
    let fields = out["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[0]["label"], "Organization Name");
    assert_eq!(fields[0]["placeholder"], "your-dockerhub-org");
    assert_eq!(fields[1]["label"], "Organization Access Token");
    assert_eq!(fields[1]["type"], "password");
    assert_eq!(fields[2]["label"], "Instance Name");
    assert!(fields.iter().all(|f| f["required"] == true));
    assert_eq!(
        fields[2]["required_message"],
        "Instance Name is required to distinguish multiple DockerHub Organization connections."
    );
}

#[test]
fn first_connect_requires_each_field_with_its_own_message() {
    let token = "dckr_oat_firstconnect1234";
    let cases = [
        (
            json!({"organization_name": "  ", "organization_access_token": token, "instance_name": "Prod"}),
            "Organization Name is required.",
        ),
        (
            json!({"organization_name": "acme", "organization_access_token": "", "instance_name": "Prod"}),
            "Organization Access Token is required.",
        ),
        (
            json!({"organization_name": "acme", "organization_access_token": token, "instance_name": " "}),
            "Instance Name is required to distinguish multiple DockerHub Organization connections.",
        ),
        (json!({"organization_name": "acme", "instance_name": "Prod"}), "Organization Access Token is required."),
    ];
    for (submitted, message) in cases {
        assert_eq!(validate(json!({ "submitted": submitted })), Err(("invalid-input".into(), message.into())));
    }
}

#[test]
fn first_connect_trims_and_returns_settings_without_the_raw_token() {
    let token = "dckr_oat_firstconnect1234";
    let out = validate(json!({"submitted": {"organization_name": "  acme ", "organization_access_token": format!(" {token} "), "instance_name": " Production "}})).unwrap();
    assert_eq!(out["mode"], "create");
    assert_eq!(out["settings"]["organization_name"], "acme");
    assert_eq!(out["settings"]["instance_name"], "Production");
    assert_eq!(out["settings"]["organization_access_token"]["action"], "store_submitted");
    assert_eq!(out["display"]["organization_access_token"], format!("{BULLETS}1234"));
    assert!(!out.to_string().contains(token), "the raw token must not be in the output");
    assert_eq!(out["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn editing_keeps_saved_values_for_blank_fields_and_the_obfuscated_token() {
    let saved = json!({"organization_name": "acme", "organization_access_token": "dckr_oat_saved00005678", "instance_name": "Production"});
    let out = validate(json!({
        "submitted": {"organization_name": "", "organization_access_token": format!("{BULLETS}5678"), "instance_name": "Engineering"},
        "saved": saved,
    }))
    .unwrap();
    assert_eq!(out["mode"], "update");
    assert_eq!(out["settings"]["organization_name"], "acme");
    assert_eq!(out["settings"]["instance_name"], "Engineering");
    assert_eq!(out["settings"]["organization_access_token"]["action"], "keep_saved");
    assert_eq!(out["changed_fields"], json!(["instance_name"]));
    let blank = validate(json!({"submitted": {}, "saved": saved})).unwrap();
    assert_eq!(blank["settings"]["organization_access_token"]["action"], "keep_saved");
    assert_eq!(blank["changed_fields"], json!([]));
}

#[test]
fn editing_with_a_new_token_rotates_it() {
    let saved = json!({"organization_name": "acme", "organization_access_token": "dckr_oat_saved00005678", "instance_name": "Production"});
    let out =
        validate(json!({"submitted": {"organization_access_token": "dckr_oat_rotated9999"}, "saved": saved})).unwrap();
    assert_eq!(out["settings"]["organization_access_token"]["action"], "store_submitted");
    assert_eq!(out["display"]["organization_access_token"], format!("{BULLETS}9999"));
    assert_eq!(out["changed_fields"], json!(["organization_access_token"]));
    assert!(!out.to_string().contains("rotated9999"));
}

#[test]
fn an_update_that_leaves_a_field_empty_is_refused_with_the_seeds_message() {
    let saved = json!({"organization_name": "acme", "organization_access_token": "", "instance_name": "Production"});
    assert_eq!(
        validate(json!({"submitted": {"organization_name": "acme"}, "saved": saved})),
        Err((
            "invalid-input".into(),
            "Organization Name, Organization Access Token, and Instance Name are required.".into()
        ))
    );
}

#[test]
fn a_token_without_the_oat_prefix_is_saved_with_a_warning() {
    let out = validate(json!({"submitted": {"organization_name": "acme", "organization_access_token": "dckr_pat_personal1234", "instance_name": "P"}})).unwrap();
    let warnings = out["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].as_str().unwrap();
    assert!(w.contains("dckr_oat_") && w.contains("Personal Access Token"), "{w}");
    assert!(!out.to_string().contains("dckr_pat_personal1234"));
}

#[tokio::test]
async fn a_personal_access_token_refusal_says_an_oat_is_required() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(
                json!({"detail": "token issued from personal access token is not allowed", "errinfo": {}}),
            ),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-members", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("A Personal Access Token was used"), "{message}");
    assert!(message.contains("Organization Access Token") && message.contains("Admin Console"), "{message}");
}

#[tokio::test]
async fn a_rejected_exchange_says_the_token_or_the_organization_name_is_wrong() {
    let hub = Hub::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "incorrect username or password"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-members", "{}", &hub.secrets());
    assert_eq!(kind, "unauthorized");
    assert!(message.contains("revoked") && message.contains("Organization Name may not match"), "{message}");
}

#[tokio::test]
async fn a_403_names_the_scope_the_action_needs() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/groups"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "insufficient scope"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "check-group-listing", "{}", &hub.secrets());
    assert_eq!(out["ok"], false);
    assert_eq!(
        out["message"],
        "Unable to list groups in the DockerHub organization. Confirm the Organization Access Token has organization-admin scope."
    );
    assert!(out["detail"].as_str().unwrap().contains("\"Group Read\" permission"), "{}", out["detail"]);
}

#[tokio::test]
async fn member_listing_and_group_checks_use_the_seeds_success_messages() {
    let hub = hub().await;
    let page = fixture("members/page-small.json");
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .and(query_param("page_size", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/groups"))
        .and(query_param("page_size", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 7, "next": null, "previous": null, "results": [{"id": 1, "uuid": "u", "name": "owners", "description": "", "member_count": 2}]})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let members = ok(&runtime, "check-member-listing", "{}", &hub.secrets());
    assert_eq!(members["message"], "Successfully fetched member listing for \"acme\" (3 members; showing first 3).");
    let groups = ok(&runtime, "check-group-listing", "{}", &hub.secrets());
    assert_eq!(groups["message"], "Successfully listed organization groups (7 total in \"acme\").");
}

#[tokio::test]
async fn the_three_checks_run_together_with_one_exchange() {
    let hub = hub().await;
    mount_small_listing(&hub, 2).await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/groups"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .expect(4)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "run-health-checks", "{}", &hub.secrets());
    assert_eq!(out["ok"], false);
    assert_eq!(out["message"], "2 of 3 health checks passed for \"acme\".");
    let checks = out["checks"].as_array().unwrap();
    assert_eq!(checks.iter().map(|c| c["ok"].as_bool().unwrap()).collect::<Vec<_>>(), [true, true, false]);
    assert_eq!(checks[2]["error_kind"], "upstream");
}

#[tokio::test]
async fn api_request_sends_an_organization_path_with_the_bearer_and_returns_status_headers_and_body() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/groups"))
        .and(query_param("page_size", "5"))
        .and(header("authorization", bearer()))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-RateLimit-Limit", "180")
                .insert_header("X-RateLimit-Remaining", "179")
                .insert_header("X-RateLimit-Reset", "1700000060")
                .set_body_json(json!({"count": 0, "next": null, "previous": null, "results": []})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "api-request",
        r#"{"method": "GET", "path": "/v2/orgs/acme/groups/", "query": {"page_size": 5}}"#,
        &hub.secrets(),
    );
    assert_eq!(out["status"], 200);
    assert_eq!(out["headers"]["x-ratelimit-remaining"], "179");
    assert_eq!(out["body"]["count"], 0);
    assert_eq!(out["path"], "/v2/orgs/acme/groups?page_size=5");
    assert_eq!(out["notes"].as_array().unwrap().len(), 1, "the removed trailing slash is reported");
    assert_eq!(out["meta"]["rate_limit"]["remaining"], 179);
}

#[tokio::test]
async fn api_request_posts_json_bodies_for_this_org_only() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path("/v2/invites/bulk"))
        .and(body_json(json!({"org": "acme", "invitees": ["x@example.com"], "dry_run": true})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"invitees": {"invitees": []}})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let input = json!({"method": "POST", "path": "/v2/invites/bulk", "body": {"org": "acme", "invitees": ["x@example.com"], "dry_run": true}});
    assert_eq!(ok(&runtime, "api-request", &input.to_string(), &hub.secrets())["status"], 202);
    let other =
        json!({"method": "POST", "path": "/v2/invites/bulk", "body": {"org": "other", "invitees": ["x@example.com"]}});
    assert_eq!(err(&runtime, "api-request", &other.to_string(), &hub.secrets()).0, "invalid-input");
}

#[tokio::test]
async fn api_request_refuses_paths_outside_the_organization_without_sending_anything() {
    let hub = Hub::start().await;
    let runtime = hub.runtime();
    for bad in [
        "https://evil.example/v2/orgs/acme/members",
        "//evil.example/v2/orgs/acme/members",
        "/v2/orgs/other/members",
        "/v2/orgs/acme/../other/members",
        "/v2/orgs/acme/%2E%2E/other",
        "/v2/orgs/acme%2Fother/members",
        "/v2/users/login",
        "/v2/auth/token",
        "/v2/orgs/acme/members?page=2",
    ] {
        let input = json!({"method": "GET", "path": bad});
        let (kind, message) = err(&runtime, "api-request", &input.to_string(), &hub.secrets());
        assert_eq!(kind, "invalid-input", "{bad}");
        assert!(message.starts_with("api-request refused the path"), "{bad}: {message}");
    }
    assert_nothing_sent(&runtime);
}

#[tokio::test]
async fn none_of_these_actions_reveal_the_oat_or_the_jwt() {
    let hub = Hub::start().await;
    hub.token_exchange_any("a").await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"count": 1, "next": null, "previous": null, "results": [{"username": OAT, "email": jwt("a")}]}),
        ))
        .mount(&hub.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/groups"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": format!("bad {}", jwt("a"))})))
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    // `call` asserts the canaries are absent from every outcome.
    for (action, input) in [
        ("run-health-checks", "{}"),
        ("check-oat-connection", "{}"),
        ("api-request", r#"{"method": "GET", "path": "/v2/orgs/acme/members"}"#),
        ("api-request", r#"{"method": "GET", "path": "/v2/orgs/acme/groups"}"#),
        ("connection-schema", "{}"),
    ] {
        let _ = call(&runtime, action, input, &hub.secrets());
    }
    let with_token =
        json!({"submitted": {"organization_name": "acme", "organization_access_token": OAT, "instance_name": "P"}});
    let _ = call(&runtime, "validate-connection-settings", &with_token.to_string(), &Secrets::new());
}

#[test]
fn dot_segment_names_and_malformed_org_names_never_reach_the_network() {
    for (action, input) in [
        ("get-team", r#"{"team": ".."}"#),
        ("delete-team", r#"{"team": "."}"#),
        ("delete-team", r#"{"team": "%2e%2E", "dry_run": true}"#),
        ("update-team", r#"{"team": "..", "description": "x"}"#),
        ("list-team-members", r#"{"team": ".."}"#),
        ("add-team-member", r#"{"team": "developers", "member": ".."}"#),
        ("remove-team-member", r#"{"team": "developers", "username": "."}"#),
        ("remove-member", r#"{"username": ".."}"#),
        ("update-member-role", r#"{"username": "..", "role": "member"}"#),
        ("cancel-invite", r#"{"id": ".."}"#),
    ] {
        // Refused for the dot segment.
        assert_refused(action, input, "must not be");
    }
    let runtime = offline();
    for org in ["..", "acme/other", "acme?x", "ac me"] {
        let bad = Secrets::connection(org, OAT, Some("http://127.0.0.1:9"));
        assert_eq!(err(&runtime, "list-members", "{}", &bad).0, "invalid-input", "{org}");
    }
    assert_nothing_sent(&runtime);
}
