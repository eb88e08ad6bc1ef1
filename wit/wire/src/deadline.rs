//! The call's deadline: the `call-timeout-seconds` connection value, read the same way by the
//! guest (which refuses an invalid value) and by every host (which falls back to the default and
//! leaves the refusal to the guest).

/// The connection value naming a call's deadline in whole seconds.
pub const KEY_CALL_TIMEOUT: &str = "call-timeout-seconds";
/// A call's deadline when the connection sets none.
pub const DEFAULT_CALL_TIMEOUT_SECONDS: u64 = 120;
/// The longest deadline a connection may set (one day).
pub const MAX_CALL_TIMEOUT_SECONDS: u64 = 86_400;

/// A `call-timeout-seconds` value that is not a whole number of seconds from 1 to
/// [`MAX_CALL_TIMEOUT_SECONDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTimeoutError;

/// The deadline in seconds for the configured value (`None`: not set): whole seconds from 1 to
/// [`MAX_CALL_TIMEOUT_SECONDS`], surrounding white space ignored; absent or blank means
/// [`DEFAULT_CALL_TIMEOUT_SECONDS`]; anything else is [`CallTimeoutError`].
pub fn call_timeout(configured: Option<&str>) -> Result<u64, CallTimeoutError> {
    match configured.map(str::trim) {
        None | Some("") => Ok(DEFAULT_CALL_TIMEOUT_SECONDS),
        Some(raw) => match raw.parse::<u64>() {
            Ok(seconds @ 1..=MAX_CALL_TIMEOUT_SECONDS) => Ok(seconds),
            _ => Err(CallTimeoutError),
        },
    }
}

/// [`call_timeout`] for a host: an invalid value gets the default (the guest refuses it itself,
/// as `invalid-input`, before it sends anything).
pub fn call_timeout_or_default(configured: Option<&str>) -> u64 {
    call_timeout(configured).unwrap_or(DEFAULT_CALL_TIMEOUT_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_from_one_to_a_day_else_the_default_or_an_error() {
        assert_eq!(call_timeout(None), Ok(120));
        assert_eq!(call_timeout(Some("  ")), Ok(120));
        assert_eq!(call_timeout(Some(" 45 ")), Ok(45));
        assert_eq!(call_timeout(Some("86400")), Ok(86_400));
        for bad in ["0", "86401", "-1", "1.5", "ten"] {
            assert_eq!(call_timeout(Some(bad)), Err(CallTimeoutError), "{bad}");
            assert_eq!(call_timeout_or_default(Some(bad)), 120, "{bad}");
        }
    }
}
