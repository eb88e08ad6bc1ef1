//! `POST /v2/auth/token`: exchanging the simulator's OAT for a short-lived, JWT-shaped token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{Credentials, Reply, Request, error, reply};
use crate::simulator::state::{State, Token, now};

/// `POST /v2/auth/token`: the OAT (or a PAT, refused later) for a short-lived token.
pub(super) fn exchange(state: &mut State, credentials: &Credentials, request: &Request) -> Reply {
    let body = request.body.clone().unwrap_or(Value::Null);
    let identifier = body.get("identifier").and_then(Value::as_str).unwrap_or("");
    let secret = body.get("secret").and_then(Value::as_str).unwrap_or("");
    let personal = secret.starts_with("dckr_pat_");
    if !personal && (secret != credentials.oat || !identifier.eq_ignore_ascii_case(&state.org)) {
        return error(401, "incorrect username or password");
    }
    let iat = now();
    let exp = iat + credentials.token_ttl;
    let n = state.next_id();
    let token = if credentials.quirks.opaque_tokens {
        // Not a JWT: nothing in it says how long it lives.
        format!("opaque-simulator-token-{n}")
    } else {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload =
            URL_SAFE_NO_PAD.encode(json!({ "iat": iat, "exp": exp, "sub": identifier, "jti": n }).to_string());
        format!("{header}.{payload}.simulator{n}")
    };
    state.tokens.insert(token.clone(), Token { expires: exp, personal });
    reply(200, json!({ "access_token": token }))
}
