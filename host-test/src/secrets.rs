//! `secret-get`: connection values by key, kept in memory and never printed.

use std::collections::BTreeMap;

use crate::bindings::secret_get;

/// The connection values one call sees.
#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets").field("keys", &self.values.keys().collect::<Vec<_>>()).finish()
    }
}

impl Secrets {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (builder style).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.values.insert(key.to_string(), value.into());
        self
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_string(), value.into());
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        self.values.get(key).cloned()
    }

    /// The usual connection: organization, token and, optionally, another hub URL.
    pub fn connection(org: &str, oat: &str, hub_url: Option<&str>) -> Self {
        let mut s = Self::new().with("organization-name", org).with("organization-access-token", oat);
        if let Some(url) = hub_url {
            s.set("hub-url", url);
        }
        s
    }
}

/// The `secret-get` import: a call's own copy of the connection values.
impl secret_get::Host for Secrets {
    fn get(&mut self, key: String) -> Option<String> {
        Secrets::get(self, &key)
    }
}
