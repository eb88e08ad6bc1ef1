//! The bearer token: from this call's memory, else the host cache, else a fresh exchange.
//!
//! The cache key is the organization plus a hash of the base URL and the OAT, so a rotated token
//! takes effect at once and the OAT itself never reaches the cache.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::Client;
use crate::api::auth::{cache_ttl_seconds, exchange_token};
use crate::error::{Error, Result};

/// Prefix of every cache key this plugin writes.
pub const CACHE_PREFIX: &str = "dockerhub-org/jwt/v1";

/// The cache key for the JWT of `org` at `base_url` with `oat`.
pub fn cache_key(org: &str, base_url: &str, oat: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(base_url.as_bytes());
    hasher.update([0]);
    hasher.update(oat.as_bytes());
    let digest = hasher.finalize();
    format!("{CACHE_PREFIX}/{org}/{}", URL_SAFE_NO_PAD.encode(&digest[..18]))
}

impl Client<'_> {
    /// The bearer JWT, exchanging the OAT only when no valid one is at hand.
    pub(super) fn bearer(&self) -> Result<String> {
        if let Some(token) = self.token.borrow().as_ref() {
            return Ok(token.clone());
        }
        let key = cache_key(&self.conn.org, &self.conn.base_url, &self.conn.oat);
        let cached = self.host.cache_get(&key).and_then(|bytes| String::from_utf8(bytes).ok());
        let token = match cached.filter(|t| is_plausible_token(t)) {
            Some(token) => token,
            None => {
                let token = self.exchange()?;
                let ttl = cache_ttl_seconds(&token);
                if ttl > 0 {
                    self.host.cache_set(&key, token.as_bytes(), ttl);
                }
                token
            }
        };
        *self.token.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    /// Drops the token from this call and from the cache (after a 401).
    pub(super) fn forget_token(&self) {
        self.token.borrow_mut().take();
        self.host.cache_delete(&cache_key(&self.conn.org, &self.conn.base_url, &self.conn.oat));
    }

    fn exchange(&self) -> Result<String> {
        let parsed = self.fetch(&exchange_token(&self.conn.org, &self.conn.oat))?;
        if !is_plausible_token(&parsed.access_token) {
            return Err(Error::invalid_response("Docker Hub's token exchange answered without a usable access_token."));
        }
        Ok(parsed.access_token)
    }
}

/// A token that can go in a header: non-empty, printable ASCII, no spaces.
fn is_plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 16 * 1024 && token.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_key_never_contains_the_token_and_changes_with_it() {
        let a = cache_key("acme", "https://hub.docker.com", "dckr_oat_secret1");
        let b = cache_key("acme", "https://hub.docker.com", "dckr_oat_secret2");
        assert!(!a.contains("secret"));
        assert!(a.starts_with("dockerhub-org/jwt/v1/acme/"));
        assert_ne!(a, b);
        assert_ne!(a, cache_key("acme", "http://127.0.0.1:1", "dckr_oat_secret1"));
    }

    #[test]
    fn tokens_with_spaces_or_control_characters_are_not_used() {
        assert!(is_plausible_token("eyJ.a-b_c.d"));
        assert!(!is_plausible_token(""));
        assert!(!is_plausible_token("a b"));
        assert!(!is_plausible_token("a\r\nInjected: x"));
    }
}
