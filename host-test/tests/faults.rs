//! The fault matrix: a read (get-team), a write (create-team) and a paged listing (list-members
//! all_pages) against every way Docker Hub or the network can fail, through the real component
//! (and two faults of one target each: a 2xx with an unreadable body to the write, a page without
//! results in the listing).
//! Each cell asserts the typed error kind (or the correct result), how many times the faulty
//! endpoint was hit (no retry storms, no repeated POST), the pauses the guest asked for, that a
//! listing interrupted on page 2 says how far it got and where to resume, and that no secret left
//! home.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{ActionError, error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockBuilder, ResponseTemplate};

const GROUP: &str = "/v2/orgs/acme/groups/developers";
const GROUPS: &str = "/v2/orgs/acme/groups";
const MEMBERS: &str = "/v2/orgs/acme/members";
/// The host's whole-request timeout in these tests.
const TIMEOUT: Duration = Duration::from_millis(300);
/// The host's body cap in these tests.
const BODY_CAP: u64 = 1024 * 1024;
/// Backoff pauses of three retries of an idempotent request (250 ms doubling).
const BACKOFF: [u32; 3] = [250, 500, 1000];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// get-team by name: one GET.
    Read,
    /// create-team: one POST, never repeated after a 5xx or timeout.
    Write,
    /// list-members all_pages: page 1 succeeds (count 200), the fault is on page 2.
    Paged,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    BadRequest,
    UnauthorizedTwice,
    PatRefused,
    ScopeMissing,
    NotFound,
    Conflict,
    RateLimitedShort,
    RateLimitedLong,
    Status500,
    Status502,
    Status503,
    ConnectionRefused,
    Timeout,
    HtmlBody,
    TruncatedJson,
    WrongShape,
    HugeBody,
    ForeignNext,
    /// The answer comes after the call's deadline (1 s here) has passed.
    PastDeadline,
    /// A small body with more JSON values than one answer may hold.
    DenseBody,
    /// A 2xx whose body cannot be read (`201 not json`): the write was carried out (issue 25).
    UnreadableBody,
    /// A listing page without its `results` array (`200 {}`): not an empty page (issue 25).
    PageWithoutResults,
}

const TARGETS: [Target; 3] = [Target::Read, Target::Write, Target::Paged];
const FAULTS: [Fault; 22] = [
    Fault::BadRequest,
    Fault::UnauthorizedTwice,
    Fault::PatRefused,
    Fault::ScopeMissing,
    Fault::NotFound,
    Fault::Conflict,
    Fault::RateLimitedShort,
    Fault::RateLimitedLong,
    Fault::Status500,
    Fault::Status502,
    Fault::Status503,
    Fault::ConnectionRefused,
    Fault::Timeout,
    Fault::HtmlBody,
    Fault::TruncatedJson,
    Fault::WrongShape,
    Fault::HugeBody,
    Fault::ForeignNext,
    Fault::PastDeadline,
    Fault::DenseBody,
    Fault::UnreadableBody,
    Fault::PageWithoutResults,
];

/// Whether the matrix has a cell for `fault` on `target`: every fault on every target, but for the
/// two faults that are about one target only (an unreadable answer to a write, a listing page
/// without results).
fn applies(target: Target, fault: Fault) -> bool {
    match fault {
        Fault::UnreadableBody => target == Target::Write,
        Fault::PageWithoutResults => target == Target::Paged,
        _ => true,
    }
}

/// What one cell must produce.
#[derive(Debug)]
struct Expect {
    /// `None`: success; else the WIT error case.
    kind: Option<&'static str>,
    /// Requests to the faulty endpoint.
    hits: usize,
    /// Token exchanges attempted.
    exchanges: usize,
    /// Pauses asked of the host, in order.
    sleeps: Vec<u32>,
    /// Words the error message must contain.
    says: &'static [&'static str],
    /// Members a successful listing returns.
    returned: Option<u64>,
}

fn fail(kind: &'static str, hits: usize, says: &'static [&'static str]) -> Expect {
    Expect { kind: Some(kind), hits, exchanges: 1, sleeps: vec![], says, returned: None }
}

fn success(hits: usize, returned: Option<u64>) -> Expect {
    Expect { kind: None, hits, exchanges: 1, sleeps: vec![], says: &[], returned }
}

/// Whether `fault` is a 2xx whose body cannot be read: for a write, Docker carried it out.
fn unreadable_2xx(fault: Fault) -> bool {
    matches!(
        fault,
        Fault::HtmlBody | Fault::TruncatedJson | Fault::WrongShape | Fault::DenseBody | Fault::UnreadableBody
    )
}

/// The documented outcome of `fault` on `target`.
fn expected(target: Target, fault: Fault) -> Expect {
    let idempotent = target != Target::Write;
    let ok_returned = if target == Target::Paged { Some(200) } else { None };
    match fault {
        // The team was created: a success with a warning, its id from one read of the team.
        _ if target == Target::Write && unreadable_2xx(fault) => success(1, None),
        Fault::BadRequest => fail("invalid-input", 1, &["(400)", "bad field"]),
        Fault::UnauthorizedTwice => {
            Expect { exchanges: 2, ..fail("unauthorized", 2, &["even after a fresh token exchange"]) }
        }
        Fault::PatRefused => fail("forbidden", 1, &["Personal Access Token was used", "Organization Access Token"]),
        Fault::ScopeMissing => fail("forbidden", 1, &["(403)", "permission"]),
        // A page past the end that does not exist: the count was too high; the listing ends there.
        Fault::NotFound if target == Target::Paged => success(1, Some(100)),
        Fault::NotFound => fail("not-found", 1, &["(404)"]),
        Fault::Conflict => fail("conflict", 1, &["(409)"]),
        Fault::RateLimitedShort => Expect { sleeps: vec![2000], ..success(2, ok_returned) },
        Fault::RateLimitedLong => fail("rate-limited", 1, &["rate limit", "retry budget is spent", "unix time"]),
        Fault::Status500 | Fault::Status502 | Fault::Status503 if idempotent => {
            Expect { sleeps: BACKOFF.to_vec(), ..fail("upstream", 4, &["Docker Hub answered 5"]) }
        }
        Fault::Status500 | Fault::Status502 | Fault::Status503 => {
            fail("upstream", 1, &["Docker Hub answered 5", "may have been carried out"])
        }
        // Nothing listens: the exchange (idempotent) is tried four times, the target never.
        Fault::ConnectionRefused => {
            Expect { exchanges: 4, sleeps: BACKOFF.to_vec(), ..fail("transport", 0, &["could not connect"]) }
        }
        Fault::Timeout if idempotent => Expect { sleeps: BACKOFF.to_vec(), ..fail("transport", 4, &["timed out"]) },
        // A POST sent and never answered: its outcome is unknown, and the error says what to read.
        Fault::Timeout => fail("transport", 1, &["timed out", "may have been carried out", "get-team"]),
        Fault::HtmlBody | Fault::TruncatedJson | Fault::WrongShape => fail("invalid-response", 1, &["could not read"]),
        Fault::HugeBody => fail("transport", 1, &["exceeded the host's cap of 1048576 bytes"]),
        Fault::ForeignNext if target == Target::Paged => success(1, Some(150)),
        Fault::ForeignNext => success(1, None),
        // Not retried: nothing is sent after the deadline, and the wait is not started.
        Fault::PastDeadline => fail("limit-exceeded", 1, &["deadline of 1 s"]),
        Fault::DenseBody => fail("invalid-response", 1, &["JSON values"]),
        Fault::UnreadableBody => success(1, None),
        Fault::PageWithoutResults => fail("invalid-response", 1, &["/v2/orgs/acme/members", "200"]),
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

/// A 429 whose `X-Retry-After` is `wait` seconds after its own `Date`.
fn too_many_requests(now: u64, wait: u64) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Date", httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now)).as_str())
        .insert_header("X-Retry-After", (now + wait).to_string().as_str())
        .set_body_json(json!({"detail": "too many requests"}))
}

fn members_page(count: u64, next: Option<&str>, file: &str) -> Value {
    json!({"count": count, "next": next, "previous": null, "results": fixture(file)["results"]})
}

/// The faulty endpoint of `target`.
fn endpoint(target: Target) -> MockBuilder {
    match target {
        Target::Read => Mock::given(method("GET")).and(path(GROUP)),
        Target::Write => Mock::given(method("POST")).and(path(GROUPS)),
        Target::Paged => Mock::given(method("GET")).and(path(MEMBERS)).and(query_param("page", "2")),
    }
}

/// The endpoint's successful answer.
fn success_body(target: Target) -> ResponseTemplate {
    match target {
        Target::Read => ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")),
        Target::Write => ResponseTemplate::new(201).set_body_json(fixture("groups/team-created.json")),
        Target::Paged => {
            ResponseTemplate::new(200).set_body_json(members_page(200, None, "members/org-250-page-2.json"))
        }
    }
}

/// The action call of `target`.
fn action(target: Target) -> (&'static str, &'static str) {
    match target {
        Target::Read => ("get-team", r#"{"team": "developers"}"#),
        Target::Write => ("create-team", r#"{"team": "platform"}"#),
        Target::Paged => ("list-members", r#"{"all_pages": true}"#),
    }
}

/// Whether a sent request went to the faulty endpoint of `target`.
fn is_endpoint(target: Target, base: &str, method: &str, url: &str) -> bool {
    match target {
        Target::Read => method == "GET" && url == format!("{base}{GROUP}"),
        Target::Write => method == "POST" && url == format!("{base}{GROUPS}"),
        Target::Paged => method == "GET" && url.starts_with(&format!("{base}{MEMBERS}?")) && url.contains("page=2&"),
    }
}

/// Mounts the fault on the endpoint (and page 1 for the paged target).
async fn mount(hub: &Hub, target: Target, fault: Fault, now: u64) {
    if fault == Fault::UnauthorizedTwice || fault == Fault::ConnectionRefused {
        hub.token_exchange_any("a").await;
    } else {
        hub.token_exchange("a", 1).await;
    }
    if target == Target::Paged && fault != Fault::ConnectionRefused {
        let next = "https://hub.docker.com/v2/orgs/acme/members?page=2&page_size=100";
        Mock::given(method("GET"))
            .and(path(MEMBERS))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(members_page(
                200,
                Some(next),
                "members/org-250-page-1.json",
            )))
            .expect(1)
            .mount(&hub.server)
            .await;
    }
    if target == Target::Write && unreadable_2xx(fault) {
        Mock::given(method("GET"))
            .and(path(format!("{GROUPS}/platform")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-created.json")))
            .named("the one read of the created team")
            .mount(&hub.server)
            .await;
    }
    let status = |code: u16| ResponseTemplate::new(code);
    let answer = match fault {
        Fault::BadRequest => status(400).set_body_json(json!({"detail": "bad field"})),
        Fault::UnauthorizedTwice => status(401).set_body_json(json!({"detail": "token expired"})),
        Fault::PatRefused => {
            status(403).set_body_json(json!({"detail": "token issued from personal access token is not allowed"}))
        }
        Fault::ScopeMissing => status(403).set_body_json(json!({"detail": "forbidden"})),
        Fault::NotFound => status(404).set_body_json(json!({"detail": "not found"})),
        Fault::Conflict => status(409).set_body_json(json!({"detail": "conflict"})),
        Fault::RateLimitedShort => {
            endpoint(target)
                .respond_with(too_many_requests(now, 2))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&hub.server)
                .await;
            success_body(target)
                .insert_header("X-RateLimit-Limit", "180")
                .insert_header("X-RateLimit-Remaining", "179")
                .insert_header("X-RateLimit-Reset", (now + 60).to_string().as_str())
        }
        Fault::RateLimitedLong => too_many_requests(now, 120),
        Fault::Status500 => status(500).set_body_json(json!({"message": "internal error"})),
        Fault::Status502 => status(502).set_body_string("<html><body>Bad Gateway</body></html>"),
        Fault::Status503 => status(503),
        Fault::ConnectionRefused => status(599),
        Fault::Timeout => success_body(target).set_delay(Duration::from_secs(2)),
        Fault::HtmlBody => status(200).set_body_raw("<html><body>Maintenance</body></html>", "text/html"),
        Fault::TruncatedJson => status(200).set_body_raw(r#"{"id": 4821, "name": "devel"#, "application/json"),
        Fault::WrongShape => status(200).set_body_json(json!(["not", "an", "object"])),
        Fault::HugeBody => status(200).set_body_raw(vec![b' '; 10 * 1024 * 1024], "application/json"),
        Fault::PastDeadline => success_body(target).set_delay(Duration::from_secs(3)),
        Fault::DenseBody => {
            status(200).set_body_raw(format!(r#"{{"results": [{}0]}}"#, "0,".repeat(250_000)), "application/json")
        }
        Fault::UnreadableBody => status(201).set_body_raw("not json", "application/json"),
        Fault::PageWithoutResults => status(200).set_body_json(json!({})),
        Fault::ForeignNext => match target {
            Target::Paged => {
                // Page 2 is short but points at another host; page 3 (asked by number on the base
                // URL, never by the link) is empty and ends the walk.
                Mock::given(method("GET"))
                    .and(path(MEMBERS))
                    .and(query_param("page", "3"))
                    .respond_with(
                        ResponseTemplate::new(200).set_body_json(json!({"count": 200, "next": null, "results": []})),
                    )
                    .expect(1)
                    .mount(&hub.server)
                    .await;
                let body = members_page(
                    200,
                    Some("https://evil.example/v2/orgs/acme/members?page=3"),
                    "members/org-250-page-3.json",
                );
                status(200).set_body_json(body)
            }
            _ => {
                let mut body =
                    fixture(if target == Target::Read { "groups/team.json" } else { "groups/team-created.json" });
                body["next"] = json!("https://evil.example/steal");
                status(if target == Target::Read { 200 } else { 201 }).set_body_json(body)
            }
        },
    };
    if fault != Fault::ConnectionRefused {
        endpoint(target).respond_with(answer).mount(&hub.server).await;
    }
}

/// A base URL on which nothing listens.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A runtime with the test limits; for [`Fault::PastDeadline`] the request timeout is the default
/// 30 s, so the call's deadline is what ends the call.
fn runtime_with_limits(url: &str, fault: Fault) -> Runtime {
    let timeout = if fault == Fault::PastDeadline { HttpConfig::default().timeout } else { TIMEOUT };
    let http = HttpConfig { real_sleep: false, timeout, max_body_bytes: BODY_CAP, ..HttpConfig::default() }
        .allow(url)
        .expect("url");
    Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime")
}

/// Runs one cell; returns a description of what went wrong, if anything.
async fn run_cell(target: Target, fault: Fault) -> Result<(), String> {
    let want = expected(target, fault);
    let hub = Hub::start_isolated().await;
    let now = unix_now();
    mount(&hub, target, fault, now).await;
    let base = if fault == Fault::ConnectionRefused { closed_port_url() } else { hub.url() };
    let runtime = runtime_with_limits(&base, fault);
    let mut secrets = Secrets::connection(ORG, OAT, Some(&base));
    if fault == Fault::PastDeadline {
        secrets.set("call-timeout-seconds", "1");
    }
    let (name, input) = action(target);
    let outcome = call(&runtime, name, input, &secrets);
    assert_secrets_stay_home(&runtime);

    let sent = runtime.http().sent();
    let hits = sent.iter().filter(|r| is_endpoint(target, &base, &r.method, &r.url)).count();
    let exchanges = sent.iter().filter(|r| r.url == format!("{base}/v2/auth/token")).count();
    let sleeps = runtime.http().sleeps();
    let mut problems = Vec::new();
    if hits != want.hits {
        problems.push(format!("endpoint hit {hits} times, expected {}", want.hits));
    }
    if exchanges != want.exchanges {
        problems.push(format!("{exchanges} token exchanges, expected {}", want.exchanges));
    }
    if sleeps != want.sleeps {
        problems.push(format!("pauses {sleeps:?}, expected {:?}", want.sleeps));
    }
    if let Some(foreign) = sent.iter().find(|r| !r.url.starts_with(&base)) {
        problems.push(format!("a request left the base URL: {}", foreign.url));
    }
    match (&outcome, want.kind) {
        (Ok(text), None) => {
            let out: Value = serde_json::from_str(text).map_err(|e| format!("output is not JSON: {e}"))?;
            if let Some(n) = want.returned
                && out["returned"] != json!(n)
            {
                problems.push(format!("returned {}, expected {n}", out["returned"]));
            }
            if target == Target::Write && unreadable_2xx(fault) {
                if out["warnings"].as_array().is_none_or(Vec::is_empty) {
                    problems.push(format!("no warning about the unreadable answer: {text:.300}"));
                }
                if out["changed"] != true || out["team"]["id"] != fixture("groups/team-created.json")["id"] {
                    problems.push(format!("not changed with the team's id read back: {text:.300}"));
                }
                let reads =
                    sent.iter().filter(|r| r.method == "GET" && r.url == format!("{base}{GROUPS}/platform")).count();
                if reads != 1 {
                    problems.push(format!("the created team was read {reads} times, expected once"));
                }
            }
            if fault == Fault::RateLimitedShort {
                let reported = &out["meta"]["rate_limit"];
                if *reported != json!({"limit": 180, "remaining": 179, "reset": now + 60}) {
                    problems.push(format!("meta.rate_limit is {reported}"));
                }
            }
        }
        (Ok(text), Some(kind)) => problems.push(format!("succeeded, expected {kind}: {text:.200}")),
        (Err(e), None) => problems.push(format!("failed: {}: {}", error_kind(e), error_message(e))),
        (Err(e), Some(kind)) => {
            let message = error_message(e);
            if error_kind(e) != kind {
                problems.push(format!("{} ({message}), expected {kind}", error_kind(e)));
            }
            problems.extend(
                want.says.iter().filter(|w| !message.contains(**w)).map(|w| format!("message lacks {w:?}: {message}")),
            );
            if let ActionError::RateLimited(info) = e
                && info.retry_after != Some(now + 120)
            {
                problems.push(format!("retry_after {:?}, expected {}", info.retry_after, now + 120));
            }
            // A listing stopped on page 2 says how far it got and where to resume.
            if target == Target::Paged && fault != Fault::ConnectionRefused {
                let detail: Value = error_detail(e).and_then(|d| serde_json::from_str(d).ok()).unwrap_or_default();
                if detail["fetched_items"] != 100 || detail["resume_page"] != 2 {
                    problems.push(format!("paged error detail lacks progress: {detail}"));
                }
                if !message.contains("100 items on 1 pages were fetched")
                    || !message.contains("run the action again with page=2")
                {
                    problems.push(format!("paged error message does not say where to resume: {message}"));
                }
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

#[tokio::test]
async fn every_fault_on_a_read_a_write_and_a_paged_listing_yields_its_documented_outcome() {
    let mut failures = Vec::new();
    let mut cells = 0;
    for fault in FAULTS {
        for target in TARGETS.into_iter().filter(|t| applies(*t, fault)) {
            cells += 1;
            let started = std::time::Instant::now();
            // Each cell on a runtime of its own: a server of one cell never waits on another's.
            let result = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(run_cell(target, fault))
            })
            .join()
            .unwrap_or_else(|_| Err("the cell panicked".into()));
            eprintln!("{target:?} × {fault:?}: {:?} in {:?}", result.as_ref().err(), started.elapsed());
            if let Err(problem) = result {
                failures.push(format!("{target:?} × {fault:?}: {problem}"));
            }
        }
    }
    assert_eq!(cells, 62, "the matrix is 20 faults × 3 actions, and 2 faults of one action each");
    assert!(failures.is_empty(), "{} of {cells} cells failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn rate_limit_headers_of_every_answer_reach_the_output() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path(MEMBERS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("members/page-small.json"))
                .insert_header("X-RateLimit-Limit", "180")
                .insert_header("X-RateLimit-Remaining", "42")
                .insert_header("X-RateLimit-Reset", "1700000060"),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-members", "{}", &hub.secrets());
    assert_eq!(out["meta"]["rate_limit"], json!({"limit": 180, "remaining": 42, "reset": 1700000060u64}));
    assert_eq!(out["meta"]["requests"], 2);
}

#[tokio::test]
async fn a_429_to_a_post_is_retried_because_it_proves_nothing_was_done() {
    let hub = hub().await;
    let now = unix_now();
    endpoint(Target::Write)
        .respond_with(too_many_requests(now, 1))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&hub.server)
        .await;
    endpoint(Target::Write).respond_with(success_body(Target::Write)).expect(1).mount(&hub.server).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "create-team", r#"{"team": "platform"}"#, &hub.secrets());
    assert_eq!(out["changed"], true);
    assert_eq!(out["completed"].as_array().map(Vec::len), Some(1), "one POST carried out: {out}");
    assert_eq!(out["completed"][0]["status"], 201);
    assert_eq!(runtime.http().sleeps(), vec![1000]);
}

#[tokio::test]
async fn waits_stop_at_the_connection_retry_budget() {
    let hub = hub().await;
    let now = unix_now();
    // 5 s fits the default 30 s budget but not a 3 s one.
    endpoint(Target::Read).respond_with(too_many_requests(now, 5)).expect(1).mount(&hub.server).await;
    let runtime = hub.runtime();
    let secrets = hub.secrets().with("retry-budget-seconds", "3");
    let outcome = call(&runtime, "get-team", r#"{"team": "developers"}"#, &secrets);
    match outcome {
        Err(ActionError::RateLimited(info)) => assert_eq!(info.retry_after, Some(now + 5)),
        other => panic!("expected rate-limited, got {other:?}"),
    }
    assert!(runtime.http().sleeps().is_empty(), "no pause beyond the budget");
}

#[tokio::test]
async fn a_rate_limited_batch_page_waits_before_it_is_sent_again() {
    let hub = Hub::start().await;
    mount(&hub, Target::Paged, Fault::RateLimitedShort, unix_now()).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-members", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["returned"], 200);
    let paths: Vec<String> = runtime.http().sent().iter().map(|r| r.url.replace(&hub.url(), "")).collect();
    assert_eq!(paths.iter().filter(|p| p.contains("page=2&")).count(), 2, "{paths:?}");
    assert_eq!(runtime.http().sleeps(), vec![2000], "the second try waited for X-Retry-After");
}

/// Answers every request with `status` and a body that echoes back everything it was sent (URL,
/// headers including the bearer, body including the OAT), in the fields Docker's errors use.
struct Echo(u16);

impl wiremock::Respond for Echo {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let headers: Vec<String> =
            request.headers.iter().map(|(n, v)| format!("{n}: {}", v.to_str().unwrap_or(""))).collect();
        let said =
            format!("{} {} {:?} {}", request.method, request.url, headers, String::from_utf8_lossy(&request.body));
        if request.url.path() == "/v2/auth/token" {
            return ResponseTemplate::new(200).set_body_json(json!({"access_token": jwt("echo"), "detail": said}));
        }
        ResponseTemplate::new(self.0).insert_header("X-Echo", said.replace(['\r', '\n'], " ").as_str()).set_body_json(
            json!({"detail": said, "message": said, "name": said, "username": said, "results": [], "count": 0}),
        )
    }
}

#[tokio::test]
async fn no_action_reveals_a_secret_even_when_the_server_echoes_everything_back() {
    let runtime_probe = runtime_for("http://127.0.0.1:9");
    let manifest: Value = serde_json::from_str(&runtime_probe.describe().expect("describe")).expect("manifest");
    let actions = manifest["actions"].as_array().expect("actions").clone();
    assert!(actions.len() >= 29, "{}", actions.len());
    let mut runs = 0;
    for status in [200, 400, 403, 404, 409, 429, 500] {
        let server = wiremock::MockServer::start().await;
        Mock::given(wiremock::matchers::any()).respond_with(Echo(status)).mount(&server).await;
        let runtime = runtime_for(&server.uri());
        let secrets = Secrets::connection(ORG, OAT, Some(&server.uri())).with("retry-budget-seconds", "0");
        for action in &actions {
            let name = action["name"].as_str().expect("name");
            let input = action["example"].to_string().replace("example-org", ORG);
            // `call` fails the test if the OAT or the JWT appears in the output or the error.
            let _ = call(&runtime, name, &input, &secrets);
            runs += 1;
        }
        assert_secrets_stay_home(&runtime);
        let sent = runtime.http().sent();
        assert!(sent.iter().any(|r| r.url.ends_with("/v2/auth/token")), "the exchange ran at status {status}");
    }
    assert_eq!(runs, 7 * actions.len());
}
