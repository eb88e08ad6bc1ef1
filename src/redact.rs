//! Keeping secrets out of everything an action returns.
//!
//! [`Redacting`] wraps the host, notes every secret that passes through it (the OAT read from
//! `secret-get`, every bearer JWT sent, cached or received from the exchange), and
//! [`Redacting::scrub`] replaces them in outputs and error texts. The code never puts a secret in a
//! message on purpose; this is the net under that rule, for answers that echo what they were sent.

use std::cell::RefCell;

use crate::connection::KEY_OAT;
use crate::host::{FetchError, Host, HttpRequest, HttpResponse};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// A host wrapper that remembers secrets.
pub struct Redacting<'h> {
    inner: &'h dyn Host,
    secrets: RefCell<Vec<String>>,
}

impl<'h> Redacting<'h> {
    /// Wraps `inner`.
    pub fn new(inner: &'h dyn Host) -> Self {
        Redacting { inner, secrets: RefCell::new(Vec::new()) }
    }

    fn remember(&self, secret: &str) {
        let secret = secret.trim();
        // Every secret the host handed out, whatever its length: a short token still must not
        // leak (it may also match ordinary text; redacting too much is the safe side).
        if !secret.is_empty() && !self.secrets.borrow().iter().any(|s| s == secret) {
            self.secrets.borrow_mut().push(secret.to_string());
        }
    }

    fn remember_exchange_answer(&self, response: &HttpResponse) {
        // Only an answer that names an access token can carry one: listing pages (most responses,
        // and the large ones) are not parsed a second time.
        if memchr::memmem::find(&response.body, b"\"access_token\"").is_none() {
            return;
        }
        if let Ok(text) = std::str::from_utf8(&response.body)
            && let Ok(answer) = serde_json::from_str::<serde_json::Value>(text)
            && let Some(token) = answer.get("access_token").and_then(|t| t.as_str())
        {
            self.remember(token);
        }
    }

    /// Every remembered secret in each form it can take in a text: as is, and as it reads inside a
    /// JSON string (a `"` or `\` in it escaped), longest first so a secret containing another is
    /// replaced whole.
    fn forms(&self) -> Vec<String> {
        let mut forms: Vec<String> = Vec::new();
        for secret in self.secrets.borrow().iter() {
            let quoted = serde_json::to_string(secret.as_str()).unwrap_or_default();
            let escaped = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default();
            forms.push(secret.clone());
            if !escaped.is_empty() && escaped != secret {
                forms.push(escaped.to_string());
            }
        }
        forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
        forms
    }

    /// `text` with every remembered secret, raw or JSON-escaped, replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        // Most texts hold no secret: return them without replacing anything.
        let forms = self.forms();
        if !forms.iter().any(|form| text.contains(form.as_str())) {
            return text.to_string();
        }
        forms.iter().fold(text.to_string(), |acc, s| acc.replace(s.as_str(), REDACTED))
    }
}

impl Redacting<'_> {
    /// The JSON text `json` with every remembered secret replaced by [`REDACTED`] in its strings
    /// (keys included). An output is written once and usually holds no secret, so the text is only
    /// searched, for each secret as it would appear inside a JSON string; only when one is found is
    /// it parsed, scrubbed string by string and written again.
    pub fn scrub_json(&self, json: String) -> String {
        let found = self.forms().iter().any(|form| memchr::memmem::find(json.as_bytes(), form.as_bytes()).is_some());
        if !found {
            return json;
        }
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(mut value) => {
                crate::error::map_json_strings(&mut value, &|text| self.scrub(text));
                value.to_string()
            }
            Err(_) => self.scrub(&json),
        }
    }
}

impl Host for Redacting<'_> {
    fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, FetchError> {
        self.note_request(request);
        let answer = self.inner.fetch(request);
        if let Ok(response) = &answer {
            self.remember_exchange_answer(response);
        }
        answer
    }

    fn fetch_batch(&self, requests: &[HttpRequest], max_concurrency: u32) -> Vec<Result<HttpResponse, FetchError>> {
        requests.iter().for_each(|r| self.note_request(r));
        self.inner.fetch_batch(requests, max_concurrency)
    }

    fn sleep(&self, millis: u32) {
        self.inner.sleep(millis)
    }

    fn secret(&self, key: &str) -> Option<String> {
        let value = self.inner.secret(key);
        if key == KEY_OAT
            && let Some(v) = &value
        {
            self.remember(v);
        }
        value
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        let value = self.inner.cache_get(key);
        if let Some(text) = value.as_deref().and_then(|v| std::str::from_utf8(v).ok()) {
            self.remember(text);
        }
        value
    }

    fn cache_set(&self, key: &str, value: &[u8], ttl_seconds: u32) {
        if let Ok(text) = std::str::from_utf8(value) {
            self.remember(text);
        }
        self.inner.cache_set(key, value, ttl_seconds)
    }

    fn cache_delete(&self, key: &str) {
        self.inner.cache_delete(key)
    }
}

impl Redacting<'_> {
    fn note_request(&self, request: &HttpRequest) {
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("authorization") {
                self.remember(value.strip_prefix("Bearer ").unwrap_or(value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host that only hands out secrets: this OAT, and this cached token.
    struct Secrets {
        oat: &'static str,
        cached: Option<&'static [u8]>,
    }

    const HOST: Secrets = Secrets { oat: "dckr_oat_se\"cr\\et-1", cached: Some(b"eyJhbGciOi.payload.signature") };

    impl Host for Secrets {
        fn fetch(&self, _: &HttpRequest) -> Result<HttpResponse, FetchError> {
            Err(FetchError::Connect("no network in this test".into()))
        }
        fn fetch_batch(&self, requests: &[HttpRequest], _: u32) -> Vec<Result<HttpResponse, FetchError>> {
            requests.iter().map(|r| self.fetch(r)).collect()
        }
        fn sleep(&self, _: u32) {}
        fn secret(&self, key: &str) -> Option<String> {
            (key == KEY_OAT).then(|| self.oat.to_string())
        }
        fn cache_get(&self, _: &str) -> Option<Vec<u8>> {
            self.cached.map(<[u8]>::to_vec)
        }
        fn cache_set(&self, _: &str, _: &[u8], _: u32) {}
        fn cache_delete(&self, _: &str) {}
    }

    fn guard() -> Redacting<'static> {
        let guard = Redacting::new(&HOST);
        guard.secret(KEY_OAT);
        guard.cache_get("token");
        guard
    }

    #[test]
    fn output_without_secrets_is_returned_unchanged() {
        let text = r#"{"members":[{"username":"a\"b"}],"count":1}"#.to_string();
        assert_eq!(guard().scrub_json(text.clone()), text);
    }

    #[test]
    fn secrets_are_replaced_in_values_and_keys_even_when_escaped() {
        let value = serde_json::json!({
            "echo": "Bearer eyJhbGciOi.payload.signature",
            "dckr_oat_se\"cr\\et-1": ["x dckr_oat_se\"cr\\et-1 y"],
        });
        let scrubbed = guard().scrub_json(value.to_string());
        let back: serde_json::Value = serde_json::from_str(&scrubbed).expect("still JSON");
        assert_eq!(
            back,
            serde_json::json!({ "echo": "Bearer [redacted]", "[redacted]": ["x [redacted] y"] }),
            "{scrubbed}"
        );
    }

    #[test]
    fn a_secret_next_to_an_escape_never_breaks_the_json() {
        // "\n" followed by the token: a plain text replace could cut the escape in two.
        let value = serde_json::json!({ "m": "line\neyJhbGciOi.payload.signature" });
        let scrubbed = guard().scrub_json(value.to_string());
        let back: serde_json::Value = serde_json::from_str(&scrubbed).expect("still JSON");
        assert_eq!(back["m"], "line\n[redacted]");
    }

    #[test]
    fn short_secrets_and_their_json_escaped_form_are_scrubbed_from_plain_texts() {
        let short = Redacting::new(&Secrets { oat: "s\"7", cached: None });
        short.secret(KEY_OAT);
        assert_eq!(short.scrub("token s\"7 echoed"), "token [redacted] echoed");
        // Docker's body quoted inside an error message: the secret appears JSON-escaped.
        assert_eq!(short.scrub(r#"Docker said {"secret":"s\"7"}"#), r#"Docker said {"secret":"[redacted]"}"#);
        let escaped_oat = r#"{"detail":"bad dckr_oat_se\"cr\\et-1"}"#;
        assert_eq!(guard().scrub(escaped_oat), r#"{"detail":"bad [redacted]"}"#);
    }
}
