//! Docker Hub organization administration, as a WebAssembly component.
//!
//! The guest builds requests and maps responses; the host (see `wit/`) performs HTTP, holds the
//! connection values and caches the session token. Data flows one way:
//!
//! ```text
//! export fn (JSON in) → actions/ (parse, validate) → api/ (pure request builders)
//!   → client/ (auth, send, retries, paging, status → error) → api/ (response models) → JSON out
//! ```
//!
//! Everything but `component` (the generated bindings and export glue, wasm32 only) runs natively,
//! so the pure parts are unit-tested with plain `cargo test`.
#![deny(missing_docs)]

pub mod actions;
pub mod api;
pub mod client;
pub mod connection;
pub mod error;
pub mod host;
pub mod manifest;
pub mod output;
pub mod redact;

#[cfg(target_arch = "wasm32")]
mod component;

use error::Error;
use host::Host;
use redact::Redacting;

/// Runs action `name` with JSON `input` against `host` and returns its JSON output. Secrets that
/// passed through the host are scrubbed from the output and from any error.
pub fn run_action(name: &str, host: &dyn Host, input: &str) -> Result<String, Error> {
    let guard = Redacting::new(host);
    match actions::dispatch(name, &guard, input) {
        Ok(output) => Ok(guard.scrub_json(output.into_string())),
        Err(error) => Err(error.map_text(&|text| guard.scrub(text))),
    }
}
