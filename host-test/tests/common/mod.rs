//! Shared test support: a wiremock Docker Hub with a token endpoint and a catch-all that fails
//! loudly, a runtime wired to it, and [`call`], which checks every request an action sent to a test
//! server against Docker's OpenAPI document ([`openapi`]); the mocks the test files mount alike
//! ([`mocks`]), and the assertions they share (input refused before any request, secrets kept).
#![allow(dead_code, reason = "each test file uses a different part of this module")]

pub mod cli;
pub mod mocks;
pub mod openapi;
pub mod python;
pub mod sim;
pub mod writes;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{Outcome, error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Organization used by the tests.
pub const ORG: &str = "acme";
/// A recognisable OAT: it must never appear in any output.
pub const OAT: &str = "dckr_oat_CANARY-oat-7f3a9c1e5b";

/// A JWT whose payload says it lives 600 s; the signature part is a recognisable canary.
pub fn jwt(tag: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(br#"{"iat":1700000000,"exp":1700000600,"sub":"acme"}"#);
    format!("{header}.{payload}.CANARYjwt{tag}")
}

/// The `Authorization` header every request but the token exchange carries: the JWT that
/// [`Hub::token_exchange`] answers with tag `a`.
pub fn bearer() -> String {
    format!("Bearer {}", jwt("a"))
}

/// Reads `fixtures/<name>`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A mock Docker Hub.
pub struct Hub {
    /// The wiremock server.
    pub server: MockServer,
}

impl Hub {
    /// Starts a server with a catch-all (priority 255) that answers 599 and must never be hit.
    pub async fn start() -> Self {
        Self::with_catch_all(MockServer::start().await).await
    }

    /// Like [`Hub::start`], on a server of its own rather than one from wiremock's pool (for tests
    /// whose answers, a 10 MB body or a delayed one, must not leave a pooled server half-used).
    pub async fn start_isolated() -> Self {
        Self::with_catch_all(MockServer::builder().start().await).await
    }

    async fn with_catch_all(server: MockServer) -> Self {
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
            .with_priority(255)
            .named("catch-all: no request outside the mocks")
            .expect(0)
            .mount(&server)
            .await;
        Hub { server }
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// Mounts the token exchange for `ORG`/`OAT`, answering `jwt(tag)`, expected `times` times.
    pub async fn token_exchange(&self, tag: &str, times: u64) {
        Mock::given(method("POST"))
            .and(path("/v2/auth/token"))
            .and(body_json(serde_json::json!({"identifier": ORG, "secret": OAT})))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": jwt(tag)})))
            .named("token exchange")
            .expect(times)
            .mount(&self.server)
            .await;
    }

    /// Mounts the token exchange with no expectation on how often it is called.
    pub async fn token_exchange_any(&self, tag: &str) {
        Mock::given(method("POST"))
            .and(path("/v2/auth/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": jwt(tag)})))
            .named("token exchange (any count)")
            .mount(&self.server)
            .await;
    }

    /// A runtime allowed to reach this server, recording pauses instead of sleeping.
    pub fn runtime(&self) -> Runtime {
        runtime_for(&self.url())
    }

    /// Connection values pointing at this server.
    pub fn secrets(&self) -> Secrets {
        Secrets::connection(ORG, OAT, Some(&self.url()))
    }

    /// Every request the server received.
    pub async fn received(&self) -> Vec<wiremock::Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}

/// A hub with the token exchange (tag `a`) mounted, expected once.
pub async fn hub() -> Hub {
    let hub = Hub::start().await;
    hub.token_exchange("a", 1).await;
    hub
}

/// A runtime allowed to reach `url`, recording pauses instead of sleeping.
pub fn runtime_for(url: &str) -> Runtime {
    let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(url).expect("test url");
    Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime")
}

/// Runs `action`, panicking on a host failure (trap), returning the action's outcome. Every
/// request the action sent to a test server must conform to Docker's OpenAPI document: a violation
/// fails the test, naming the request and what is wrong.
pub fn call(runtime: &Runtime, action: &str, input: &str, secrets: &Secrets) -> Outcome {
    let before = runtime.http().sent().len();
    let outcome = runtime.call(action, input, secrets).unwrap_or_else(|e| panic!("{action} trapped: {e:#}"));
    assert_no_secret(&outcome);
    openapi::assert_conformant(action, runtime.http().sent().get(before..).unwrap_or_default());
    outcome
}

/// Runs `action` and parses its successful output.
pub fn ok(runtime: &Runtime, action: &str, input: &str, secrets: &Secrets) -> Value {
    match call(runtime, action, input, secrets) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("{action} output is not JSON ({e}): {text}")),
        Err(e) => panic!("{action} failed: {}: {}", error_kind(&e), error_message(&e)),
    }
}

/// Runs `action` expecting an error; returns (kind, message).
pub fn err(runtime: &Runtime, action: &str, input: &str, secrets: &Secrets) -> (String, String) {
    match call(runtime, action, input, secrets) {
        Ok(text) => panic!("{action} succeeded but should have failed: {text}"),
        Err(e) => (error_kind(&e).to_string(), error_message(&e).to_string()),
    }
}

/// Asserts `runtime` has sent no request at all, not even the token exchange.
pub fn assert_nothing_sent(runtime: &Runtime) {
    let sent: Vec<String> = runtime.http().sent().iter().map(|r| format!("{} {}", r.method, r.url)).collect();
    assert!(sent.is_empty(), "no request may be sent: {sent:?}");
}

/// Asserts `action` refuses `input` as `invalid-input` with a message containing `needle`, without
/// sending any request.
pub fn assert_refused(action: &str, input: &str, needle: &str) {
    assert_refused_all(action, input, &[needle]);
}

/// Like [`assert_refused`], with a message containing every one of `needles`. The runtime may reach
/// a local address where nothing listens, so any request would be recorded before it failed.
pub fn assert_refused_all(action: &str, input: &str, needles: &[&str]) {
    let base = "http://127.0.0.1:9";
    let runtime = runtime_for(base);
    let (kind, message) = err(&runtime, action, input, &Secrets::connection(ORG, OAT, Some(base)));
    assert_eq!(kind, "invalid-input", "{action} {input}: {message}");
    for needle in needles {
        assert!(message.contains(needle), "{action} {input}: {message:?} lacks {needle:?}");
    }
    assert_nothing_sent(&runtime);
}

/// Asserts neither the OAT nor any test JWT appears in an outcome.
pub fn assert_no_secret(outcome: &Outcome) {
    let text = match outcome {
        Ok(out) => out.clone(),
        Err(e) => format!("{} {} {:?}", error_kind(e), error_message(e), error_detail(e)),
    };
    assert!(!text.contains(OAT), "the OAT leaked: {text}");
    assert!(!text.contains("CANARYjwt"), "a JWT leaked: {text}");
    assert!(!text.contains("CANARY-oat"), "part of the OAT leaked: {text}");
}

/// The output without its `meta` block (request counts and rate limits vary by test).
pub fn without_meta(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.remove("meta");
    }
    value
}

/// Asserts the OAT went nowhere but the token exchange body, and no cache key holds a secret.
pub fn assert_secrets_stay_home(runtime: &Runtime) {
    for request in runtime.http().sent() {
        let exchange = request.method == "POST" && request.url.ends_with("/v2/auth/token");
        assert!(!request.url.contains(OAT), "the OAT was put in a URL: {}", request.url);
        for (name, value) in &request.headers {
            assert!(!value.contains(OAT), "the OAT was sent in header {name}");
        }
        let body = request.body.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
        assert!(exchange || !body.contains(OAT), "the OAT was sent to {} {}", request.method, request.url);
    }
    for key in runtime.cache().keys() {
        assert!(!key.contains(OAT) && !key.contains("CANARY"), "a cache key holds a secret: {key}");
    }
}
