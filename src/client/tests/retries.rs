//! One request through [`Client::send`]: which answers are retried for which methods, how long the
//! client waits, re-authentication on 401, and the retry budget.

use super::*;
use crate::error::ErrorKind;

/// What one scripted request must end in.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// The response with this status.
    Ok(u16),
    /// An error of this kind.
    Err(ErrorKind),
}

/// One row: a request, the answers scripted for it, and everything the client must have done.
struct Row {
    behaviour: String,
    method: Method,
    /// Token exchanges scripted (each answers a fresh token).
    tokens: usize,
    answers: Vec<Answer>,
    budget_seconds: Option<u64>,
    outcome: Outcome,
    /// Requests to the resource.
    hits: usize,
    sleeps: Vec<u32>,
}

const TARGET: &str = "/v2/orgs/acme/groups/devs";

fn route(method: Method) -> String {
    format!("{} {TARGET}", method.as_str())
}

fn row(behaviour: impl Into<String>, method: Method, answers: Vec<Answer>, outcome: Outcome, hits: usize) -> Row {
    Row { behaviour: behaviour.into(), method, tokens: 1, answers, budget_seconds: None, outcome, hits, sleeps: vec![] }
}

const BACKOFF: [u32; 3] = [250, 500, 1000];
const IDEMPOTENT: [Method; 3] = [Method::Get, Method::Put, Method::Delete];
const NOT_IDEMPOTENT: [Method; 2] = [Method::Post, Method::Patch];
const RETRYABLE_STATUSES: [u16; 4] = [500, 502, 503, 504];

fn failures() -> [(&'static str, FetchError); 3] {
    [
        ("a timeout", FetchError::Timeout("no answer in 30 s".into())),
        ("a refused connection", FetchError::Connect("connection refused".into())),
        ("a broken response", FetchError::Protocol("connection reset".into())),
    ]
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for method in IDEMPOTENT {
        let m = method.as_str();
        for code in RETRYABLE_STATUSES {
            rows.push(Row {
                sleeps: BACKOFF.to_vec(),
                ..row(
                    format!("{m} is retried three times on {code}, then fails upstream"),
                    method,
                    times(4, status(code)),
                    Outcome::Err(ErrorKind::Upstream { status: code }),
                    4,
                )
            });
        }
        rows.push(Row {
            sleeps: vec![250, 500],
            ..row(
                format!("{m} succeeds on the third attempt after two 503s"),
                method,
                vec![status(503), status(503), ok_json(200, json!({}))],
                Outcome::Ok(200),
                3,
            )
        });
        for (what, failure) in failures() {
            rows.push(Row {
                sleeps: BACKOFF.to_vec(),
                ..row(
                    format!("{m} is retried three times after {what}, then fails as transport"),
                    method,
                    times(4, Err(failure)),
                    Outcome::Err(ErrorKind::Transport),
                    4,
                )
            });
        }
    }
    for method in NOT_IDEMPOTENT {
        let m = method.as_str();
        for code in RETRYABLE_STATUSES {
            rows.push(row(
                format!("{m} is never resent after {code}"),
                method,
                vec![status(code)],
                Outcome::Err(ErrorKind::Upstream { status: code }),
                1,
            ));
        }
        for (what, failure) in failures() {
            rows.push(row(
                format!("{m} is never resent after {what}"),
                method,
                vec![Err(failure)],
                Outcome::Err(ErrorKind::Transport),
                1,
            ));
        }
        rows.push(Row {
            sleeps: vec![2000],
            ..row(
                format!("{m} is resent after a 429 (it was not carried out)"),
                method,
                vec![too_many(2), ok_json(201, json!({}))],
                Outcome::Ok(201),
                2,
            )
        });
        rows.push(Row {
            tokens: 2,
            ..row(
                format!("{m} is resent once with a fresh token after a 401"),
                method,
                vec![status(401), ok_json(200, json!({}))],
                Outcome::Ok(200),
                2,
            )
        });
    }
    rows.extend([
        row("a 200 is returned at once", Method::Get, vec![ok_json(200, json!({}))], Outcome::Ok(200), 1),
        row(
            "a 501 is not retried",
            Method::Get,
            vec![status(501)],
            Outcome::Err(ErrorKind::Upstream { status: 501 }),
            1,
        ),
        row("a 404 is not retried", Method::Get, vec![status(404)], Outcome::Err(ErrorKind::NotFound), 1),
        row("a 403 is not retried", Method::Delete, vec![status(403)], Outcome::Err(ErrorKind::Forbidden), 1),
        row("a 409 is not retried", Method::Put, vec![status(409)], Outcome::Err(ErrorKind::Conflict), 1),
        row("a 400 is invalid input", Method::Post, vec![status(400)], Outcome::Err(ErrorKind::InvalidInput), 1),
        row(
            "a body over the host's cap is not retried",
            Method::Get,
            vec![Err(FetchError::BodyTooLarge(1024))],
            Outcome::Err(ErrorKind::Transport),
            1,
        ),
        Row {
            tokens: 2,
            ..row(
                "a 401 re-authenticates once and resends",
                Method::Get,
                vec![status(401), ok_json(200, json!({}))],
                Outcome::Ok(200),
                2,
            )
        },
        Row {
            tokens: 2,
            ..row(
                "a second 401 after a fresh token fails unauthorized",
                Method::Get,
                times(2, status(401)),
                Outcome::Err(ErrorKind::Unauthorized),
                2,
            )
        },
        Row {
            sleeps: vec![3000],
            ..row(
                "a 429 waits X-Retry-After less Date, then resends",
                Method::Get,
                vec![too_many(3), ok_json(200, json!({}))],
                Outcome::Ok(200),
                2,
            )
        },
        Row {
            sleeps: vec![1000, 1000, 1000],
            ..row(
                "a fourth 429 is rate-limited",
                Method::Get,
                times(4, too_many(1)),
                Outcome::Err(ErrorKind::RateLimited { retry_after: Some(NOW + 1) }),
                4,
            )
        },
        row(
            "a 429 wait beyond the default 30 s budget fails at once, without sleeping",
            Method::Get,
            vec![too_many(31)],
            Outcome::Err(ErrorKind::RateLimited { retry_after: Some(NOW + 31) }),
            1,
        ),
        Row {
            budget_seconds: Some(5),
            sleeps: vec![3000],
            ..row(
                "the second 429 wait does not fit what is left of a 5 s budget",
                Method::Get,
                times(2, too_many(3)),
                Outcome::Err(ErrorKind::RateLimited { retry_after: Some(NOW + 3) }),
                2,
            )
        },
        Row {
            budget_seconds: Some(5),
            sleeps: vec![2000, 3000],
            ..row(
                "waits that use the budget exactly are taken",
                Method::Get,
                vec![too_many(2), too_many(3), ok_json(200, json!({}))],
                Outcome::Ok(200),
                3,
            )
        },
        Row {
            budget_seconds: Some(1),
            sleeps: vec![250, 500],
            ..row(
                "backoff draws on the same budget: the third backoff does not fit 1 s",
                Method::Get,
                times(3, status(500)),
                Outcome::Err(ErrorKind::Upstream { status: 500 }),
                3,
            )
        },
        Row {
            budget_seconds: Some(0),
            ..row(
                "a budget of zero never waits",
                Method::Get,
                vec![status(503)],
                Outcome::Err(ErrorKind::Upstream { status: 503 }),
                1,
            )
        },
    ]);
    rows
}

#[test]
fn each_answer_is_retried_waited_for_or_failed_by_method_status_and_budget() {
    let rows = rows();
    assert!(rows.len() > 40, "the table lost rows: {}", rows.len());
    for row in rows {
        let mut host = ScriptedHost::new();
        if let Some(seconds) = row.budget_seconds {
            host = host.budget_seconds(seconds);
        }
        for n in 0..row.tokens {
            host.exchange_gives(&jwt(&format!("token{n}")));
        }
        let route = route(row.method);
        host.on(&route, row.answers);
        let client = client(&host);
        let outcome = match client.send(&request(row.method, TARGET)) {
            Ok(response) => Outcome::Ok(response.status),
            Err(e) => Outcome::Err(e.kind),
        };
        let behaviour = &row.behaviour;
        assert_eq!(outcome, row.outcome, "{behaviour}");
        assert_eq!(host.hits(&route), row.hits, "{behaviour}: requests to the resource");
        assert_eq!(host.hits(EXCHANGE), row.tokens, "{behaviour}: token exchanges");
        assert_eq!(host.sleeps(), row.sleeps, "{behaviour}: pauses");
        assert_eq!(client.request_count() as usize, row.hits + row.tokens, "{behaviour}: requests counted");
        assert_eq!(host.unused(), Vec::<String>::new(), "{behaviour}: scripted answers left unused");
    }
}

#[test]
fn a_second_401_keeps_dockers_words_and_says_a_fresh_token_was_tried() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("first")).exchange_gives(&jwt("second"));
    host.on("GET /v2/orgs/acme/groups/devs", times(2, ok_json(401, json!({ "detail": "token revoked" }))));
    let error = client(&host).send(&request(Method::Get, TARGET)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unauthorized);
    assert!(error.message.contains("even after a fresh token exchange"), "{}", error.message);
    assert_eq!(error.docker_message.as_deref(), Some("token revoked"));
    assert_eq!(error.status, Some(401));
    // The second attempt carried the second token, and the first was dropped from the cache.
    assert_eq!(host.bearers("GET /v2/orgs/acme/groups/devs"), [jwt("first"), jwt("second")]);
    assert!(host.cache_ops().iter().any(|op| matches!(op, CacheOp::Delete(_))));
}

#[test]
fn a_401_to_the_token_exchange_is_not_retried_and_blames_the_token_or_the_org_name() {
    let host = ScriptedHost::new();
    host.on(EXCHANGE, [ok_json(401, json!({ "detail": "invalid credentials" }))]);
    let error = client(&host).send(&request(Method::Get, TARGET)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unauthorized);
    assert!(error.message.contains("Organization Name may not match"), "{}", error.message);
    assert_eq!(host.routes(), [EXCHANGE]);
    assert!(!error.message.contains(OAT));
}

#[test]
fn a_rate_limited_error_names_when_docker_accepts_calls_again() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on("GET /v2/orgs/acme/groups/devs", [too_many(120)]);
    let error = client(&host).send(&request(Method::Get, TARGET)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::RateLimited { retry_after: Some(NOW + 120) });
    assert!(error.message.contains(&format!("unix time {}", NOW + 120)), "{}", error.message);
    assert!(host.sleeps().is_empty());
}

#[test]
fn rate_limit_headers_and_dockers_clock_are_recorded_from_every_answer() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    let limited = with_headers(
        ok_json(200, json!({})),
        &[
            ("X-RateLimit-Limit", "180"),
            ("X-RateLimit-Remaining", "17"),
            ("X-RateLimit-Reset", "1700000060"),
            ("Date", DATE),
        ],
    );
    host.on("GET /v2/orgs/acme/groups/devs", [limited]);
    let client = client(&host);
    client.send(&request(Method::Get, TARGET)).unwrap();
    let state = client.rate_limit().expect("rate limit recorded");
    assert_eq!((state.limit, state.remaining, state.reset), (Some(180), Some(17), Some(1_700_000_060)));
    assert_eq!(client.server_time(), Some(NOW));
    assert_eq!(client.request_count(), 2);
}

#[test]
fn a_transport_failure_names_the_request_and_the_fix() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on("POST /v2/orgs/acme/groups/devs", [Err(FetchError::HostNotAllowed("hub.test:443".into()))]);
    let error = client(&host).send(&request(Method::Post, TARGET)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport);
    assert!(error.message.contains("allow-list"), "{}", error.message);
    assert_eq!(error.detail.as_ref().and_then(|d| d["method"].as_str()), Some("POST"));
}

#[test]
fn every_request_carries_accept_user_agent_and_the_bearer_and_a_body_its_content_type() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on("POST /v2/orgs/acme/groups/devs", [ok_json(201, json!({}))]);
    client(&host).send(&request(Method::Post, TARGET).json(json!({ "name": "devs" }))).unwrap();
    let sent = host.sent();
    let exchange = &sent[0];
    assert_eq!(header(exchange, "Authorization"), None, "the exchange carries no bearer");
    assert_eq!(
        serde_json::from_slice::<Value>(exchange.body.as_deref().unwrap()).unwrap(),
        json!({ "identifier": ORG, "secret": OAT })
    );
    let create = &sent[1];
    assert_eq!(header(create, "Authorization"), Some(format!("Bearer {}", jwt("a")).as_str()));
    assert_eq!(header(create, "Accept"), Some("application/json"));
    assert_eq!(header(create, "Content-Type"), Some("application/json"));
    assert_eq!(header(create, "User-Agent"), Some(super::super::USER_AGENT));
    assert_eq!(create.body.as_deref(), Some(br#"{"name":"devs"}"#.as_slice()));
    assert!(!create.url.contains(OAT));
}

#[test]
fn dot_segments_are_refused_in_any_encoding_before_anything_is_sent() {
    use super::super::refuse_dot_segments;
    for bad in ["/v2/orgs/%2E%2E/members", "/v2/orgs/acme/members/%2e", "/v2/orgs/../x", "/v2/invites/%2e%2E"] {
        assert!(refuse_dot_segments(bad).is_err(), "{bad}");
    }
    for good in ["/v2/orgs/acme/members/a..b", "/v2/orgs/acme/groups/...", "/v2/orgs/acme/members/%2E%2E%2E"] {
        assert!(refuse_dot_segments(good).is_ok(), "{good}");
    }
    let host = ScriptedHost::new();
    let mut bad = request(Method::Delete, TARGET);
    bad.path = "/v2/orgs/acme/groups/%2E%2E".into();
    let error = client(&host).send(&bad).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(host.sent().is_empty());
}
