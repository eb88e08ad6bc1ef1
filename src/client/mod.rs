//! Sending requests: authentication, retries, rate limits, and status → typed error.
//!
//! One [`Client`] lives for one action call. It exchanges the OAT for a JWT at most once (reusing
//! the cached one when there is one), re-exchanges once on a 401, retries what is safe to retry
//! within a time budget, and records the rate-limit state and request count for the output.

mod auth;
pub mod budget;
pub mod paging;
pub mod rate_limit;
pub mod retry;
pub mod status;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};

use crate::api::{ApiRequest, Endpoint, FromResponse, unreadable};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::host::{FetchError, Host, HttpRequest, HttpResponse};
use rate_limit::RateLimit;
pub use retry::{BACKOFF_BASE_MS, MAX_RETRIES};
use retry::{Decision, Progress, RequestKind, decide};

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
    bytes_read: Cell<u64>,
}

/// One attempt's answer, with the session token it was sent with (`None`: no token, or none yet).
struct Attempt {
    answer: std::result::Result<HttpResponse, FetchError>,
    bearer: Option<String>,
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
            bytes_read: Cell::new(0),
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

    /// Sends `endpoint`'s request and reads the answer as the type the endpoint names.
    pub fn fetch<T: FromResponse>(&self, endpoint: &Endpoint<T>) -> Result<T> {
        endpoint.read(&self.send(endpoint)?)
    }

    /// Sends `request`, retrying what is safe to retry, and returns the 2xx response unread (what
    /// [`Client::fetch`] reads, and what a write plan reports).
    pub fn send(&self, request: &ApiRequest) -> Result<HttpResponse> {
        self.settle(request, None)
    }

    /// Carries `request` to a final outcome, doing what [`decide`] says after each answer. `first`
    /// is an attempt already made (by a batch): it counts as the first attempt, so its 429 wait,
    /// backoff or re-exchange is honoured before the request goes out again, exactly as if
    /// [`Client::send`] had made it.
    fn settle(&self, request: &ApiRequest, first: Option<Attempt>) -> Result<HttpResponse> {
        let kind = RequestKind::of(request);
        let mut progress = Progress { retries: 0, reauthenticated: false, budget_left_ms: 0 };
        let mut pending = first;
        loop {
            let attempt = match pending.take() {
                Some(attempt) => attempt,
                None => {
                    self.check_budget(1)?;
                    let http = self.to_http(request)?;
                    let bearer = self.current_bearer(request);
                    Attempt { answer: self.host.fetch(&http), bearer }
                }
            };
            self.observe(&attempt.answer);
            self.check_answer(request, &attempt.answer)?;
            progress.budget_left_ms = self.conn.retry_budget_ms.saturating_sub(self.waited_ms.get());
            match (decide(kind, attempt.answer.as_ref(), progress), attempt.answer) {
                (Decision::Done, Ok(response)) => return Ok(response),
                (Decision::Reauthenticate, _) => {
                    progress.reauthenticated = true;
                    // A batch may already have replaced the token this attempt was sent with (an
                    // earlier 401 in it): then the fresh token is used without another exchange.
                    if *self.token.borrow() == attempt.bearer {
                        self.forget_token();
                    }
                }
                (Decision::RetryAfter { wait_ms }, _) => {
                    self.wait(wait_ms);
                    progress.retries += 1;
                }
                (Decision::Fail, Ok(response)) => {
                    return Err(status::status_error(request, &response, &self.conn.org));
                }
                (Decision::Fail | Decision::Done, Err(FetchError::DeadlineExceeded(reason))) => {
                    let (seconds, sent) = (self.conn.call_timeout_s, self.request_count());
                    return Err(budget::deadline_exceeded(&request.target, seconds, sent, &reason));
                }
                (Decision::Fail | Decision::Done, Err(failure)) => {
                    return Err(status::transport_error(request, &failure));
                }
            }
        }
    }

    /// Sends several requests together through the host's batch fetch (at most `concurrency` at a
    /// time, and no more than Docker's remaining rate limit), then settles each one that did not
    /// succeed but may yet (a 401, 429, or retryable 5xx) through the same loop as
    /// [`Client::send`], so retries and re-authentication behave exactly as for a single request.
    /// Outcomes are in request order, one per request: a request that cannot be sent (a bad path)
    /// fails alone, and a failed token exchange fails only the requests not yet settled.
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
            // Never more than the call may still send; none at all past a limit.
            let allowed = budget::MAX_REQUESTS.saturating_sub(self.request_count()) as usize;
            let chunk_len = chunk_len.min(allowed.max(1));
            if let Err(e) = self.check_budget(chunk_len as u32) {
                for outcome in &mut outcomes[start..] {
                    *outcome = Some(Err(e.clone()));
                }
                break;
            }
            let chunk = &requests[start..start + chunk_len];
            // One token for the whole chunk; without one, nothing more can be sent.
            if chunk.iter().any(|r| r.authenticated)
                && let Err(e) = self.bearer()
            {
                for outcome in &mut outcomes[start..] {
                    *outcome = Some(Err(e.clone()));
                }
                break;
            }
            let mut sendable = Vec::with_capacity(chunk_len);
            let mut http = Vec::with_capacity(chunk_len);
            for (offset, request) in chunk.iter().enumerate() {
                match self.to_http(request) {
                    Ok(wire) => {
                        sendable.push(start + offset);
                        http.push(wire);
                    }
                    Err(e) => outcomes[start + offset] = Some(Err(e)),
                }
            }
            let bearer = self.token.borrow().clone();
            let answers = if http.is_empty() {
                Vec::new()
            } else {
                let parallel = concurrency.clamp(1, u32::try_from(http.len()).unwrap_or(u32::MAX));
                self.host.fetch_batch(&http, parallel)
            };
            let mut answers = answers.into_iter();
            for index in sendable {
                // A host that returns fewer answers than requests gets the rest asked one by one. A
                // final failure (a 404, or a 500 to a request that must not be repeated) is not sent
                // again; a 429 waits for its retry-after and a 5xx backs off before it is.
                let request = &requests[index];
                let bearer = if request.authenticated { bearer.clone() } else { None };
                let first = answers.next().map(|answer| Attempt { answer, bearer });
                outcomes[index] = Some(self.settle(request, first));
            }
            start += chunk_len;
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Error::invalid_response("batch outcome missing"))))
            .collect()
    }

    /// Counts one answered attempt and records the rate-limit state and Docker's clock it reports.
    fn observe(&self, answer: &std::result::Result<HttpResponse, FetchError>) {
        self.requests.set(self.requests.get() + 1);
        if let Ok(response) = answer {
            if let Some(state) = RateLimit::from_response(response) {
                self.rate_limit.set(Some(state));
            }
            if let Some(now) = rate_limit::server_now(response) {
                self.server_time.set(Some(now));
            }
        }
    }

    /// Refuses to send `more` requests past [`budget::MAX_REQUESTS`] or once the call's memory is
    /// past [`budget::MEMORY_CEILING`].
    fn check_budget(&self, more: u32) -> Result<()> {
        let sent = self.request_count();
        if sent.saturating_add(more) > budget::MAX_REQUESTS {
            return Err(budget::too_many_requests(sent));
        }
        budget::check_memory()
    }

    /// Counts the bytes of an answer against [`budget::MAX_READ_BYTES`] and refuses a body that
    /// cannot be read within the call's memory ([`budget::unreadable_body`]), before anything
    /// parses it.
    fn check_answer(&self, request: &ApiRequest, answer: &std::result::Result<HttpResponse, FetchError>) -> Result<()> {
        let Ok(response) = answer else { return Ok(()) };
        let read = self.bytes_read.get().saturating_add(response.body.len() as u64);
        self.bytes_read.set(read);
        if read > budget::MAX_READ_BYTES {
            return Err(budget::too_many_bytes_read(read));
        }
        match budget::unreadable_body(&response.body) {
            None => Ok(()),
            Some(why) => Err(unreadable(response, request, &why)),
        }
    }

    /// Takes `wait_ms` from the retry budget and sleeps ([`decide`] has checked that it fits).
    fn wait(&self, wait_ms: u64) {
        self.waited_ms.set(self.waited_ms.get().saturating_add(wait_ms));
        self.host.sleep(u32::try_from(wait_ms).unwrap_or(u32::MAX));
    }

    /// The session token `request` was just sent with, if it carries one.
    fn current_bearer(&self, request: &ApiRequest) -> Option<String> {
        if request.authenticated { self.token.borrow().clone() } else { None }
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
