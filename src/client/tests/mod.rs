//! Native tests of the client through a scripted fake [`Host`]: no wasm, no sockets.
//!
//! [`ScriptedHost`] answers each request from a queue of answers scripted for its route
//! (`"GET /v2/orgs/acme/members?page=2"`), and records every request sent, every batch, every pause
//! and every cache operation. A request nobody scripted panics with its route, so a test fails
//! loudly on any call it did not expect. The tests are grouped by what they exercise:
//! [`retries`] (one request: retries, re-authentication, 429 and the budget), [`batch`]
//! (settling a batch), [`paging`] (walking a listing) and [`tokens`] (the token and its cache).

mod batch;
mod limits;
mod paging;
mod retries;
mod tokens;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::Client;
use crate::api::{ApiRequest, Scope, path};
use crate::connection::{KEY_HUB_URL, KEY_OAT, KEY_ORG, KEY_RETRY_BUDGET};
use crate::host::{FetchError, Host, HttpRequest, HttpResponse, Method};

/// The fake hub's base URL.
pub(super) const BASE: &str = "https://hub.test";
/// The organization every test administers.
pub(super) const ORG: &str = "acme";
/// The OAT every test connects with; it must never reach a cache key, a URL or a header.
pub(super) const OAT: &str = "dckr_oat_7Hq2-secret-value";
/// The route of the token exchange.
pub(super) const EXCHANGE: &str = "POST /v2/auth/token";

/// One scripted answer.
pub(super) type Answer = Result<HttpResponse, FetchError>;

/// A cache operation the client asked of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CacheOp {
    Get(String),
    Set { key: String, ttl_seconds: u32 },
    Delete(String),
}

/// A fake host that answers from a script and records what the client did.
#[derive(Default)]
pub(super) struct ScriptedHost {
    secrets: BTreeMap<String, String>,
    script: RefCell<HashMap<String, VecDeque<Answer>>>,
    sent: RefCell<Vec<HttpRequest>>,
    batches: RefCell<Vec<(Vec<String>, u32)>>,
    batch_answers: std::cell::Cell<Option<usize>>,
    sleeps: RefCell<Vec<u32>>,
    cache: RefCell<HashMap<String, Vec<u8>>>,
    cache_ops: RefCell<Vec<CacheOp>>,
}

impl ScriptedHost {
    /// A host with the usual connection values (org, OAT, the fake hub's URL).
    pub(super) fn new() -> Self {
        ScriptedHost::default().secret(KEY_ORG, ORG).secret(KEY_OAT, OAT).secret(KEY_HUB_URL, BASE)
    }

    /// Sets a connection value.
    pub(super) fn secret(mut self, key: &str, value: &str) -> Self {
        self.secrets.insert(key.to_string(), value.to_string());
        self
    }

    /// Sets the retry budget, in seconds.
    pub(super) fn budget_seconds(self, seconds: u64) -> Self {
        self.secret(KEY_RETRY_BUDGET, &seconds.to_string())
    }

    /// Queues `answers` for `route` (`"GET /path?query"`), used one per request, in order.
    pub(super) fn on(&self, route: &str, answers: impl IntoIterator<Item = Answer>) -> &Self {
        self.script.borrow_mut().entry(route.to_string()).or_default().extend(answers);
        self
    }

    /// Queues a successful exchange answering `token`.
    pub(super) fn exchange_gives(&self, token: &str) -> &Self {
        self.on(EXCHANGE, [ok_json(200, json!({ "access_token": token }))])
    }

    /// Puts `token` in the cache under `key`, as an earlier call would have.
    pub(super) fn cached(&self, key: &str, token: &str) -> &Self {
        self.cache.borrow_mut().insert(key.to_string(), token.as_bytes().to_vec());
        self
    }

    /// Makes the batch fetch answer (and send) only the first `n` requests of each batch, as a
    /// host that gives up part-way would.
    pub(super) fn answer_batches_partly(&self, n: usize) -> &Self {
        self.batch_answers.set(Some(n));
        self
    }

    /// Every request sent, in order (one by one and in batches).
    pub(super) fn sent(&self) -> Vec<HttpRequest> {
        self.sent.borrow().clone()
    }

    /// The route of every request sent, in order.
    pub(super) fn routes(&self) -> Vec<String> {
        self.sent.borrow().iter().map(route_of).collect()
    }

    /// How many requests went to `route`.
    pub(super) fn hits(&self, route: &str) -> usize {
        self.routes().iter().filter(|r| *r == route).count()
    }

    /// The bearer tokens sent to `route`, in order.
    pub(super) fn bearers(&self, route: &str) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .filter(|r| route_of(r) == route)
            .map(|r| header(r, "Authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("").to_string())
            .collect()
    }

    /// Each batch: the routes it carried and the concurrency asked for.
    pub(super) fn batches(&self) -> Vec<(Vec<String>, u32)> {
        self.batches.borrow().clone()
    }

    /// Every pause asked for, in milliseconds.
    pub(super) fn sleeps(&self) -> Vec<u32> {
        self.sleeps.borrow().clone()
    }

    /// Every cache operation, in order.
    pub(super) fn cache_ops(&self) -> Vec<CacheOp> {
        self.cache_ops.borrow().clone()
    }

    /// The cache's current keys.
    pub(super) fn cache_keys(&self) -> Vec<String> {
        self.cache.borrow().keys().cloned().collect()
    }

    /// Answers left unused in the script (a test that scripted them expected them to be used).
    pub(super) fn unused(&self) -> Vec<String> {
        let script = self.script.borrow();
        let mut left: Vec<String> =
            script.iter().filter(|(_, q)| !q.is_empty()).map(|(r, q)| format!("{r} ×{}", q.len())).collect();
        left.sort();
        left
    }

    fn answer(&self, request: &HttpRequest) -> Answer {
        self.sent.borrow_mut().push(request.clone());
        let route = route_of(request);
        let next = self.script.borrow_mut().get_mut(&route).and_then(VecDeque::pop_front);
        next.unwrap_or_else(|| panic!("unscripted request {route} (sent so far: {:?})", self.routes()))
    }
}

impl Host for ScriptedHost {
    fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, FetchError> {
        self.answer(request)
    }

    fn fetch_batch(&self, requests: &[HttpRequest], max_concurrency: u32) -> Vec<Result<HttpResponse, FetchError>> {
        self.batches.borrow_mut().push((requests.iter().map(route_of).collect(), max_concurrency));
        let answered = self.batch_answers.get().unwrap_or(requests.len());
        requests.iter().take(answered).map(|r| self.answer(r)).collect()
    }

    fn sleep(&self, millis: u32) {
        self.sleeps.borrow_mut().push(millis);
    }

    fn secret(&self, key: &str) -> Option<String> {
        self.secrets.get(key).cloned()
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        self.cache_ops.borrow_mut().push(CacheOp::Get(key.to_string()));
        self.cache.borrow().get(key).cloned()
    }

    fn cache_set(&self, key: &str, value: &[u8], ttl_seconds: u32) {
        self.cache_ops.borrow_mut().push(CacheOp::Set { key: key.to_string(), ttl_seconds });
        self.cache.borrow_mut().insert(key.to_string(), value.to_vec());
    }

    fn cache_delete(&self, key: &str) {
        self.cache_ops.borrow_mut().push(CacheOp::Delete(key.to_string()));
        self.cache.borrow_mut().remove(key);
    }
}

/// `"GET /path?query"` of a request to the fake hub.
fn route_of(request: &HttpRequest) -> String {
    let target = request.url.strip_prefix(BASE).unwrap_or(&request.url);
    format!("{} {target}", request.method.as_str())
}

/// The first header named `name` of a sent request.
pub(super) fn header<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A client over `host`'s connection values.
pub(super) fn client(host: &ScriptedHost) -> Client<'_> {
    Client::connect(host).expect("the scripted connection values are valid")
}

/// A request to `path` (`/v2/…`, already encoded) with `method`; idempotency follows the method.
pub(super) fn request(method: Method, path_text: &str) -> ApiRequest {
    let segments: Vec<&str> = path_text.trim_start_matches('/').split('/').collect();
    ApiRequest::new(method, path(&segments), Scope::MemberRead, format!("the test resource {path_text}"))
}

/// An answer with `status` and a JSON body.
pub(super) fn ok_json(status: u16, body: Value) -> Answer {
    Ok(HttpResponse { status, headers: vec![], body: body.to_string().into_bytes() })
}

/// `answer`, `n` times.
pub(super) fn times(n: usize, answer: Answer) -> Vec<Answer> {
    vec![answer; n]
}

/// An answer with `status`, Docker's error body and no headers.
pub(super) fn status(code: u16) -> Answer {
    ok_json(code, json!({ "detail": format!("status {code} from the script") }))
}

/// `answer` with `headers` added.
pub(super) fn with_headers(answer: Answer, headers: &[(&str, &str)]) -> Answer {
    answer.map(|mut response| {
        response.headers.extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        response
    })
}

/// `Tue, 14 Nov 2023 22:13:20 GMT`: unix time 1 700 000 000, the `Date` of scripted 429s.
pub(super) const DATE: &str = "Tue, 14 Nov 2023 22:13:20 GMT";
/// [`DATE`] as unix seconds.
pub(super) const NOW: u64 = 1_700_000_000;

/// A 429 whose `X-Retry-After` is `wait_seconds` after its own `Date`.
pub(super) fn too_many(wait_seconds: u64) -> Answer {
    with_headers(status(429), &[("Date", DATE), ("X-Retry-After", &(NOW + wait_seconds).to_string())])
}

/// A JWT-shaped token named `name` that lives ten minutes (`exp − iat` = 600 s).
pub(super) fn jwt(name: &str) -> String {
    let payload = json!({ "sub": name, "iat": NOW, "exp": NOW + 600 }).to_string();
    format!("eyJhbGciOiJIUzI1NiJ9.{}.sig-{name}", URL_SAFE_NO_PAD.encode(payload))
}
