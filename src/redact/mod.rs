//! Keeping secrets out of everything an action returns.
//!
//! [`Redacting`] wraps the host, notes every secret that passes through it (the OAT read from
//! `secret-get`, every bearer JWT sent, cached or received from the exchange), and
//! [`Redacting::scrub`] replaces them in outputs and error texts. The code never puts a secret in a
//! message on purpose; this is the net under that rule, for answers that echo what they were sent.
//!
//! A server may echo a secret encoded rather than as it was sent, so each is looked for in every form
//! it can take in a text ([`encoded_forms`]): as is and JSON-escaped; base64 (standard and URL-safe
//! alphabets, with and without padding, and the part of it that stays the same wherever the secret
//! sits inside a longer encoded text); and percent-encoded (every byte but letters and digits, or
//! all but RFC 3986's unreserved or the form encoding's safe characters; upper- or lower-case hex).

mod any_of;

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use self::any_of::AnyOf;
use crate::connection::KEY_OAT;
use crate::host::{FetchError, Host, HttpRequest, HttpResponse};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this many bytes are looked for only as they are and JSON-escaped: their
/// base64 and percent-encoded forms are a few characters that ordinary text holds anywhere.
pub const MIN_ENCODED_SECRET_BYTES: usize = 12;

/// RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) kept, every other byte encoded: what
/// `encodeURIComponent`-like encoders and most URL libraries write.
const KEEP_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// The `application/x-www-form-urlencoded` safe bytes (`A-Z a-z 0-9 * - . _`) kept.
const KEEP_FORM_SAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_');

/// A host wrapper that remembers secrets.
pub struct Redacting<'h> {
    inner: &'h dyn Host,
    secrets: RefCell<Vec<String>>,
    /// The forms of the secrets, computed once after a new secret is remembered.
    forms: RefCell<Option<Rc<Forms>>>,
}

/// Every remembered secret in each form it can take in a text ([`encoded_forms`]), longest first
/// so a secret containing another is replaced whole, and indexed to find whether any occurs.
struct Forms {
    texts: Vec<String>,
    any: AnyOf,
}

impl Forms {
    /// Whether any form occurs in `text`.
    fn occur_in(&self, text: &str) -> bool {
        self.any.find_in(text.as_bytes())
    }
}

impl<'h> Redacting<'h> {
    /// Wraps `inner`.
    pub fn new(inner: &'h dyn Host) -> Self {
        Redacting { inner, secrets: RefCell::new(Vec::new()), forms: RefCell::new(None) }
    }

    fn remember(&self, secret: &str) {
        let secret = secret.trim();
        // Every secret the host handed out, whatever its length: a short token still must not
        // leak (it may also match ordinary text; redacting too much is the safe side).
        if !secret.is_empty() && !self.secrets.borrow().iter().any(|s| s == secret) {
            self.secrets.borrow_mut().push(secret.to_string());
            self.forms.replace(None);
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

    /// The remembered secrets' forms, computed once for the secrets remembered so far.
    fn forms(&self) -> Rc<Forms> {
        if let Some(forms) = self.forms.borrow().as_ref() {
            return forms.clone();
        }
        let mut texts: Vec<String> = self.secrets.borrow().iter().flat_map(|s| encoded_forms(s)).collect();
        texts.sort_by_key(|s| std::cmp::Reverse(s.len()));
        texts.dedup();
        let any = AnyOf::new(texts.iter().map(|t| t.as_bytes()));
        let forms = Rc::new(Forms { texts, any });
        self.forms.replace(Some(forms.clone()));
        forms
    }

    /// `text` with every remembered secret, in any of its forms, replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        // Most texts hold no secret: return them without replacing anything.
        let forms = self.forms();
        if !forms.occur_in(text) {
            return text.to_string();
        }
        forms.texts.iter().fold(text.to_string(), |acc, s| acc.replace(s.as_str(), REDACTED))
    }
}

/// The forms `secret` can take in a text: as is; as it reads inside a JSON string (a `"` or `\`
/// escaped); and, when it has at least [`MIN_ENCODED_SECRET_BYTES`] bytes, base64-encoded and
/// percent-encoded. Duplicates and empty forms left out.
pub fn encoded_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let quoted = serde_json::to_string(secret).unwrap_or_default();
    forms.push(quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default().to_string());
    if secret.len() >= MIN_ENCODED_SECRET_BYTES {
        let bytes = secret.as_bytes();
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            forms.push(engine.encode(bytes));
        }
        forms.extend(base64_inner_forms(bytes));
        for set in [NON_ALPHANUMERIC, KEEP_UNRESERVED, KEEP_FORM_SAFE] {
            let encoded = utf8_percent_encode(secret, set).to_string();
            forms.push(lower_hex_escapes(&encoded));
            forms.push(encoded);
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for form in forms {
        if !form.is_empty() && !unique.contains(&form) {
            unique.push(form);
        }
    }
    unique
}

/// The base64 characters that encode `bytes` alone, wherever they sit in a longer encoded text:
/// for each of the three alignments a byte string can have in base64 (0, 1 or 2 bytes before it in
/// its group of three), the characters whose six bits all come from `bytes`; in both alphabets.
fn base64_inner_forms(bytes: &[u8]) -> Vec<String> {
    let mut forms = Vec::new();
    for before in 0..3usize {
        let padded: Vec<u8> = std::iter::repeat_n(0u8, before).chain(bytes.iter().copied()).collect();
        // Character i covers bits [6i, 6i + 6) of the padded bytes; the secret's are [8·before, 8·len).
        let first = (8 * before).div_ceil(6);
        let end = (8 * padded.len()) / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            if let Some(inner) = engine.encode(&padded).get(first..end) {
                forms.push(inner.to_string());
            }
        }
    }
    forms
}

/// `encoded` with the hex digits of its `%XX` escapes in lower case (`%2F` → `%2f`).
fn lower_hex_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

impl Redacting<'_> {
    /// The JSON text `json` with every remembered secret replaced by [`REDACTED`] in its strings
    /// (keys included). An output is written once and usually holds no secret, so the text is only
    /// searched, for each secret as it would appear inside a JSON string (`any_of`: one pass for
    /// every form); only when one is found is it parsed, scrubbed string by string and written
    /// again.
    pub fn scrub_json(&self, json: String) -> String {
        if !self.forms().occur_in(&json) {
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

    /// A guard that remembered `oat` only.
    fn remembering(oat: &'static str) -> Redacting<'static> {
        let host: &'static Secrets = Box::leak(Box::new(Secrets { oat, cached: None }));
        let guard = Redacting::new(host);
        guard.secret(KEY_OAT);
        guard
    }

    const OAT: &str = "dckr_oat_7Hq/x+Z~ab.c*d-e_f?g";

    #[test]
    fn a_base64_echo_of_the_secret_is_scrubbed_in_every_alphabet_and_padding() {
        let guard = remembering(OAT);
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            let echoed = format!("Docker said: bad token {} here", engine.encode(OAT));
            assert_eq!(guard.scrub(&echoed), "Docker said: bad token [redacted] here", "{echoed}");
        }
    }

    #[test]
    fn the_secret_base64_encoded_inside_a_longer_text_is_scrubbed_at_any_alignment() {
        let guard = remembering(OAT);
        for prefix in ["", "a", "ab", "acme:", "Basic acme:"] {
            for engine in [&STANDARD, &URL_SAFE_NO_PAD] {
                let encoded = engine.encode(format!("{prefix}{OAT}:more"));
                let scrubbed = guard.scrub(&format!("echo {encoded}"));
                assert!(scrubbed.contains(REDACTED), "{prefix:?}: {scrubbed}");
                // What is left is the prefix's and the suffix's characters and at most two at each
                // edge that mix their bits with the secret's.
                let left = scrubbed.replace(REDACTED, "").len() - "echo ".len();
                let around = engine.encode(prefix).len() + engine.encode(":more").len();
                assert!(left <= around + 4, "{prefix:?}: too much left: {scrubbed}");
            }
        }
    }

    #[test]
    fn a_percent_encoded_echo_of_the_secret_is_scrubbed_in_upper_and_lower_case_hex() {
        let guard = remembering(OAT);
        let strict = utf8_percent_encode(OAT, NON_ALPHANUMERIC).to_string();
        assert!(strict.contains("%2F") && strict.contains("%5F"), "{strict}");
        for echoed in [
            strict.clone(),
            lower_hex_escapes(&strict),
            utf8_percent_encode(OAT, KEEP_UNRESERVED).to_string(),
            utf8_percent_encode(OAT, KEEP_FORM_SAFE).to_string(),
        ] {
            assert_eq!(guard.scrub(&format!("/v2/echo?t={echoed}&x=1")), "/v2/echo?t=[redacted]&x=1", "{echoed}");
        }
    }

    #[test]
    fn encoded_echoes_are_scrubbed_from_json_outputs_too() {
        let guard = remembering(OAT);
        let value = serde_json::json!({"b64": STANDARD.encode(OAT), "pct": utf8_percent_encode(OAT, NON_ALPHANUMERIC).to_string()});
        let back: serde_json::Value = serde_json::from_str(&guard.scrub_json(value.to_string())).unwrap();
        assert_eq!(back, serde_json::json!({"b64": REDACTED, "pct": REDACTED}));
    }

    #[test]
    fn short_secrets_get_no_encoded_forms_that_would_match_ordinary_text() {
        assert_eq!(encoded_forms("s\"7"), ["s\"7", "s\\\"7"]);
        let forms = encoded_forms(OAT);
        assert!(forms.iter().all(|f| f.len() >= 8), "{forms:?}");
        assert_eq!(lower_hex_escapes("a%2Fb%5F%"), "a%2fb%5f%");
    }
}
