//! Bounded in time, memory and effort: a hostile Docker Hub on loopback (wiremock answering from
//! code) tries to make one call run forever, read without end, or run the guest out of memory or
//! time. Every call must end within its deadline with a typed `limit-exceeded` (or
//! `invalid-response`) error that says how far it got, never a trap.
//!
//! The real component runs in wasmtime with the reference host's limits (256 MiB of memory, 30 s
//! of guest time, 8 MiB bodies); the numbers each test asserts are the guest's budgets
//! (`src/client/budget.rs`) and the host's deadline.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const MEMBERS: &str = "/v2/orgs/acme/members";

/// The guest's budgets, as `src/client/budget.rs` sets them.
const MAX_REQUESTS: u64 = 2_000;
const MAX_READ_BYTES: u64 = 64 << 20;

/// A runtime allowed to reach `hub` that really sleeps (deadlines are about wall time).
fn sleeping_runtime(hub: &Hub) -> Runtime {
    let http = HttpConfig::default().allow(&hub.url()).expect("test url");
    Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime")
}

/// Runs `action` expecting `limit-exceeded`; returns its message and parsed detail. A trap fails
/// the test (through `call`).
fn limit_exceeded(runtime: &Runtime, action: &str, input: &str, secrets: &Secrets) -> (String, Value) {
    match call(runtime, action, input, secrets) {
        Ok(text) => panic!("{action} succeeded but should have hit a limit: {}", &text[..text.len().min(300)]),
        Err(e) => {
            let detail: Value = serde_json::from_str(error_detail(&e).unwrap_or("null")).expect("detail is JSON");
            assert_eq!(error_kind(&e), "limit-exceeded", "{}: {detail}", error_message(&e));
            (error_message(&e).to_string(), detail)
        }
    }
}

/// Asserts a listing's progress in `detail` is consistent: whole pages, and resuming after them.
fn assert_progress(detail: &Value, page_size: u64) {
    let pages = detail["fetched_pages"].as_u64().unwrap_or_else(|| panic!("no fetched_pages: {detail}"));
    let items = detail["fetched_items"].as_u64().unwrap_or_else(|| panic!("no fetched_items: {detail}"));
    assert_eq!(detail["resume_page"].as_u64(), Some(pages + 1), "{detail}");
    assert_eq!(items, pages * page_size, "{detail}");
}

/// Pages of `per_page` members, each member carrying `padding` bytes in `field`, forever: every
/// page says there is a next one and no page gives a count.
struct EndlessPages {
    per_page: usize,
    field: &'static str,
    padding: usize,
    served: Arc<AtomicU64>,
}

impl wiremock::Respond for EndlessPages {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let page: u64 =
            request.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
        self.served.fetch_add(1, Ordering::SeqCst);
        let pad = "x".repeat(self.padding);
        let results: Vec<Value> = (0..self.per_page)
            .map(|i| {
                let mut member = json!({"id": format!("id-{page}-{i}"), "username": format!("user-{page}-{i}"),
                    "email": format!("u{page}-{i}@example.com"), "role": "member"});
                member[self.field] = Value::String(pad.clone());
                member
            })
            .collect();
        let next = format!("https://hub.docker.com{MEMBERS}?page={}", page + 1);
        ResponseTemplate::new(200).set_body_json(json!({"next": next, "previous": null, "results": results}))
    }
}

async fn endless(hub: &Hub, per_page: usize, field: &'static str, padding: usize) -> Arc<AtomicU64> {
    let served = Arc::new(AtomicU64::new(0));
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(EndlessPages { per_page, field, padding, served: served.clone() })
        .mount(&hub.server)
        .await;
    served
}

#[tokio::test]
async fn huge_values_on_every_page_end_at_the_read_budget_with_progress_not_out_of_memory() {
    // 100 members with 78 KB names per page: 7.8 MB a page, under the host's 8 MiB body cap. The
    // guest ran out of memory after 18 such pages before it counted what it read.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("huge").await;
    let served = endless(&hub, 100, "full_name", 78_000).await;
    let runtime = hub.runtime();
    let (message, detail) = limit_exceeded(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert!(["bytes-read", "output-bytes"].contains(&detail["limit"].as_str().unwrap_or("")), "{detail}");
    assert!(message.contains("MiB") && message.contains("page="), "{message}");
    assert_progress(&detail, 100);
    let pages = served.load(Ordering::SeqCst);
    assert!(pages * 7_800_000 <= MAX_READ_BYTES + 8_000_000, "read {pages} pages");
}

#[tokio::test]
async fn pages_of_ignored_padding_end_at_the_read_budget_not_out_of_time() {
    // One member and 8 MB of a field the guest ignores per page: under fuel metering (before epochs)
    // the host's budget ran out after 269 pages; the guest's read budget must end it first.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("pad").await;
    let served = endless(&hub, 1, "padding", 8_000_000).await;
    let runtime = hub.runtime();
    let (_, detail) = limit_exceeded(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(detail["limit"], "bytes-read", "{detail}");
    assert_eq!(detail["fetched_items"], detail["fetched_pages"], "one member a page: {detail}");
    assert_eq!(served.load(Ordering::SeqCst), MAX_READ_BYTES / 8_000_000 + 1);
}

#[tokio::test]
async fn one_item_per_page_forever_ends_at_the_request_budget() {
    // Each page has one member and a next link: 100 002 requests in one call before the budget.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("one").await;
    let served = endless(&hub, 1, "company", 1).await;
    let runtime = hub.runtime();
    let started = Instant::now();
    let (message, detail) =
        limit_exceeded(&runtime, "list-members", r#"{"all_pages": true, "max_items": 100000}"#, &hub.secrets());
    assert_eq!(detail["limit"], "requests", "{detail}");
    assert!(message.contains("2000 requests"), "{message}");
    assert_eq!(runtime.http().sent().len() as u64, MAX_REQUESTS, "the token exchange counts too");
    assert_eq!(served.load(Ordering::SeqCst), MAX_REQUESTS - 1);
    assert_eq!(detail["fetched_pages"].as_u64(), Some(MAX_REQUESTS - 1), "{detail}");
    assert!(started.elapsed() < Duration::from_secs(120), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_page_of_a_million_empty_objects_is_refused_before_it_is_read() {
    // `{}` is 3 bytes of text and hundreds of bytes once read: 2.6 million of them in one 8 MB
    // page would take gigabytes.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("dense").await;
    let body = format!(r#"{{"count": 1, "next": null, "results": [{}{{}}]}}"#, "{},".repeat(2_600_000));
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let (kind, message) = err(&runtime, "list-members", "{}", &hub.secrets());
    assert_eq!(kind, "invalid-response", "{message}");
    assert!(message.contains("JSON values"), "{message}");
}

#[tokio::test]
async fn a_slow_server_meets_the_deadline_and_the_call_ends_on_time() {
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("slow").await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(
            ResponseTemplate::new(200).set_delay(Duration::from_secs(20)).set_body_json(json!({"results": []})),
        )
        .mount(&hub.server)
        .await;
    let runtime = sleeping_runtime(&hub);
    let secrets = hub.secrets().with("call-timeout-seconds", "2");
    let started = Instant::now();
    let (message, detail) = limit_exceeded(&runtime, "list-members", "{}", &secrets);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(4), "took {took:?}");
    assert_eq!(detail["limit"], "deadline", "{detail}");
    assert_eq!(detail["value"], 2, "{detail}");
    assert!(message.contains("deadline of 2 s"), "{message}");
    // The timed-out GET is not retried: nothing is sent after the deadline.
    assert_eq!(runtime.http().sent().len(), 2, "token exchange and one GET");
}

/// A 429 whose `X-Retry-After` is `wait` seconds after its own `Date`.
fn too_many_requests(wait: u64) -> ResponseTemplate {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    ResponseTemplate::new(429)
        .insert_header("Date", httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now)).as_str())
        .insert_header("X-Retry-After", (now + wait).to_string().as_str())
        .set_body_json(json!({"detail": "too many requests"}))
}

#[tokio::test]
async fn a_wait_that_would_end_past_the_deadline_is_not_started() {
    // The call may take 2 s. Docker answers after 1.2 s with a 429 asking for 1 s: the guest's
    // retry budget allows the wait, but it would end past the deadline, so the host does not start
    // it, sends nothing more, and the call ends at once (a started wait would end at 2.2 s).
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("wait").await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(too_many_requests(1).set_delay(Duration::from_millis(1200)))
        .mount(&hub.server)
        .await;
    let runtime = sleeping_runtime(&hub);
    let secrets = hub.secrets().with("call-timeout-seconds", "2").with("retry-budget-seconds", "600");
    let started = Instant::now();
    let (_, detail) = limit_exceeded(&runtime, "list-members", "{}", &secrets);
    let took = started.elapsed();
    assert_eq!(detail["limit"], "deadline", "{detail}");
    assert!(took < Duration::from_secs(2), "a wait past the deadline was started: {took:?}");
    assert_eq!(runtime.http().sleeps(), vec![1000], "the guest asked for Docker's wait");
    let gets = runtime.http().sent().iter().filter(|r| r.method == "GET").count();
    assert_eq!(gets, 1, "nothing is sent once the deadline is given up on");
}

#[tokio::test]
async fn the_retry_budget_never_outlasts_the_deadline() {
    // A 429 asking for 50 s: the retry budget (600 s) would allow it, the deadline (5 s) does not,
    // so the guest gives up at once as rate-limited, with Docker's time, instead of waiting.
    let hub = Hub::start_isolated().await;
    hub.token_exchange_any("budget").await;
    Mock::given(method("GET")).and(path(MEMBERS)).respond_with(too_many_requests(50)).mount(&hub.server).await;
    let runtime = sleeping_runtime(&hub);
    let secrets = hub.secrets().with("call-timeout-seconds", "5").with("retry-budget-seconds", "600");
    let started = Instant::now();
    let (kind, message) = err(&runtime, "list-members", "{}", &secrets);
    assert_eq!(kind, "rate-limited", "{message}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(runtime.http().sleeps().is_empty(), "no wait was asked for");
}

#[tokio::test]
async fn a_deadline_that_is_not_a_number_of_seconds_is_refused_by_name() {
    let hub = Hub::start().await;
    let runtime = hub.runtime();
    for bad in ["0", "-5", "two", "86401"] {
        let secrets = hub.secrets().with("call-timeout-seconds", bad);
        let (kind, message) = err(&runtime, "list-members", "{}", &secrets);
        assert_eq!(kind, "invalid-input", "{bad}: {message}");
        assert!(message.contains("call-timeout-seconds"), "{message}");
    }
    assert_nothing_sent(&runtime);
}
