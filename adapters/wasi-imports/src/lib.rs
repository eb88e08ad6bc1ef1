//! The adapter between the plugin and a standard WASI 0.2 engine (`wasmtime serve`, Spin,
//! wasmCloud): it exports the plugin's three imports, `dockerhub:org/http-fetch`, `secret-get` and
//! `cache`, on top of `wasi:http/outgoing-handler`, `wasi:config/store`, `wasi:keyvalue/store` and
//! `wasi:clocks`; and, for the service front inside the same composition, `service-host` (the same
//! config lookup, and the count of requests sent for the access log).
//!
//! The decisions are plain Rust and tested natively: which URLs may be fetched ([`allow_list`]),
//! how a cache entry keeps its expiry ([`cache_entry`]), which config keys a connection value is
//! looked up under ([`config_keys`]), the limits the reference host applies ([`limits`]) and the
//! call's deadline in service mode ([`deadline`]). The
//! generated bindings and the calls into WASI are compiled for wasm32 only.

#![deny(missing_docs)]

pub mod allow_list;
pub mod cache_entry;
pub mod config_keys;
pub mod deadline;
pub mod limits;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod fetch;
