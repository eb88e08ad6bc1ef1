//! `POST /v2/auth/token`: exchanging the Organization Access Token for a short-lived JWT.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::json;

use super::{ApiRequest, Endpoint, Scope, path};
use crate::host::Method;

/// Seconds a token is cached when its lifetime cannot be read from it: an opaque token, a JWT whose
/// payload is not readable, or one without `iat`/`exp`. Such a token is still a token and is used;
/// it is kept for half of Docker's documented 10 minutes (`AuthCreateTokenResponse.access_token`:
/// "This expires in 10 minutes"), so it is exchanged again well before it could expire, and a 401
/// before that brings one fresh exchange anyway.
pub const FALLBACK_TTL_SECONDS: u32 = 5 * 60;
/// Seconds taken off the JWT's own lifetime so a cached token is never used at its last moment.
pub const SAFETY_MARGIN_SECONDS: u64 = 60;

/// The exchange request. For an OAT the identifier is the organization name.
pub fn exchange_token(org: &str, oat: &str) -> Endpoint<TokenResponse> {
    let mut request = ApiRequest::new(
        Method::Post,
        path(&["v2", "auth", "token"]),
        Scope::None,
        format!("the token exchange for organization \"{org}\""),
    )
    .json(json!({ "identifier": org, "secret": oat }));
    request.authenticated = false;
    // The exchange changes nothing on Docker's side: sending it again is harmless.
    request.idempotent = true;
    request.into()
}

/// The exchange response: `{"access_token": ...}` (`AuthCreateTokenResponse`). `token`, the field
/// of the older `/v2/users/login` answer that clients used before switching to this endpoint
/// (docker/terraform-provider-docker PR 138), is read as well.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// The bearer token, normally a JWT.
    #[serde(alias = "token")]
    pub access_token: String,
}

#[derive(Deserialize)]
struct Claims {
    exp: Option<u64>,
    iat: Option<u64>,
}

/// How long to cache `jwt`: its `exp − iat` minus [`SAFETY_MARGIN_SECONDS`] (the guest has no clock,
/// so the lifetime is measured from the token itself), or [`FALLBACK_TTL_SECONDS`] when the payload
/// cannot be read. `0` means: do not cache.
pub fn cache_ttl_seconds(jwt: &str) -> u32 {
    let lifetime = jwt
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| serde_json::from_str::<Claims>(&text).ok())
        .and_then(|claims| claims.exp?.checked_sub(claims.iat?));
    match lifetime {
        Some(seconds) => u32::try_from(seconds.saturating_sub(SAFETY_MARGIN_SECONDS)).unwrap_or(u32::MAX),
        None => FALLBACK_TTL_SECONDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn exchange_uses_org_as_identifier_and_carries_no_bearer() {
        let r = exchange_token("acme", "dckr_oat_x");
        assert_eq!(r.path, "/v2/auth/token");
        assert_eq!(r.method, Method::Post);
        assert!(!r.authenticated);
        assert_eq!(r.body, Some(json!({"identifier": "acme", "secret": "dckr_oat_x"})));
    }

    #[test]
    fn ttl_is_lifetime_minus_margin() {
        assert_eq!(cache_ttl_seconds(&jwt(r#"{"iat":1000,"exp":1600}"#)), 540);
    }

    #[test]
    fn ttl_of_a_token_shorter_than_the_margin_is_zero() {
        assert_eq!(cache_ttl_seconds(&jwt(r#"{"iat":1000,"exp":1030}"#)), 0);
        assert_eq!(cache_ttl_seconds(&jwt(r#"{"iat":1000,"exp":900}"#)), FALLBACK_TTL_SECONDS);
    }

    #[test]
    fn the_login_shape_token_field_is_read_too() {
        let r: TokenResponse = serde_json::from_str(r#"{"token": "opaque-123"}"#).unwrap();
        assert_eq!(r.access_token, "opaque-123");
    }

    #[test]
    fn unreadable_tokens_fall_back_to_five_minutes() {
        assert_eq!(cache_ttl_seconds("opaque"), FALLBACK_TTL_SECONDS);
        assert_eq!(cache_ttl_seconds("a.!!!.c"), FALLBACK_TTL_SECONDS);
        assert_eq!(cache_ttl_seconds(&jwt(r#"{"sub":"x"}"#)), FALLBACK_TTL_SECONDS);
    }
}
