//! Every report is true (issue 25), through the real component against the simulator and against
//! stand-in servers on loopback: a removal that finds nobody is not a success (unless the input
//! says that is fine), an answer without the expected shape is never an empty list, a walk never
//! outruns its count, a limit the user gives truncates, a write whose outcome is unknown says so,
//! and a duplicate key is invalid input before anything is sent.
//!
//! Request counts: "requests" below are API requests, the token exchange excluded, unless a test
//! says otherwise.

mod common;

use std::time::Duration;

use common::mocks::*;
use common::sim::{Sim, sim};
use common::*;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{ActionError, Outcome, error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{Quirks, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

const MEMBERS: &str = "/v2/orgs/acme/members";
const GROUPS: &str = "/v2/orgs/acme/groups";

// ---------------------------------------------------------------- helpers

/// The error of an outcome that must be one.
fn failure(action: &str, outcome: Outcome) -> ActionError {
    match outcome {
        Ok(text) => panic!("{action} succeeded but should have failed: {text:.400}"),
        Err(e) => e,
    }
}

/// An error's detail as JSON (null when it has none).
fn detail(e: &ActionError) -> Value {
    error_detail(e).and_then(|d| serde_json::from_str(d).ok()).unwrap_or(Value::Null)
}

/// `kind: message`, for assertion messages.
fn said(e: &ActionError) -> String {
    format!("{}: {} (detail {})", error_kind(e), error_message(e), detail(e))
}

/// The simulator's organization as it stands: members with their role and teams, teams, invites.
fn snapshot(s: &Sim) -> Value {
    s.sim.with_state(|st| {
        json!({
            "members": st.members.iter().map(|m| json!([m.username, m.role, m.groups])).collect::<Vec<_>>(),
            "teams": st.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
            "invites": st.invites.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        })
    })
}

/// `input` with `"missing_ok": true`.
fn missing_ok(mut input: Value) -> Value {
    input["missing_ok"] = json!(true);
    input
}

/// Runs a removal of something that does not exist on the simulator: it must be `not-found`
/// naming what was searched and change nothing; with `missing_ok: true` it must succeed with
/// `changed: false`, `found: false` and a message naming what was not there, still changing
/// nothing. With `lookup_first` (the action must find a person before it can name the path to
/// delete) no write may be sent at all; otherwise a write Docker answers 404 is allowed, as long as
/// nothing changes. Returns the not-found error's detail.
fn assert_missing_target(s: &Sim, action: &str, input: Value, searched: &str, lookup_first: bool) -> Value {
    let before = snapshot(s);
    let sent = s.sent();
    let e = failure(action, s.call(action, &input));
    assert_eq!(error_kind(&e), "not-found", "{action} {input}: {}", said(&e));
    let found = detail(&e);
    assert_eq!(found["searched"], searched, "{action} {input}: the detail names what was searched: {}", said(&e));
    if lookup_first {
        assert_eq!(s.writes_since(sent), Vec::<String>::new(), "{action} {input}: a missing person is not written to");
    }
    assert_eq!(snapshot(s), before, "{action} {input}: nothing changed");

    let sent = s.sent();
    let out = s.ok(action, &missing_ok(input.clone()));
    assert_eq!(out["changed"], false, "{action} {input} missing_ok: {out}");
    assert_eq!(out["found"], false, "{action} {input} missing_ok: {out}");
    let message = out["message"].as_str().unwrap_or_default();
    assert!(message.contains(searched), "{action} missing_ok: the message names what was not there: {message:?}");
    // A write Docker answered 404 may be listed, as `already-done`: nothing was carried out.
    let carried: Vec<&Value> =
        out["completed"].as_array().unwrap().iter().filter(|c| c["outcome"] != "already-done").collect();
    assert!(carried.is_empty(), "{action} missing_ok: nothing carried out: {out}");
    if lookup_first {
        assert_eq!(s.writes_since(sent), Vec::<String>::new(), "{action} {input} missing_ok: no write");
    }
    assert_eq!(snapshot(s), before, "{action} {input} missing_ok: nothing changed");
    found
}

/// The usernames of an error detail's `near_matches`.
fn near_matches(found: &Value) -> Vec<String> {
    found["near_matches"]
        .as_array()
        .unwrap_or_else(|| panic!("near_matches is a list of usernames: {found}"))
        .iter()
        .map(|n| n.as_str().unwrap_or_else(|| panic!("a username: {n}")).to_string())
        .collect()
}

/// API requests a runtime sent, the token exchange excluded.
fn api_requests(runtime: &Runtime) -> Vec<String> {
    runtime
        .http()
        .sent()
        .iter()
        .filter(|r| !r.url.ends_with("/v2/auth/token"))
        .map(|r| format!("{} {}", r.method, r.url))
        .collect()
}

/// A runtime for `url` whose requests time out after `timeout`.
fn runtime_with_timeout(url: &str, timeout: Duration) -> Runtime {
    let http = HttpConfig { real_sleep: false, timeout, ..HttpConfig::default() }.allow(url).expect("url");
    Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime")
}

/// A hub answering every `GET` with `200 body` (and the token exchange as often as asked).
async fn hub_answering_every_get(body: &Value) -> Hub {
    let hub = Hub::start().await;
    hub.token_exchange_any("a").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .named("every GET")
        .mount(&hub.server)
        .await;
    hub
}

/// One member as Docker's OpenAPI example shows it (`user` and `org_member` examples).
fn openapi_example_member() -> Value {
    json!({
        "id": "0ab70deb065a43fcacd55d48caa945d8", "company": "Docker Inc",
        "date_joined": "2021-01-05T21:06:53.506400Z", "full_name": "Jon Snow", "type": "User",
        "username": "dockeruser", "email": "example@docker.com", "role": "Owner",
        "groups": ["developers", "owners"], "is_guest": false, "primary_email": "example@docker.com",
        "last_logged_in_at": "2021-01-05T21:06:53.506400Z", "last_seen_at": "2021-01-05T21:06:53.506400Z",
        "last_desktop_version": "4.29.0"
    })
}

/// Docker's OpenAPI example page of the member listing (`org_member_paginated`: count 120, one
/// member, a `next` link), as a mock generated from the document serves it for every page.
fn openapi_example_page() -> Value {
    json!({
        "count": 120,
        "next": "https://hub.docker.com/v2/orgs/acme/members?page=2",
        "previous": null,
        "results": [openapi_example_member()],
    })
}

/// Whether a message says the server serves the same page again (ignores `page`).
fn says_page_repeats(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("page") && (m.contains("same") || m.contains("repeat") || m.contains("ignor"))
}

// ---------------------------------------------------------------- 1. removals of a missing target

#[test]
fn remove_member_of_a_mistyped_email_is_not_found_with_the_near_match_and_removes_nobody() {
    let s = sim();
    // The simulator's search finds ken.lovelace@example.com for this truncated address.
    let found = assert_missing_target(
        &s,
        "remove-member",
        json!({"email": "ken.lovelace@example.co"}),
        "ken.lovelace@example.co",
        true,
    );
    assert!(near_matches(&found).contains(&"kenlovelace".to_string()), "{found}");
}

#[test]
fn remove_member_of_the_issues_mistyped_email_is_not_found_naming_what_was_searched() {
    let s = sim();
    let found = assert_missing_target(
        &s,
        "remove-member",
        json!({"email": "kenritchie@example.com"}),
        "kenritchie@example.com",
        true,
    );
    near_matches(&found);
    assert!(s.sim.with_state(|st| st.member_index("kenlovelace").is_some()), "the real member stays");
}

#[test]
fn remove_member_of_a_mistyped_username_is_not_found_with_the_near_match() {
    let s = sim();
    let found = assert_missing_target(&s, "remove-member", json!({"username": "kenlovelac"}), "kenlovelac", true);
    assert!(near_matches(&found).contains(&"kenlovelace".to_string()), "{found}");
}

#[test]
fn remove_team_member_of_someone_outside_the_organization_is_not_found() {
    let s = sim();
    for person in [json!({"username": "kenlovelac"}), json!({"email": "ken.lovelace@example.co"})] {
        let mut input = json!({"team": "platform"});
        for (k, v) in person.as_object().unwrap() {
            input[k] = v.clone();
        }
        let searched = person.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_string();
        let found = assert_missing_target(&s, "remove-team-member", input, &searched, false);
        assert!(near_matches(&found).contains(&"kenlovelace".to_string()), "{found}");
    }
    let on_platform = s.sim.with_state(|st| {
        st.members
            .iter()
            .find(|m| m.username == "kenlovelace")
            .is_some_and(|m| m.groups.iter().any(|g| g == "platform"))
    });
    assert!(on_platform, "kenlovelace is still on platform");
}

#[test]
fn cancel_invite_of_a_uuid_that_is_not_pending_is_not_found() {
    let s = sim();
    let id = "00000000-0000-4000-8000-000000000000";
    assert_missing_target(&s, "cancel-invite", json!({ "id": id }), id, false);
}

#[test]
fn resend_invite_of_a_uuid_that_is_not_pending_is_not_found() {
    let s = sim();
    let id = "00000000-0000-4000-8000-000000000000";
    assert_missing_target(&s, "resend-invite", json!({ "id": id }), id, false);
}

#[test]
fn delete_team_of_a_mistyped_team_is_not_found() {
    let s = sim();
    assert_missing_target(&s, "delete-team", json!({"team": "platfrom"}), "platfrom", false);
    assert!(s.sim.with_state(|st| st.team_index("platform").is_some()), "the real team stays");
}

#[test]
fn offboard_member_of_a_mistyped_email_is_not_found_with_the_near_match() {
    let s = sim();
    let input = json!({"email": "ken.lovelace@example.co", "dry_run": false});
    let found = assert_missing_target(&s, "offboard-member", input, "ken.lovelace@example.co", true);
    assert!(near_matches(&found).contains(&"kenlovelace".to_string()), "{found}");
}

#[test]
fn invite_ids_that_are_not_uuids_are_refused_before_anything_is_sent() {
    for id in [
        "not-a-uuid",
        "e36eca69-4cc8-4f17-9845-ae8c2b83260",
        "e36eca69-4cc8-4f17-9845-ae8c2b8326000",
        "e36eca694cc84f179845ae8c2b832600",
        "g36eca69-4cc8-4f17-9845-ae8c2b832600",
        "12345",
    ] {
        for action in ["cancel-invite", "resend-invite"] {
            assert_refused(action, &json!({ "id": id }).to_string(), "id");
        }
    }
}

#[test]
fn an_existing_target_already_in_the_end_state_is_still_an_unchanged_success() {
    let s = sim();
    let before = snapshot(&s);
    // radialovelace is a member on no team; kenlovelace is an editor on platform.
    for (action, input) in [
        ("remove-team-member", json!({"team": "platform", "username": "radialovelace"})),
        ("add-team-member", json!({"team": "platform", "username": "kenlovelace"})),
        ("update-member-role", json!({"username": "kenlovelace", "role": "editor"})),
    ] {
        let out = s.ok(action, &input);
        assert_eq!(out["changed"], false, "{action} {input}: {out}");
        assert_eq!(out["completed"], json!([]), "{action} {input}: {out}");
    }
    assert_eq!(snapshot(&s), before);
}

// ---------------------------------------------------------------- 2. only the expected shape is a result

#[tokio::test]
async fn a_listing_answered_200_without_results_is_an_invalid_response_naming_the_endpoint_and_status() {
    for body in [json!({}), json!({"error": "upstream proxy failure"})] {
        let hub = hub_answering_every_get(&body).await;
        let runtime = hub.runtime();
        for (action, input, endpoint) in [
            ("list-members", json!({}), MEMBERS),
            ("list-members", json!({"all_pages": true}), MEMBERS),
            ("remove-member", json!({"username": "samwell"}), MEMBERS),
            ("remove-member", json!({"email": "sam@example.com"}), MEMBERS),
            ("offboard-member", json!({"email": "sam@example.com", "dry_run": false}), MEMBERS),
            ("access-review", json!({}), "/v2/"),
        ] {
            let e = failure(action, call(&runtime, action, &input.to_string(), &hub.secrets()));
            assert_eq!(error_kind(&e), "invalid-response", "{action} {input} on {body}: {}", said(&e));
            let message = error_message(&e);
            assert!(message.contains(endpoint) && message.contains("200"), "{action} on {body}: {message}");
        }
        let deletes: Vec<String> = hub
            .received()
            .await
            .iter()
            .filter(|r| r.method.as_str() != "GET" && r.url.path() != "/v2/auth/token")
            .map(|r| format!("{} {}", r.method, r.url))
            .collect();
        assert_eq!(deletes, Vec::<String>::new(), "nothing is written after an unreadable listing");
    }
}

#[tokio::test]
async fn a_read_answered_200_without_its_object_is_an_invalid_response_naming_the_endpoint_and_status() {
    // Issue 25, item 2: "a read without its object, a body that is an error object under a 2xx".
    for body in [json!({}), json!({"error": "upstream proxy failure"})] {
        let hub = hub_answering_every_get(&body).await;
        let e = failure("get-team", call(&hub.runtime(), "get-team", r#"{"team": "developers"}"#, &hub.secrets()));
        assert_eq!(error_kind(&e), "invalid-response", "get-team on {body}: {}", said(&e));
        let message = error_message(&e);
        assert!(message.contains("200") && message.contains("developers"), "get-team on {body}: {message}");
    }
}

#[tokio::test]
async fn check_oat_connection_fails_on_a_listing_without_results() {
    for body in [json!({}), json!({"error": "upstream proxy failure"})] {
        let hub = hub_answering_every_get(&body).await;
        let out = ok(&hub.runtime(), "check-oat-connection", "{}", &hub.secrets());
        assert_eq!(out["ok"], false, "a page without results is not a passed check: {out}");
        let message = out["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("Unable to authenticate against the DockerHub organization."), "{out}");
        assert!(!message.contains("members visible"), "{out}");
        assert_eq!(out["error_kind"], "invalid-response", "{out}");
    }
}

#[test]
fn a_proxy_error_page_on_the_simulator_is_an_invalid_response_and_removes_nobody() {
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { proxy_error_page: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    let before = snapshot(&s);
    let sent = s.sent();
    for (action, input) in [
        ("list-members", json!({})),
        ("list-members", json!({"all_pages": true})),
        ("remove-member", json!({"username": "kenlovelace"})),
        ("remove-member", json!({"email": "ken.lovelace@example.com"})),
        ("offboard-member", json!({"email": "ken.lovelace@example.com", "dry_run": false})),
        ("access-review", json!({})),
    ] {
        let e = failure(action, s.call(action, &input));
        assert_eq!(error_kind(&e), "invalid-response", "{action} {input}: {}", said(&e));
        assert!(error_message(&e).contains("200"), "{action}: the status is named: {}", said(&e));
    }
    for check in ["check-oat-connection", "check-member-listing", "check-group-listing"] {
        let out = s.ok(check, &json!({}));
        assert_eq!(out["ok"], false, "{check} fails on a proxy's error page: {out}");
        assert_eq!(out["error_kind"], "invalid-response", "{check}: {out}");
    }
    assert_eq!(s.writes_since(sent), Vec::<String>::new());
    assert_eq!(snapshot(&s), before, "kenlovelace is still a member");
}

/// `GET path` on the simulator over plain HTTP, with a token from its exchange: (status, body).
fn plain_get(s: &Sim, path: &str) -> (u16, Value) {
    use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG};
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).proxy(None).build().into();
    let mut exchange = agent
        .post(format!("{}/v2/auth/token", s.sim.url()))
        .header("Content-Type", "application/json")
        .send(json!({"identifier": DEFAULT_ORG, "secret": DEFAULT_OAT}).to_string())
        .expect("token exchange");
    assert_eq!(exchange.status().as_u16(), 200, "the token exchange is not behind the proxy page");
    let token: Value = serde_json::from_str(&exchange.body_mut().read_to_string().unwrap()).unwrap();
    let mut response = agent
        .get(format!("{}{path}", s.sim.url()))
        .header("Authorization", format!("Bearer {}", token["access_token"].as_str().unwrap()))
        .call()
        .expect("request");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[test]
fn the_proxy_error_page_quirk_answers_every_listing_and_nothing_else_with_200_and_an_error_object() {
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { proxy_error_page: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    for listing in [
        "/v2/orgs/example-org/members?page=1&page_size=10",
        "/v2/orgs/example-org/groups",
        "/v2/orgs/example-org/groups/developers/members",
        "/v2/orgs/example-org/invites",
        "/v2/auditlogs/example-org",
    ] {
        assert_eq!(plain_get(&s, listing), (200, json!({"error": "upstream proxy failure"})), "{listing}");
    }
    let (status, team) = plain_get(&s, "/v2/orgs/example-org/groups/developers");
    assert_eq!((status, &team["name"]), (200, &json!("developers")), "a read is answered as usual: {team}");
}

#[test]
fn the_ignore_page_quirk_serves_page_one_with_its_count_and_next_for_every_page_number() {
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { ignore_page: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    let (_, first) = plain_get(&s, "/v2/orgs/example-org/members?page=1&page_size=10");
    for page in [2, 3, 32, 99] {
        let (status, body) = plain_get(&s, &format!("/v2/orgs/example-org/members?page={page}&page_size=10"));
        assert_eq!(status, 200, "page {page}: {body}");
        assert_eq!(body, first, "page {page} is page 1");
    }
    assert_eq!(first["count"], 320);
    assert_eq!(first["results"][0]["username"], "adalovelace");
    assert!(first["next"].as_str().is_some_and(|n| n.contains("page=2")), "{}", first["next"]);
    assert_eq!(first["previous"], Value::Null);
}

// ---------------------------------------------------------------- 3. walks stop where the listing ends

#[tokio::test]
async fn a_server_repeating_openapis_example_page_ends_the_walk_as_invalid_response_within_five_requests() {
    let hub = Hub::start().await;
    hub.token_exchange_any("a").await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(ResponseTemplate::new(200).set_body_json(openapi_example_page()))
        .named("the OpenAPI example page, for every page")
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let e = failure("list-members", call(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets()));
    let requests = api_requests(&runtime);
    assert_ne!(error_kind(&e), "limit-exceeded", "{}", said(&e));
    assert_eq!(error_kind(&e), "invalid-response", "{} after {} requests", said(&e), requests.len());
    assert!(says_page_repeats(error_message(&e)), "{}", said(&e));
    assert!(requests.len() <= 5, "at most 5 requests (token exchange excluded): {requests:#?}");
}

#[tokio::test]
async fn get_member_by_email_against_the_repeated_example_page_ends_within_five_requests() {
    let hub = Hub::start().await;
    hub.token_exchange_any("a").await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(ResponseTemplate::new(200).set_body_json(openapi_example_page()))
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let e = failure("get-member", call(&runtime, "get-member", r#"{"email": "x@example.com"}"#, &hub.secrets()));
    let requests = api_requests(&runtime);
    assert!(
        ["not-found", "invalid-response"].contains(&error_kind(&e)),
        "{} after {} requests",
        said(&e),
        requests.len()
    );
    assert!(!error_message(&e).contains("max_items"), "the item budget is not what ended it: {}", said(&e));
    assert!(requests.len() <= 5, "at most 5 requests (token exchange excluded): {} sent", requests.len());
}

#[test]
fn a_simulator_that_ignores_page_ends_the_walk_as_invalid_response_within_count_pages_plus_one() {
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { ignore_page: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    let count = s.sim.with_state(|st| st.members.len());
    assert_eq!(count, 320, "the seed's roster");
    let e = failure("list-members", s.call("list-members", &json!({"all_pages": true})));
    let pages = api_requests(&s.runtime).len();
    assert_eq!(error_kind(&e), "invalid-response", "{} after {pages} page requests", said(&e));
    assert!(says_page_repeats(error_message(&e)), "{}", said(&e));
    let bound = count.div_ceil(100) + 1;
    assert!(pages <= bound, "{pages} page requests, at most ⌈{count}/100⌉+1 = {bound}");
}

// ---------------------------------------------------------------- 4. max_items given by the user truncates

#[test]
fn max_items_given_by_the_user_truncates_with_the_real_count_and_where_to_continue() {
    let s = sim();
    let roster: Vec<String> = s.sim.with_state(|st| st.members.iter().map(|m| m.username.clone()).collect());
    assert_eq!(roster.len(), 320);
    // Without page_size the walk asks for pages no larger than the limit (as `gh --limit` does).
    for (page_size, next_page) in [(Some(10), 6), (None, 2)] {
        let mut input = json!({"all_pages": true, "max_items": 50});
        if let Some(size) = page_size {
            input["page_size"] = json!(size);
        }
        let out = s.ok("list-members", &input);
        let names: Vec<&str> =
            out["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap()).collect();
        assert_eq!(names, roster[..50].iter().map(String::as_str).collect::<Vec<_>>(), "{input}: the first 50");
        assert_eq!(out["truncated"], true, "{input}: {}", without_meta(out.clone()));
        assert_eq!(out["count"], 320, "{input}: Docker's count, not the page size");
        assert_eq!(out["returned"], 50, "{input}");
        // The page holding member 51, the first one not returned.
        assert_eq!(out["paging"]["next_page"], next_page, "{input}: {}", out["paging"]);
        assert_eq!(out["paging"]["page_size"], page_size.unwrap_or(50), "{input}: {}", out["paging"]);
    }
}

#[test]
fn the_default_cap_stays_an_error_with_the_real_count() {
    let s = Sim::start(SimulatorConfig { members: Some(10_001), ..SimulatorConfig::default() });
    let e = failure("list-members", s.call("list-members", &json!({"all_pages": true})));
    assert_ne!(error_kind(&e), "limit-exceeded", "{}", said(&e));
    assert!(error_message(&e).contains("10001"), "the real count: {}", said(&e));
}

#[test]
fn a_page_past_the_last_says_how_many_pages_the_listing_has() {
    let s = sim();
    let pages = s.sim.with_state(|st| st.members.len()).div_ceil(10);
    let e = failure("list-members", s.call("list-members", &json!({"page": 99})));
    assert!(error_message(&e).contains(&format!("{pages} pages")), "{pages} pages at 10 a page: {}", said(&e));
}

// ---------------------------------------------------------------- 5. writes whose outcome is unknown

/// Mounts the bulk invite answering only after `delay` (and Docker's validation-only dry run at
/// once, should it be asked).
async fn mount_slow_invite(hub: &Hub, delay: Duration) {
    Mock::given(method("POST"))
        .and(path("/v2/invites/bulk"))
        .and(body_partial_json(json!({"dry_run": true})))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"invitees": {"invitees": []}})))
        .with_priority(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/invites/bulk"))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(
                    json!({"invitees": {"invitees": [{"invitee": "new.hire@example.com", "status": "invited"}]}}),
                )
                .set_delay(delay),
        )
        .named("the bulk invite, answered late")
        .mount(&hub.server)
        .await;
}

/// Asserts an invite error says its outcome is unknown, that it may have been carried out and to
/// read the pending invites, and that the invite was sent once.
fn assert_unknown_invite(runtime: &Runtime, e: &ActionError) {
    assert_eq!(detail(e)["outcome"], "unknown", "{}", said(e));
    let message = error_message(e);
    assert!(message.contains("carried out"), "the change may have been carried out: {message}");
    assert!(message.contains("list-invites"), "names what to read: {message}");
    let posts =
        runtime.http().sent().iter().filter(|r| r.method == "POST" && r.url.ends_with("/v2/invites/bulk")).count();
    assert_eq!(posts, 1, "the invite is never sent twice");
}

#[tokio::test]
async fn an_invite_whose_answer_times_out_says_its_outcome_is_unknown_and_what_to_read() {
    let hub = Hub::start_isolated().await;
    hub.token_exchange("a", 1).await;
    mount_slow_invite(&hub, Duration::from_secs(2)).await;
    let runtime = runtime_with_timeout(&hub.url(), Duration::from_millis(300));
    let input = r#"{"invitees": ["new.hire@example.com"]}"#;
    let e = failure("invite-members", call(&runtime, "invite-members", input, &hub.secrets()));
    assert_unknown_invite(&runtime, &e);
}

#[tokio::test]
async fn an_invite_answered_after_the_call_deadline_says_its_outcome_is_unknown_and_what_to_read() {
    let hub = Hub::start_isolated().await;
    hub.token_exchange("a", 1).await;
    mount_slow_invite(&hub, Duration::from_secs(3)).await;
    let runtime = runtime_with_timeout(&hub.url(), HttpConfig::default().timeout);
    let mut secrets: Secrets = hub.secrets();
    secrets.set("call-timeout-seconds", "1");
    let input = r#"{"invitees": ["new.hire@example.com"]}"#;
    let e = failure("invite-members", call(&runtime, "invite-members", input, &secrets));
    assert_unknown_invite(&runtime, &e);
}

#[tokio::test]
async fn a_batch_offboard_whose_removal_times_out_says_that_persons_outcome_is_unknown() {
    // A plan of one step fails as its request did; the person's removal was sent and no answer
    // came, so "not-offboarded" would claim what nobody knows.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("a").await;
    let samwell = json!({"username": "samwell", "full_name": "Samwell Tarly", "email": "sam@example.com",
                         "role": "Member", "groups": [], "is_guest": false, "date_joined": "2022-01-01T00:00:00Z", "type": "User"});
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(ResponseTemplate::new(200).set_body_json(one_page(&[samwell])))
        .mount(&hub.server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&hub.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{MEMBERS}/samwell")))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(2)))
        .named("the removal, answered late")
        .mount(&hub.server)
        .await;
    let runtime = runtime_with_timeout(&hub.url(), Duration::from_millis(300));
    let input = r#"{"people": ["samwell"], "dry_run": false}"#;
    let e = failure("offboard-members", call(&runtime, "offboard-members", input, &hub.secrets()));
    let detail = detail(&e);
    assert_eq!(detail["outcome"], "unknown", "{}", said(&e));
    let outcomes: Vec<&str> =
        detail["people"].as_array().unwrap().iter().map(|p| p["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["unknown"], "{}", said(&e));
}

#[tokio::test]
async fn create_team_answered_201_with_an_unreadable_body_succeeds_with_a_warning_and_reads_the_team() {
    let hub = hub().await;
    api("POST", GROUPS, "")
        .respond_with(ResponseTemplate::new(201).set_body_raw("not json", "application/json"))
        .named("create, answered unreadably")
        .expect(1)
        .mount(&hub.server)
        .await;
    api("GET", &format!("{GROUPS}/platform"), "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-created.json")))
        .named("the one follow-up read of the team")
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "create-team", r#"{"team": "platform"}"#, &hub.secrets());
    assert_eq!(out["changed"], true, "{out}");
    assert!(
        out["warnings"].as_array().is_some_and(|w| !w.is_empty()),
        "a warning says the answer was unreadable: {out}"
    );
    assert_eq!(out["team"]["id"], fixture("groups/team-created.json")["id"], "the id, from the follow-up read: {out}");
}

#[tokio::test]
async fn remove_member_whose_delete_answers_404_after_the_lookup_found_them_was_removed_in_between() {
    let hub = hub().await;
    let samwell = json!({"username": "samwell", "full_name": "Samwell Tarly", "email": "sam@example.com",
                         "role": "Member", "groups": [], "is_guest": false, "date_joined": "2022-01-01T00:00:00Z", "type": "User"});
    member_search(&hub, "samwell", one_page(&[samwell]), 1).await;
    api("DELETE", &format!("{MEMBERS}/samwell"), "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Member not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "remove-member", r#"{"username": "samwell"}"#, &hub.secrets());
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["found"], true, "the lookup found samwell: {out}");
    let message = out["message"].as_str().unwrap_or_default();
    assert!(!message.contains("No member"), "the lookup just found them: {message}");
    let m = message.to_lowercase();
    assert!(m.contains("in between") || m.contains("meanwhile") || m.contains("someone else"), "{message}");
}

// ---------------------------------------------------------------- 6. duplicate keys

#[test]
fn a_duplicate_key_is_invalid_input_naming_it_before_anything_is_sent() {
    assert_refused("remove-member", r#"{"username": "bob", "dry_run": true, "dry_run": false}"#, "dry_run");
    assert_refused("remove-member", r#"{"username": "bob", "username": "bob"}"#, "username");
    assert_refused(
        "api-request",
        r#"{"method": "POST", "path": "/v2/orgs/acme/groups", "body": {"name": "a", "name": "b"}}"#,
        "name",
    );
    assert_refused(
        "api-request",
        r#"{"method": "POST", "path": "/v2/orgs/acme/groups", "body": {"name": "a", "labels": {"tier_note": 1, "tier_note": 2}}, "dry_run": true}"#,
        "tier_note",
    );
}

// ---------------------------------------------------------------- 8. a mock generated from Docker's OpenAPI

/// Answers every request as a mock generated from Docker's OpenAPI document does: the documented
/// example of the operation's success, whatever was asked (the member listing as the document
/// writes it, an array holding the example page: count 120, one member, a `next` link). Paths the
/// document does not have answer 404.
struct OpenApiExamples;

impl wiremock::Respond for OpenApiExamples {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        match common::openapi::spec().example_answer(request.method.as_str(), request.url.path()) {
            Some(answer) => {
                let template = ResponseTemplate::new(answer.status);
                match answer.content_type {
                    Some(media) => template.set_body_raw(answer.body, &media),
                    None => template,
                }
            }
            None => ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})),
        }
    }
}

#[test]
fn the_openapi_example_generator_serves_the_documented_example_page() {
    // The oracle of the test below: the member listing's example is the page of issue 25.
    let answer = common::openapi::spec().example_answer("GET", MEMBERS).expect("the member listing is documented");
    assert_eq!(answer.status, 200);
    let body: Value = serde_json::from_slice(&answer.body).expect("JSON");
    let page = &body[0];
    assert_eq!(page["count"], 120, "{body}");
    assert!(page["next"].as_str().is_some_and(|n| n.contains("page=")), "{body}");
    assert_eq!(page["results"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(page["results"][0]["username"], "dockeruser", "{body}");
    let export = common::openapi::spec().example_answer("GET", "/v2/orgs/acme/members/export").expect("the export");
    assert_eq!(export.content_type.as_deref(), Some("text/csv"));
    assert!(
        String::from_utf8_lossy(&export.body).contains("\"Username\""),
        "{:?}",
        String::from_utf8_lossy(&export.body)
    );
}

#[tokio::test]
async fn every_action_example_against_openapis_examples_succeeds_or_ends_not_found_or_invalid_response_within_five_requests()
 {
    let probe = runtime_for("http://127.0.0.1:9");
    let manifest: Value = serde_json::from_str(&probe.describe().expect("describe")).expect("manifest");
    let actions = manifest["actions"].as_array().expect("actions").clone();
    assert!(actions.len() >= 29, "{}", actions.len());
    let mut problems = Vec::new();
    for action in &actions {
        let name = action["name"].as_str().expect("name");
        let input = action["example"].to_string().replace("example-org", ORG);
        let hub = Hub::start().await;
        // The token exchange is ours (a JWT the guest reads); everything else is the document's.
        hub.token_exchange_any("a").await;
        Mock::given(wiremock::matchers::any()).respond_with(OpenApiExamples).with_priority(10).mount(&hub.server).await;
        let runtime = runtime_for(&hub.url());
        let secrets = Secrets::connection(ORG, OAT, Some(&hub.url())).with("retry-budget-seconds", "0");
        let outcome = call(&runtime, name, &input, &secrets);
        let requests = api_requests(&runtime);
        let ended = match &outcome {
            Ok(_) => "success".to_string(),
            Err(e) => said(e),
        };
        let fine = match &outcome {
            Ok(_) => true,
            Err(e) => {
                ["not-found", "invalid-response"].contains(&error_kind(e)) && !error_message(e).contains("max_items")
            }
        };
        if !fine || requests.len() > 5 {
            problems.push(format!("{name} {input}: {ended:.300} after {} requests", requests.len()));
        }
    }
    assert!(problems.is_empty(), "{} of {} actions:\n{}", problems.len(), actions.len(), problems.join("\n"));
}
