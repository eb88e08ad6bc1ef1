//! Activity through the real component against a mock Docker Hub: list-audit-logs (filters, date
//! validation, paging stop rules, the plan refusal), list-audit-actions, and sync-members on a
//! 1000-member organization with its request count asserted.

mod common;

use std::time::Instant;

use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

const LOGS: &str = "/v2/auditlogs/acme";
const MEMBERS: &str = "/v2/orgs/acme/members";

/// Path and query of every request the host sent, in order.
fn sent_paths(runtime: &dockerhub_org_host::Runtime, hub: &Hub) -> Vec<String> {
    runtime
        .http()
        .sent()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.url.strip_prefix(&hub.url()).unwrap_or(&r.url)))
        .collect()
}

/// The 60 mapped events the audit fixtures hold (25 + 25 + 10).
fn expected_events() -> Vec<Value> {
    fixture("auditlogs/events-60.expected.json").as_array().unwrap().clone()
}

/// Mounts audit-log page `page` (of size `size`) answering `body`, expected once.
async fn mount_logs_page(hub: &Hub, page: u32, size: u32, body: Value) {
    Mock::given(method("GET"))
        .and(path(LOGS))
        .and(query_param("page", page.to_string().as_str()))
        .and(query_param("page_size", size.to_string().as_str()))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .named(format!("audit logs page {page}"))
        .expect(1)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn list_audit_logs_passes_every_filter_in_utc_and_maps_one_page() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(LOGS))
        .and(query_param("action", "repo.tag.push"))
        .and(query_param("name", "acme/web"))
        .and(query_param("actor", "jonsnow"))
        .and(query_param("from", "2024-01-01T00:00:00Z"))
        .and(query_param("to", "2024-01-31T23:59:59Z"))
        .and(query_param("page", "1"))
        .and(query_param("page_size", "25"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("auditlogs/page-1.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = ok(
        &runtime,
        "list-audit-logs",
        r#"{"action": " repo.tag.push ", "name": "acme/web", "actor": "jonsnow",
            "from": "2024-01-01T01:00:00+01:00", "to": "2024-01-31T23:59:59Z"}"#,
        &hub.secrets(),
    );
    assert_eq!(
        sent_paths(&runtime, &hub)[1],
        "GET /v2/auditlogs/acme?action=repo.tag.push&name=acme%2Fweb&actor=jonsnow\
&from=2024-01-01T00%3A00%3A00Z&to=2024-01-31T23%3A59%3A59Z&page=1&page_size=25"
    );
    assert_eq!(out["events"], Value::Array(expected_events()[..25].to_vec()));
    assert_eq!(out["returned"], 25);
    assert_eq!(
        out["filters"],
        json!({"action": "repo.tag.push", "name": "acme/web", "actor": "jonsnow",
               "from": "2024-01-01T00:00:00Z", "to": "2024-01-31T23:59:59Z"})
    );
    assert_eq!(
        out["paging"],
        json!({"page": 1, "page_size": 25, "pages_fetched": 1, "all_pages": false, "next_page": 2, "previous_page": null})
    );
    assert_eq!(out["meta"]["requests"], 2, "one exchange, one page");
}

#[tokio::test]
async fn one_audit_page_maps_docker_fields_and_says_when_there_is_no_next_page() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(LOGS))
        .and(query_param("page", "3"))
        .and(query_param("page_size", "25"))
        .and(query_param_is_missing("from"))
        .and(query_param_is_missing("action"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("auditlogs/page-3.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-audit-logs", r#"{"page": 3}"#, &hub.secrets());
    assert_eq!(
        out["events"][0],
        json!({
            "account": "acme", "action": "member.removed", "name": "contractor50", "actor": "samwell",
            "data": {"member": "contractor50"}, "timestamp": "2024-01-16T17:10:00Z",
            "description": "removed contractor50 from the organization acme"
        })
    );
    assert_eq!(out["events"][1]["data"]["tag"], "v1.51");
    assert_eq!(
        out["events"][1]["description"],
        "pushed the tag v1.51 with the digest sha256:000000000000 to the repository acme/web"
    );
    assert_eq!(out["returned"], 10);
    assert_eq!(out["paging"]["next_page"], Value::Null, "a short page is the last");
    assert_eq!(out["paging"]["previous_page"], 2);
}

#[tokio::test]
async fn all_pages_stops_on_a_short_page() {
    let hub = hub().await;
    for page in 1..=3 {
        mount_logs_page(&hub, page, 25, fixture(&format!("auditlogs/page-{page}.json"))).await;
    }
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-audit-logs", r#"{"all_pages": true, "page_size": 25}"#, &hub.secrets());
    assert_eq!(out["events"], Value::Array(expected_events()));
    assert_eq!(out["returned"], 60);
    assert_eq!(out["paging"]["pages_fetched"], 3);
    assert_eq!(out["paging"]["next_page"], Value::Null);
    assert_eq!(
        sent_paths(&runtime, &hub)[1..],
        [
            "GET /v2/auditlogs/acme?page=1&page_size=25",
            "GET /v2/auditlogs/acme?page=2&page_size=25",
            "GET /v2/auditlogs/acme?page=3&page_size=25",
        ]
    );
}

#[tokio::test]
async fn all_pages_on_an_exact_multiple_stops_on_the_empty_page_after() {
    let hub = hub().await;
    mount_logs_page(&hub, 1, 25, fixture("auditlogs/page-1.json")).await;
    mount_logs_page(&hub, 2, 25, fixture("auditlogs/page-2.json")).await;
    mount_logs_page(&hub, 3, 25, fixture("auditlogs/empty.json")).await;
    let out = ok(&hub.runtime(), "list-audit-logs", r#"{"all_pages": true, "page_size": 25}"#, &hub.secrets());
    assert_eq!(out["events"], Value::Array(expected_events()[..50].to_vec()));
    assert_eq!(out["paging"]["pages_fetched"], 3, "two full pages, then the empty one that ends the walk");
    assert_eq!(out["meta"]["requests"], 4);
}

#[tokio::test]
async fn all_pages_on_an_empty_log_makes_one_request() {
    let hub = hub().await;
    mount_logs_page(&hub, 1, 100, json!({"logs": []})).await;
    let out = ok(&hub.runtime(), "list-audit-logs", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["events"], json!([]));
    assert_eq!(out["paging"]["page_size"], 100, "all_pages asks for Docker's largest page");
    assert_eq!(out["paging"]["pages_fetched"], 1);
}

#[tokio::test]
async fn all_pages_stops_at_the_max_items_given_and_says_where_to_continue() {
    let hub = hub().await;
    mount_logs_page(&hub, 1, 25, fixture("auditlogs/page-1.json")).await;
    mount_logs_page(&hub, 2, 25, fixture("auditlogs/page-2.json")).await;
    let out = ok(
        &hub.runtime(),
        "list-audit-logs",
        r#"{"all_pages": true, "page_size": 25, "max_items": 30}"#,
        &hub.secrets(),
    );
    assert_eq!((&out["returned"], &out["truncated"]), (&json!(30), &json!(true)), "{}", out["paging"]);
    let page_2 = fixture("auditlogs/page-2.json");
    assert_eq!(out["events"][29]["action"], page_2["logs"][4]["action"], "the first 30 events, in order");
    assert_eq!(out["paging"]["next_page"], 2, "event 31 is on page 2: {}", out["paging"]);
}

#[test]
fn bad_dates_and_paging_are_refused_by_name_before_any_request() {
    let cases = [
        // A date alone is midnight UTC (`2024-01-01`); one written otherwise is refused.
        (r#"{"from": "2024-1-1"}"#, "\"from\" must be an RFC 3339 date-time"),
        (r#"{"from": "2024-02-30"}"#, "\"from\""),
        (r#"{"to": "31/01/2024 10:00"}"#, "\"to\" must be an RFC 3339 date-time"),
        (r#"{"from": "2024-02-30T00:00:00Z"}"#, "\"from\" must be an RFC 3339 date-time"),
        // 00:10+01:00 on 1 February is 23:10Z on 31 January: before `from`, whatever the dates read.
        (
            r#"{"from": "2024-01-31T23:30:00Z", "to": "2024-02-01T00:10:00+01:00"}"#,
            "\"from\" (2024-01-31T23:30:00Z) is after \"to\" (2024-02-01T00:10:00+01:00)",
        ),
        (r#"{"page_size": 101}"#, "\"page_size\" must be between 1 and 100"),
        (r#"{"page": 0}"#, "\"page\" must be between 1 and 1000000"),
        (r#"{"from": 20240101}"#, "field \"from\""),
        (r#"{"since": "2024-01-01T00:00:00Z"}"#, "unknown field `since`"),
    ];
    // Invalid input sends nothing, not even the token exchange.
    for (input, expected) in cases {
        assert_refused("list-audit-logs", input, expected);
    }
}

#[tokio::test]
async fn a_402_from_audit_logs_says_a_team_or_business_plan_is_needed() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(LOGS))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"detail": "payment required"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-audit-logs", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.starts_with("Audit logs require a Docker Team or Business plan"), "{message}");
    assert!(message.contains("organization \"acme\" (402)"), "{message}");
    assert!(message.contains("Docker Hub said: \"payment required\""), "{message}");
}

#[tokio::test]
async fn a_403_that_speaks_of_the_plan_says_a_team_or_business_plan_is_needed() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(LOGS))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"detail": "Audit logs are not available on your current subscription"})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-audit-logs", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.starts_with("Audit logs require a Docker Team or Business plan"), "{message}");
    assert!(!message.contains("Activity Read"), "{message}");
}

#[tokio::test]
async fn a_plain_403_from_audit_logs_names_the_audit_log_read_permission() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(LOGS))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "access denied"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-audit-logs", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("It needs the \"Audit Log Read\" permission (scope-activity-read)"), "{message}");
    assert!(!message.contains("Team or Business"), "{message}");
}

#[tokio::test]
async fn list_audit_actions_returns_stable_groups() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/auditlogs/acme/actions"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("auditlogs/actions.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-audit-actions", "{}", &hub.secrets());
    // The fixture lists "repo" before "org": the output is in key order whatever Docker's order.
    assert_eq!(without_meta(out), fixture("auditlogs/actions.expected.json"));
    assert_eq!(sent_paths(&runtime, &hub)[1], "GET /v2/auditlogs/acme/actions");
}

#[tokio::test]
async fn list_audit_actions_maps_the_plan_refusal_too() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/auditlogs/acme/actions"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"message": "upgrade required"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-audit-actions", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("Team or Business plan"), "{message}");
}

#[test]
fn list_audit_actions_takes_no_fields() {
    assert_refused("list-audit-actions", r#"{"group": "org"}"#, "unknown field `group`");
}

/// Member `i` of a generated organization: 10 owners, 90 editors, the rest members; every 25th a
/// guest; even ones have insights (last seen).
fn generated_member(i: usize) -> Value {
    let role = if i.is_multiple_of(100) {
        "Owner"
    } else if i.is_multiple_of(10) {
        "Editor"
    } else {
        "Member"
    };
    let mut m = json!({
        "username": format!("user{i:04}"),
        "full_name": format!("User {i}"),
        "email": format!("user{i:04}@example.com"),
        "role": role,
        "groups": if i.is_multiple_of(3) { json!(["developers"]) } else { json!([]) },
        "is_guest": i.is_multiple_of(25),
        "date_joined": "2023-05-01T12:00:00Z",
        "type": "User",
        "id": format!("{i:032x}"),
    });
    if i.is_multiple_of(2) {
        m["last_seen_at"] = json!("2024-01-30T08:00:00Z");
    }
    m
}

/// Page `page` (100 per page) of an organization of `total` members, as Docker answers it.
fn generated_page(page: usize, total: usize) -> Value {
    let start = (page - 1) * 100;
    let end = (start + 100).min(total);
    let next =
        (end < total).then(|| format!("https://hub.docker.com/v2/orgs/acme/members?page={}&page_size=100", page + 1));
    let previous =
        (page > 1).then(|| format!("https://hub.docker.com/v2/orgs/acme/members?page={}&page_size=100", page - 1));
    json!({
        "count": total,
        "next": next,
        "previous": previous,
        "results": (start..end).map(generated_member).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn sync_members_reads_1000_members_in_exactly_10_page_requests() {
    let hub = hub().await;
    for page in 1..=10 {
        Mock::given(method("GET"))
            .and(path(MEMBERS))
            .and(query_param("page", page.to_string().as_str()))
            .and(query_param("page_size", "100"))
            .and(query_param("type", "member"))
            .and(query_param_is_missing("invites"))
            .and(header("authorization", bearer()))
            .respond_with(ResponseTemplate::new(200).set_body_json(generated_page(page, 1000)))
            .named(format!("members page {page}"))
            .expect(1)
            .mount(&hub.server)
            .await;
    }
    let runtime = hub.runtime();
    let started = Instant::now();
    let out = ok(&runtime, "sync-members", "{}", &hub.secrets());
    let wall = started.elapsed();

    let sent = sent_paths(&runtime, &hub);
    let pages = sent.iter().filter(|s| s.starts_with("GET /v2/orgs/acme/members?")).count();
    let exchanges = sent.iter().filter(|s| s.as_str() == "POST /v2/auth/token").count();
    assert_eq!(pages, 10, "⌈1000/100⌉ page requests: {sent:?}");
    assert!(exchanges <= 1, "{sent:?}");
    assert_eq!(sent.len(), pages + exchanges, "nothing else is sent: {sent:?}");
    assert_eq!(out["meta"]["requests"], 11);
    eprintln!("sync-members, 1000 members: {} requests ({pages} pages + {exchanges} exchange) in {wall:?}", sent.len());

    let members = out["members"].as_array().unwrap();
    assert_eq!(members.len(), 1000);
    assert_eq!(out["count"], 1000);
    assert_eq!(out["pages_fetched"], 10);
    assert_eq!(out["include_invitees"], false);
    let usernames: Vec<&str> = members.iter().map(|m| m["username"].as_str().unwrap()).collect();
    assert_eq!(usernames[0], "user0000");
    assert_eq!(usernames[999], "user0999", "pages are kept in order");
    assert_eq!(
        out["summary"],
        json!({
            "total": 1000,
            "by_role": {"owner": 10, "editor": 90, "member": 900},
            "by_status": {"member": 1000, "invitee": 0},
            "guests": 40
        })
    );
    assert_eq!(
        members[0],
        json!({
            "username": "user0000", "full_name": "User 0", "email": "user0000@example.com", "role": "owner",
            "status": "member", "groups": ["developers"], "is_guest": true, "date_joined": "2023-05-01T12:00:00Z",
            "last_seen_at": "2024-01-30T08:00:00Z", "type": "User", "id": "00000000000000000000000000000000"
        })
    );
    assert!(members[1].get("last_seen_at").is_none(), "last seen only when Docker has it");
}

#[tokio::test]
async fn sync_members_with_invitees_asks_for_them_and_marks_their_status() {
    let hub = hub().await;
    let mut body = fixture("members/page-small.json");
    body["count"] = json!(4);
    body["results"].as_array_mut().unwrap().push(json!({
        "username": "", "email": "newcomer@example.com", "role": "Invitee", "groups": [], "is_guest": false,
        "date_joined": "2024-01-29T09:00:00Z"
    }));
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .and(query_param("type", "all"))
        .and(query_param("invites", "true"))
        .and(query_param("page", "1"))
        .and(query_param("page_size", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "sync-members", r#"{"include_invitees": true}"#, &hub.secrets());
    assert_eq!(out["include_invitees"], true);
    assert_eq!(out["pages_fetched"], 1, "a short first page is the only one");
    let invitee = &out["members"][3];
    assert_eq!(invitee["status"], "invitee");
    assert_eq!(invitee["username"], Value::Null);
    assert_eq!(invitee["email"], "newcomer@example.com");
    assert_eq!(out["members"][0]["status"], "member");
    assert_eq!(out["members"][0]["last_seen_at"], "2024-01-06T10:00:00.000000Z");
    assert_eq!(
        out["summary"],
        json!({
            "total": 4,
            "by_role": {"owner": 1, "editor": 1, "member": 1, "invitee": 1},
            "by_status": {"member": 3, "invitee": 1},
            "guests": 1
        })
    );
}

#[test]
fn sync_members_refuses_unknown_fields_and_bad_bounds_before_any_request() {
    assert_refused("sync-members", r#"{"page_size": 50}"#, "unknown field `page_size`");
    assert_refused("sync-members", r#"{"max_items": 0}"#, "\"max_items\" must be between 1 and 100000");
    assert_refused("sync-members", r#"{"include_invitees": "yes"}"#, "field \"include_invitees\"");
}
