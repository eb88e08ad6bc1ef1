//! The call's limits as the client applies them: the request budget, the read budget, bodies too
//! dense to read, and the host's deadline, each ending a walk with how far it got.

use super::super::budget::{MAX_READ_BYTES, MAX_REQUESTS, MAX_VALUES_PER_RESPONSE};
use super::super::paging::PageSpec;
use super::*;
use crate::api::{Endpoint, Page};
use crate::error::{Error, ErrorKind};

const MEMBERS: &str = "/v2/orgs/acme/members";

fn page_request(page: u32) -> Endpoint<Page<Value>> {
    request(Method::Get, MEMBERS).query("page", page).query("page_size", 1).into()
}

fn route(page: u32) -> String {
    format!("GET {MEMBERS}?page={page}&page_size=1")
}

/// A page with one item (`padding` bytes of an ignored field) and a next link.
fn one_item(page: u32, padding: usize) -> Answer {
    let next = format!("{BASE}{MEMBERS}?page={}", page + 1);
    ok_json(200, json!({ "next": next, "results": [{ "id": page, "padding": "x".repeat(padding) }] }))
}

/// Walks from page 1 with one item a page; the error it ends with.
fn walk_until_error(host: &ScriptedHost) -> Error {
    let client = client(host);
    let spec = PageSpec { start_page: 1, page_size: 1, max_items: 100_000, truncate: false };
    client.walk(spec, &page_request, &mut |_, _| Ok(())).unwrap_err()
}

fn detail_of(error: &Error) -> &Value {
    error.detail.as_ref().unwrap_or_else(|| panic!("no detail: {}", error.message))
}

#[test]
fn an_endless_listing_stops_at_the_request_budget_with_where_to_resume() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    for page in 1..MAX_REQUESTS {
        host.on(&route(page), [one_item(page, 0)]);
    }
    let error = walk_until_error(&host);
    assert_eq!(error.kind, ErrorKind::LimitExceeded, "{}", error.message);
    let detail = detail_of(&error);
    assert_eq!(detail["limit"], "requests");
    assert_eq!(detail["fetched_pages"], MAX_REQUESTS - 1, "{detail}");
    assert_eq!(detail["resume_page"], MAX_REQUESTS, "{detail}");
    assert_eq!(host.sent().len(), MAX_REQUESTS as usize, "the exchange and every page, nothing past the budget");
}

#[test]
fn a_listing_stops_at_the_read_budget_before_reading_the_page_past_it() {
    let padding = (4 << 20) - 1000;
    let pages = (MAX_READ_BYTES / padding as u64) as u32 + 1;
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    for page in 1..=pages {
        host.on(&route(page), [one_item(page, padding)]);
    }
    let error = walk_until_error(&host);
    let detail = detail_of(&error);
    assert_eq!((&error.kind, &detail["limit"]), (&ErrorKind::LimitExceeded, &json!("bytes-read")), "{detail}");
    assert_eq!(detail["fetched_pages"], pages - 1, "the page that passed the budget is not read: {detail}");
    assert_eq!(detail["resume_page"], pages, "{detail}");
}

#[test]
fn a_body_with_too_many_values_is_refused_unread() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    let body = format!(r#"{{"results":[{}0]}}"#, "0,".repeat(MAX_VALUES_PER_RESPONSE));
    host.on(&route(1), [Ok(HttpResponse { status: 200, headers: vec![], body: body.into_bytes() })]);
    let error = walk_until_error(&host);
    assert_eq!(error.kind, ErrorKind::InvalidResponse, "{}", error.message);
    assert!(error.message.contains("JSON values"), "{}", error.message);
}

#[test]
fn the_hosts_deadline_ends_a_walk_without_a_retry_and_names_the_deadline() {
    let host = ScriptedHost::new().secret(crate::connection::KEY_CALL_TIMEOUT, "45");
    host.exchange_gives(&jwt("a"));
    host.on(&route(1), [one_item(1, 0)]);
    host.on(&route(2), [Err(FetchError::DeadlineExceeded("no answer before the deadline".into()))]);
    let error = walk_until_error(&host);
    assert_eq!(error.kind, ErrorKind::LimitExceeded, "{}", error.message);
    assert!(error.message.contains("deadline of 45 s"), "{}", error.message);
    let detail = detail_of(&error);
    assert_eq!((&detail["limit"], &detail["value"]), (&json!("deadline"), &json!(45)), "{detail}");
    assert_eq!((&detail["fetched_pages"], &detail["resume_page"]), (&json!(1), &json!(2)), "{detail}");
    assert!(host.sleeps().is_empty(), "no backoff after the deadline");
    assert_eq!(host.hits(&route(2)), 1, "not sent again");
}

#[test]
fn the_retry_budget_is_cut_to_the_deadline() {
    // A 429 asking for 40 s: the 600 s retry budget would wait, the 30 s deadline does not.
    let host = ScriptedHost::new().budget_seconds(600).secret(crate::connection::KEY_CALL_TIMEOUT, "30");
    host.exchange_gives(&jwt("a"));
    host.on(&route(1), [too_many(40)]);
    let error = walk_until_error(&host);
    assert!(matches!(error.kind, ErrorKind::RateLimited { .. }), "{}", error.message);
    assert!(host.sleeps().is_empty());
}
