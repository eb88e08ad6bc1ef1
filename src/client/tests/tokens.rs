//! The session token: one exchange per call, reused; the host cache between calls; its key.

use super::super::auth::cache_key;
use super::*;
use crate::error::ErrorKind;

const MEMBERS: &str = "/v2/orgs/acme/members";
const MEMBERS_ROUTE: &str = "GET /v2/orgs/acme/members";

fn key() -> String {
    cache_key(ORG, BASE, OAT)
}

#[test]
fn one_exchange_serves_every_request_of_a_call_and_is_cached_for_its_lifetime_less_a_margin() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(MEMBERS_ROUTE, times(3, ok_json(200, json!({}))));
    let client = client(&host);
    for _ in 0..3 {
        client.send(&request(Method::Get, MEMBERS)).unwrap();
    }
    assert_eq!(host.hits(EXCHANGE), 1);
    assert_eq!(host.bearers(MEMBERS_ROUTE), [jwt("a"), jwt("a"), jwt("a")]);
    // Looked up once, then stored for 600 s less the 60 s margin.
    assert_eq!(host.cache_ops(), [CacheOp::Get(key()), CacheOp::Set { key: key(), ttl_seconds: 540 }]);
}

#[test]
fn a_later_call_uses_the_cached_token_without_an_exchange() {
    let host = ScriptedHost::new();
    host.cached(&key(), &jwt("cached"));
    host.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(host.routes(), [MEMBERS_ROUTE]);
    assert_eq!(host.bearers(MEMBERS_ROUTE), [jwt("cached")]);
}

#[test]
fn a_401_to_a_cached_token_drops_it_and_caches_the_fresh_one() {
    let host = ScriptedHost::new();
    host.cached(&key(), &jwt("stale"));
    host.exchange_gives(&jwt("fresh"));
    host.on(MEMBERS_ROUTE, [status(401), ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(host.bearers(MEMBERS_ROUTE), [jwt("stale"), jwt("fresh")]);
    assert_eq!(
        host.cache_ops(),
        [
            CacheOp::Get(key()),
            CacheOp::Delete(key()),
            CacheOp::Get(key()),
            CacheOp::Set { key: key(), ttl_seconds: 540 }
        ]
    );
}

#[test]
fn the_cache_key_never_contains_the_oat_and_changes_when_the_oat_or_hub_changes() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    let keys = host.cache_keys();
    assert_eq!(keys, [key()]);
    assert!(!keys[0].contains(OAT) && !keys[0].contains("secret"), "{}", keys[0]);
    assert!(keys[0].starts_with("dockerhub-org/jwt/v1/acme/"));
    assert_ne!(key(), cache_key(ORG, BASE, "dckr_oat_rotated-value"));
    assert_ne!(key(), cache_key(ORG, "https://other.test", OAT));

    // A rotated OAT misses the old entry and exchanges again.
    let rotated = ScriptedHost::new().secret(crate::connection::KEY_OAT, "dckr_oat_rotated-value");
    rotated.cached(&key(), &jwt("old"));
    rotated.exchange_gives(&jwt("new"));
    rotated.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&rotated).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(rotated.bearers(MEMBERS_ROUTE), [jwt("new")]);
}

#[test]
fn a_cached_value_that_cannot_go_in_a_header_is_ignored() {
    let host = ScriptedHost::new();
    host.cached(&key(), "not a token\r\nX-Injected: 1");
    host.exchange_gives(&jwt("fresh"));
    host.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(host.bearers(MEMBERS_ROUTE), [jwt("fresh")]);
}

#[test]
fn a_token_too_short_lived_to_cache_is_used_but_not_stored() {
    let payload = json!({ "iat": NOW, "exp": NOW + 30 }).to_string();
    let short = format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(payload));
    let host = ScriptedHost::new();
    host.exchange_gives(&short);
    host.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(host.bearers(MEMBERS_ROUTE), [short]);
    assert!(host.cache_keys().is_empty());
}

#[test]
fn an_exchange_without_a_usable_access_token_is_an_invalid_response() {
    for body in [json!({}), json!({ "access_token": "" }), json!({ "access_token": "a b" })] {
        let host = ScriptedHost::new();
        host.on(EXCHANGE, [ok_json(200, body.clone())]);
        let error = client(&host).send(&request(Method::Get, MEMBERS)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::InvalidResponse, "{body}");
        assert_eq!(host.routes(), [EXCHANGE], "{body}: nothing else is sent");
    }
}

#[test]
fn a_transient_exchange_failure_is_retried_like_any_idempotent_request() {
    let host = ScriptedHost::new();
    host.on(EXCHANGE, [status(503), Err(FetchError::Timeout("slow".into()))]);
    host.exchange_gives(&jwt("a"));
    host.on(MEMBERS_ROUTE, [ok_json(200, json!({}))]);
    client(&host).send(&request(Method::Get, MEMBERS)).unwrap();
    assert_eq!(host.hits(EXCHANGE), 3);
    assert_eq!(host.sleeps(), [250, 500]);
}
