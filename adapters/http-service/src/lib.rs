//! The service front: serves the plugin's actions over `wasi:http/incoming-handler`, so the
//! composed component runs on any WASI 0.2 HTTP engine (`wasmtime serve`, Spin, wasmCloud).
//!
//! Routes: `POST /actions/{name}` (body: the action's JSON input; answer: its JSON output),
//! `GET /actions` (the manifest), `GET /health` (the three health checks; 503 when one fails).
//! Errors answer with the status of their kind ([`errors`]) and `{"error", "message", "detail"}`.
//!
//! Secure by default: a caller presents a service key (`Authorization: Bearer`) with the role
//! `read` or `admin` ([`keys`], [`settings`]); a browser cannot drive the service ([`browsers`]);
//! every request passes the same doors in [`access`] and leaves one line in the [`access_log`].
//!
//! Routing, the doors, the status table and the bodies are plain Rust, tested natively; reading
//! the request and writing the response through WASI is compiled for wasm32 only.

#![deny(missing_docs)]

pub mod access;
pub mod access_log;
pub mod action_table;
pub mod browsers;
pub mod dry_run;
pub mod errors;
pub mod keys;
pub mod reply;
pub mod routes;
pub mod settings;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod component;
