//! `cache`: an in-memory TTL cache shared by every call in one process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A thread-safe TTL cache.
#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, (Vec<u8>, Instant)>>,
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The live value under `key`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((value, expires)) if *expires > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for `ttl_seconds` (0 stores nothing).
    pub fn set(&self, key: &str, value: Vec<u8>, ttl_seconds: u32) {
        if ttl_seconds == 0 {
            return;
        }
        let expires = Instant::now() + Duration::from_secs(u64::from(ttl_seconds));
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string(), (value, expires));
    }

    /// Forgets `key`.
    pub fn delete(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    /// Every key currently stored (for tests that check no secret is used as a key).
    pub fn keys(&self) -> Vec<String> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
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
}
