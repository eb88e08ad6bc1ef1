//! The WIT contract's facts that every side of it needs, written once.
//!
//! - [`Kind`]: the `action-error` cases, each with its name, the CLI's exit code, the HTTP status
//!   the service answers with and whether the same call is worth repeating ([`Kind::row`]).
//! - [`call_timeout`]: the rule for the `call-timeout-seconds` connection value.
//! - `body::ErrorBody` (feature `json`): the JSON body of a failure as the hosts show it.
//! - [`method!`] and [`fetch_error!`]: the `http-fetch` method and error cases converted between
//!   any two Rust spellings of them (the guest's own types and each generated binding), so the
//!   correspondence is written here and the compiler checks every use is complete.
//!
//! Used by the guest (`src/`), the native host (`host-test/`) and the adapters (`adapters/`),
//! none of which link one another's bindings.
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "json")]
pub mod body;
mod deadline;
mod kinds;
mod wire;

pub use deadline::{
    CallTimeoutError, DEFAULT_CALL_TIMEOUT_SECONDS, KEY_CALL_TIMEOUT, MAX_CALL_TIMEOUT_SECONDS, call_timeout,
    call_timeout_or_default,
};
pub use kinds::{Kind, Row};
