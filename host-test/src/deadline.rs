//! The deadline of one action call, shared by its imports.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dockerhub_org::host::FetchError;

/// When one action call must end (the `call-timeout-seconds` connection value). Requests are cut
/// short at it, none starts after it, and a pause that would end past it does not start: it marks
/// the deadline as passed instead, so the guest's next request fails at once.
#[derive(Debug)]
pub struct Deadline {
    at: Instant,
    passed: AtomicBool,
}

impl Deadline {
    /// The deadline `seconds` from now.
    pub fn after(seconds: u64) -> Self {
        Deadline { at: Instant::now() + Duration::from_secs(seconds), passed: AtomicBool::new(false) }
    }

    /// How long ago the deadline passed (zero before it).
    pub fn overrun(&self) -> Duration {
        Instant::now().saturating_duration_since(self.at)
    }

    /// Time left, or `None` once the deadline has passed (or a pause gave up on it).
    pub fn remaining(&self) -> Option<Duration> {
        if self.passed.load(Ordering::SeqCst) {
            return None;
        }
        let left = self.at.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// Marks the deadline as passed and says so as a fetch failure (`what` happened).
    pub fn exceeded(&self, what: &str) -> FetchError {
        self.passed.store(true, Ordering::SeqCst);
        FetchError::DeadlineExceeded(what.to_string())
    }
}
