//! Docker Hub's rate-limit headers and when a 429 says to come back.
//!
//! `X-RateLimit-Limit/Remaining/Reset` come on every response (`Reset` is a unix time). What a 429
//! carries has changed over time, so every form seen is accepted:
//!
//! - `Retry-After` in seconds: Docker's current documentation (docker/docs
//!   `content/reference/api/hub/latest.yaml`, tag `rate-limiting`, fixed by docker/docs PR 22916).
//! - `Retry-After` as a unix timestamp: what the service sent in 2025 (docker/hub-feedback issue
//!   2459: `retry-after: 1746136938`, equal to `x-ratelimit-reset`, and no `X-Retry-After`).
//! - `X-Retry-After` as a unix timestamp: the older documentation.
//! - `X-RateLimit-Reset` when neither says anything usable.
//!
//! A number of at least [`UNIX_TIME_THRESHOLD`] (2001-09-09) is read as a unix time, a smaller one as
//! a delay in seconds. Arithmetic saturates, so `Retry-After: 18446744073709551615` cannot wrap; a
//! time past [`LATEST_PLAUSIBLE_UNIX`] (year 9999) is not believed. The guest has no clock: delays
//! and times are related through the response's own `Date` header.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
        let read = |name: &str| number(response, name);
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
/// Shortest wait before retrying a 429 (a time already past still waits this long).
pub const MIN_WAIT_MS: u64 = 100;
/// Numbers at least this large are unix times (2001-09-09T01:46:40Z); smaller ones are seconds.
pub const UNIX_TIME_THRESHOLD: u64 = 1_000_000_000;
/// The last unix time believed (9999-12-31T23:59:59Z); anything later is treated as unusable.
pub const LATEST_PLAUSIBLE_UNIX: u64 = 253_402_300_799;

/// Which header a wait was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetrySource {
    /// `Retry-After`.
    RetryAfter,
    /// `X-Retry-After`.
    XRetryAfter,
    /// `X-RateLimit-Reset`.
    RateLimitReset,
}

impl RetrySource {
    /// The header's name as Docker sends it.
    pub fn header(self) -> &'static str {
        match self {
            RetrySource::RetryAfter => "Retry-After",
            RetrySource::XRetryAfter => "X-Retry-After",
            RetrySource::RateLimitReset => "X-RateLimit-Reset",
        }
    }
}

/// When a 429 says calls are accepted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAt {
    /// Unix seconds, when known (a delay needs the `Date` header to become a time).
    pub unix: Option<u64>,
    /// Seconds to wait from the response, when known (a time needs the `Date` header to become one).
    pub wait_seconds: Option<u64>,
    /// The header it came from.
    pub source: RetrySource,
}

/// One header's number: a plain non-negative integer, surrounding spaces allowed. Values beyond
/// `u64` saturate instead of being dropped or wrapping.
fn number(response: &HttpResponse, name: &str) -> Option<u64> {
    let text = response.header(name)?.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}

/// Reads one header as a time or a delay relative to `now` (the server's `Date`).
fn read_header(response: &HttpResponse, source: RetrySource, now: Option<u64>) -> Option<RetryAt> {
    let header = source.header();
    if let Some(value) = number(response, header) {
        return if value >= UNIX_TIME_THRESHOLD {
            // A unix time; one past year 9999 is noise, not an instruction.
            (value <= LATEST_PLAUSIBLE_UNIX).then(|| RetryAt {
                unix: Some(value),
                wait_seconds: now.map(|n| value.saturating_sub(n)),
                source,
            })
        } else {
            Some(RetryAt { unix: now.and_then(|n| n.checked_add(value)), wait_seconds: Some(value), source })
        };
    }
    // RFC 9110 also allows `Retry-After: <HTTP-date>`.
    if source == RetrySource::RetryAfter {
        let at = unix_of_http_date(response.header(header)?)?;
        return Some(RetryAt { unix: Some(at), wait_seconds: now.map(|n| at.saturating_sub(n)), source });
    }
    None
}

/// When a 429 says calls are accepted again: `Retry-After`, else `X-Retry-After`, else
/// `X-RateLimit-Reset`; `None` when none of them is usable.
pub fn retry_at(response: &HttpResponse) -> Option<RetryAt> {
    let now = server_now(response);
    [RetrySource::RetryAfter, RetrySource::XRetryAfter, RetrySource::RateLimitReset]
        .into_iter()
        .find_map(|source| read_header(response, source, now))
}

/// The unix time a 429 says calls are accepted again (the WIT `retry-after`), when it can be known.
pub fn retry_after_unix(response: &HttpResponse) -> Option<u64> {
    retry_at(response)?.unix
}

/// How long to wait before retrying a 429, in milliseconds (at least [`MIN_WAIT_MS`]).
pub fn wait_millis(response: &HttpResponse) -> u64 {
    match retry_at(response).and_then(|at| at.wait_seconds) {
        Some(seconds) => seconds.saturating_mul(1000).max(MIN_WAIT_MS),
        None => UNKNOWN_WAIT_MS,
    }
}

/// A sentence for a rate-limit error: the wait in seconds, the time in RFC 3339 and as unix time,
/// as far as they are known; empty when the answer said nothing usable.
pub fn describe(at: Option<RetryAt>) -> String {
    let Some(at) = at else {
        return " Docker Hub did not say when calls are accepted again; wait a minute.".to_string();
    };
    let wait = at.wait_seconds.map(|s| format!(" in {s} second{}", if s == 1 { "" } else { "s" }));
    let time = at.unix.map(|u| match rfc3339(u) {
        Some(text) => format!(" at {text} (unix time {u})"),
        None => format!(" at unix time {u}"),
    });
    let when = format!("{}{}", wait.as_deref().map(|w| format!("{w},")).unwrap_or_default(), time.unwrap_or_default());
    format!(" Docker Hub accepts calls again{} (from its {} header).", when.trim_end_matches(','), at.source.header())
}

/// `unix` as RFC 3339 in UTC, such as `2025-05-01T22:02:18Z`.
pub fn rfc3339(unix: u64) -> Option<String> {
    let seconds = i64::try_from(unix).ok()?;
    OffsetDateTime::from_unix_timestamp(seconds).ok()?.format(&Rfc3339).ok()
}

/// The response's `Date` header as unix seconds.
pub fn server_now(response: &HttpResponse) -> Option<u64> {
    unix_of_http_date(response.header("date")?)
}

fn unix_of_http_date(text: &str) -> Option<u64> {
    let date = httpdate::parse_http_date(text.trim()).ok()?;
    date.duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tue, 14 Nov 2023 22:13:20 GMT == 1700000000
    const DATE: (&str, &str) = ("Date", "Tue, 14 Nov 2023 22:13:20 GMT");

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
    fn retry_after_in_seconds_is_a_delay_from_the_server_date() {
        let r = response(&[DATE, ("Retry-After", "42")]);
        let at = retry_at(&r).unwrap();
        assert_eq!(at, RetryAt { unix: Some(1_700_000_042), wait_seconds: Some(42), source: RetrySource::RetryAfter });
        assert_eq!(wait_millis(&r), 42_000);
    }

    #[test]
    fn retry_after_as_a_unix_time_is_a_time_as_hub_feedback_2459_saw() {
        let r = response(&[DATE, ("retry-after", "1700000030"), ("x-ratelimit-reset", "1700000030")]);
        assert_eq!(retry_after_unix(&r), Some(1_700_000_030));
        assert_eq!(wait_millis(&r), 30_000);
    }

    #[test]
    fn x_retry_after_is_a_unix_time_and_a_small_one_a_delay() {
        let r = response(&[DATE, ("X-Retry-After", "1700000003")]);
        assert_eq!(retry_after_unix(&r), Some(1_700_000_003));
        assert_eq!(wait_millis(&r), 3000);
        assert_eq!(wait_millis(&response(&[("X-Retry-After", "2")])), 2000);
    }

    #[test]
    fn rate_limit_reset_is_the_fallback() {
        let r = response(&[DATE, ("X-RateLimit-Reset", "1700000010")]);
        let at = retry_at(&r).unwrap();
        assert_eq!(at.source, RetrySource::RateLimitReset);
        assert_eq!(at.wait_seconds, Some(10));
        // An unusable Retry-After falls through to the next header.
        let r = response(&[DATE, ("Retry-After", "soon"), ("X-RateLimit-Reset", "1700000010")]);
        assert_eq!(retry_after_unix(&r), Some(1_700_000_010));
    }

    #[test]
    fn retry_after_as_an_http_date_is_read() {
        let r = response(&[DATE, ("Retry-After", "Tue, 14 Nov 2023 22:13:25 GMT")]);
        assert_eq!(retry_at(&r).unwrap().wait_seconds, Some(5));
    }

    #[test]
    fn huge_values_never_overflow() {
        for huge in ["18446744073709551615", "99999999999999999999999"] {
            let r = response(&[DATE, ("Retry-After", huge)]);
            assert_eq!(retry_at(&r), None, "{huge}");
            assert_eq!(wait_millis(&r), UNKNOWN_WAIT_MS);
        }
        // A delay just under the threshold with a date: added without wrapping.
        let r = response(&[("Date", "Fri, 31 Dec 9999 23:59:59 GMT"), ("Retry-After", "999999999")]);
        assert_eq!(retry_at(&r).unwrap().wait_seconds, Some(999_999_999));
        assert_eq!(wait_millis(&r), 999_999_999_000);
        assert!(describe(retry_at(&r)).contains("999999999 seconds"));
    }

    #[test]
    fn a_time_in_the_past_waits_briefly() {
        let r = response(&[DATE, ("X-Retry-After", "1699999990")]);
        assert_eq!(wait_millis(&r), MIN_WAIT_MS);
    }

    #[test]
    fn without_a_date_a_time_gives_no_wait_and_a_delay_no_time() {
        assert_eq!(wait_millis(&response(&[("X-Retry-After", "1700000003")])), UNKNOWN_WAIT_MS);
        assert_eq!(retry_after_unix(&response(&[("Retry-After", "5")])), None);
        assert_eq!(wait_millis(&response(&[])), UNKNOWN_WAIT_MS);
    }

    #[test]
    fn the_description_says_seconds_rfc3339_and_unix_time() {
        let text = describe(retry_at(&response(&[DATE, ("Retry-After", "42")])));
        assert_eq!(
            text,
            " Docker Hub accepts calls again in 42 seconds, at 2023-11-14T22:14:02Z (unix time 1700000042) (from its Retry-After header)."
        );
        let text = describe(retry_at(&response(&[("X-Retry-After", "1700000003")])));
        assert_eq!(
            text,
            " Docker Hub accepts calls again at 2023-11-14T22:13:23Z (unix time 1700000003) (from its X-Retry-After header)."
        );
        assert!(describe(None).contains("did not say"));
    }
}
