//! `cache`: an in-memory TTL cache shared by every call in one process, whose misses are
//! single-flight.
//!
//! The guest keeps one kind of value here, the bearer JWT from the token exchange: on a miss it
//! exchanges the OAT and `set`s the answer. Twenty calls starting at once (an agent's parallel
//! tool calls) would all miss and make twenty exchanges, so a miss is a *fill*: the first call
//! that misses a key ([`Cache::get_or_fill`]) gets `None` and becomes its filler; every other call
//! that misses the same key meanwhile waits until the filler `set`s it (and gets the value), or
//! until the filler's call ends without setting it or the wait bound passes (then the waiter
//! becomes the filler). A call's fills end with it ([`Cache::release`]), so no call waits on one
//! that is gone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::bindings::cache_iface;
use crate::deadline::Deadline;

/// Who asks: one id per action call.
pub type CallerId = u64;

/// A thread-safe TTL cache with single-flight misses.
#[derive(Debug, Default)]
pub struct Cache {
    state: Mutex<State>,
    /// Signalled whenever a fill ends (a value set, a caller released).
    filled: Condvar,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<String, (Vec<u8>, Instant)>,
    /// Keys being filled, and by which caller.
    fills: HashMap<String, CallerId>,
}

impl State {
    /// The live value under `key` (an expired one is dropped).
    fn live(&mut self, key: &str) -> Option<Vec<u8>> {
        match self.entries.get(key) {
            Some((value, expires)) if *expires > Instant::now() => Some(value.clone()),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The live value under `key`, without waiting for a fill.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().live(key)
    }

    /// The live value under `key`. On a miss, `caller` becomes the key's filler and gets `None`
    /// at once, unless another caller is filling it: then this waits (at most `wait`) for that
    /// fill, and gets its value, or becomes the filler when the fill ended without one.
    pub fn get_or_fill(&self, key: &str, caller: CallerId, wait: Duration) -> Option<Vec<u8>> {
        let started = Instant::now();
        let mut state = self.lock();
        loop {
            if let Some(value) = state.live(key) {
                return Some(value);
            }
            let left = wait.saturating_sub(started.elapsed());
            match state.fills.get(key) {
                Some(&filler) if filler != caller && !left.is_zero() => {
                    state = self.filled.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
                }
                _ => {
                    state.fills.insert(key.to_string(), caller);
                    return None;
                }
            }
        }
    }

    /// Stores `value` for `ttl_seconds` (0 stores nothing); ends a fill of `key` either way.
    pub fn set(&self, key: &str, value: Vec<u8>, ttl_seconds: u32) {
        let mut state = self.lock();
        if ttl_seconds > 0 {
            let expires = Instant::now() + Duration::from_secs(u64::from(ttl_seconds));
            state.entries.insert(key.to_string(), (value, expires));
        }
        state.fills.remove(key);
        drop(state);
        self.filled.notify_all();
    }

    /// Forgets `key`.
    pub fn delete(&self, key: &str) {
        self.lock().entries.remove(key);
    }

    /// Ends every fill `caller` started (its call is over): callers waiting on them go on.
    pub fn release(&self, caller: CallerId) {
        let mut state = self.lock();
        let before = state.fills.len();
        state.fills.retain(|_, filler| *filler != caller);
        let released = state.fills.len() != before;
        drop(state);
        if released {
            self.filled.notify_all();
        }
    }

    /// Every key currently stored (for tests that check no secret is used as a key).
    pub fn keys(&self) -> Vec<String> {
        self.lock().entries.keys().cloned().collect()
    }
}

/// The longest a call waits for another call's fill of a cache key (a token exchange: one request,
/// at most 30 s, and a little more), and never past the call's own deadline.
const CACHE_FILL_WAIT: Duration = Duration::from_secs(35);

/// The `cache` import of one call: the process's [`Cache`] under a fresh [`CallerId`], whose
/// fills end when the call's store drops it.
pub struct CacheImport {
    cache: Arc<Cache>,
    caller: CallerId,
    deadline: Arc<Deadline>,
}

impl CacheImport {
    /// The import for a new call that ends at `deadline`.
    pub fn new(cache: Arc<Cache>, deadline: Arc<Deadline>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        CacheImport { cache, caller: NEXT.fetch_add(1, Ordering::Relaxed), deadline }
    }
}

impl Drop for CacheImport {
    /// The call is over: its cache fills end with it, so no other call waits for them.
    fn drop(&mut self) {
        self.cache.release(self.caller);
    }
}

impl cache_iface::Host for CacheImport {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        // Concurrent calls that miss the same key (the JWT) wait for the first one's exchange.
        let wait = self.deadline.remaining().unwrap_or_default().min(CACHE_FILL_WAIT);
        self.cache.get_or_fill(&key, self.caller, wait)
    }

    fn set(&mut self, key: String, value: Vec<u8>, ttl_seconds: u32) {
        self.cache.set(&key, value, ttl_seconds)
    }

    fn delete(&mut self, key: String) {
        self.cache.delete(&key)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[test]
    fn values_expire_and_zero_ttl_stores_nothing() {
        let c = Cache::new();
        c.set("a", b"1".to_vec(), 60);
        c.set("b", b"2".to_vec(), 0);
        assert_eq!(c.get("a"), Some(b"1".to_vec()));
        assert_eq!(c.get("b"), None);
        c.delete("a");
        assert_eq!(c.get("a"), None);
    }

    #[test]
    fn concurrent_misses_wait_for_the_first_callers_fill() {
        let cache = Arc::new(Cache::new());
        let fills = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..20)
            .map(|caller| {
                let (cache, fills) = (cache.clone(), fills.clone());
                std::thread::spawn(move || {
                    let value = cache.get_or_fill("jwt", caller, Duration::from_secs(10));
                    let value = value.unwrap_or_else(|| {
                        // The filler: an exchange that takes a while.
                        fills.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(200));
                        cache.set("jwt", b"token".to_vec(), 60);
                        b"token".to_vec()
                    });
                    cache.release(caller);
                    value
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), b"token");
        }
        assert_eq!(fills.load(Ordering::SeqCst), 1, "one caller filled, the others waited");
    }

    #[test]
    fn a_fill_that_ends_without_a_value_hands_the_key_to_a_waiter() {
        let cache = Arc::new(Cache::new());
        assert_eq!(cache.get_or_fill("jwt", 1, Duration::from_secs(10)), None);
        let waiter = {
            let cache = cache.clone();
            std::thread::spawn(move || cache.get_or_fill("jwt", 2, Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        cache.release(1); // caller 1's exchange failed and its call ended
        assert_eq!(waiter.join().unwrap(), None, "the waiter fills it now");
        assert!(started.elapsed() < Duration::from_secs(5));
        // A filler asking again does not wait on itself; a bounded wait ends.
        assert_eq!(cache.get_or_fill("jwt", 2, Duration::from_secs(10)), None);
        let started = Instant::now();
        assert_eq!(cache.get_or_fill("jwt", 3, Duration::from_millis(100)), None);
        assert!(started.elapsed() >= Duration::from_millis(100));
    }
}
