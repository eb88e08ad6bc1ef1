//! Docker Hub's rate-limit headers and how long to wait before a retry.
//!
//! `X-RateLimit-Limit/Remaining/Reset` come on every response; a 429 carries `X-Retry-After`, a unix
//! timestamp. The guest has no clock, so the wait is measured against the response's own `Date`
//! header.

use serde::Serialize;

use crate::host::HttpResponse;

/// The rate-limit state reported by the last response that had it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RateLimit {
    /// Requests allowed per window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Requests left in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Unix time the window resets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<u64>,
}

impl RateLimit {
    /// Reads the headers; `None` when the response carries none of them.
    pub fn from_response(response: &HttpResponse) -> Option<Self> {
        let read = |name: &str| response.header(name).and_then(|v| v.trim().parse::<u64>().ok());
        let state = RateLimit {
            limit: read("x-ratelimit-limit"),
            remaining: read("x-ratelimit-remaining"),
            reset: read("x-ratelimit-reset"),
        };
        (state != RateLimit::default()).then_some(state)
    }
}

/// Wait used when a 429 says nothing usable about when to come back.
pub const UNKNOWN_WAIT_MS: u64 = 1_000;

/// The unix time a 429 says calls are accepted again (`X-Retry-After`, else `Retry-After` in
/// seconds counted from `Date`).
pub fn retry_after_unix(response: &HttpResponse) -> Option<u64> {
    let now = server_now(response);
    if let Some(v) = response.header("x-retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        // Documented as a unix timestamp; a small number can only be a delay in seconds.
        return Some(if v < 1_000_000_000 { now? + v } else { v });
    }
    let delay = response.header("retry-after")?.trim().parse::<u64>().ok()?;
    Some(now? + delay)
}

/// How long to wait before retrying a 429, in milliseconds.
pub fn wait_millis(response: &HttpResponse) -> u64 {
    match (retry_after_unix(response), server_now(response)) {
        (Some(at), Some(now)) => at.saturating_sub(now).saturating_mul(1000).max(100),
        _ => match response.header("x-retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(delay) if delay < 1_000_000_000 => delay * 1000,
            _ => UNKNOWN_WAIT_MS,
        },
    }
}

/// The response's `Date` header as unix seconds.
pub fn server_now(response: &HttpResponse) -> Option<u64> {
    let date = httpdate::parse_http_date(response.header("date")?.trim()).ok()?;
    date.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 429,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: vec![],
        }
    }

    #[test]
    fn reads_rate_limit_headers_case_insensitively() {
        let r = response(&[
            ("X-RateLimit-Limit", "180"),
            ("x-ratelimit-remaining", "7"),
            ("X-RATELIMIT-RESET", "1700000000"),
        ]);
        assert_eq!(
            RateLimit::from_response(&r),
            Some(RateLimit { limit: Some(180), remaining: Some(7), reset: Some(1_700_000_000) })
        );
        assert_eq!(RateLimit::from_response(&response(&[])), None);
    }

    #[test]
    fn wait_is_retry_after_minus_server_date() {
        // Tue, 14 Nov 2023 22:13:20 GMT == 1700000000
        let r = response(&[("Date", "Tue, 14 Nov 2023 22:13:20 GMT"), ("X-Retry-After", "1700000003")]);
        assert_eq!(retry_after_unix(&r), Some(1_700_000_003));
        assert_eq!(wait_millis(&r), 3000);
    }

    #[test]
    fn a_retry_after_in_the_past_waits_briefly() {
        let r = response(&[("Date", "Tue, 14 Nov 2023 22:13:20 GMT"), ("X-Retry-After", "1699999990")]);
        assert_eq!(wait_millis(&r), 100);
    }

    #[test]
    fn without_a_date_small_values_are_delays_and_unknown_waits_one_second() {
        assert_eq!(wait_millis(&response(&[("X-Retry-After", "2")])), 2000);
        assert_eq!(wait_millis(&response(&[("X-Retry-After", "1700000003")])), UNKNOWN_WAIT_MS);
        assert_eq!(wait_millis(&response(&[])), UNKNOWN_WAIT_MS);
    }
}
