//! Sending requests: authentication, retries, rate limits, and status → typed error.
//!
//! One [`Client`] lives for one action call. It exchanges the OAT for a JWT at most once (reusing
//! the cached one when there is one), re-exchanges once on a 401, retries what is safe to retry
//! within a time budget, and records the rate-limit state and request count for the output.

mod auth;
pub mod paging;
pub mod rate_limit;
pub mod status;

use std::cell::{Cell, RefCell};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api::ApiRequest;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::host::{FetchError, Host, HttpRequest, HttpResponse};
use rate_limit::RateLimit;

/// Most retries of one request (transient failures and 429s together).
pub const MAX_RETRIES: u32 = 3;
/// First backoff after a transient failure; doubles each time.
pub const BACKOFF_BASE_MS: u64 = 250;
/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("dockerhub-org-plugin/", env!("CARGO_PKG_VERSION"));

/// A Docker Hub client for one action call.
pub struct Client<'h> {
    host: &'h dyn Host,
    conn: Connection,
    token: RefCell<Option<String>>,
    requests: Cell<u32>,
    rate_limit: Cell<Option<RateLimit>>,
    waited_ms: Cell<u64>,
    server_time: Cell<Option<u64>>,
}

/// What to do after one attempt.
enum Next {
    Done(HttpResponse),
    Reauthenticate,
    Retry { wait_ms: u64, error: Error },
    Fail(Error),
}

impl<'h> Client<'h> {
    /// Reads the connection values and builds a client.
    pub fn connect(host: &'h dyn Host) -> Result<Self> {
        Ok(Self::new(host, Connection::from_host(host)?))
    }

    /// A client over validated connection values.
    pub fn new(host: &'h dyn Host, conn: Connection) -> Self {
        Client {
            host,
            conn,
            token: RefCell::new(None),
            requests: Cell::new(0),
            rate_limit: Cell::new(None),
            waited_ms: Cell::new(0),
            server_time: Cell::new(None),
        }
    }

    /// The organization this client administers.
    pub fn org(&self) -> &str {
        &self.conn.org
    }

    /// HTTP requests sent so far (token exchanges and retries included).
    pub fn request_count(&self) -> u32 {
        self.requests.get()
    }

    /// The last rate-limit state Docker reported.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit.get()
    }

    /// Docker's clock (unix seconds) from the `Date` header of the latest response that had one.
    /// The guest has no clock of its own; age-based reports measure against this.
    pub fn server_time(&self) -> Option<u64> {
        self.server_time.get()
    }

    /// Output metadata: request count and rate-limit state.
    pub fn meta(&self) -> Value {
        json!({ "requests": self.request_count(), "rate_limit": self.rate_limit() })
    }

    /// Sends `request`, retrying what is safe to retry, and returns the 2xx response.
    pub fn send(&self, request: &ApiRequest) -> Result<HttpResponse> {
        self.settle(request, None)
    }

    /// Carries `request` to a final outcome. `first` is the judgement of an attempt already made
    /// (by a batch): it counts as the first attempt, so its 429 wait, backoff or re-exchange is
    /// honoured before the request goes out again, exactly as if [`Client::send`] had made it.
    fn settle(&self, request: &ApiRequest, first: Option<Next>) -> Result<HttpResponse> {
        let mut reauthenticated = false;
        let mut retries = 0;
        let mut pending = first;
        loop {
            let next = match pending.take() {
                Some(next) => next,
                None => {
                    let http = self.to_http(request)?;
                    let outcome = self.host.fetch(&http);
                    self.judge(request, outcome, retries)
                }
            };
            match next {
                Next::Done(response) => return Ok(response),
                Next::Reauthenticate if !reauthenticated => {
                    reauthenticated = true;
                    self.forget_token();
                }
                Next::Reauthenticate => {
                    let response = HttpResponse { status: 401, ..Default::default() };
                    return Err(status::status_error(request, &response, &self.conn.org));
                }
                Next::Retry { wait_ms, error } => {
                    if !self.spend_wait(wait_ms) {
                        return Err(error);
                    }
                    retries += 1;
                }
                Next::Fail(error) => return Err(error),
            }
        }
    }

    /// Sends `request` and parses its JSON body.
    pub fn send_json<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T> {
        let response = self.send(request)?;
        parse_json(&response, request)
    }

    /// Sends several requests together through the host's batch fetch (at most `concurrency` at a
    /// time, and no more than Docker's remaining rate limit), then settles each one that did not
    /// succeed but may yet (a 401, 429, or retryable 5xx) through [`Client::send`], so retries and
    /// re-authentication behave exactly as for a single request. Outcomes are in request order.
    pub fn send_batch(&self, requests: &[ApiRequest], concurrency: u32) -> Vec<Result<HttpResponse>> {
        let mut outcomes: Vec<Option<Result<HttpResponse>>> = requests.iter().map(|_| None).collect();
        let mut start = 0;
        while start < requests.len() {
            // Never send more at once than Docker says are left in this rate-limit window.
            let left = requests.len() - start;
            let chunk_len = match self.rate_limit().and_then(|r| r.remaining) {
                Some(remaining) => left.min(usize::try_from(remaining).unwrap_or(usize::MAX)).max(1),
                None => left,
            };
            let chunk = &requests[start..start + chunk_len];
            let parallel = concurrency.clamp(1, u32::try_from(chunk_len).unwrap_or(u32::MAX));
            let http: Result<Vec<HttpRequest>> = chunk.iter().map(|r| self.to_http(r)).collect();
            let bearer_sent = self.token.borrow().clone();
            let answers = match http {
                Ok(http) => self.host.fetch_batch(&http, parallel),
                Err(e) => return requests.iter().map(|_| Err(e.clone())).collect(),
            };
            let mut answers = answers.into_iter();
            for (offset, request) in chunk.iter().enumerate() {
                // A host that returns fewer answers than requests gets the rest asked one by one. A
                // final failure (a 404, or a 500 to a request that must not be repeated) is not sent
                // again; a 429 waits for its retry-after and a 5xx backs off before it is.
                let judged = match answers.next().map(|answer| self.judge(request, answer, 0)) {
                    // An earlier 401 of this batch already brought a fresh token: just resend.
                    Some(Next::Reauthenticate) if *self.token.borrow() != bearer_sent => None,
                    other => other,
                };
                let settled = self.settle(request, judged);
                outcomes[start + offset] = Some(settled);
            }
            start += chunk.len();
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::invalid_response("batch outcome missing"))))
            .collect()
    }

    /// Classifies one attempt's outcome; counts the request and records rate-limit headers.
    fn judge(
        &self,
        request: &ApiRequest,
        outcome: std::result::Result<HttpResponse, FetchError>,
        retries: u32,
    ) -> Next {
        self.requests.set(self.requests.get() + 1);
        let may_retry = retries < MAX_RETRIES;
        let backoff = BACKOFF_BASE_MS << retries.min(8);
        let response = match outcome {
            Ok(response) => response,
            Err(failure) => {
                let error = status::transport_error(request, &failure);
                return if request.idempotent && failure.is_transient() && may_retry {
                    Next::Retry { wait_ms: backoff, error }
                } else {
                    Next::Fail(error)
                };
            }
        };
        if let Some(state) = RateLimit::from_response(&response) {
            self.rate_limit.set(Some(state));
        }
        if let Some(now) = rate_limit::server_now(&response) {
            self.server_time.set(Some(now));
        }
        match response.status {
            200..=299 => Next::Done(response),
            401 if request.authenticated => Next::Reauthenticate,
            // A 429 proves the request was not carried out: retrying is safe for any method.
            429 if may_retry => Next::Retry {
                wait_ms: rate_limit::wait_millis(&response),
                error: status::status_error(request, &response, &self.conn.org),
            },
            500 | 502 | 503 | 504 if request.idempotent && may_retry => {
                Next::Retry { wait_ms: backoff, error: status::status_error(request, &response, &self.conn.org) }
            }
            _ => Next::Fail(status::status_error(request, &response, &self.conn.org)),
        }
    }

    /// Takes `wait_ms` from the retry budget and sleeps; false (and no sleep) when it does not fit.
    fn spend_wait(&self, wait_ms: u64) -> bool {
        let spent = self.waited_ms.get().saturating_add(wait_ms);
        if spent > self.conn.retry_budget_ms {
            return false;
        }
        self.waited_ms.set(spent);
        self.host.sleep(u32::try_from(wait_ms).unwrap_or(u32::MAX));
        true
    }

    /// The wire form of `request`, with the bearer token when it needs one.
    fn to_http(&self, request: &ApiRequest) -> Result<HttpRequest> {
        refuse_dot_segments(&request.path)?;
        let mut headers = vec![
            ("Accept".to_string(), request.accept.to_string()),
            ("User-Agent".to_string(), USER_AGENT.to_string()),
        ];
        if request.authenticated {
            headers.push(("Authorization".to_string(), format!("Bearer {}", self.bearer()?)));
        }
        let body = match &request.body {
            Some(value) => {
                headers.push(("Content-Type".to_string(), "application/json".to_string()));
                Some(serde_json::to_vec(value).map_err(|e| Error::invalid_input(format!("request body: {e}")))?)
            }
            None => None,
        };
        Ok(HttpRequest {
            method: request.method,
            url: format!("{}{}", self.conn.base_url, request.path_and_query()),
            headers,
            body,
        })
    }
}

/// Refuses a path with a `.` or `..` segment, however it is encoded: URL parsers (WHATWG, the `url`
/// crate, many servers) treat `%2E%2E` as `..` and would step out of the addressed resource, so
/// such a name cannot be sent safely whatever builds the path. Input validation gives the friendlier
/// message; this is the last line for every request.
pub fn refuse_dot_segments(path: &str) -> Result<()> {
    for segment in path.split('/') {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." {
            return Err(Error::invalid_input(format!(
                "\"{decoded}\" cannot be used as a name in a Docker Hub path: it would address a different resource."
            )));
        }
    }
    Ok(())
}

/// Parses a JSON body, naming the request when it does not fit the expected shape.
pub fn parse_json<T: DeserializeOwned>(response: &HttpResponse, request: &ApiRequest) -> Result<T> {
    // Validated as UTF-8 once, then read as text: serde_json checks every string of a byte slice
    // on its own, which cost a tenth of the guest's time on a members page.
    let text = std::str::from_utf8(&response.body).map_err(|e| e.to_string());
    text.and_then(|t| serde_json::from_str(t).map_err(|e| e.to_string())).map_err(|e| {
        let what = if response.body.is_empty() {
            "an empty body".to_string()
        } else {
            format!("a body it could not read ({e})")
        };
        Error::invalid_response(format!(
            "Docker Hub answered {} for {} with {what}. The API may have changed or a proxy replied instead.",
            response.status, request.target
        ))
        .with_detail(json!({ "status": response.status, "path": request.path }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_refused_in_any_encoding() {
        for bad in ["/v2/orgs/%2E%2E/members", "/v2/orgs/acme/members/%2e", "/v2/orgs/../x", "/v2/invites/%2e%2E"] {
            assert!(refuse_dot_segments(bad).is_err(), "{bad}");
        }
        for good in ["/v2/orgs/acme/members/a..b", "/v2/orgs/acme/groups/...", "/v2/orgs/acme/members/%2E%2E%2E"] {
            assert!(refuse_dot_segments(good).is_ok(), "{good}");
        }
    }
}
