//! The limits the adapter applies to outbound HTTP and pauses: the same figures as the reference
//! host (`host-test/src/http.rs`, `HttpConfig::default`).

use std::time::Duration;

/// Longest wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for the first byte of the response once the request is sent.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence between two chunks of the response body.
pub const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a whole request may take, from sending to the last body byte (the reference host's
/// global timeout); enforced by the adapter itself with a monotonic-clock pollable.
pub const WHOLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response body accepted, in bytes (8 MiB).
pub const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;
/// Most requests a batch keeps in flight at once, whatever the plugin asks.
pub const MAX_CONCURRENCY: u32 = 16;
/// Longest single pause the plugin may ask for.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);
/// The connection value naming a call's deadline, its default and its cap: the contract's
/// ([`dockerhub_org_wire`]), as the plugin reads them.
pub use dockerhub_org_wire::{
    DEFAULT_CALL_TIMEOUT_SECONDS, KEY_CALL_TIMEOUT as CALL_TIMEOUT_KEY, MAX_CALL_TIMEOUT_SECONDS,
};

/// A call's deadline for the configured `call-timeout-seconds` (`None`: not set), by the
/// contract's rule: whole seconds from 1 to [`MAX_CALL_TIMEOUT_SECONDS`]; absent, blank or anything
/// else is the default (the plugin refuses an invalid value itself, as `invalid-input`, before it
/// sends anything).
pub fn call_timeout(configured: Option<&str>) -> Duration {
    Duration::from_secs(dockerhub_org_wire::call_timeout_or_default(configured))
}

/// How many requests of a batch of `len` go out together when the plugin asks for
/// `max_concurrency` and the deployment configured `configured` (the `max-concurrency` config
/// value, a whole number; anything else is ignored): at least one, at most [`MAX_CONCURRENCY`]
/// and never more than the batch.
pub fn batch_width(max_concurrency: u32, configured: Option<&str>, len: usize) -> usize {
    let cap = configured.and_then(|c| c.trim().parse::<u32>().ok()).unwrap_or(MAX_CONCURRENCY);
    let width = max_concurrency.min(cap).clamp(1, MAX_CONCURRENCY) as usize;
    width.min(len.max(1))
}

/// Nanoseconds in `duration`, as wasi:clocks counts them (saturating).
pub fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// The pause actually taken for a request of `millis`, in nanoseconds: capped at [`MAX_SLEEP`].
pub fn sleep_nanos(millis: u32) -> u64 {
    nanos(Duration::from_millis(u64::from(millis)).min(MAX_SLEEP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_width_is_bounded_by_the_request_the_cap_and_the_batch() {
        assert_eq!(batch_width(0, None, 10), 1);
        assert_eq!(batch_width(4, None, 10), 4);
        assert_eq!(batch_width(1000, None, 100), MAX_CONCURRENCY as usize);
        assert_eq!(batch_width(8, None, 3), 3);
        assert_eq!(batch_width(8, None, 0), 1);
    }

    #[test]
    fn the_deployment_can_lower_the_width_but_not_raise_it() {
        assert_eq!(batch_width(8, Some("1"), 10), 1);
        assert_eq!(batch_width(8, Some(" 3 "), 10), 3);
        assert_eq!(batch_width(8, Some("0"), 10), 1);
        assert_eq!(batch_width(8, Some("500"), 10), 8);
        assert_eq!(batch_width(8, Some("many"), 10), 8);
    }

    #[test]
    fn the_call_timeout_is_whole_seconds_up_to_a_day_else_the_default() {
        assert_eq!(call_timeout(None), Duration::from_secs(120));
        assert_eq!(call_timeout(Some(" 5 ")), Duration::from_secs(5));
        assert_eq!(call_timeout(Some("86400")), Duration::from_secs(86_400));
        for other in ["0", "86401", "1.5", "soon", ""] {
            assert_eq!(call_timeout(Some(other)), Duration::from_secs(120), "{other:?}");
        }
    }

    #[test]
    fn sleeps_are_capped_at_a_minute() {
        assert_eq!(sleep_nanos(250), 250_000_000);
        assert_eq!(sleep_nanos(u32::MAX), 60_000_000_000);
    }
}
