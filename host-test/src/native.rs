//! The guest's action code run natively, outside the sandbox.
//!
//! [`NativeHost`] implements the guest's `Host` seam over the same [`HttpClient`], [`Cache`] and
//! [`Secrets`] the component host hands the component, so an action run here does exactly what the
//! component does — same requests, same agent, same output — minus the sandbox: no store, no
//! instantiation, no canonical-ABI copies. The benchmark measures the component against it.

use std::sync::Arc;

use dockerhub_org::host::{self as guest, Host};

use crate::cache::Cache;
use crate::http::HttpClient;
use crate::runtime::http_fetch;
use crate::secrets::Secrets;

/// A native `Host` for the guest crate over the component host's own imports.
pub struct NativeHost {
    http: Arc<HttpClient>,
    cache: Arc<Cache>,
    secrets: Secrets,
}

impl NativeHost {
    /// A host sending through `http`, caching in `cache` and reading connection values from
    /// `secrets`.
    pub fn new(http: Arc<HttpClient>, cache: Arc<Cache>, secrets: Secrets) -> Self {
        NativeHost { http, cache, secrets }
    }

    /// Runs `action` with JSON `input` natively, as the component's export would.
    pub fn run_action(&self, action: &str, input: &str) -> Result<String, dockerhub_org::error::Error> {
        dockerhub_org::run_action(action, self, input)
    }
}

fn to_wire(request: &guest::HttpRequest) -> http_fetch::Request {
    http_fetch::Request {
        method: match request.method {
            guest::Method::Get => http_fetch::Method::Get,
            guest::Method::Post => http_fetch::Method::Post,
            guest::Method::Put => http_fetch::Method::Put,
            guest::Method::Patch => http_fetch::Method::Patch,
            guest::Method::Delete => http_fetch::Method::Delete,
        },
        url: request.url.clone(),
        headers: request
            .headers
            .iter()
            .map(|(name, value)| http_fetch::Header { name: name.clone(), value: value.clone() })
            .collect(),
        body: request.body.clone(),
    }
}

fn from_wire(
    outcome: Result<http_fetch::Response, http_fetch::FetchError>,
) -> Result<guest::HttpResponse, guest::FetchError> {
    match outcome {
        Ok(response) => Ok(guest::HttpResponse {
            status: response.status,
            headers: response.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: response.body,
        }),
        Err(failure) => Err(match failure {
            http_fetch::FetchError::HostNotAllowed(m) => guest::FetchError::HostNotAllowed(m),
            http_fetch::FetchError::InvalidUrl(m) => guest::FetchError::InvalidUrl(m),
            http_fetch::FetchError::Connect(m) => guest::FetchError::Connect(m),
            http_fetch::FetchError::Timeout(m) => guest::FetchError::Timeout(m),
            http_fetch::FetchError::BodyTooLarge(n) => guest::FetchError::BodyTooLarge(n),
            http_fetch::FetchError::Protocol(m) => guest::FetchError::Protocol(m),
            http_fetch::FetchError::DeadlineExceeded(m) => guest::FetchError::DeadlineExceeded(m),
        }),
    }
}

impl Host for NativeHost {
    fn fetch(&self, request: &guest::HttpRequest) -> Result<guest::HttpResponse, guest::FetchError> {
        from_wire(self.http.fetch(&to_wire(request), None))
    }

    fn fetch_batch(
        &self,
        requests: &[guest::HttpRequest],
        max_concurrency: u32,
    ) -> Vec<Result<guest::HttpResponse, guest::FetchError>> {
        let wire: Vec<http_fetch::Request> = requests.iter().map(to_wire).collect();
        self.http.fetch_batch(&wire, max_concurrency, None).into_iter().map(from_wire).collect()
    }

    fn sleep(&self, millis: u32) {
        self.http.sleep(millis, None)
    }

    fn secret(&self, key: &str) -> Option<String> {
        self.secrets.get(key)
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        self.cache.get(key)
    }

    fn cache_set(&self, key: &str, value: &[u8], ttl_seconds: u32) {
        self.cache.set(key, value.to_vec(), ttl_seconds)
    }

    fn cache_delete(&self, key: &str) {
        self.cache.delete(key)
    }
}
