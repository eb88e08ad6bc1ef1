//! The guest's action code run natively, outside the sandbox.
//!
//! [`NativeHost`] implements the guest's `Host` seam over the same [`HttpClient`], [`Cache`] and
//! [`Secrets`] the component host hands the component, so an action run here does exactly what the
//! component does — same requests, same agent, same output — minus the sandbox: no store, no
//! instantiation, no canonical-ABI copies. [`HttpClient`] takes the guest's own request types, so
//! nothing is converted here. The benchmark measures the component against it.

use std::sync::Arc;

use dockerhub_org::host::{self as guest, Host};

use crate::cache::Cache;
use crate::http::HttpClient;
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

impl Host for NativeHost {
    fn fetch(&self, request: &guest::HttpRequest) -> Result<guest::HttpResponse, guest::FetchError> {
        self.http.fetch(request, None)
    }

    fn fetch_batch(
        &self,
        requests: &[guest::HttpRequest],
        max_concurrency: u32,
    ) -> Vec<Result<guest::HttpResponse, guest::FetchError>> {
        self.http.fetch_batch(requests, max_concurrency, None)
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
