//! The call's deadline in service mode: when the service front begins a request (`service-host`'s
//! `begin-call`), the call gets `call-timeout-seconds` (default 120 s) on the monotonic clock, as the
//! reference host gives a CLI call. No request starts after it, a request in flight is cut short at
//! it (`deadline-exceeded`, which the plugin does not retry), every timeout of a request is cut to
//! the time left, and a pause that would end past it does not start: the deadline is marked passed
//! instead, so the plugin's next request fails at once and the call ends as `limit-exceeded`.
//!
//! Outside a service composition nothing calls `begin-call` and there is no deadline (the plugin's
//! own budgets still bound its requests and bytes).

use std::time::Duration;

use crate::limits;

/// A call's deadline, an instant of `wasi:clocks/monotonic-clock` (nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: u64,
}

impl Deadline {
    /// The deadline `timeout` after `now`.
    pub fn after(now: u64, timeout: Duration) -> Self {
        Deadline { at: now.saturating_add(limits::nanos(timeout)) }
    }

    /// Nanoseconds left at `now`; `None` once the deadline has passed.
    pub fn remaining(&self, now: u64) -> Option<u64> {
        let left = self.at.saturating_sub(now);
        (left > 0).then_some(left)
    }

    /// `limit` cut to the time left at `now` (zero once the deadline has passed), in nanoseconds.
    pub fn cap(&self, now: u64, limit: Duration) -> u64 {
        limits::nanos(limit).min(self.remaining(now).unwrap_or(0))
    }

    /// Whether a pause of `nanos` starting at `now` would end past the deadline.
    pub fn ends_past(&self, now: u64, nanos: u64) -> bool {
        self.remaining(now).is_none_or(|left| nanos >= left)
    }

    /// The deadline marked as passed at `now` (a pause gave up on it).
    pub fn passed_at(now: u64) -> Self {
        Deadline { at: now }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000_000;

    #[test]
    fn time_left_runs_out_at_the_deadline() {
        let deadline = Deadline::after(10 * SECOND, Duration::from_secs(2));
        assert_eq!(deadline.remaining(10 * SECOND), Some(2 * SECOND));
        assert_eq!(deadline.remaining(11 * SECOND), Some(SECOND));
        assert_eq!(deadline.remaining(12 * SECOND), None);
        assert_eq!(deadline.remaining(99 * SECOND), None);
        assert_eq!(Deadline::passed_at(5 * SECOND).remaining(5 * SECOND), None);
    }

    #[test]
    fn timeouts_are_cut_to_the_time_left() {
        let deadline = Deadline::after(0, Duration::from_secs(5));
        assert_eq!(deadline.cap(0, Duration::from_secs(30)), 5 * SECOND);
        assert_eq!(deadline.cap(4 * SECOND, Duration::from_secs(30)), SECOND);
        assert_eq!(deadline.cap(0, Duration::from_secs(1)), SECOND);
        assert_eq!(deadline.cap(6 * SECOND, Duration::from_secs(30)), 0);
    }

    #[test]
    fn a_pause_that_would_end_past_the_deadline_is_refused() {
        let deadline = Deadline::after(0, Duration::from_secs(5));
        assert!(!deadline.ends_past(0, 4 * SECOND));
        assert!(deadline.ends_past(0, 5 * SECOND));
        assert!(deadline.ends_past(2 * SECOND, 4 * SECOND));
        assert!(deadline.ends_past(6 * SECOND, 0));
    }
}
