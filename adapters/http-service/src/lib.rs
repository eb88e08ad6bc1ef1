//! The service front: serves the plugin's actions over `wasi:http/incoming-handler`, so the
//! composed component runs on any WASI 0.2 HTTP engine (`wasmtime serve`, Spin, wasmCloud).
//!
//! Routes: `POST /actions/{name}` (body: the action's JSON input; answer: its JSON output),
//! `GET /actions` (the manifest), `GET /health` (the three health checks; 503 when one fails).
//! Errors answer with the status of their kind ([`errors`]) and `{"error", "message", "detail"}`.
//!
//! Routing, the status table and the bodies are plain Rust, tested natively; reading the request
//! and writing the response through WASI is compiled for wasm32 only.

#![deny(missing_docs)]

pub mod action_table;
pub mod errors;
pub mod reply;
pub mod routes;

#[cfg(target_arch = "wasm32")]
mod component;
