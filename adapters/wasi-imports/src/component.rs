//! The component boundary (wasm32 only): the plugin's three imports and `service-host` for the
//! service front, over the generated [`crate::bindings`].
//!
//! `secret-get` reads `wasi:config/store`; `cache` keeps one `wasi:keyvalue` bucket open for the
//! instance's life and stores each value behind its expiry; `http-fetch` hands requests to
//! [`crate::fetch`] and pauses on a monotonic-clock pollable, both within the call's deadline;
//! `service-host` gives the front the same config lookup, starts the call's deadline
//! ([`crate::deadline`]) and reads the count of requests [`crate::fetch`] sent since its request
//! began.

use std::cell::{Cell, RefCell};

use crate::bindings as wit;
use wit::exports::dockerhub::adapters::service_host;
use wit::exports::dockerhub::org::{cache, http_fetch, secret_get};
use wit::wasi::clocks::{monotonic_clock, wall_clock};
use wit::wasi::config::store as config;
use wit::wasi::keyvalue::store as keyvalue;

use crate::allow_list::AllowList;
use crate::cache_entry::{self, Entry};
use crate::deadline::Deadline;
use crate::{config_keys, limits};

/// The component's exports.
struct Adapter;

wit::export!(Adapter with_types_in wit);

/// A configuration value: the key as the plugin names it, then its underscore spelling (Spin).
pub(crate) fn config_value(key: &str) -> Option<String> {
    config_keys::candidates(key).find_map(|k| config::get(&k).ok().flatten())
}

impl secret_get::Guest for Adapter {
    fn get(key: String) -> Option<String> {
        config_value(&key)
    }
}

thread_local! {
    /// The call's deadline, from the front's last `begin-call` ([`crate::deadline`]); none before.
    static DEADLINE: Cell<Option<Deadline>> = const { Cell::new(None) };
}

/// The current call's deadline, when the front began one.
pub(crate) fn deadline() -> Option<Deadline> {
    DEADLINE.with(Cell::get)
}

impl service_host::Guest for Adapter {
    fn config_value(key: String) -> Option<String> {
        config_value(&key)
    }

    fn begin_call() {
        crate::fetch::reset_requests_sent();
        let timeout = limits::call_timeout(config_value(limits::CALL_TIMEOUT_KEY).as_deref());
        DEADLINE.with(|deadline| deadline.set(Some(Deadline::after(monotonic_clock::now(), timeout))));
    }

    fn requests_sent() -> u32 {
        crate::fetch::requests_sent()
    }
}

impl http_fetch::Guest for Adapter {
    fn fetch(request: http_fetch::Request) -> Result<http_fetch::Response, http_fetch::FetchError> {
        let allow = AllowList::for_hub_url(config_value(config_keys::HUB_URL).as_deref());
        crate::fetch::run(&allow, vec![request], 1, deadline())
            .pop()
            .unwrap_or_else(|| Err(http_fetch::FetchError::Protocol("the request was not run".to_string())))
    }

    fn fetch_batch(
        requests: Vec<http_fetch::Request>,
        max_concurrency: u32,
    ) -> Vec<Result<http_fetch::Response, http_fetch::FetchError>> {
        let allow = AllowList::for_hub_url(config_value(config_keys::HUB_URL).as_deref());
        let configured = config_value(config_keys::MAX_CONCURRENCY);
        let width = limits::batch_width(max_concurrency, configured.as_deref(), requests.len());
        crate::fetch::run(&allow, requests, width, deadline())
    }

    fn sleep(millis: u32) {
        let nanos = limits::sleep_nanos(millis);
        let now = monotonic_clock::now();
        if deadline().is_some_and(|deadline| deadline.ends_past(now, nanos)) {
            // The pause does not start; the call's next request fails at once.
            DEADLINE.with(|deadline| deadline.set(Some(Deadline::passed_at(now))));
            return;
        }
        monotonic_clock::subscribe_duration(nanos).block();
    }
}

thread_local! {
    /// The bucket, opened on first use and kept for the instance's life (wasmtime's in-memory store
    /// gives each `open` its own copy, so reopening would forget what was set). `None` inside when
    /// no store could be opened: the cache then misses, which only costs a token exchange.
    static BUCKET: RefCell<Option<Option<keyvalue::Bucket>>> = const { RefCell::new(None) };
}

/// Runs `f` on the bucket, when one can be opened.
fn with_bucket<R>(f: impl FnOnce(&keyvalue::Bucket) -> R) -> Option<R> {
    BUCKET.with(|cell| {
        let mut slot = cell.borrow_mut();
        let bucket = slot.get_or_insert_with(open_bucket);
        bucket.as_ref().map(f)
    })
}

/// The configured bucket (`cache-bucket`), else `""` (wasmtime), else `"default"` (Spin).
fn open_bucket() -> Option<keyvalue::Bucket> {
    let configured = config_value(config_keys::CACHE_BUCKET);
    let names = configured.into_iter().chain(["".to_string(), "default".to_string()]);
    names.into_iter().find_map(|name| keyvalue::open(&name).ok())
}

fn now_seconds() -> u64 {
    wall_clock::now().seconds
}

impl cache::Guest for Adapter {
    fn get(key: String) -> Option<Vec<u8>> {
        with_bucket(|bucket| {
            let stored = bucket.get(&key).ok().flatten()?;
            match cache_entry::decode(stored, now_seconds()) {
                Entry::Fresh(value) => Some(value),
                Entry::Stale => {
                    let _ = bucket.delete(&key);
                    None
                }
            }
        })
        .flatten()
    }

    fn set(key: String, value: Vec<u8>, ttl_seconds: u32) {
        with_bucket(|bucket| match cache_entry::encode(&value, now_seconds(), ttl_seconds) {
            Some(stored) => {
                let _ = bucket.set(&key, &stored);
            }
            None => {
                let _ = bucket.delete(&key);
            }
        });
    }

    fn delete(key: String) {
        with_bucket(|bucket| {
            let _ = bucket.delete(&key);
        });
    }
}
