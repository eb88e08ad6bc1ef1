//! Member actions through the real component against a mock Docker Hub: list-members paging,
//! get-member resolution, update-member-role, remove-member (last owner), export-members (CSV),
//! input validation and path encoding.

mod common;

use common::mocks::*;
use common::writes::*;
use common::*;
use dockerhub_org_host::Runtime;
use dockerhub_org_host::runtime::error_detail;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

const MEMBERS: &str = "/v2/orgs/acme/members";

/// The results of `fixtures/members/<name>`.
fn results_of(name: &str) -> Vec<Value> {
    fixture(name)["results"].as_array().cloned().unwrap_or_default()
}

/// Page `n` of an endless listing: page 1's members renamed for page `n`, so no two pages repeat.
fn endless_page(n: u32) -> Vec<Value> {
    let mut members = results_of("members/org-250-page-1.json");
    for m in &mut members {
        m["username"] = json!(format!("{}-p{n}", m["username"].as_str().unwrap_or_default()));
    }
    members
}

/// A Docker members page.
fn page_body(count: Option<u64>, next: Option<&str>, previous: Option<&str>, results: &[Value]) -> Value {
    json!({ "count": count, "next": next, "previous": previous, "results": results })
}

/// Docker's link to page `n` of the members at 100 a page.
fn link(n: u32) -> String {
    format!("https://hub.docker.com/v2/orgs/acme/members?page={n}&page_size=100")
}

/// The three real pages of the 250-member org, each expected once.
async fn mount_org_250(hub: &Hub) {
    mount_fixture_pages(hub, MEMBERS, "members/org-250-page", 3, 1).await;
}

fn usernames(out: &Value) -> Vec<String> {
    out["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap_or_default().to_string()).collect()
}

// ---------------------------------------------------------------- list-members: paging

#[tokio::test]
async fn list_members_all_pages_with_one_page_sends_one_request() {
    let hub = hub().await;
    mount_page(&hub, MEMBERS, 1, 100, fixture("members/page-small.json"), 1).await;
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(usernames(&out), ["jonsnow", "arya", "samwell"]);
    assert_eq!(out["count"], 3);
    assert_eq!(
        out["paging"],
        json!({"page": 1, "page_size": 100, "pages_fetched": 1, "all_pages": true, "next_page": null, "previous_page": null})
    );
    assert_eq!(out["meta"]["requests"], 2);
}

#[tokio::test]
async fn list_members_all_pages_with_two_pages_fetches_both_in_order() {
    let hub = hub().await;
    let first = results_of("members/org-250-page-1.json");
    let last = results_of("members/org-250-page-3.json");
    mount_page(&hub, MEMBERS, 1, 100, page_body(Some(150), Some(&link(2)), None, &first), 1).await;
    mount_page(&hub, MEMBERS, 2, 100, page_body(Some(150), None, Some(&link(1)), &last), 1).await;
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    let expected: Vec<Value> = fixture("members/org-250.expected.json").as_array().unwrap().clone();
    let want: Vec<Value> = expected[..100].iter().chain(&expected[200..]).cloned().collect();
    assert_eq!(out["members"], Value::Array(want));
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(150), json!(150)));
    assert_eq!(out["paging"]["pages_fetched"], 2);
}

#[tokio::test]
async fn an_inflated_count_with_little_guest_memory_still_lists_what_exists() {
    // Page 1 claims 90 000 members: the output makes room for them only if it can. With a 6 MiB
    // memory cap that room cannot be had, and the listing must go on rather than trap; the page
    // past the real end answers 404 and ends the walk.
    let hub = hub().await;
    let first = results_of("members/org-250-page-1.json");
    mount_page(&hub, MEMBERS, 1, 100, page_body(Some(90_000), Some(&link(2)), None, &first), 1).await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Invalid page."})))
        .named("pages past the end")
        .mount(&hub.server)
        .await;
    let http = dockerhub_org_host::http::HttpConfig { real_sleep: false, ..Default::default() }
        .allow(&hub.url())
        .expect("test url");
    let config = dockerhub_org_host::RuntimeConfig { http, memory_bytes: 6 << 20, ..Default::default() };
    let runtime = Runtime::embedded(config).expect("runtime");
    let out = ok(&runtime, "list-members", r#"{"all_pages": true, "max_items": 100000}"#, &hub.secrets());
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(90_000), json!(100)));
}

#[tokio::test]
async fn list_members_all_pages_walks_a_250_member_org_over_three_pages() {
    let hub = hub().await;
    mount_org_250(&hub).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["members"], fixture("members/org-250.expected.json"), "every member, mapped, in page order");
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(250), json!(250)));
    assert_eq!(out["paging"]["pages_fetched"], 3);
    assert_eq!(out["meta"]["requests"], 4, "exchange + 3 pages");
    // Insights fields appear only for members that have them.
    assert_eq!(out["members"][0]["last_desktop_version"], "4.20.0");
    assert!(out["members"][2].get("last_seen_at").is_none(), "{}", out["members"][2]);
}

#[tokio::test]
async fn list_members_all_pages_of_an_empty_org_returns_no_members() {
    let hub = hub().await;
    mount_page(&hub, MEMBERS, 1, 100, one_page(&[]), 1).await;
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["members"], json!([]));
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(0), json!(0)));
    assert_eq!(out["paging"]["pages_fetched"], 1);
}

#[tokio::test]
async fn list_members_stops_a_next_that_never_ends_at_the_max_items_given() {
    let hub = hub().await;
    // Every page is full and says another follows; no count, so pages go one by one.
    for n in 1..=3 {
        mount_page(&hub, MEMBERS, n, 100, page_body(None, Some(&link(99)), None, &endless_page(n)), 1).await;
    }
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true, "max_items": 250}"#, &hub.secrets());
    assert_eq!((&out["returned"], &out["truncated"], &out["count"]), (&json!(250), &json!(true), &Value::Null));
    assert_eq!(
        out["members"][249]["username"],
        format!("{}-p3", results_of("members/org-250-page-1.json")[49]["username"].as_str().unwrap())
    );
    assert_eq!(out["paging"]["next_page"], 3, "member 251 is on page 3: {}", out["paging"]);
}

#[tokio::test]
async fn list_members_stops_a_next_that_never_ends_at_the_default_cap_with_an_error() {
    let hub = hub().await;
    // Without max_items the cap protects the call: it fails rather than return part as if whole.
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .and(query_param("page_size", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(
            None,
            Some(&link(99)),
            None,
            &endless_page(1),
        )))
        .named("the same page every time")
        .expect(2)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(kind, "invalid-response", "a page served twice is not the next page: {message}");
    assert!(message.contains("same items as page 1"), "{message}");
}

#[tokio::test]
async fn list_members_stops_a_next_that_never_ends_on_an_empty_page() {
    let hub = hub().await;
    for n in 1..=3 {
        mount_page(&hub, MEMBERS, n, 100, page_body(None, Some(&link(n + 1)), None, &endless_page(n)), 1).await;
    }
    // Page 4 is empty yet still claims a next page: the walk ends here, page 5 is never asked for.
    mount_page(&hub, MEMBERS, 4, 100, page_body(None, Some(&link(5)), Some(&link(3)), &[]), 1).await;
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["returned"], 300);
    assert_eq!(out["count"], Value::Null);
    assert_eq!(out["paging"]["pages_fetched"], 4);
    assert_eq!(out["meta"]["requests"], 5);
}

#[tokio::test]
async fn list_members_survives_a_count_higher_than_the_pages() {
    let hub = hub().await;
    // Docker says 400 but holds 250: pages 2 to 4 are asked for together; page 3 is the last
    // (no next) and page 4 does not exist.
    for n in 1..=3 {
        let mut body = fixture(&format!("members/org-250-page-{n}.json"));
        body["count"] = json!(400);
        mount_page(&hub, MEMBERS, n, 100, body, 1).await;
    }
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .and(query_param("page", "4"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Invalid page."})))
        .named("page past the end")
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["members"], fixture("members/org-250.expected.json"));
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(400), json!(250)));
    assert_eq!(out["paging"]["pages_fetched"], 3);
}

#[tokio::test]
async fn list_members_stops_once_it_holds_the_reported_count() {
    let hub = hub().await;
    // Docker says 150 but its pages name a next page past it: the batch plans one more page, and
    // the walk ends there, never asking for more than the count allows.
    for n in 1..=2 {
        let mut body = fixture(&format!("members/org-250-page-{n}.json"));
        body["count"] = json!(150);
        mount_page(&hub, MEMBERS, n, 100, body, 1).await;
    }
    let out = ok(&hub.runtime(), "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    let expected = fixture("members/org-250.expected.json");
    assert_eq!(out["members"].as_array().unwrap()[..], expected.as_array().unwrap()[..200]);
    assert_eq!((out["count"].clone(), out["returned"].clone()), (json!(150), json!(200)));
    assert_eq!(out["paging"]["pages_fetched"], 2);
    assert_eq!(out["meta"]["requests"], 3);
}

#[tokio::test]
async fn list_members_never_follows_a_next_link_to_another_host() {
    let hub = hub().await;
    let evil = |n: u32| format!("https://evil.example.net/v2/orgs/acme/members?page={n}&page_size=100");
    let first = results_of("members/org-250-page-1.json");
    let second = results_of("members/org-250-page-2.json");
    mount_page(&hub, MEMBERS, 1, 100, page_body(None, Some(&evil(2)), None, &first), 1).await;
    mount_page(&hub, MEMBERS, 2, 100, page_body(None, None, Some(&evil(1)), &second), 1).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["returned"], 200);
    let sent = runtime.http().sent();
    assert_eq!(sent.len(), 3, "exchange + 2 pages");
    for request in sent {
        assert!(request.url.starts_with(&hub.url()), "left the configured hub: {}", request.url);
        assert!(!request.url.contains("evil"), "{}", request.url);
    }
}

#[tokio::test]
async fn list_members_single_page_reports_the_neighbouring_pages() {
    let hub = hub().await;
    mount_page(&hub, MEMBERS, 2, 100, fixture("members/org-250-page-2.json"), 1).await;
    let out = ok(&hub.runtime(), "list-members", r#"{"page": 2, "page_size": 100}"#, &hub.secrets());
    assert_eq!(out["returned"], 100);
    assert_eq!(out["members"][0]["username"], fixture("members/org-250.expected.json")[100]["username"]);
    assert_eq!(out["paging"]["next_page"], 3);
    assert_eq!(out["paging"]["previous_page"], 1);
    assert_eq!(out["paging"]["pages_fetched"], 1);
}

// ---------------------------------------------------------------- input validation

#[test]
fn invalid_member_inputs_are_refused_before_any_request() {
    let cases: &[(&str, &str, &[&str])] = &[
        // Any other name may be a custom role (docker/docs PR 25996): Docker decides; a blank one
        // is refused here.
        ("list-members", r#"{"role": " "}"#, &["field \"role\"", "must be owner, editor, member or the name"]),
        ("list-members", r#"{"role": 3}"#, &["field \"role\""]),
        ("list-members", r#"{"page_size": 0}"#, &["\"page_size\" must be between 1 and 100 (got 0)"]),
        ("list-members", r#"{"page_size": 101}"#, &["\"page_size\" must be between 1 and 100 (got 101)"]),
        ("list-members", r#"{"type": "guests"}"#, &["field \"type\"", "`all`, `invitee`, `member`"]),
        ("list-members", r#"{"pgae": 2}"#, &["unknown field `pgae`", "`page`"]),
        (
            "update-member-role",
            r#"{"username": "jonsnow", "role": ""}"#,
            &["field \"role\"", "must be owner, editor, member or the name of one of the organization's custom roles"],
        ),
        (
            "update-member-role",
            r#"{"username": "jonsnow", "role": "a\u0007b"}"#,
            &["field \"role\"", "control characters"],
        ),
        ("update-member-role", r#"{"username": "jonsnow"}"#, &["missing field `role`"]),
        (
            "update-member-role",
            r#"{"username": "  ", "role": "member"}"#,
            &["update-member-role needs \"username\" or \"email\""],
        ),
        (
            "update-member-role",
            r#"{"username": "jonsnow", "role": "member", "email": "j@x.io"}"#,
            &["update-member-role takes either \"username\" or \"email\", not both"],
        ),
        ("update-member-role", r#"{"email": "jonsnow", "role": "member"}"#, &["\"email\" must be an email address"]),
        ("update-member-role", r#"{"user": "jonsnow", "role": "member"}"#, &["Use \"username\" instead of \"user\""]),
        ("remove-member", r#"{"username": ""}"#, &["remove-member needs \"username\" or \"email\""]),
        ("remove-member", "{}", &["remove-member needs \"username\" or \"email\""]),
        ("remove-member", r#"{"username": "jonsnow", "email": "jon.snow@example.com"}"#, &["not both"]),
        ("remove-member", r#"{"mail": "jon.snow@example.com"}"#, &["Use \"email\" instead of \"mail\""]),
        // `%2E%2E` is still a parent step to WHATWG URL parsers and to servers that decode first:
        // `DELETE /v2/orgs/acme/members/..` must never leave the guest.
        ("remove-member", r#"{"username": ".."}"#, &["\"username\" must not be \".\" or \"..\""]),
        ("remove-member", r#"{"username": "x/../../acme"}"#, &["\"username\" must not contain \"/\""]),
        ("update-member-role", r#"{"username": ".", "role": "member"}"#, &["\"username\" must not be"]),
        ("remove-member", r#"{"user": "jonsnow"}"#, &["unknown field `user`", "Use \"username\" instead of \"user\""]),
        ("remove-member", r#"{"username": "jonsnow", "dry_run": "yes"}"#, &["field \"dry_run\""]),
        ("get-member", "{}", &["get-member needs \"username\" or \"email\""]),
        ("get-member", r#"{"username": " "}"#, &["get-member needs \"username\" or \"email\""]),
        ("get-member", r#"{"username": "jonsnow", "email": "jon.snow@example.com"}"#, &["not both"]),
        ("get-member", r#"{"email": "jonsnow"}"#, &["\"email\" must be an email address"]),
        ("export-members", r#"{"format": "csv"}"#, &["unknown field `format`"]),
    ];
    for (action, input, needles) in cases {
        assert_refused_all(action, input, needles);
    }
}

// ---------------------------------------------------------------- get-member

fn member(username: &str, email: &str, role: &str) -> Value {
    json!({"username": username, "full_name": username.to_uppercase(), "email": email, "role": role,
           "groups": ["developers"], "is_guest": false, "date_joined": "2022-01-01T00:00:00Z", "type": "User"})
}

#[tokio::test]
async fn get_member_by_username_takes_only_the_exact_match() {
    let hub = hub().await;
    let found = [member("jonsnow2", "j2@example.com", "Member"), member("JonSnow", "jon.snow@example.com", "Owner")];
    member_search(&hub, "jonsnow", one_page(&found), 1).await;
    let out = ok(&hub.runtime(), "get-member", r#"{"username": " jonsnow "}"#, &hub.secrets());
    assert_eq!(out["matched_by"], "username");
    assert_eq!(out["member"]["username"], "JonSnow");
    assert_eq!(out["member"]["role"], "owner");
    assert_eq!(out["member"]["groups"], json!(["developers"]));
}

#[tokio::test]
async fn get_member_by_email_matches_exactly_ignoring_case() {
    let hub = hub().await;
    let found = [
        member("jonsnowden", "jon.snow@example.com.au", "Member"),
        member("jonsnow", "jon.snow@example.com", "Editor"),
    ];
    member_search(&hub, "Jon.Snow%40EXAMPLE.com", one_page(&found), 1).await;
    let out = ok(&hub.runtime(), "get-member", r#"{"email": "Jon.Snow@EXAMPLE.com"}"#, &hub.secrets());
    assert_eq!(out["matched_by"], "email");
    assert_eq!(out["member"]["username"], "jonsnow");
    assert_eq!(out["member"]["role"], "editor");
    assert_eq!(out["organization"], "acme");
}

#[tokio::test]
async fn get_member_by_email_never_returns_a_near_match() {
    let hub = hub().await;
    let found = [member("jonny", "jon@example.com.au", "Member"), member("ajon", "ajon@example.com", "Member")];
    member_search(&hub, "jon%40example.com", one_page(&found), 1).await;
    match call(&hub.runtime(), "get-member", r#"{"email": "jon@example.com"}"#, &hub.secrets()) {
        Ok(out) => panic!("a near match was returned: {out}"),
        Err(e) => {
            assert_eq!(dockerhub_org_host::runtime::error_kind(&e), "not-found");
            let message = dockerhub_org_host::runtime::error_message(&e);
            assert!(
                message.contains("No member of organization \"acme\" has the email \"jon@example.com\""),
                "{message}"
            );
            let detail: Value = serde_json::from_str(error_detail(&e).unwrap()).unwrap();
            assert_eq!(detail["searched"], "jon@example.com");
            assert_eq!(detail["near_matches"], json!(["jonny", "ajon"]));
        }
    }
}

#[tokio::test]
async fn get_member_with_two_exact_matches_lists_the_candidates() {
    let hub = hub().await;
    let found = [
        member("alice", "shared@example.com", "Member"),
        member("bob", "SHARED@example.com", "Owner"),
        member("carol", "carol@example.com", "Member"),
    ];
    member_search(&hub, "shared%40example.com", one_page(&found), 1).await;
    match call(&hub.runtime(), "get-member", r#"{"email": "shared@example.com"}"#, &hub.secrets()) {
        Ok(out) => panic!("an ambiguous email resolved: {out}"),
        Err(e) => {
            assert_eq!(dockerhub_org_host::runtime::error_kind(&e), "conflict");
            let message = dockerhub_org_host::runtime::error_message(&e);
            assert!(
                message.contains(
                    "2 members of organization \"acme\" match the email \"shared@example.com\": \"alice\", \"bob\""
                ),
                "{message}"
            );
            assert!(message.contains("Name one by username"), "{message}");
            let detail: Value = serde_json::from_str(error_detail(&e).unwrap()).unwrap();
            let names: Vec<&str> =
                detail["candidates"].as_array().unwrap().iter().map(|c| c["username"].as_str().unwrap()).collect();
            assert_eq!(names, ["alice", "bob"]);
        }
    }
}

// ---------------------------------------------------------------- update-member-role

/// The member listing's entry for catelynstark (an editor), from the 250-member fixture.
fn catelyn() -> Value {
    fixture("members/org-250-page-1.json")["results"][5].clone()
}

#[tokio::test]
async fn update_member_role_reads_the_member_then_puts_the_lower_case_role() {
    let hub = hub().await;
    member_search(&hub, "catelynstark", one_page(&[catelyn()]), 1).await;
    let mut answer = catelyn();
    answer["role"] = json!("Owner");
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/catelynstark"))
        .and(body_json(json!({"role": "owner"})))
        .and(header("authorization", bearer()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out =
        ok(&hub.runtime(), "update-member-role", r#"{"username": "catelynstark", "role": "owner"}"#, &hub.secrets());
    let mut expected = fixture("members/org-250.expected.json")[5].clone();
    expected["role"] = json!("owner");
    assert_eq!(out["member"], expected);
    assert_eq!(
        (&out["username"], &out["role"], &out["previous_role"]),
        (&json!("catelynstark"), &json!("owner"), &json!("editor"))
    );
    let body = json!({"role": "owner"});
    assert_one_step(&out, "PUT", "/v2/orgs/acme/members/catelynstark", Some(body), 200);
    assert_eq!(out["message"], "\"catelynstark\" is now owner.");
}

#[tokio::test]
async fn update_member_role_by_email_resolves_the_username() {
    let hub = hub().await;
    member_search(&hub, "Catelyn.Stark%40example.com", one_page(&[catelyn()]), 1).await;
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/catelynstark"))
        .and(body_json(json!({"role": "member"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(member("catelynstark", "x@example.com", "Member")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "update-member-role",
        r#"{"email": "Catelyn.Stark@example.com", "role": "member"}"#,
        &hub.secrets(),
    );
    assert_eq!(out["username"], "catelynstark");
    assert_one_step(&out, "PUT", "/v2/orgs/acme/members/catelynstark", Some(json!({"role": "member"})), 200);
}

#[tokio::test]
async fn update_member_role_when_the_role_is_already_set_sends_no_put() {
    let hub = hub().await;
    member_search(&hub, "catelynstark", one_page(&[catelyn()]), 1).await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200))
        .named("role update (must not be sent)")
        .expect(0)
        .mount(&hub.server)
        .await;
    let out =
        ok(&hub.runtime(), "update-member-role", r#"{"username": "catelynstark", "role": "editor"}"#, &hub.secrets());
    assert_unchanged(&out);
    // What held: the member as read, with the role that was already set.
    assert_eq!(
        (&out["dry_run"], &out["member"]["username"], &out["member"]["role"]),
        (&json!(false), &json!("catelynstark"), &json!("editor"))
    );
    assert_eq!(out["message"], "\"catelynstark\" is already editor: nothing to change.");
}

#[tokio::test]
async fn update_member_role_dry_run_reads_and_plans_but_sends_no_put() {
    let hub = hub().await;
    member_search(&hub, "catelynstark", one_page(&[catelyn()]), 1).await;
    let out = ok(
        &hub.runtime(),
        "update-member-role",
        r#"{"username": "catelynstark", "role": "member", "dry_run": true}"#,
        &hub.secrets(),
    );
    assert_dry_run(&out, "PUT", "/v2/orgs/acme/members/catelynstark");
    assert_eq!(out["plan"][0]["body"], json!({"role": "member"}));
    assert!(hub.received().await.iter().all(|r| r.method.as_str() != "PUT"));
}

#[tokio::test]
async fn update_member_role_sends_editor_although_the_schema_enum_lacks_it() {
    let hub = hub().await;
    member_search(&hub, "arya", one_page(&[member("arya", "arya@example.com", "Member")]), 1).await;
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/arya"))
        .and(body_json(json!({"role": "editor"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(member("arya", "arya@example.com", "Editor")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-member-role", r#"{"username": "arya", "role": "editor"}"#, &hub.secrets());
    assert_eq!(out["member"]["role"], "editor");
}

#[tokio::test]
async fn update_member_role_refusing_to_demote_the_last_owner_is_a_conflict() {
    let hub = hub().await;
    member_search(&hub, "jonsnow", one_page(&[member("jonsnow", "jon.snow@example.com", "Owner")]), 1).await;
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/jonsnow"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"detail": "Cannot change the role of the last owner"})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-member-role", r#"{"username": "jonsnow", "role": "member"}"#, &hub.secrets());
    assert_eq!(kind, "conflict");
    assert!(message.contains("change the role of \"jonsnow\" in organization \"acme\""), "{message}");
    assert!(message.contains("make another member an owner first"), "{message}");
}

#[tokio::test]
async fn update_member_role_by_a_non_owner_token_is_forbidden_naming_the_permission() {
    let hub = hub().await;
    member_search(&hub, "arya", one_page(&[member("arya", "arya@example.com", "Editor")]), 1).await;
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/arya"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "Only owners can use this endpoint"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-member-role", r#"{"username": "arya", "role": "member"}"#, &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(
        message.contains("\"Member Edit\" permission") && message.contains("Only owners can use this endpoint"),
        "{message}"
    );
}

#[tokio::test]
async fn update_member_role_for_an_unknown_member_is_not_found_without_a_put() {
    let hub = hub().await;
    // Docker's fuzzy search finds a near match only.
    member_search(&hub, "nobody", one_page(&[member("nobody2", "n2@example.com", "Member")]), 1).await;
    let (kind, message) =
        err(&hub.runtime(), "update-member-role", r#"{"username": "nobody", "role": "member"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("No member of organization \"acme\" has the username \"nobody\""), "{message}");
}

#[tokio::test]
async fn a_404_to_the_role_update_is_not_found_naming_the_member() {
    let hub = hub().await;
    member_search(&hub, "arya", one_page(&[member("arya", "arya@example.com", "Member")]), 1).await;
    Mock::given(method("PUT"))
        .and(path("/v2/orgs/acme/members/arya"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "member not found"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-member-role", r#"{"username": "arya", "role": "owner"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("member \"arya\" of organization \"acme\""), "{message}");
}

// ---------------------------------------------------------------- remove-member

/// Mounts `DELETE /v2/orgs/acme/members/<username>` answering `status`, expected `times` times.
async fn mount_removal(hub: &Hub, username: &str, status: u16, times: u64) {
    Mock::given(method("DELETE"))
        .and(path(format!("{MEMBERS}/{username}")))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(status))
        .expect(times)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn remove_member_finds_the_member_then_deletes() {
    let hub = hub().await;
    member_search(&hub, "samwell", one_page(&[member("samwell", "sam@example.com", "Member")]), 1).await;
    mount_removal(&hub, "samwell", 204, 1).await;
    let out = ok(&hub.runtime(), "remove-member", r#"{"username": "samwell"}"#, &hub.secrets());
    assert_eq!((&out["organization"], &out["person"]), (&json!("acme"), &json!("samwell")));
    assert_eq!(out["member"]["email"], "sam@example.com");
    assert_one_step(&out, "DELETE", "/v2/orgs/acme/members/samwell", None, 204);
    assert_eq!(out["message"], "\"samwell\" was removed from organization \"acme\".");
}

#[tokio::test]
async fn remove_member_by_email_deletes_the_matching_username() {
    let hub = hub().await;
    member_search(&hub, "sam%40example.com", one_page(&[member("samwell", "SAM@example.com", "Member")]), 1).await;
    mount_removal(&hub, "samwell", 204, 1).await;
    let out = ok(&hub.runtime(), "remove-member", r#"{"email": "sam@example.com"}"#, &hub.secrets());
    assert_eq!(out["person"], "sam@example.com");
    assert_one_step(&out, "DELETE", "/v2/orgs/acme/members/samwell", None, 204);
}

#[tokio::test]
async fn removing_someone_who_is_not_a_member_is_not_found_with_near_matches_and_sends_no_delete() {
    let hub = hub().await;
    let runtime = hub.runtime();
    member_search(&hub, "samwell", one_page(&[member("samwell2", "s2@example.com", "Member")]), 2).await;
    let e = call(&runtime, "remove-member", r#"{"username": "samwell"}"#, &hub.secrets()).unwrap_err();
    let detail: Value = serde_json::from_str(error_detail(&e).unwrap()).unwrap();
    assert_eq!(detail["near_matches"], json!(["samwell2"]), "{detail}");
    assert_eq!(detail["searched"], "samwell");
    // With missing_ok the same call is a success that says nobody was there.
    let out = ok(&runtime, "remove-member", r#"{"username": "samwell", "missing_ok": true}"#, &hub.secrets());
    assert_unchanged(&out);
    assert_eq!((&out["member"], &out["found"]), (&Value::Null, &json!(false)));
    assert!(out["message"].as_str().unwrap().contains("nothing to remove"), "{out}");
}

#[tokio::test]
async fn a_second_identical_remove_member_answered_404_is_changed_false() {
    let hub = hub().await;
    // The listing is stale: it still shows samwell, whom Docker has already removed (404).
    member_search(&hub, "samwell", one_page(&[member("samwell", "sam@example.com", "Member")]), 2).await;
    mount_delete_once(&hub, &format!("{MEMBERS}/samwell"), "Not found.").await;
    let runtime = hub.runtime();
    let first = ok(&runtime, "remove-member", r#"{"username": "samwell"}"#, &hub.secrets());
    assert_one_step(&first, "DELETE", "/v2/orgs/acme/members/samwell", None, 204);
    // Found by the (stale) read, gone at the write: removed in between, nothing changed.
    let second = ok(&runtime, "remove-member", r#"{"username": "samwell"}"#, &hub.secrets());
    assert_eq!((&second["changed"], &second["found"]), (&json!(false), &json!(true)), "{second}");
    assert_eq!(
        (&second["completed"][0]["status"], &second["completed"][0]["outcome"]),
        (&json!(404), &json!("already-done"))
    );
    assert!(second["message"].as_str().unwrap().contains("someone else removed it"), "{second}");
}

#[tokio::test]
async fn remove_member_dry_run_finds_the_member_and_sends_no_delete() {
    let hub = hub().await;
    member_search(&hub, "samwell", one_page(&[member("samwell", "sam@example.com", "Member")]), 1).await;
    mount_removal(&hub, "samwell", 204, 0).await;
    let out = ok(&hub.runtime(), "remove-member", r#"{"username": "samwell", "dry_run": true}"#, &hub.secrets());
    assert_dry_run(&out, "DELETE", "/v2/orgs/acme/members/samwell");
}

#[tokio::test]
async fn remove_member_refusing_the_last_owner_is_a_conflict_saying_what_to_do() {
    for (status, said) in [
        (400, "Cannot remove the last owner of the organization"),
        (403, "The organization must have at least one owner"),
        (409, "jonsnow is the last remaining owner"),
    ] {
        let hub = hub().await;
        member_search(&hub, "jonsnow", one_page(&[member("jonsnow", "jon.snow@example.com", "Owner")]), 1).await;
        Mock::given(method("DELETE"))
            .and(path("/v2/orgs/acme/members/jonsnow"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"errinfo": {}, "detail": said, "message": said})),
            )
            .expect(1)
            .mount(&hub.server)
            .await;
        match call(&hub.runtime(), "remove-member", r#"{"username": "jonsnow"}"#, &hub.secrets()) {
            Ok(out) => panic!("{status}: removal reported success: {out}"),
            Err(e) => {
                assert_eq!(dockerhub_org_host::runtime::error_kind(&e), "conflict", "{status}");
                let message = dockerhub_org_host::runtime::error_message(&e);
                assert!(message.contains("refused to remove \"jonsnow\" from organization \"acme\""), "{message}");
                assert!(message.contains("last owner"), "{message}");
                assert!(message.contains(&format!("Docker Hub answered {status}: \"{said}\"")), "{message}");
                assert!(
                    message.contains("make another member an owner first (update-member-role with role \"owner\")"),
                    "{message}"
                );
                let detail: Value = serde_json::from_str(error_detail(&e).unwrap()).unwrap();
                assert_eq!(detail["reason"], "last_owner");
                assert_eq!(detail["status"], status);
            }
        }
    }
}

#[tokio::test]
async fn remove_member_forbidden_without_owner_words_stays_forbidden() {
    let hub = hub().await;
    member_search(&hub, "samwell", one_page(&[member("samwell", "sam@example.com", "Member")]), 1).await;
    Mock::given(method("DELETE"))
        .and(path("/v2/orgs/acme/members/samwell"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "insufficient scope"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "remove-member", r#"{"username": "samwell"}"#, &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("\"Member Edit\" permission"), "{message}");
}

#[tokio::test]
async fn usernames_are_percent_encoded_path_segments() {
    let hub = hub().await;
    // "/" can no longer be part of a username (it would be a separator once decoded); the rest is encoded.
    let name = "a?b#c%d e";
    let encoded = "/v2/orgs/acme/members/a%3Fb%23c%25d%20e";
    member_search(&hub, "a%3Fb%23c%25d+e", one_page(&[member(name, "odd@example.com", "Editor")]), 2).await;
    Mock::given(method("DELETE"))
        .and(path(encoded))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("PUT"))
        .and(path(encoded))
        .and(body_json(json!({"role": "member"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(member(name, "odd@example.com", "Member")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let input = json!({"username": name, "role": "member"}).to_string();
    let out = ok(&runtime, "update-member-role", &input, &hub.secrets());
    assert_eq!(out["member"]["username"], name);
    let out = ok(&runtime, "remove-member", &json!({"username": name}).to_string(), &hub.secrets());
    assert_eq!(out["member"]["username"], name);
    for request in runtime.http().sent().iter().filter(|r| r.method == "PUT" || r.method == "DELETE") {
        assert_eq!(request.url, format!("{}{encoded}", hub.url()), "no query string, no extra segment");
    }
}

// ---------------------------------------------------------------- export-members

fn export_csv() -> String {
    let path = format!("{}/../fixtures/members/export.csv", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn mount_export(hub: &Hub, status: u16, body: impl Into<Vec<u8>>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members/export"))
        .and(header("accept", "text/csv"))
        .and(header("authorization", bearer()))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_raw(body.into(), content_type)
                .insert_header("content-disposition", "attachment;filename=\"acme-members-1700000000.csv\""),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn export_members_asks_for_csv_and_returns_structured_rows() {
    let hub = hub().await;
    mount_export(&hub, 200, export_csv(), "text/csv").await;
    let out = ok(&hub.runtime(), "export-members", "{}", &hub.secrets());
    assert_eq!(out["members"], fixture("members/export.expected.json"));
    assert_eq!(out["count"], 253);
    assert_eq!(out["columns"], json!(["Name", "Username", "Email", "Type", "Permission", "Teams", "Date Joined"]));
    assert_eq!(out["members"][0]["name"], "Snow, Jon", "a quoted comma stays in its field");
    assert_eq!(out["members"][0]["teams"], json!(["owners", "developers"]));
}

#[tokio::test]
async fn export_members_tolerates_a_bom_crlf_and_extra_columns_in_any_order() {
    let hub = hub().await;
    let csv = "\u{feff}Username,Email,Name,Department,Type,Permission,Teams,Date Joined\r\n\
jonsnow,jon.snow@example.com,Jon Snow,Night's Watch,User,Owner,\"owners, developers\",2020-01-01 15:00:51.193355 +0000 UTC\r\n\
,invitee@example.com,,,Invitee,Member,,\r\n";
    mount_export(&hub, 200, csv, "text/csv; charset=utf-8").await;
    let out = ok(&hub.runtime(), "export-members", "", &hub.secrets());
    assert_eq!(
        out["members"],
        json!([
            {"name": "Jon Snow", "username": "jonsnow", "email": "jon.snow@example.com", "type": "User", "permission": "owner",
             "teams": ["owners", "developers"], "date_joined": "2020-01-01 15:00:51.193355 +0000 UTC"},
            {"name": null, "username": null, "email": "invitee@example.com", "type": "Invitee", "permission": "member",
             "teams": [], "date_joined": null}
        ])
    );
    assert_eq!(out["columns"][0], "Username");
}

#[tokio::test]
async fn export_members_refuses_a_body_that_is_not_the_csv() {
    for (body, reason) in [
        ("<html><body>Service Unavailable</body></html>", "no \"Username\" column"),
        ("Name,Username,Email\nJon,jonsnow,jon@example.com\nArya,arya\n", "row 3 could not be read"),
    ] {
        let hub = hub().await;
        mount_export(&hub, 200, body, "text/csv").await;
        let (kind, message) = err(&hub.runtime(), "export-members", "{}", &hub.secrets());
        assert_eq!(kind, "invalid-response", "{message}");
        assert!(message.contains(reason), "{message}");
        assert!(message.contains("member export of organization \"acme\""), "{message}");
    }
}
