//! Several requests through [`Client::send_batch`]: one batch fetch, then each answer settled like a
//! single request, in order, with no settled outcome lost.

use super::*;
use crate::error::ErrorKind;

/// `GET /v2/orgs/acme/groups/<name>`.
fn get(name: &str) -> ApiRequest {
    request(Method::Get, &format!("/v2/orgs/acme/groups/{name}"))
}

fn route(name: &str) -> String {
    format!("GET /v2/orgs/acme/groups/{name}")
}

/// A 200 naming `name`, so outcomes can be matched to their requests.
fn named(name: &str) -> Answer {
    ok_json(200, json!({ "name": name }))
}

/// The name in a successful outcome, or the error's kind.
fn outcome_of(outcome: &crate::error::Result<HttpResponse>) -> Result<String, ErrorKind> {
    match outcome {
        Ok(response) => Ok(serde_json::from_slice::<Value>(&response.body).unwrap()["name"].as_str().unwrap().into()),
        Err(e) => Err(e.kind.clone()),
    }
}

fn outcomes(results: &[crate::error::Result<HttpResponse>]) -> Vec<Result<String, ErrorKind>> {
    results.iter().map(outcome_of).collect()
}

fn batch_sizes(host: &ScriptedHost) -> Vec<usize> {
    host.batches().iter().map(|(routes, _)| routes.len()).collect()
}

/// A response reporting `remaining` requests left in the rate-limit window.
fn remaining(answer: Answer, remaining: u64) -> Answer {
    with_headers(answer, &[("X-RateLimit-Limit", "180"), ("X-RateLimit-Remaining", &remaining.to_string())])
}

#[test]
fn a_batch_goes_out_in_one_fetch_and_answers_in_request_order() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    for name in ["a", "b", "c"] {
        host.on(&route(name), [named(name)]);
    }
    let results = client(&host).send_batch(&[get("a"), get("b"), get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Ok("b".into()), Ok("c".into())]);
    assert_eq!(host.batches(), [(vec![route("a"), route("b"), route("c")], 3)], "concurrency capped at the batch size");
    assert_eq!(host.bearers(&route("b")), [jwt("a")]);
}

#[test]
fn partial_failures_settle_each_request_on_its_own_and_keep_the_order() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&route("ok"), [named("ok")]);
    host.on(&route("gone"), [status(404)]);
    host.on(&route("flaky"), [status(503), named("flaky")]);
    host.on(&route("slow"), [too_many(2), named("slow")]);
    host.on(&route("down"), times(4, Err(FetchError::Timeout("slow".into()))));
    host.on("POST /v2/orgs/acme/groups/new", [status(500)]);
    let requests = [
        get("ok"),
        get("gone"),
        get("flaky"),
        get("slow"),
        get("down"),
        request(Method::Post, "/v2/orgs/acme/groups/new"),
    ];
    let results = client(&host).send_batch(&requests, 4);
    assert_eq!(
        outcomes(&results),
        [
            Ok("ok".into()),
            Err(ErrorKind::NotFound),
            Ok("flaky".into()),
            Ok("slow".into()),
            Err(ErrorKind::Transport),
            Err(ErrorKind::Upstream { status: 500 }),
        ]
    );
    assert_eq!(batch_sizes(&host), [6]);
    assert_eq!(host.batches()[0].1, 4);
    // The 404 and the POST's 500 are final; the 503 backs off, the 429 waits, the timeout retries.
    assert_eq!(host.hits(&route("gone")), 1);
    assert_eq!(host.hits("POST /v2/orgs/acme/groups/new"), 1);
    assert_eq!(host.hits(&route("flaky")), 2);
    assert_eq!(host.hits(&route("down")), 4);
    assert_eq!(host.sleeps(), [250, 2000, 250, 500, 1000]);
    assert!(host.unused().is_empty(), "{:?}", host.unused());
}

#[test]
fn a_401_inside_a_batch_re_exchanges_once_for_the_whole_batch() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("old")).exchange_gives(&jwt("new"));
    for name in ["a", "b", "c"] {
        host.on(&route(name), [status(401), named(name)]);
    }
    let results = client(&host).send_batch(&[get("a"), get("b"), get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Ok("b".into()), Ok("c".into())]);
    assert_eq!(host.hits(EXCHANGE), 2, "one exchange, one re-exchange");
    for name in ["a", "b", "c"] {
        assert_eq!(host.bearers(&route(name)), [jwt("old"), jwt("new")], "{name}");
    }
}

#[test]
fn a_second_401_in_a_batch_fails_unauthorized_without_another_exchange() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("old")).exchange_gives(&jwt("new"));
    host.on(&route("a"), [status(401), named("a")]);
    host.on(&route("b"), times(2, status(401)));
    let results = client(&host).send_batch(&[get("a"), get("b")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Err(ErrorKind::Unauthorized)]);
    assert_eq!(host.hits(EXCHANGE), 2);
    assert_eq!(host.bearers(&route("b")), [jwt("old"), jwt("new")]);
}

/// A client whose first request (`warm`) left Docker reporting `left` requests in the window.
fn warmed(host: &ScriptedHost, left: u64) -> Client<'_> {
    host.exchange_gives(&jwt("a"));
    host.on(&route("warm"), [remaining(named("warm"), left)]);
    let client = client(host);
    client.send(&get("warm")).unwrap();
    client
}

#[test]
fn a_batch_never_sends_more_than_the_rate_limit_has_left() {
    let host = ScriptedHost::new();
    let names = ["p1", "p2", "p3", "p4", "p5", "p6"];
    // The first chunk may send 2; its answers say 3 are left, then none.
    host.on(&route("p1"), [remaining(named("p1"), 5)]);
    host.on(&route("p2"), [remaining(named("p2"), 3)]);
    host.on(&route("p3"), [remaining(named("p3"), 2)]);
    host.on(&route("p4"), [remaining(named("p4"), 1)]);
    host.on(&route("p5"), [remaining(named("p5"), 0)]);
    host.on(&route("p6"), [remaining(named("p6"), 0)]);
    let requests: Vec<ApiRequest> = names.iter().map(|n| get(n)).collect();
    let results = warmed(&host, 2).send_batch(&requests, 8);
    assert_eq!(outcomes(&results), names.map(|n| Ok(n.to_string())));
    // 2 (the warm-up said 2), then 3 (p2 said 3), then 1 (p5 said 0: still one at a time).
    assert_eq!(batch_sizes(&host), [2, 3, 1]);
}

#[test]
fn a_request_that_cannot_be_sent_fails_alone_and_keeps_the_others_outcomes() {
    let host = ScriptedHost::new();
    host.on(&route("a"), [remaining(named("a"), 1)]);
    host.on(&route("c"), [remaining(named("c"), 1)]);
    let mut bad = get("b");
    bad.path = "/v2/orgs/acme/groups/%2e%2e".into();
    let results = warmed(&host, 1).send_batch(&[get("a"), bad.clone(), get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Err(ErrorKind::InvalidInput), Ok("c".into())]);
    assert_eq!(host.routes(), [EXCHANGE.to_string(), route("warm"), route("a"), route("c")]);

    // In one chunk too: the bad request fails alone, the others go out together.
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&route("a"), [named("a")]);
    host.on(&route("c"), [named("c")]);
    let results = client(&host).send_batch(&[get("a"), bad, get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Err(ErrorKind::InvalidInput), Ok("c".into())]);
    assert_eq!(host.batches(), [(vec![route("a"), route("c")], 2)]);
}

#[test]
fn a_permanent_401_to_a_whole_batch_costs_one_re_exchange_not_one_per_request() {
    // Eight pages refused whatever the token: the first re-exchange is the only one; the other
    // pages are sent once more with the fresh token (an earlier 401 in the batch replaced theirs).
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("old")).exchange_gives(&jwt("new"));
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    for name in names {
        host.on(&route(name), [status(401), status(401)]);
    }
    let requests: Vec<ApiRequest> = names.iter().map(|n| get(n)).collect();
    let results = client(&host).send_batch(&requests, 8);
    assert_eq!(outcomes(&results), vec![Err(ErrorKind::Unauthorized); 8]);
    assert_eq!(host.hits(EXCHANGE), 2, "one exchange and one re-exchange for the whole batch");
    for name in names {
        assert_eq!(host.hits(&route(name)), 2, "{name}: the old token, then the new one");
    }
}

#[test]
fn a_failed_re_exchange_fails_the_unsettled_requests_but_keeps_what_was_settled() {
    // One request per chunk (the rate limit says 1 left): `a` succeeds; `b` gets a 401 and the
    // re-exchange is refused; `c` cannot get a token either. `a`'s success must survive.
    let host = ScriptedHost::new();
    host.on(&route("a"), [remaining(named("a"), 1)]);
    host.on(&route("b"), [remaining(status(401), 1)]);
    let client = warmed(&host, 1);
    host.on(EXCHANGE, times(2, ok_json(401, json!({ "detail": "token revoked" }))));
    let results = client.send_batch(&[get("a"), get("b"), get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Err(ErrorKind::Unauthorized), Err(ErrorKind::Unauthorized)]);
    assert_eq!(host.hits(&route("c")), 0, "nothing is sent without a token");
    assert!(host.unused().is_empty(), "{:?}", host.unused());
}

#[test]
fn without_a_token_nothing_is_sent_and_every_request_fails_with_the_exchange_error_once() {
    let host = ScriptedHost::new();
    host.on(EXCHANGE, [status(403)]);
    let results = client(&host).send_batch(&[get("a"), get("b"), get("c")], 8);
    assert_eq!(outcomes(&results), vec![Err(ErrorKind::Forbidden); 3]);
    assert_eq!(host.routes(), [EXCHANGE], "one exchange for the whole batch");
    assert!(host.batches().is_empty());
}

#[test]
fn answers_a_host_did_not_give_are_asked_for_one_by_one() {
    let host = ScriptedHost::new();
    host.answer_batches_partly(1);
    host.exchange_gives(&jwt("a"));
    for name in ["a", "b", "c"] {
        host.on(&route(name), [named(name)]);
    }
    let results = client(&host).send_batch(&[get("a"), get("b"), get("c")], 8);
    assert_eq!(outcomes(&results), [Ok("a".into()), Ok("b".into()), Ok("c".into())]);
    assert_eq!(host.routes(), [EXCHANGE.to_string(), route("a"), route("b"), route("c")]);
    assert_eq!(batch_sizes(&host), [3]);
}

#[test]
fn an_empty_batch_sends_nothing() {
    let host = ScriptedHost::new();
    assert!(client(&host).send_batch(&[], 8).is_empty());
    assert!(host.sent().is_empty());
}
