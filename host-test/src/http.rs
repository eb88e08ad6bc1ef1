//! `http-fetch`: blocking HTTP (rustls for the live hub, plain HTTP for local servers) behind an
//! allow-list of origins, with timeouts, a response body cap, no redirects, and a bounded thread
//! pool for batches.
//!
//! [`HttpClient`] works on the guest's own request types (`dockerhub_org::host`), so the native
//! run ([`crate::native`]) uses it as is; [`HttpImport`] is the component's import over it, one
//! per call, converting the generated WIT types once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dockerhub_org::host::{FetchError, HttpRequest, HttpResponse, Method};
use url::Url;

use crate::bindings::http_fetch;
use crate::deadline::Deadline;

/// What the HTTP import may do.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Origins (`scheme://host:port`) requests may go to.
    pub allowed_origins: Vec<String>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: u64,
    /// Most requests a batch runs at once, whatever the guest asks.
    pub max_concurrency: u32,
    /// Longest single pause the guest may ask for.
    pub max_sleep: Duration,
    /// Sleep for real (false: only record the pauses; tests use this).
    pub real_sleep: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            allowed_origins: vec!["https://hub.docker.com:443".to_string()],
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 8 * 1024 * 1024,
            max_concurrency: 16,
            max_sleep: Duration::from_secs(60),
            real_sleep: true,
        }
    }
}

impl HttpConfig {
    /// The ureq agent these settings describe: statuses are answers (not errors), no redirects
    /// (a redirect could leave the allow-list), the timeouts, and no proxy.
    pub fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout))
            .proxy(None)
            .build()
            .into()
    }

    /// Adds the origin of `base_url` to the allow-list.
    pub fn allow(mut self, base_url: &str) -> anyhow::Result<Self> {
        let origin = origin_of(&Url::parse(base_url)?).ok_or_else(|| anyhow::anyhow!("the URL has no host"))?;
        if !self.allowed_origins.contains(&origin) {
            self.allowed_origins.push(origin);
        }
        Ok(self)
    }
}

/// One request as it went out (tests assert on these).
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// Method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Option<Vec<u8>>,
}

/// The HTTP side of the host, shared by every call in a process.
pub struct HttpClient {
    config: HttpConfig,
    agent: ureq::Agent,
    sent: Mutex<Vec<SentRequest>>,
    sleeps: Mutex<Vec<u32>>,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

fn origin_of(url: &Url) -> Option<String> {
    Some(format!("{}://{}:{}", url.scheme(), url.host_str()?, url.port_or_known_default()?))
}

impl HttpClient {
    /// A client with `config`.
    pub fn new(config: HttpConfig) -> Arc<Self> {
        let agent = config.agent();
        Arc::new(HttpClient {
            config,
            agent,
            sent: Mutex::new(Vec::new()),
            sleeps: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Every request sent so far.
    pub fn sent(&self) -> Vec<SentRequest> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every request sent since the last call, removed from the log (long-running tests read the
    /// log in pieces so it does not grow without bound).
    pub fn take_sent(&self) -> Vec<SentRequest> {
        std::mem::take(&mut *self.sent.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Every pause the guest asked for, in milliseconds.
    pub fn sleeps(&self) -> Vec<u32> {
        self.sleeps.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Most requests that were in flight at once.
    pub fn peak_concurrency(&self) -> usize {
        self.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Sends one request, within `deadline` when there is one.
    pub fn fetch(&self, request: &HttpRequest, deadline: Option<&Deadline>) -> Result<HttpResponse, FetchError> {
        let url = Url::parse(&request.url).map_err(|e| FetchError::InvalidUrl(format!("{e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl(format!("unsupported scheme {}", url.scheme())));
        }
        let origin = origin_of(&url).ok_or_else(|| FetchError::InvalidUrl("no host".into()))?;
        if !self.config.allowed_origins.contains(&origin) {
            return Err(FetchError::HostNotAllowed(origin));
        }
        let timeout = match deadline.map(|d| (d, d.remaining())) {
            None => self.config.timeout,
            Some((deadline, None)) => return Err(deadline.exceeded("not sent: the deadline had passed")),
            Some((_, Some(left))) => left.min(self.config.timeout),
        };
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).push(SentRequest {
            method: request.method.as_str().to_string(),
            url: request.url.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
        });
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        let outcome = self.send(request, timeout);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        match (outcome, deadline) {
            // A timeout the deadline imposed (the deadline has come) is the deadline's.
            (Err(FetchError::Timeout(_)), Some(deadline)) if deadline.remaining().is_none() => {
                Err(deadline.exceeded("no answer before the deadline"))
            }
            (outcome, _) => outcome,
        }
    }

    fn send(&self, request: &HttpRequest, timeout: Duration) -> Result<HttpResponse, FetchError> {
        let mut builder = ureq::http::Request::builder().method(request.method.as_str()).uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = request.body.clone().unwrap_or_default();
        let built = builder.body(body).map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
        let built = self.agent.configure_request(built).timeout_global(Some(timeout)).build();
        let mut response = self.agent.run(built).map_err(|e| self.failure(e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.config.max_body_bytes)
            .read_to_vec()
            .map_err(|e| self.failure(e))?;
        Ok(HttpResponse { status, headers, body })
    }

    fn failure(&self, error: ureq::Error) -> FetchError {
        use std::io::ErrorKind as Io;
        match error {
            ureq::Error::Timeout(t) => FetchError::Timeout(t.to_string()),
            ureq::Error::BodyExceedsLimit(_) => FetchError::BodyTooLarge(self.config.max_body_bytes),
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FetchError::Connect(error.to_string()),
            ureq::Error::Io(e) => match e.kind() {
                Io::ConnectionRefused | Io::AddrNotAvailable | Io::NotConnected => FetchError::Connect(e.to_string()),
                Io::TimedOut | Io::WouldBlock => FetchError::Timeout(e.to_string()),
                _ => FetchError::Protocol(e.to_string()),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => FetchError::Connect(error.to_string()),
            ureq::Error::BadUri(m) => FetchError::InvalidUrl(m),
            other => FetchError::Protocol(other.to_string()),
        }
    }

    /// Sends `requests`, at most `max_concurrency` (and the configured cap) at a time; outcomes in
    /// request order.
    pub fn fetch_batch(
        &self,
        requests: &[HttpRequest],
        max_concurrency: u32,
        deadline: Option<&Deadline>,
    ) -> Vec<Result<HttpResponse, FetchError>> {
        let workers = max_concurrency.clamp(1, self.config.max_concurrency.max(1)) as usize;
        let workers = workers.min(requests.len().max(1));
        let slots: Vec<Mutex<Option<Result<HttpResponse, FetchError>>>> =
            requests.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(request) = requests.get(i) else { break };
                        let outcome = self.fetch(request, deadline);
                        *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
                    }
                });
            }
        });
        slots
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| Err(FetchError::Protocol("the request was not run".into())))
            })
            .collect()
    }

    /// Pauses for the guest (capped), or only records the pause. A pause that would end past
    /// `deadline` does not start: the deadline is marked as passed instead.
    pub fn sleep(&self, millis: u32, deadline: Option<&Deadline>) {
        self.sleeps.lock().unwrap_or_else(|p| p.into_inner()).push(millis);
        let pause = Duration::from_millis(u64::from(millis)).min(self.config.max_sleep);
        if let Some(deadline) = deadline
            && deadline.remaining().is_none_or(|left| pause >= left)
        {
            deadline.exceeded("a pause before a retry would end past the deadline");
            return;
        }
        if self.config.real_sleep {
            std::thread::sleep(pause);
        }
    }
}

/// The `http-fetch` import of one call: the process's [`HttpClient`] within the call's deadline,
/// counting the time spent in it.
pub struct HttpImport {
    client: Arc<HttpClient>,
    deadline: Arc<Deadline>,
    in_http: Duration,
}

impl HttpImport {
    /// The import for a call that ends at `deadline`.
    pub fn new(client: Arc<HttpClient>, deadline: Arc<Deadline>) -> Self {
        HttpImport { client, deadline, in_http: Duration::ZERO }
    }

    /// Time spent in the import (requests and pauses) so far.
    pub fn time_spent(&self) -> Duration {
        self.in_http
    }

    /// Runs `work` within the call's deadline, counting its time.
    fn timed<T>(&mut self, work: impl FnOnce(&HttpClient, &Deadline) -> T) -> T {
        let start = Instant::now();
        let outcome = work(&self.client, &self.deadline);
        self.in_http += start.elapsed();
        outcome
    }
}

/// A request as the guest types spell it.
fn from_wit(request: http_fetch::Request) -> HttpRequest {
    HttpRequest {
        method: dockerhub_org_wire::method!(request.method, http_fetch::Method => Method),
        url: request.url,
        headers: request.headers.into_iter().map(|h| (h.name, h.value)).collect(),
        body: request.body,
    }
}

/// An outcome as the WIT spells it.
fn to_wit(outcome: Result<HttpResponse, FetchError>) -> Result<http_fetch::Response, http_fetch::FetchError> {
    match outcome {
        Ok(response) => Ok(http_fetch::Response {
            status: response.status,
            headers: response.headers.into_iter().map(|(name, value)| http_fetch::Header { name, value }).collect(),
            body: response.body,
        }),
        Err(failure) => Err(dockerhub_org_wire::fetch_error!(failure, FetchError => http_fetch::FetchError)),
    }
}

impl http_fetch::Host for HttpImport {
    fn fetch(&mut self, request: http_fetch::Request) -> Result<http_fetch::Response, http_fetch::FetchError> {
        let request = from_wit(request);
        self.timed(|http, deadline| to_wit(http.fetch(&request, Some(deadline))))
    }

    fn fetch_batch(
        &mut self,
        requests: Vec<http_fetch::Request>,
        max_concurrency: u32,
    ) -> Vec<Result<http_fetch::Response, http_fetch::FetchError>> {
        let requests: Vec<HttpRequest> = requests.into_iter().map(from_wit).collect();
        self.timed(|http, deadline| {
            http.fetch_batch(&requests, max_concurrency, Some(deadline)).into_iter().map(to_wit).collect()
        })
    }

    fn sleep(&mut self, millis: u32) {
        self.timed(|http, deadline| http.sleep(millis, Some(deadline)))
    }
}
